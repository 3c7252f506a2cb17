import { Node, unparen } from '../ast';
import { DeclFacts, makeChan as makeChanLit } from '../facts';
import type { Binding } from '../scope';
import type { OffsetEdit, Rule, RuleContext } from '../rule';
import { derefNamed } from '../typeinfer';
import { callArgs, paramNames, realignTrailingComments, show } from './util';

const STMT_PARENTS = new Set(['block', 'statement_list', 'source_file', 'expression_case', 'communication_case', 'default_case', 'type_case']);

type Make = NonNullable<ReturnType<typeof makeChanLit>>;

/** The facts whose file resolves same-file channel types in `make(sigChan)`; set for one check. */
let current: DeclFacts | undefined;

/** `make(chan T, …)`, or `make(C, …)` of a same-file `type C chan T`. */
function makeChan(e: Node | undefined): Make | undefined {
  const m = makeChanLit(e);
  if (m || !current) return m;
  const call = unparen(e);
  if (call?.type !== 'call_expression' || call.child('function')?.text !== 'make') return undefined;
  const args = call.child('arguments')?.children ?? [];
  if (args[0]?.type !== 'type_identifier') return undefined;
  const def = current.file.localType(args[0].text);
  if (def?.type !== 'channel_type') return undefined;
  return { call, elem: def.child('value'), cap: args[1] };
}

