// Helpers several rules share. Facts belong in facts.ts; this is presentation and small AST queries.
import { Node, unparen } from '../ast';
import type { CNode } from '../cfg';
import type { DeclFacts, Launch } from '../facts';
import { derefNamed } from '../typeinfer';
import type { OffsetEdit } from '../rule';
import type { SourceText } from '../source';
import type { Binding } from '../scope';

/** Root identifier of `a`, `a.b.c`, `&a.b`, `(*a).b`. */
export function rootIdent(e: Node | undefined): Node | undefined {
  e = unparen(e);
  while (e) {
    if (e.type === 'identifier') return e;
    if (e.type === 'selector_expression') e = unparen(e.child('operand'));
    else if (e.type === 'unary_expression' && (e.tokens[0] === '&' || e.tokens[0] === '*')) e = unparen(e.child('operand'));
    else return undefined;
  }
  return undefined;
}

export function rootBinding(f: DeclFacts, e: Node | undefined): Binding | undefined {
  const id = rootIdent(e);
  return id ? f.scopes.resolve(id) : undefined;
}

/** Whether a binding is declared inside `fn` (its own local, not a parameter or a captured variable). */
export function isLocalTo(b: Binding | undefined, fn: Node): boolean {
  if (!b || !b.decl) return false;
  if (b.kind === 'param' || b.kind === 'recv' || b.kind === 'result') return false;
  return fn.isAncestorOf(b.decl);
}

/** `&x` → `x`; `x` → `*x` is not needed for method calls (Go takes the address). */
export function stripAddr(text: string): string {
  return text.startsWith('&') ? text.slice(1) : text;
}

/**
 * Rewrites an expression used inside a launched body so it means the same at the launch site: a
 * parameter becomes the argument passed for it, a method receiver becomes the call's operand.
 * Undefined when that is not certain.
 */
export function exprAtLaunch(bodyFacts: DeclFacts, e: Node, launch: Launch): string | undefined {
  const id = rootIdent(e);
  if (!id || !launch.body) return undefined;
  const b = bodyFacts.scopes.resolve(id);
  const suffix = bodyFacts.root.src.text.slice(id.end, unparen(e)!.end);
  if (e.type === 'unary_expression') return undefined;
  if (!b || b.func === undefined) return e.text; // package-level: same everywhere in the package
  if (b.func !== launch.body) {
    if (launch.body.isAncestorOf(b.func)) return undefined;
    // Captured from an enclosing function: visible at the launch site when declared before it.
    return b.decl && b.decl.start < launch.node.start ? e.text : undefined;
  }
  if (b.kind === 'param') {
    const params = paramNames(launch.body);
    const i = params.indexOf(b.name);
    const arg = i >= 0 ? launch.args[i] : undefined;
    if (!arg || params.length !== launch.args.length) return undefined;
    const base = unparen(arg)!;
    if (!/^&?[A-Za-z_][\w.]*$/.test(base.text)) return undefined;
    return stripAddr(base.text) + suffix;
  }
  if (b.kind === 'recv') {
    const fn = unparen(launch.call.child('function'));
    const op = fn?.type === 'selector_expression' ? fn.child('operand') : undefined;
    if (!op || !/^[A-Za-z_][\w.]*$/.test(op.text)) return undefined;
    return op.text + suffix;
  }
  return undefined;
}

/** Parameter names in order (`_` and unnamed as ''). */
export function paramNames(fn: Node): string[] {
  const out: string[] = [];
  for (const p of fn.child('parameters')?.children ?? []) {
    if (p.type !== 'parameter_declaration' && p.type !== 'variadic_parameter_declaration') continue;
    const names = p.childrenIn('name');
    if (!names.length) out.push('');
    for (const n of names) out.push(n.text);
  }
  return out;
}

/** The statement holding an expression (expression_statement, go_statement, …) in a statement list. */
export function statementOf(n: Node): Node | undefined {
  for (let p: Node | null = n; p; p = p.parent) if (p.parent?.type === 'statement_list') return p;
  return undefined;
}

/** Whether identifiers in `e` all resolve to bindings that are visible at `at` and declared outside `inside`. */
export function movableTo(f: DeclFacts, e: Node, inside: Node, at: Node): boolean {
  let ok = true;
  e.walk((n) => {
    if (!ok) return false;
    if (n.type === 'func_literal') {
      ok = false;
      return false;
    }
    if (n.type === 'identifier') {
      const b = f.scopes.resolve(n);
      if (b && b.func !== undefined && (inside.isAncestorOf(b.id ?? b.decl!) || b.func === inside || (b.decl && b.decl.start > at.start))) ok = false;
    }
    return true;
  });
  return ok;
}

/** Result parameters of a function: none, named, or unnamed. */
export function resultKind(fn: Node): 'none' | 'named' | 'unnamed' {
  const r = fn.child('result');
  if (!r) return 'none';
  if (r.type !== 'parameter_list') return 'unnamed';
  const decls = r.children.filter((c) => c.type === 'parameter_declaration');
  if (!decls.length) return 'none';
  return decls.every((d) => d.childrenIn('name').length > 0) ? 'named' : 'unnamed';
}

/** Short display form of an expression for messages. */
export function show(e: Node | undefined): string {
  if (!e) return '?';
  const t = e.text.replace(/\s+/g, ' ');
  return t.length > 60 ? t.slice(0, 57) + '...' : t;
}

