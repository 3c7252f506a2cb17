import { Node, unparen } from '../ast';
import type { CNode } from '../cfg';
import type { ChanOp, DeclFacts, Launch } from '../facts';
import type { Rule, RuleContext } from '../rule';
import type { Binding } from '../scope';
import { sendsPerRun } from './send-without-cancel';
import { capacityOne, isUnbuffered } from './signal-unbuffered';
import { endsGoroutine, paramNames, realignTrailingComments, show } from './util';

export const leakyUnbufferedResult: Rule = {
  id: 'leaky-unbuffered-result',
  title: 'Single result sent on an unbuffered channel whose receiver can give up',
  defaultSeverity: 'warning',
  summary: 'A goroutine sends its one result on an unbuffered channel while the receiver waits in a select that can leave first (timeout, cancellation, default): the sender then blocks forever.',
  trigger: /\bmake\s*\(\s*chan\b/,
  patterns: ['future', 'timeout'],
  check(ctx) {
    const f = ctx.facts;
    for (const mk of ctx.node.findAll('call_expression')) {
      const decl = declaredBy(mk);
      if (!decl) continue;
      const b = f.scopes.resolve(decl.id);
      const m = f.makeOf(b);
      if (!b || !m || m.call !== mk || !isUnbuffered(m)) continue;
      const found = analyse(ctx, f, b, decl.stmt, decl.id);
      if (!found) continue;
      const ch = b.name;
      const edit = capacityOne(m);
      // `, 1` widens the line: gofmt re-aligns trailing comments of the lines around it.
      const realign = realignTrailingComments(ctx.node, ctx.src, decl.stmt, edit.newText.length - (edit.end - edit.start));
      ctx.report({
        node: mk,
        message:
          `${ch} is unbuffered and its only value is sent by a goroutine (${ctx.lineRef(found.send)}) while the receiver waits in a select that can give up ` +
          `(${found.why}, ${ctx.lineRef(found.early)}): once it does, the send blocks forever and the goroutine leaks with everything it holds. ` +
          `Give ${ch} a buffer of 1 so the send always completes.`,
        fixes: realign ? [{ title: `Give ${ch} a buffer of 1`, edits: [edit, ...realign] }] : [],
      });
    }
  },
};

/** `ch := make(…)` / `var ch = make(…)` / `ch = make(…)`: the variable's identifier and the statement. */
function declaredBy(call: Node): { id: Node; stmt: Node } | undefined {
  let c: Node = call;
  while (c.parent?.type === 'parenthesized_expression') c = c.parent;
  const list = c.parent;
  const stmt = list?.parent;
  if (list?.type !== 'expression_list' || !stmt) return undefined;
  const i = list.children.indexOf(c);
  if (stmt.type === 'short_var_declaration' && list.field === 'right') {
    const id = stmt.child('left')?.children[i];
    return id?.type === 'identifier' ? { id, stmt } : undefined;
  }
  // `var ch chan T` then `ch = make(…)`: makeOf accepts it only when that is the one assignment.
  if (stmt.type === 'assignment_statement' && list.field === 'right' && stmt.hasToken('=')) {
    const id = stmt.child('left')?.children[i];
    return id?.type === 'identifier' ? { id, stmt } : undefined;
  }
  if (stmt.type === 'var_spec' && list.field === 'value') {
    const id = stmt.childrenIn('name')[i];
    return id ? { id, stmt: stmt.parent?.type === 'var_declaration' ? stmt.parent : stmt } : undefined;
  }
  return undefined;
}

interface Found {
  send: Node;
  early: Node;
  why: string;
}

function analyse(ctx: RuleContext, f: DeclFacts, b: Binding, declStmt: Node, declId: Node): Found | undefined {
  const home = f.runner(declStmt);
  const ops = new Map<Node, ChanOp>();
  for (const op of f.chanOps) if (op.chan.type === 'identifier') ops.set(op.chan, op);
  const sends: ChanOp[] = [];
  const recvs: ChanOp[] = [];
  const closes: ChanOp[] = [];
  const handedTo: { launch: Launch; index: number }[] = [];
  for (const ref of f.scopes.references(b)) {
    if (ref === declId) continue;
    const op = ops.get(ref);
    if (op && op.kind === 'send') sends.push(op);
    else if (op && op.kind === 'recv') recvs.push(op);
    else if (op && op.kind === 'close') closes.push(op);
    else {
      // The only other way out: an argument of a go statement whose body we can read.
      const launch = f.launches.find((l) => l.kind === 'go' && l.args.some((a) => unparen(a) === ref));
      if (!launch?.body) return undefined;
      handedTo.push({ launch, index: launch.args.findIndex((a) => unparen(a) === ref) });
    }
  }
  // One sender: plain sends in one goroutine (several only on exclusive paths), or one goroutine it is handed to.
  if (recvs.length !== 1 || (sends.length ? handedTo.length !== 0 : handedTo.length !== 1)) return undefined;
  const recv = recvs[0];
  if (!recv.select || f.runner(recv.node) !== home) return undefined;

  // The sender: one goroutine, started once, that sends exactly once with a plain send.
  let send: Node;
  let launch: Launch;
  let body: Node;
  if (sends.length) {
    // A deferred or in-place literal's send runs in the goroutine around it (`defer func() { errc <- err }()`).
    body = f.runner(sends[0].node);
    if (sends.some((op) => op.select || f.runner(op.node) !== body || f.loopOf(op.node))) return undefined;
    const ls = f.launchesOf(body);
    if (ls.length !== 1 || body === home) return undefined;
    launch = ls[0];
    if (!exclusive(f, sends)) return undefined;
    send = sends[0].node;
    for (const c of closes) if (f.runner(c.node) !== body) return undefined;
  } else {
    ({ launch } = handedTo[0]);
    body = launch.body!;
    if (closes.length) return undefined;
    const s = paramSend(ctx, f, launch, handedTo[0].index);
    if (!s) return undefined;
    send = s;
  }
  if (f.runner(launch.node) !== home || startedRepeatedly(launch.node, declStmt)) return undefined;

  // The receiver: a select with a case that leaves without coming back to receive.
  const g = f.cfg(home);
  const selectNode = g.nodeFor(recv.select);
  const makeNode = g.nodeFor(declStmt);
  if (!selectNode || !makeNode || g.hasGoto) return undefined;
  for (const c of recv.select.children) {
    if (c === recv.node || c.isAncestorOf(recv.node)) continue;
    const why = giveUpReason(f, c);
    if (!why) continue;
    const at = g.nodeFor(c);
    if (at && abandons(at, g.exit, makeNode, selectNode, (n) => endsGoroutine(f, n))) return { send, early: c, why };
  }
  return undefined;
}

/**
 * Whether, after the case, the function can return or make a new channel without coming back to the select:
 * then nobody receives the value. t.Fatal (and FailNow, Skip, runtime.Goexit) end only the receiving
 * goroutine and count; panic, os.Exit and log.Fatal end the program and do not.
 */
function abandons(from: CNode, exit: CNode, makeNode: CNode, selectNode: CNode, endsGoroutine: (c: CNode) => boolean): boolean {
  const seen = new Set<number>([from.id]);
  const stack = [from];
  while (stack.length) {
    const c = stack.pop()!;
    if (endsGoroutine(c)) return true;
    for (const s of c.succs) {
      if (s === exit || s === makeNode) return true;
      if (s === selectNode || seen.has(s.id)) continue;
      seen.add(s.id);
      stack.push(s);
    }
  }
  return false;
}

/** Whether `go` runs more than once per make: inside a loop that does not also make the channel. */
function startedRepeatedly(go: Node, makeStmt: Node): boolean {
  for (let p: Node | null = go.parent; p; p = p.parent) {
    if (p.isAncestorOf(makeStmt)) return false;
    if (p.type === 'for_statement') return true;
  }
  return false;
}

/** The single plain send on the parameter a launch passes the channel to, if that is all the body does with it. */
function paramSend(ctx: RuleContext, f: DeclFacts, launch: Launch, index: number): Node | undefined {
  const body = launch.body!;
  const names = paramNames(body);
  if (names.length !== launch.args.length || body.child('parameters')?.firstOfType('variadic_parameter_declaration')) return undefined;
  const name = names[index];
  if (!name || name === '_') return undefined;
  const bf = launch.bodyDecl ? ctx.file.depFacts(launch.bodyDecl) : f;
  const p = bf.scopes.declaredIn(body).find((x) => x.kind === 'param' && x.name === name);
  if (!p) return undefined;
  const ops = new Map<Node, ChanOp>();
  for (const op of bf.chanOps) ops.set(op.chan, op);
  const sends: ChanOp[] = [];
  for (const ref of bf.scopes.references(p)) {
    const op = ops.get(ref);
    if (!op || op.kind === 'recv' || op.kind === 'range' || op.kind === 'close') {
      if (op?.kind === 'close' && bf.runner(op.node) === body) continue;
      return undefined;
    }
    if (op.select || bf.runner(op.node) !== body || bf.loopOf(op.node)) return undefined;
    sends.push(op);
  }
  return sends.length && exclusive(bf, sends) ? sends[0].node : undefined;
}

/** Sends of one function body of which at most one runs (`if err != nil { ch <- r; return }; ch <- r`). */
function exclusive(f: DeclFacts, sends: ChanOp[]): boolean {
  return sends.length === 1 || sendsPerRun(f, sends) <= 1;
}

/**
 * Why a select case lets the receiver stop waiting: a default case, a timeout (time.After, a timer or
 * ticker channel), a context's Done channel, a done channel or an os.Signal channel (shutdown).
 */
function giveUpReason(f: DeclFacts, c: Node): string | undefined {
  if (c.type === 'default_case') return 'a default case';
  if (c.type !== 'communication_case') return undefined;
  const comm = c.child('communication');
  if (!comm) return undefined;
  let e: Node | undefined = comm.type === 'receive_statement' ? comm.child('right') : comm.type === 'expression_statement' ? comm.children[0] : comm;
  e = unparen(e);
  if (e?.type !== 'unary_expression' || e.tokens[0] !== '<-') return undefined;
  const ch = unparen(e.child('operand'));
  if (!ch) return undefined;
  const fnName = ch.type === 'call_expression' ? f.pkgCall(ch, 'time') : undefined;
  if (fnName === 'After' || fnName === 'Tick') return `a time.${fnName} timeout`;
  // An injected clock: clock.After(d) returns a channel, as time.After does.
  const fn = ch.type === 'call_expression' ? unparen(ch.child('function')) : undefined;
  if (!fnName && fn?.type === 'selector_expression' && /^(After|Tick)$/.test(fn.child('field')?.text ?? '')) return `a timeout from ${show(fn)}`;
  if (f.isCtxDoneCall(ch)) return `${show(ch)}`;
  if (isTimerChan(f, ch)) return `a timeout on ${show(ch)}`;
  if (f.isCancelRecv(comm)) return neverReadyWhileWaiting(f, ch, c.parent!) ? undefined : `a done channel ${show(ch)}`;
  const t = f.typeOf(ch);
  const elem = t?.kind === 'chan' ? t.elemType ?? f.types.fromTypeNode(t.elem) : undefined;
  if (elem?.kind === 'named' && elem.pkg === 'os' && elem.name === 'Signal') return `a signal on ${show(ch)}`;
  return undefined;
}

/**
 * `done := make(…)` that only this function touches, after the select or in a defer (`defer close(done)`):
 * nothing can make that case ready while the select waits.
 */
function neverReadyWhileWaiting(f: DeclFacts, ch: Node, select: Node): boolean {
  const b = ch.type === 'identifier' ? f.scopes.resolve(ch) : undefined;
  if (!b || b.kind !== 'var' || !f.makeOf(b)) return false;
  const fn = f.funcOf(ch);
  return f.scopes.references(b).every((r) => r === ch || (f.funcOf(r) === fn && (!!r.ancestor('defer_statement') || r.start > select.end)));
}

/** `timer.C`, `t.C` of a *time.Timer/*time.Ticker, or a channel made by time.After/time.Tick. */
function isTimerChan(f: DeclFacts, ch: Node): boolean {
  const t = f.typeOf(ch);
  if (t?.kind === 'chan' && t.elemType?.kind === 'named' && t.elemType.pkg === 'time' && t.elemType.name === 'Time') return true;
  if (ch.type !== 'selector_expression' || ch.child('field')?.text !== 'C') return false;
  const op = ch.child('operand');
  const ot = f.typeOf(op);
  if (ot) {
    const u = ot.kind === 'pointer' ? ot.elem : ot;
    return u?.kind === 'named' && u.pkg === 'time' && (u.name === 'Timer' || u.name === 'Ticker');
  }
  return /timer|ticker|timeout|deadline/i.test(op?.text ?? '');
}