export const signalUnbuffered: Rule = {
  id: 'signal-unbuffered',
  title: 'signal.Notify with an unbuffered channel',
  defaultSeverity: 'warning',
  summary: 'signal.Notify does not block when it delivers a signal: with an unbuffered channel, a signal that arrives while nobody is receiving is dropped.',
  trigger: /\.Notify\s*\(/,
  patterns: ['shutdown'],
  check(ctx) {
    current = ctx.facts;
    try {
      checkCalls(ctx);
    } finally {
      current = undefined;
    }
  },
};

function checkCalls(ctx: RuleContext): void {
  const f = ctx.facts;
  ctx.node.walk((n) => {
    if (n.type !== 'call_expression' || f.pkgCall(n, 'os/signal') !== 'Notify') return true;
    const ch = callArgs(n)[0];
    if (!ch) return true;
    // One unbuffered make that can feed this call is enough to drop signals on that path.
    const unbuffered = makesOf(ctx, f, ch, n)?.filter(isUnbuffered);
    if (!unbuffered?.length) return true;
    // `, 1` widens the make's line: gofmt re-aligns trailing comments around it; no fix when that is unsure.
    const edits: OffsetEdit[] = [];
    let certain = true;
    for (const m of unbuffered) {
      const e = capacityOne(m);
      edits.push(e);
      let root = m.call;
      while (root.parent) root = root.parent;
      let stmt = m.call;
      while (stmt.parent && !STMT_PARENTS.has(stmt.parent.type)) stmt = stmt.parent;
      const realign = realignTrailingComments(root, ctx.src, stmt, e.newText.length - (e.end - e.start));
      if (!realign) certain = false;
      else for (const r of realign) if (!edits.some((x) => x.start === r.start)) edits.push(r);
    }
    // Say where the make is when it is not next to the call (another function, a caller).
    const elsewhere = unbuffered.some((m) => m.call.start < ctx.decl.start || m.call.end > ctx.decl.end);
    const where = elsewhere ? ` (made by ${unbuffered.map((m) => `make on ${ctx.lineRef(m.call)}`).join(', ')})` : '';
    ctx.report({
      node: n,
      message:
        `${show(ch)} is unbuffered${where}: signal.Notify never blocks to deliver a signal, so one that arrives while nobody is receiving on ${show(ch)} is dropped ` +
        `(the program can miss its SIGINT or SIGTERM). Give the channel a buffer: make(chan os.Signal, 1).`,
      fixes: certain ? [{ title: 'Give the channel a buffer of 1', edits }] : [],
    });
    return true;
  });
}

export function isUnbuffered(m: Make): boolean {
  const cap = unparen(m.cap);
  return !cap || (cap.type === 'int_literal' && Number(cap.text.replace(/_/g, '')) === 0);
}

/** `make(chan T)` → `make(chan T, 1)`; `make(chan T, 0)` → `make(chan T, 1)`. */
export function capacityOne(m: Make): OffsetEdit {
  if (m.cap) return { start: m.cap.start, end: m.cap.end, newText: '1' };
  const type = m.call.child('arguments')!.children[0];
  return { start: type.end, end: type.end, newText: ', 1' };
}

/**
 * The make() calls that can produce the channel an expression denotes, found in this file; undefined when
 * some assignment is not a make or the origin is unknown (a parameter, another package, a call).
 */
function makesOf(ctx: RuleContext, f: DeclFacts, e: Node, call: Node, viaParam = true): Make[] | undefined {
  e = unparen(e)!;
  // signal.Notify(make(chan os.Signal), sig) is the idiom for swallowing a signal: dropping is the point.
  if (makeChan(e)) return undefined;
  if (e.type === 'identifier') {
    const b = f.scopes.resolve(e);
    if (!b || b.tuple) return undefined;
    if (b.kind === 'package') return packageMakes(ctx, b.name, b.value);
    if (b.kind === 'param') return viaParam && b.func === f.root && !f.scopes.writesTo(b).length ? callerMakes(ctx, f, b) : undefined;
    if (b.kind !== 'var' || !b.decl) return undefined;
    // Assignments of a local: keep those whose value can still be in the variable at the call.
    const sources: { stmt: Node; make: Make }[] = [];
    if (b.value) {
      const m = makeChan(b.value);
      if (!m) return undefined;
      sources.push({ stmt: b.decl, make: m });
    }
    for (const w of f.scopes.writesTo(b)) {
      const m = assignedMake(w);
      if (!m) return undefined;
      sources.push({ stmt: w.parent!.parent!, make: m });
    }
    if (sources.length === 1) return [sources[0].make];
    const fn = f.funcOf(call);
    const g = f.cfg(fn);
    const at = g.nodeFor(call);
    const nodes = sources.map((x) => g.nodeFor(x.stmt));
    if (!at || g.hasGoto || nodes.some((c) => !c) || sources.some((x) => f.funcOf(x.stmt) !== fn)) return undefined;
    return sources.filter((_, i) => g.reachable(nodes[i]!, at, (c) => nodes.includes(c))).map((x) => x.make);
  }
  if (e.type === 'selector_expression') {
    const op = e.child('operand');
    const field = e.child('field')?.text;
    if (!op || !field || (op.type === 'identifier' && f.pkgOf(op))) return undefined;
    // The literal that made op says what the field holds, whatever op's type (an anonymous struct too).
    const lit = literalMake(f, op, field, call);
    if (lit) return lit;
    const t = derefNamed(f.typeOf(op));
    if (t?.kind !== 'named' || t.pkg !== '') return undefined;
    return fieldMakes(ctx, t.name, field);
  }
  return undefined;
}

/**
 * A parameter of a same-file function or method: the makes its callers in this file pass for it (one
 * level). Callers whose argument is unknown are left out: a caller that passes an unbuffered channel is a
 * bug on its own.
 */
function callerMakes(ctx: RuleContext, f: DeclFacts, p: Binding): Make[] | undefined {
  const d = ctx.decl;
  if (d.kind !== 'func' && d.kind !== 'method') return undefined;
  const index = paramNames(f.root).indexOf(p.name);
  const name = d.names[0];
  // A parameter before the variadic one keeps its position in every call.
  const variadic = f.root.child('parameters')?.firstOfType('variadic_parameter_declaration');
  if (index < 0 || !name || (variadic && variadic.childrenIn('name').some((n) => n.text === p.name))) return undefined;
  const found: Make[] = [];
  // A recorded scan: an edit that adds, changes or removes a caller re-analyses this call.
  for (const c of ctx.file.scan({ kinds: ['func', 'method', 'var'], includes: [name] })) {
    const cf = c === d ? f : ctx.file.depFacts(c);
    for (const call of cf.root.findAll('call_expression')) {
      if (cf.callee(call).bodyDecl !== d) continue;
      const arg = callArgs(call)[index];
      if (!arg) continue;
      const direct = makeChan(arg);
      const ms = direct ? [direct] : makesOf(ctx, cf, arg, call, false);
      if (ms) found.push(...ms);
    }
  }
  return found;
}

/** The make assigned by `x = make(…)` where `id` is x, if that is the assignment. */
function assignedMake(id: Node): Make | undefined {
  const list = id.parent;
  const stmt = list?.parent;
  if (list?.field !== 'left' || (stmt?.type !== 'assignment_statement' && stmt?.type !== 'short_var_declaration')) return undefined;
  if (stmt.type === 'assignment_statement' && !stmt.hasToken('=')) return undefined;
  const left = list.children;
  const right = stmt.child('right')?.children ?? [];
  if (left.length !== right.length) return undefined;
  return makeChan(right[left.indexOf(id)]);
}

/** A package variable: its initializer and every assignment in this file's functions. */
function packageMakes(ctx: RuleContext, name: string, value: Node | undefined): Make[] | undefined {
  const found: Make[] = [];
  if (value) {
    const m = makeChan(value);
    if (!m) return undefined;
    found.push(m);
  }
  const re = new RegExp(`\\b${name}\\b`);
  for (const d of ctx.file.scan({ kinds: ['func', 'method'], includes: [name] })) {
    if (!re.test(d.text)) continue;
    const df = d === ctx.decl ? ctx.facts : ctx.file.depFacts(d);
    for (const id of df.root.findAll('identifier')) {
      if (id.text !== name || id.parent?.field !== 'left') continue;
      const b = df.scopes.resolve(id);
      if (b?.kind !== 'package') continue;
      const m = assignedMake(id);
      if (!m) return undefined;
      found.push(m);
    }
  }
  return found;
}

/** A field of a same-file struct type: every `x.field = …` and `T{field: …}` in this file. */
function fieldMakes(ctx: RuleContext, type: string, field: string): Make[] | undefined {
  const found: Make[] = [];
  const re = new RegExp(`\\b${field}\\b`);
  for (const d of ctx.file.scan({ kinds: ['func', 'method', 'var'], includes: [field] })) {
    if (!re.test(d.text)) continue;
    const df = d === ctx.decl ? ctx.facts : ctx.file.depFacts(d);
    let unknown = false;
    df.root.walk((n) => {
      if (unknown) return false;
      if (n.type === 'selector_expression' && n.child('field')?.text === field && n.parent?.field === 'left' && isType(df, n.child('operand'), type)) {
        const stmt = n.parent.parent;
        if (stmt?.type !== 'assignment_statement') return true;
        const left = n.parent.children;
        const right = stmt.child('right')?.children ?? [];
        const m = stmt.hasToken('=') && left.length === right.length ? makeChan(right[left.indexOf(n)]) : undefined;
        if (!m) unknown = true;
        else found.push(m);
      } else if (n.type === 'composite_literal' && isNamedType(df, n.child('type'), type)) {
        for (const el of n.child('body')?.children ?? []) {
          if (el.type === 'literal_element') unknown = true; // positional: may be the field
          if (el.type !== 'keyed_element') continue;
          const [k, v] = el.children;
          if (unparen(k?.children[0] ?? k)?.text !== field) continue;
          const m = makeChan(v?.children[0] ?? v);
          if (!m) unknown = true;
          else found.push(m);
        }
      }
      return true;
    });
    if (unknown) return undefined;
  }
  return found;
}

function isType(f: DeclFacts, e: Node | undefined, type: string): boolean {
  const t = derefNamed(f.typeOf(e));
  return t?.kind === 'named' && t.pkg === '' && t.name === type;
}

function isNamedType(f: DeclFacts, t: Node | undefined, type: string): boolean {
  const g = f.types.fromTypeNode(t);
  return g?.kind === 'named' && g.pkg === '' && g.name === type;
}

/**
 * `h := &handler{c: make(chan os.Signal, 1)}` then `signal.Notify(h.c, …)` in the same function: the
 * literal (or the last `h.c = make(…)` before the call in an enclosing block) says what h.c holds,
 * whatever other values of the type hold. An unbuffered value is trusted only while h is used for nothing
 * but its fields before the call (a method or a callee given h could replace the field).
 */
function literalMake(f: DeclFacts, op: Node, field: string, call: Node): Make[] | undefined {
  const id = unparen(op);
  const b = id?.type === 'identifier' ? f.scopes.resolve(id) : undefined;
  if (!b || b.kind !== 'var' || b.tuple || !b.value || f.scopes.writesTo(b).length) return undefined;
  let lit = unparen(b.value);
  if (lit?.type === 'unary_expression' && lit.tokens[0] === '&') lit = unparen(lit.child('operand'));
  if (lit?.type !== 'composite_literal' || f.funcOf(lit) !== f.funcOf(call)) return undefined;
  let value: Node | undefined;
  for (const el of lit.child('body')?.children ?? []) {
    if (el.type !== 'keyed_element') return undefined;
    const [k, v] = el.children;
    if (unparen(k?.children[0] ?? k)?.text === field) value = v?.children[0] ?? v;
  }
  const refs = f.scopes.references(b).filter((r) => r.start < call.start);
  const isSel = (r: Node) => r.field === 'operand' && r.parent?.type === 'selector_expression';
  const stores = refs.filter((r) => isSel(r) && r.parent!.child('field')?.text === field && r.parent!.parent?.field === 'left');
  if (stores.length) {
    // The last store must run on every path to the call: a statement of a block that encloses it.
    const stmt = stores[stores.length - 1].parent!.parent!.parent!;
    if (stmt.type !== 'assignment_statement' || !stmt.hasToken('=') || !stmt.parent?.contains(call) || f.funcOf(stmt) !== f.funcOf(call)) return undefined;
    const left = stmt.child('left')?.children ?? [];
    const right = stmt.child('right')?.children ?? [];
    value = left.length === right.length ? right[left.indexOf(stores[stores.length - 1].parent!)] : undefined;
  }
  const m = value && makeChan(value);
  if (!m) return undefined;
  if (!isUnbuffered(m)) return [m];
  const onlyFields = refs.every((r) => isSel(r) && r.parent!.field !== 'function' && (r.parent!.parent?.field !== 'left' || stores.includes(r)));
  return onlyFields ? [m] : undefined;
}