/** Counts `name(` call sites in the file text (a cheap, conservative upper bound). */
export function countCallSites(text: string, name: string, method: boolean): number {
  const re = new RegExp(`${method ? '\\.' : '(?<![.\\w])(?<!func\\s+)'}${name}\\s*\\(`, 'g');
  let n = 0;
  for (const _ of text.matchAll(re)) n++;
  return n;
}

// ---- gofmt's alignment of trailing comments ----
// gofmt aligns the `//` comments that end consecutive lines of one statement list (one space after the
// longest code). A section ends after a statement that spans several lines, at a blank or comment-only
// line, and at the list's end. A fix that widens or replaces a commented line must keep that true.

/** Trailing `//` comments (after code on their line) in a declaration, by 0-based line. */
function trailingComments(root: Node, src: SourceText): Map<number, Node> {
  const out = new Map<number, Node>();
  for (const c of root.findAll('comment')) {
    if (!c.text.startsWith('//')) continue;
    const line = src.lineOf(c.start);
    if (src.text.slice(src.lineStart(line), c.start).trim()) out.set(line, c);
  }
  return out;
}

/**
 * The lines whose trailing comments gofmt aligns with the one ending `stmt`'s line (`stmt` included), or
 * undefined when `stmt` is not a single-line statement of a statement list.
 */
function commentSection(src: SourceText, comments: Map<number, Node>, stmt: Node): number[] | undefined {
  const list = stmt.parent;
  const line = src.lineOf(stmt.start);
  if (list?.type !== 'statement_list' || src.lineOf(stmt.end) !== line) return undefined;
  const sibs = list.children.filter((c) => c.type !== 'comment');
  const i = sibs.indexOf(stmt);
  const out = [line];
  // Upwards: single-line statements on the lines just above, each with a trailing comment.
  for (let j = i - 1, l = line - 1; j >= 0; j--, l--) {
    const s = sibs[j];
    if (src.lineOf(s.start) !== l || src.lineOf(s.end) !== l || !comments.has(l)) break;
    out.unshift(l);
  }
  // Downwards: statements starting on the next lines with a comment there; a multi-line one ends the section.
  for (let j = i + 1, l = line + 1; j < sibs.length; j++, l++) {
    const s = sibs[j];
    if (src.lineOf(s.start) !== l || !comments.has(l)) break;
    out.push(l);
    if (src.lineOf(s.end) !== l) break;
  }
  return out;
}

/**
 * Edits re-padding the trailing comments aligned with the line of `stmt` once the code on it grows by
 * `delta` columns: [] when that line has no trailing comment; undefined when the alignment is not
 * certain (a statement over several lines, tabs or block comments inside the code).
 */
export function realignTrailingComments(root: Node, src: SourceText, stmt: Node, delta: number): OffsetEdit[] | undefined {
  const comments = trailingComments(root, src);
  const line = src.lineOf(stmt.start);
  if (delta === 0 || (!comments.has(line) && !comments.has(src.lineOf(stmt.end)))) return [];
  const section = commentSection(src, comments, stmt);
  if (!section) return undefined;
  const rows: { pad: { start: number; end: number }; width: number }[] = [];
  for (const l of section) {
    const c = comments.get(l)!;
    const ls = src.lineStart(l);
    const indent = src.indentAt(ls);
    const code = src.text.slice(ls + indent.length, c.start).trimEnd();
    if (code.includes('\t') || code.includes('/*')) return undefined;
    let width = 0;
    for (const _ of code) width++;
    rows.push({ pad: { start: ls + indent.length + code.length, end: c.start }, width: width + (l === line ? delta : 0) });
  }
  const max = Math.max(...rows.map((r) => r.width));
  const edits: OffsetEdit[] = [];
  for (const r of rows) {
    const pad = ' '.repeat(max - r.width + 1);
    if (src.text.slice(r.pad.start, r.pad.end) !== pad) edits.push({ start: r.pad.start, end: r.pad.end, newText: pad });
  }
  return edits;
}

/** Whether the trailing comment of single-line `stmt` is aligned by gofmt with another line's (or unsure). */
export function inCommentBlock(root: Node, src: SourceText, stmt: Node): boolean {
  const comments = trailingComments(root, src);
  if (!comments.has(src.lineOf(stmt.end))) return false;
  const section = commentSection(src, comments, stmt);
  return !section || section.length > 1;
}

/** `t.Fatal(…)`, `t.FailNow()`, `t.Skip(…)`, `runtime.Goexit()`: the calling goroutine ends, the process goes on. */
export function endsGoroutine(f: DeclFacts, c: CNode): boolean {
  const call = c.ast?.type === 'expression_statement' ? unparen(c.ast.children[0]) : undefined;
  const fn = call?.type === 'call_expression' ? unparen(call.child('function')) : undefined;
  if (fn?.type !== 'selector_expression') return false;
  const op = fn.child('operand')!;
  const name = fn.child('field')?.text ?? '';
  const pkg = op.type === 'identifier' ? f.pkgOf(op) : undefined;
  if (pkg) return pkg === 'runtime' && name === 'Goexit';
  if (!/^(Fatal|Fatalf|FailNow|Skip|Skipf|SkipNow)$/.test(name)) return false;
  // A *log.Logger's Fatal exits the process.
  const t = derefNamed(f.typeOf(op));
  return !(t?.kind === 'named' && t.pkg === 'log');
}

/** A call's arguments without the comments tree-sitter keeps among them (`f( // why\n x)`). */
export function callArgs(call: Node): Node[] {
  return (call.child('arguments')?.children ?? []).filter((c) => c.type !== 'comment');
}
