import { Node, unparen } from '../ast';
import { ownLines } from '../edits';
import type { Canceller, ChanOp, DeclFacts } from '../facts';
import type { OffsetFix, Rule, RuleContext } from '../rule';
import { resultKind, show } from './util';

export const sendWithoutCancel: Rule = {
  id: 'send-without-cancel',
  title: 'Channel send in a goroutine without a cancellation path',
  defaultSeverity: 'warning',
  summary: 'A goroutine sends on a channel with a plain send although a context or done channel is in scope: once the receiver is gone, the send blocks forever and the goroutine leaks.',
  trigger: /<-/,
  patterns: ['pipeline', 'generator', 'fanin'],
  check(ctx) {
    const f = ctx.facts;
    for (const op of f.chanOps) {
      if (op.kind !== 'send' || op.select) continue;
      const g = f.goroutineOf(op.node);
      if (!g) continue;
      const cancellers = f.cancellersAt(op.node);
      if (!cancellers.length) continue;
      if (capacityCoversSends(f, op)) continue;
      const c = cancellers[0];
      const wait = c.kind === 'ctx' ? `<-${c.expr}.Done()` : `<-${c.expr}`;
      ctx.report({
        node: op.node,
        message:
          `Send on ${show(op.chan)} can block forever: this goroutine does not also wait on ${wait}, so once the receiver stops reading ` +
          `the goroutine leaks. Send in a select with a case ${wait}.`,
        fixes: wrapFix(ctx, op, g.body, c),
      });
    }
  },
};

/**
 * `make(chan T, N)` with at most N sends, or `make(chan T, len(xs))` with one send per element of xs
 * (also through one goroutine per element).
 */
function capacityCoversSends(f: DeclFacts, op: ChanOp): boolean {
  const key = f.refKey(op.chan);
  const b = f.bindingOf(op.chan);
  const mk = f.makeOf(b);
  if (!key || !mk?.cap) return false;
  const sends = f.chanOps.filter((o) => o.kind === 'send' && f.refKey(o.chan) === key);
  // The channel must not escape to code we cannot see sending on it.
  if (b && f.scopes.references(b).some((r) => isPassedAway(r))) return false;
  const cap = unparen(mk.cap)!;
  if (cap.type === 'int_literal') {
    const n = Number(cap.text.replace(/_/g, ''));
    let total = 0;
    for (const s of sends) {
      if (repeats(f, s.node, mk.call)) return false;
      total++;
    }
    return total <= n;
  }
  // len(xs): every send runs at most once per element of xs.
  const lenOf = lenArg(cap);
  if (!lenOf) return false;
  for (const s of sends) {
    const loops = loopsAround(f, s.node, mk.call);
    if (loops.length !== 1) return false;
    const rc = loops[0].firstOfType('range_clause');
    if (!rc || rc.child('right')?.text !== lenOf) return false;
  }
  return true;
}

function lenArg(cap: Node): string | undefined {
  if (cap.type !== 'call_expression' || cap.child('function')?.text !== 'len') return undefined;
  return cap.child('arguments')?.children[0]?.text;
}

/** Loops (across goroutine launches, up to the make) that repeat a statement. */
function loopsAround(f: DeclFacts, n: Node, upTo: Node): Node[] {
  const out: Node[] = [];
  for (let p: Node | null = n.parent; p; p = p.parent) {
    if (p.isAncestorOf(upTo)) break;
    if (p.type === 'for_statement' && p.child('body')?.contains(n)) out.push(p);
  }
  void f;
  return out;
}

function repeats(f: DeclFacts, n: Node, upTo: Node): boolean {
  return loopsAround(f, n, upTo).length > 0;
}

/** The identifier is handed to a call (not as a receiver), returned, or stored. */
function isPassedAway(id: Node): boolean {
  const p = id.parent;
  if (!p) return false;
  if (p.type === 'argument_list') return true;
  if (p.type === 'expression_list' && (p.parent?.type === 'return_statement' || (p.parent?.type === 'assignment_statement' && p.field === 'right'))) return true;
  if (p.type === 'literal_element') return true;
  return false;
}

function wrapFix(ctx: RuleContext, op: ChanOp, body: Node, c: Canceller): OffsetFix[] {
  const stmt = op.node;
  if (stmt.parent?.type !== 'statement_list' || op.func !== body) return [];
  const lines = ownLines(stmt, ctx.src);
  if (!lines) return [];
  let ret: string;
  const rk = resultKind(body);
  if (rk === 'none' || rk === 'named') ret = 'return';
  else if (c.kind === 'ctx' && body.child('result')?.text === 'error') ret = `return ${c.expr}.Err()`;
  else return [];
  const indent = ctx.src.indentAt(stmt.start);
  const wait = c.kind === 'ctx' ? `<-${c.expr}.Done()` : `<-${c.expr}`;
  const text = [`select {`, `case ${stmt.text}:`, `case ${wait}:`, `\t${ret}`, `}`].map((l, i) => (i === 0 ? l : indent + l)).join('\n');
  return [{ title: `Wrap the send in a select on ${wait}`, edits: [{ start: stmt.start, end: stmt.end, newText: text }] }];
}
