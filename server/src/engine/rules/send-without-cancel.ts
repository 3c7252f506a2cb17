import { Node, unparen } from '../ast';
import { ownLines } from '../edits';
import type { CNode } from '../cfg';
import { isDoneChan } from '../facts';
import type { Canceller, ChanOp, DeclFacts, Launch } from '../facts';
import type { OffsetFix, Rule, RuleContext } from '../rule';
import type { FileFacts } from '../facts';
import { isNamed } from '../typeinfer';
import type { Binding } from '../scope';
import { endsGoroutine, inCommentBlock, paramNames, resultKind, show } from './util';

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
      const g = f.goroutineOf(op.node) ?? goroutineOfCallback(f, op.func) ?? goroutineOfLocalClosure(f, op.func);
      if (!g) continue;
      // A channel this goroutine closes itself signals its completion, not a cancellation of it.
      // Nor can context.Background() (or TODO) ever be done.
      const cancellers = [...f.cancellersAt(op.node), ...requestContexts(f, op.node)].filter((c) => !closedBy(f, c, g.body) && !neverDone(f, c));
      if (!cancellers.length) continue;
      if (capacityCoversSends(f, op) || paramCapacityCovers(ctx.file, f, op, g.body, g.launches) || workQueueCovers(ctx.file, f, op, g.body, g.launches) || launcherAlwaysReceives(f, op, g.body, g.launches) || takesToken(f, op) || afterCancelled(f, op, g.body)) continue;
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
 * `make(chan T, N)` with at most N sends, or a buffer of `len(xs)` / `n` filled by a loop that runs that
 * many times (`for _, x := range xs`, `for i := 0; i < n; i++`, `for range n`) and sends at most once per
 * iteration, in its body or in a goroutine it starts. Sends on mutually exclusive paths count once.
 */
function capacityCoversSends(f: DeclFacts, op: ChanOp): boolean {
  const key = f.refKey(op.chan);
  const b = f.bindingOf(op.chan);
  const mk = f.makeOf(b);
  if (!key || !mk?.cap) return false;
  const sends = f.chanOps.filter((o) => o.kind === 'send' && f.refKey(o.chan) === key);
  // Handed to a call, the channel may get senders we cannot see (close, len and cap add none).
  if (b && f.scopes.references(b).some((r) => r.parent?.type === 'argument_list' && !isBuiltinArg(f, r))) return false;
  const cap = unparen(mk.cap)!;
  const covers = (loopsOf: Node[][]): boolean => {
    if (loopsOf.every((ls) => ls.length === 0)) return cap.type === 'int_literal' && sendsPerRun(f, sends) <= Number(cap.text.replace(/_/g, ''));
    // One loop around every send, running as many times as the capacity.
    const loop = loopsOf[0][0];
    return loopsOf.every((ls) => ls.length === 1 && ls[0] === loop) && iteratesCapTimes(f, loop, cap) && sendsPerIteration(f, sends, loop) <= 1;
  };
  const loopsOf = sends.map((s) => loopsAround(s.node, mk.call));
  if (covers(loopsOf)) return true;
  // Loops inside a goroutine body (`for { …; if err != nil { errc <- err; return } }`): its graph says
  // whether a send can repeat (sendsPerRun), so only the loops that repeat the goroutine itself count.
  const home = f.runner(mk.call);
  const outer: Node[][] = [];
  for (let i = 0; i < sends.length; i++) {
    const r = f.runner(sends[i].node);
    if (r === home) outer.push(loopsOf[i]);
    else if (f.launchesOf(r).length === 1) outer.push(loopsOf[i].filter((l) => !r.isAncestorOf(l)));
    else return false;
  }
  return outer.some((ls, i) => ls.length !== loopsOf[i].length) && covers(outer);
}

/**
 * `r.Context()` of an `*http.Request` in scope, where the declaration already uses the request's context:
 * that is the cancellation at hand in a handler.
 */
function requestContexts(f: DeclFacts, at: Node): Canceller[] {
  const out: Canceller[] = [];
  for (const b of f.scopes.visibleAt(at, (b) => b.kind === 'param' || b.kind === 'var')) {
    const t = f.types.typeOfBinding(b);
    if (t?.kind !== 'pointer' || !isNamed(t.elem, 'net/http', 'Request') || f.scopes.writesTo(b).length) continue;
    const usesContext = f.scopes
      .references(b)
      .some((r) => r.parent?.type === 'selector_expression' && r.parent.child('field')?.text === 'Context' && r.parent.parent?.type === 'call_expression');
    if (usesContext) out.push({ kind: 'ctx', expr: `${b.name}.Context()` });
  }
  return out;
}

