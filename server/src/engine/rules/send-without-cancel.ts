import { Node, unparen } from '../ast';
import { ownLines } from '../edits';
import type { CNode } from '../cfg';
import type { Canceller, ChanOp, DeclFacts, Launch } from '../facts';
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
      if (capacityCoversSends(f, op) || launcherAlwaysReceives(f, op, g.body, g.launches)) continue;
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
 * (also through one goroutine per element). Sends on mutually exclusive paths count once.
 */
function capacityCoversSends(f: DeclFacts, op: ChanOp): boolean {
  const key = f.refKey(op.chan);
  const b = f.bindingOf(op.chan);
  const mk = f.makeOf(b);
  if (!key || !mk?.cap) return false;
  const sends = f.chanOps.filter((o) => o.kind === 'send' && f.refKey(o.chan) === key);
  // Handed to a call, the channel may get senders we cannot see.
  if (b && f.scopes.references(b).some((r) => r.parent?.type === 'argument_list')) return false;
  const cap = unparen(mk.cap)!;
  if (cap.type === 'int_literal') {
    if (sends.some((s) => loopsAround(s.node, mk.call).length > 0)) return false;
    return sendsPerRun(f, sends) <= Number(cap.text.replace(/_/g, ''));
  }
  // len(xs): every send runs at most once per element of xs.
  const lenOf = lenArg(cap);
  if (!lenOf) return false;
  for (const s of sends) {
    const loops = loopsAround(s.node, mk.call);
    if (loops.length !== 1) return false;
    const rc = loops[0].firstOfType('range_clause');
    if (!rc || rc.child('right')?.text !== lenOf) return false;
    // Inside the loop body (the goroutine or the loop itself) it must send at most once.
    if (sendsPerRun(f, sends.filter((o) => f.runner(o.node) === f.runner(s.node))) > 1) return false;
  }
  return true;
}

/**
 * The most sends one execution of their functions can make: sends that cannot follow each other
 * (if/else, switch or select branches) count once; a send that can repeat counts as unbounded.
 */
export function sendsPerRun(f: DeclFacts, sends: ChanOp[]): number {
  let total = 0;
  const byRunner = new Map<Node, ChanOp[]>();
  for (const s of sends) {
    const r = f.runner(s.node);
    byRunner.set(r, [...(byRunner.get(r) ?? []), s]);
  }
  for (const [fn, ops] of byRunner) {
    const g = f.cfg(fn);
    const nodes = ops.map((o) => g.nodeFor(f.anchorIn(fn, o.node)));
    if (nodes.some((n) => !n || g.reachable(n, n))) return Infinity;
    const exclusive = nodes.every((a, i) => nodes.every((b, j) => i === j || a === b || (!g.reachable(a!, b!) && !g.reachable(b!, a!))));
    total += exclusive ? 1 : ops.length;
  }
  return total;
}

/**
 * `go func() { errc <- work() }()` followed, on every path of the launcher, by a receive from errc:
 * the single send always finds its receiver.
 */
function launcherAlwaysReceives(f: DeclFacts, op: ChanOp, body: Node, launches: Launch[]): boolean {
  if (launches.length !== 1 || launches[0].kind !== 'go') return false;
  const launch = launches[0];
  const key = f.refKey(op.chan);
  const b = f.bindingOf(op.chan);
  if (!key || !b || b.func !== launch.launcher || f.loopOf(launch.node)) return false;
  const sends = f.chanOps.filter((o) => o.kind === 'send' && f.refKey(o.chan) === key);
  // Other goroutines' sends may take the receive, unless they are select cases that can give up.
  const mine = sends.filter((s) => body.isAncestorOf(s.node));
  if (sends.some((s) => !body.isAncestorOf(s.node) && !s.select) || sendsPerRun(f, mine) > 1) return false;
  const g = f.cfg(launch.launcher);
  const from = g.nodeFor(launch.node);
  if (!from) return false;
  const recvNodes = new Set<CNode>();
  for (const o of f.chanOps) {
    // A select case that receives it counts on the paths through that case.
    if ((o.kind !== 'recv' && o.kind !== 'range') || f.refKey(o.chan) !== key || f.runner(o.node) !== launch.launcher) continue;
    const n = g.nodeFor(f.anchorIn(launch.launcher, o.node));
    if (n) recvNodes.add(n);
  }
  if (!recvNodes.size) return false;
  // A deferred receive registered on every path to the launch runs at every exit after it.
  const deferred = [...recvNodes].filter((c) => c.ast?.type === 'defer_statement');
  if (deferred.length && !g.reachable(g.entry, from, (c) => deferred.includes(c))) return true;
  return !g.exitAvoiding(from, (c) => recvNodes.has(c));
}

function lenArg(cap: Node): string | undefined {
  if (cap.type !== 'call_expression' || cap.child('function')?.text !== 'len') return undefined;
  return cap.child('arguments')?.children[0]?.text;
}

/** Loops (across goroutine launches, up to the make) that repeat a statement. */
function loopsAround(n: Node, upTo: Node): Node[] {
  const out: Node[] = [];
  for (let p: Node | null = n.parent; p; p = p.parent) {
    if (p.isAncestorOf(upTo)) break;
    if (p.type === 'for_statement' && p.child('body')?.contains(n)) out.push(p);
  }
  return out;
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
