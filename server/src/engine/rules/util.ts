// Helpers several rules share. Facts belong in facts.ts; this is presentation and small AST queries.
import { Node, unparen } from '../ast';
import type { DeclFacts, Launch } from '../facts';
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
// gofmt aligns the `//` comments that end adjacent lines of the same indentation (one space after the
// longest code). A fix that changes the width of such a line, or replaces it, must keep that true.

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

/** Lines of the alignment block of `line` (which ends in a trailing comment), in order. */
function commentBlock(src: SourceText, comments: Map<number, Node>, line: number): number[] {
  const indent = src.indentAt(src.lineStart(line));
  const same = (l: number) => comments.has(l) && src.indentAt(src.lineStart(l)) === indent;
  let first = line;
  let last = line;
  while (same(first - 1)) first--;
  while (same(last + 1)) last++;
  const out: number[] = [];
  for (let l = first; l <= last; l++) out.push(l);
  return out;
}

/**
 * Edits re-padding the trailing comments aligned with `line` once its code grows by `delta` columns: []
 * when the line has no trailing comment; undefined when the widths are not certain (tabs or block
 * comments inside the code).
 */
export function realignTrailingComments(root: Node, src: SourceText, line: number, delta: number): OffsetEdit[] | undefined {
  const comments = trailingComments(root, src);
  if (!comments.has(line) || delta === 0) return [];
  const block = commentBlock(src, comments, line);
  const rows: { pad: { start: number; end: number }; width: number }[] = [];
  for (const l of block) {
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

/** Whether `line` is part of a block of trailing comments that gofmt aligns (another line is in it). */
export function inCommentBlock(root: Node, src: SourceText, line: number): boolean {
  const comments = trailingComments(root, src);
  return comments.has(line) && commentBlock(src, comments, line).length > 1;
}