/**
 * `emit := func(v T) { out <- v }` declared in a goroutine and only called (not stored, passed or
 * launched) from that goroutine: its sends run there.
 */
function goroutineOfLocalClosure(f: DeclFacts, fn: Node): ReturnType<DeclFacts['goroutineOf']> {
  if (fn.type !== 'func_literal') return undefined;
  let c: Node = fn;
  while (c.parent?.type === 'parenthesized_expression') c = c.parent;
  const list = c.parent;
  const decl = list?.parent;
  if (list?.type !== 'expression_list' || (decl?.type !== 'short_var_declaration' && decl?.type !== 'var_spec')) return undefined;
  const i = list.children.indexOf(c);
  const id = (decl.type === 'short_var_declaration' ? decl.child('left')?.children : decl.childrenIn('name'))?.[i];
  const b = id?.type === 'identifier' ? f.scopes.resolve(id) : undefined;
  if (!b || b.kind !== 'var' || unparen(b.value) !== fn || f.scopes.writesTo(b).length) return undefined;
  const refs = f.scopes.references(b);
  let g: ReturnType<DeclFacts['goroutineOf']>;
  for (const r of refs) {
    const call = r.parent;
    if (call?.type !== 'call_expression' || call.child('function') !== r || call.parent?.type === 'go_statement') return undefined;
    const rg = f.goroutineOf(r);
    if (!rg || (g && rg.body !== g.body)) return undefined;
    g = rg;
  }
  return g;
}

/**
 * `func ping(…, errc chan<- error) { errc <- … }` launched with `go ping(…, errc)` where every launch
 * passes its own `make(chan T, N)` with N covering the sends of one run.
 */
function paramCapacityCovers(file: FileFacts, f: DeclFacts, op: ChanOp, body: Node, launches: Launch[]): boolean {
  const b = f.bindingOf(op.chan);
  if (!b || b.kind !== 'param' || b.func !== body || f.scopes.writesTo(b).length || !launches.length) return false;
  // Its position among the parameters (a variadic or grouped list is counted name by name).
  let idx = -1;
  let n = 0;
  for (const pd of body.child('parameters')?.children ?? []) {
    if (pd.type === 'variadic_parameter_declaration') return false;
    if (pd.type !== 'parameter_declaration') continue;
    for (const nm of pd.childrenIn('name')) {
      if (nm === b.id) idx = n;
      n++;
    }
  }
  if (idx < 0) return false;
  const key = f.refKey(op.chan);
  if (f.scopes.references(b).some((r) => r.parent?.type === 'argument_list' && !isBuiltinArg(f, r))) return false;
  const sends = f.chanOps.filter((o) => o.kind === 'send' && f.refKey(o.chan) === key && body.isAncestorOf(o.node));
  const perRun = sendsPerRun(f, sends);
  if (!Number.isFinite(perRun)) return false;
  return launches.every((l) => {
    if (l.kind !== 'go' || l.args.length !== n) return false;
    const lf = file.factsFor(l.node);
    const arg = unparen(l.args[idx]);
    const ab = lf && arg?.type === 'identifier' ? lf.bindingOf(arg) : undefined;
    const mk = ab && lf!.makeOf(ab);
    const cap = unparen(mk?.cap);
    if (!lf || !ab || !mk || !cap) return false;
    // One channel per launch, made where no loop repeats the launch; or `make(chan T, len(xs))` shared by
    // one launch per iteration of `for … range xs`, each sending at most once. Handed only to these
    // goroutines, and not sent on by anyone else.
    const loops = loopsAround(l.node, mk.call);
    if (loops.length === 0) {
      if (cap.type !== 'int_literal' || Number(cap.text.replace(/_/g, '')) < perRun) return false;
    } else if (loops.length !== 1 || perRun > 1 || !iteratesCapTimes(lf, loops[0], cap)) return false;
    const akey = lf.refKey(arg);
    if (lf.chanOps.some((o) => o.kind === 'send' && lf.refKey(o.chan) === akey)) return false;
    return lf.scopes.references(ab).filter((r) => r.parent?.type === 'argument_list' && !isBuiltinArg(lf, r)).length === 1;
  });
}

/**
 * The worker pool with a results buffer of `len(items)`: workers send at most once per job received with
 * `for j := range jobs`, and `jobs` gets one send per item from a `for … range items` loop, so the
 * results never outnumber the buffer, however many workers share the jobs.
 */
function workQueueCovers(file: FileFacts, f: DeclFacts, op: ChanOp, body: Node, launches: Launch[]): boolean {
  const key = f.refKey(op.chan);
  if (!key || !launches.length || f.runner(op.node) !== body) return false;
  // The one loop around the send in the goroutine: a range over the jobs channel.
  const loops = loopsAround(op.node, body).filter((l) => body.isAncestorOf(l));
  if (loops.length !== 1) return false;
  const loop = loops[0];
  const jobsExpr = unparen(loop.firstOfType('range_clause')?.child('right'));
  if (jobsExpr?.type !== 'identifier') return false;
  const sends = f.chanOps.filter((o) => o.kind === 'send' && f.refKey(o.chan) === key);
  if (sends.some((s) => !loop.isAncestorOf(s.node)) || sendsPerIteration(f, sends, loop) > 1) return false;
  let target: { results: Binding; jobs: Binding; lf: DeclFacts } | undefined;
  for (const l of launches) {
    const lf = file.factsFor(l.node);
    if (!lf) return false;
    const results = atLaunch(f, lf, op.chan, body, l);
    const jobs = atLaunch(f, lf, jobsExpr, body, l);
    if (!results || !jobs || results === jobs || (target && (target.results !== results || target.jobs !== jobs || target.lf !== lf))) return false;
    target = { results, jobs, lf };
  }
  if (!target) return false;
  const { lf, results, jobs } = target;
  const rmk = lf.makeOf(results);
  const cap = unparen(rmk?.cap);
  if (!rmk || !cap || !lf.makeOf(jobs)) return false;
  // Both channels stay with these goroutines: handed to no other call, sent on by no one else.
  const launchArgs = new Set(launches.flatMap((l) => l.args.map((a) => unparen(a))));
  for (const b of [results, jobs]) {
    if (lf.scopes.references(b).some((r) => r.parent?.type === 'argument_list' && !isBuiltinArg(lf, r) && !launchArgs.has(r))) return false;
  }
  const rkey = lf.refKey(results.id);
  if (lf !== f && lf.chanOps.some((o) => o.kind === 'send' && lf.refKey(o.chan) === rkey)) return false;
  // Every job comes from one loop over the items, once per iteration.
  const jkey = lf.refKey(jobs.id);
  const jobSends = lf.chanOps.filter((o) => o.kind === 'send' && lf.refKey(o.chan) === jkey);
  if (!jobSends.length) return false;
  const feed = loopsAround(jobSends[0].node, rmk.call);
  if (feed.length !== 1 || jobSends.some((s) => !feed[0].isAncestorOf(s.node) || loopsAround(s.node, rmk.call).length !== 1)) return false;
  return iteratesCapTimes(lf, feed[0], cap) && sendsPerIteration(lf, jobSends, feed[0]) <= 1;
}

/** The launcher's binding for a channel the goroutine uses: captured by a literal, or passed as an argument. */
function atLaunch(f: DeclFacts, lf: DeclFacts, e: Node, body: Node, l: Launch): Binding | undefined {
  const b = f.bindingOf(e);
  if (!b || f.scopes.writesTo(b).length) return undefined;
  if (b.kind === 'param' && b.func === body) {
    const names = paramNames(body);
    if (names.length !== l.args.length || body.child('parameters')?.firstOfType('variadic_parameter_declaration')) return undefined;
    const arg = unparen(l.args[names.indexOf(b.name)]);
    return arg?.type === 'identifier' ? lf.bindingOf(arg) : undefined;
  }
  // Captured from the launcher.
  return lf === f && b.func === l.launcher ? b : undefined;
}

/**
 * Every path from the goroutine's start to the send first receives from a done channel or ctx.Done():
 * the send is the acknowledgement of a cancellation (`case <-stop: done <- true; return`), and a select
 * on the channel that already fired would skip it.
 */
function afterCancelled(f: DeclFacts, op: ChanOp, body: Node): boolean {
  if (f.runner(op.node) !== body) return false;
  const g = f.cfg(body);
  const target = g.nodeFor(op.node);
  if (!target || g.hasGoto) return false;
  const fired = new Set<CNode>();
  for (const o of f.chanOps) {
    if (o.kind !== 'recv' || f.runner(o.node) !== body || !f.isCancelRecv(o.node)) continue;
    const n = g.nodeFor(o.node);
    if (n) fired.add(n);
  }
  return fired.size > 0 && !g.reachable(g.entry, target, (n) => fired.has(n));
}

/** `close(ch)`, `len(ch)`, `cap(ch)` with the builtins not shadowed. */
function isBuiltinArg(f: DeclFacts, ref: Node): boolean {
  const fn = ref.parent?.parent?.child('function');
  return fn?.type === 'identifier' && /^(close|len|cap)$/.test(fn.text) && !f.scopes.resolve(fn);
}

/**
 * `sem <- struct{}{}` … `<-sem` in the same goroutine (deferred or not): a semaphore token, released by
 * every holder, not a value for a receiver that may go away.
 */
function takesToken(f: DeclFacts, op: ChanOp): boolean {
  const key = f.refKey(op.chan);
  const value = op.node.child('value');
  if (!key || (value?.text.replace(/\s/g, '') !== 'struct{}{}' && !isDoneChan(f.typeOf(op.chan)))) return false;
  const runner = f.runner(op.node);
  // Released afterwards: a later plain receive, or one in a deferred closure (not a worker's `case j := <-jobs`).
  return f.chanOps.some(
    (o) => o.kind === 'recv' && !o.select && f.refKey(o.chan) === key && f.runner(o.node) === runner && (o.node.start > op.node.end || !!o.node.ancestor('defer_statement')),
  );
}

/** `ctx := context.Background()` (or TODO), never reassigned: its Done channel is nil. */
function neverDone(f: DeclFacts, c: Canceller): boolean {
  const b = c.binding;
  if (c.kind !== 'ctx' || !b?.value || b.tuple || f.scopes.writesTo(b).length) return false;
  const fn = f.pkgCall(unparen(b.value)!, 'context');
  return fn === 'Background' || fn === 'TODO';
}

function closedBy(f: DeclFacts, c: Canceller, body: Node): boolean {
  return f.chanOps.some((o) => o.kind === 'close' && body.isAncestorOf(o.node) && (c.binding ? f.bindingOf(o.chan) === c.binding : unparen(o.chan)?.text === c.expr));
}

/**
 * Sends per iteration of `loop`: sends in the loop's own function must not repeat without going back to
 * the loop's head; each goroutine started in the body counts by its own paths.
 */
function sendsPerIteration(f: DeclFacts, sends: ChanOp[], loop: Node): number {
  const home = f.runner(loop);
  let total = 0;
  const inGoroutines: ChanOp[] = [];
  const here: ChanOp[] = [];
  for (const s of sends) {
    const r = f.runner(s.node);
    if (r === home) here.push(s);
    else if (loop.isAncestorOf(r) && f.launchesOf(r).length === 1) inGoroutines.push(s);
    else return Infinity;
  }
  if (inGoroutines.length) total += sendsPerRun(f, inGoroutines);
  if (here.length) {
    const g = f.cfg(home);
    const head = g.nodeFor(loop);
    const nodes = here.map((o) => g.nodeFor(f.anchorIn(home, o.node)));
    if (!head || g.hasGoto || nodes.some((n) => !n)) return Infinity;
    const stop = (c: CNode) => c === head;
    if (nodes.some((a) => nodes.some((b) => g.reachable(a!, b!, stop)))) return Infinity;
    total += 1;
  }
  return total;
}

/** Whether `loop` runs exactly as many times as the capacity expression says, which does not change. */
function iteratesCapTimes(f: DeclFacts, loop: Node, cap: Node): boolean {
  const lenOf = lenArg(cap);
  if (!lenOf && cap.type !== 'int_literal' && !(cap.type === 'identifier' && unchanged(f, cap, cap))) return false;
  if (lenOf) {
    const arg = cap.child('arguments')!.children[0];
    if (unparen(arg)?.type === 'identifier' && !unchanged(f, unparen(arg)!, cap)) return false;
  }
  const rc = loop.firstOfType('range_clause');
  if (rc) {
    const right = rc.child('right')?.text;
    // `for … range xs` for len(xs); `for range n` (Go 1.22 integer range) for n.
    return right === (lenOf ?? cap.text);
  }
  const fc = loop.firstOfType('for_clause');
  if (!fc) return false;
  // for i := 0; i < cap; i++ (or i < len(xs)), with i not changed in the body
  const init = fc.child('initializer');
  const cond = unparen(fc.child('condition'));
  const upd = fc.child('update');
  if (init?.type !== 'short_var_declaration' || cond?.type !== 'binary_expression' || upd?.type !== 'inc_statement') return false;
  const iv = init.child('left')?.children;
  const iz = init.child('right')?.children;
  if (iv?.length !== 1 || iz?.length !== 1 || iv[0].type !== 'identifier' || iz[0].text !== '0') return false;
  const name = iv[0].text;
  if (cond.child('left')?.text !== name || !cond.hasToken('<') || unparen(cond.child('right'))?.text !== cap.text) return false;
  if (upd.children[0]?.text !== name) return false;
  const ib = f.scopes.resolve(iv[0]);
  return !!ib && f.scopes.writesTo(ib).every((w) => w.parent === upd);
}

/** A constant, or a variable or parameter not assigned after `make` (nor in a loop around it). */
function unchanged(f: DeclFacts, id: Node, make: Node): boolean {
  const b = f.scopes.resolve(id);
  if (!b) return false;
  if (b.kind === 'const') return true;
  if (b.kind !== 'var' && b.kind !== 'param' && b.kind !== 'package') return false;
  const fn = f.funcOf(make);
  return f.scopes.writesTo(b).every((w) => w.end <= make.start && f.funcOf(w) === fn && !f.loops.some((l) => l.node.isAncestorOf(w) && l.node.isAncestorOf(make)));
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
 * `go func() { errc <- work() }()` (or `g.Go(…)`) followed, on every path of the launcher, by a receive from errc:
 * the single send always finds its receiver.
 */
function launcherAlwaysReceives(f: DeclFacts, op: ChanOp, body: Node, launches: Launch[]): boolean {
  if (launches.length !== 1) return false;
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
  if (g.exitAvoiding(from, (c) => recvNodes.has(c))) return false;
  // t.Fatal (FailNow, Skip, runtime.Goexit) ends only the launcher's goroutine: the send is never received.
  const quits = g.nodes.filter((c) => endsGoroutine(f, c));
  return !quits.some((q) => g.reachable(from, q, (c) => recvNodes.has(c)));
}

/** Standard library calls that run a func literal argument in the caller, before returning. */
const SYNC_CALLBACKS: Record<string, RegExp> = { 'path/filepath': /^(Walk|WalkDir)$/, 'io/fs': /^WalkDir$/ };

/** The walk call a func literal is the callback of. */
function syncCallOf(f: DeclFacts, fn: Node): Node | undefined {
  let c: Node = fn;
  while (c.parent?.type === 'parenthesized_expression') c = c.parent;
  const call = c.parent?.type === 'argument_list' ? c.parent.parent : undefined;
  if (fn.type !== 'func_literal' || call?.type !== 'call_expression') return undefined;
  for (const [pkg, names] of Object.entries(SYNC_CALLBACKS)) if (names.test(f.pkgCall(call, pkg) ?? '')) return call;
  return undefined;
}

function isSyncCallback(f: DeclFacts, fn: Node): boolean {
  return !!syncCallOf(f, fn);
}

/** A walk callback runs in the goroutine that calls the walk. */
function goroutineOfCallback(f: DeclFacts, fn: Node): ReturnType<DeclFacts['goroutineOf']> {
  const call = syncCallOf(f, fn);
  return call ? f.goroutineOf(call) : undefined;
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
  // The return leaves the goroutine, or a walk callback (with ctx.Err(), which stops the walk).
  const fn = op.func;
  if (stmt.parent?.type !== 'statement_list' || (fn !== body && !isSyncCallback(ctx.facts, fn))) return [];
  const lines = ownLines(stmt, ctx.src);
  if (!lines) return [];
  let ret: string;
  const rk = resultKind(fn);
  if (fn === body && (rk === 'none' || rk === 'named')) ret = 'return';
  else if (c.kind === 'ctx' && fn.child('result')?.text === 'error') ret = `return ${c.expr}.Err()`;
  else return [];
  // A trailing comment moves to the select's closing line: gofmt-clean only if no neighbour aligns with it.
  const line = ctx.src.lineOf(stmt.end);
  if (inCommentBlock(ctx.node, ctx.src, stmt)) return [];
  const rest = /^[ \t]+(?=\/\/)/.exec(ctx.src.text.slice(stmt.end, ctx.src.lineStart(line + 1)));
  const indent = ctx.src.indentAt(stmt.start);
  const wait = c.kind === 'ctx' ? `<-${c.expr}.Done()` : `<-${c.expr}`;
  const text = [`select {`, `case ${stmt.text}:`, `case ${wait}:`, `\t${ret}`, `}`].map((l, i) => (i === 0 ? l : indent + l)).join('\n');
  const end = stmt.end + (rest ? rest[0].length : 0);
  return [{ title: `Wrap the send in a select on ${wait}`, edits: [{ start: stmt.start, end, newText: rest ? text + ' ' : text }] }];
}
