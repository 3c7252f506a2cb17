import { Node, unparen } from '../ast';
import { deleteStatement } from '../edits';
import type { ChanOp, DeclFacts } from '../facts';
import type { OffsetFix, Rule, RuleContext } from '../rule';
import { derefNamed } from '../typeinfer';
import { paramNames, show, statementOf } from './util';

interface Sender {
  facts: DeclFacts;
  op: ChanOp;
}

export const closeByReceiver: Rule = {
  id: 'close-by-receiver',
  title: 'Channel closed by its receiver while others send',
  defaultSeverity: 'warning',
  summary: 'close(ch) is executed by code that only receives from ch while other code sends on it: the next send panics.',
  trigger: /\bclose\(/,
  patterns: ['workerpool', 'pipeline'],
  check(ctx) {
    const f = ctx.facts;
    for (const close of f.chanOps) {
      if (close.kind !== 'close') continue;
      const key = f.refKey(close.chan);
      if (!key) continue;
      const closer = f.runner(close.node);
      const mine = f.chanOps.filter((o) => o !== close && f.refKey(o.chan) === key && f.runner(o.node) === closer);
      if (mine.some((o) => o.kind === 'send')) continue; // the closer is a sender: that is the right place
      const receives = mine.filter((o) => (o.kind === 'recv' || o.kind === 'range') && receivesFirst(f, o, close, closer));
      if (!receives.length && !insideRangeOver(f, close, key)) continue;
      if (waitsBefore(f, closer, close.node)) continue; // wg.Wait()/g.Wait() for the senders first
      const senders = sendersOf(ctx, f, key, closer, close);
      if (!senders.length) continue;
      if (singleValueAlreadyReceived(f, senders, mine, close)) continue;
      if (waitsForSenderExit(f, senders, close, closer)) continue;
      if (allValuesReceived(f, senders, mine, close, closer)) continue;
      const s = senders[0];
      const where = ctx.lineRef(s.op.node);
      ctx.report({
        node: close.node,
        message:
          `close(${show(close.chan)}) is called by a receiver of ${show(close.chan)} while other code still sends on it (${where}): ` +
          `a send on a closed channel panics. Let the sender close the channel after its last send; a receiver that wants to stop should cancel a context or close a separate done channel.`,
        fixes: removeFix(ctx, close, senders, key),
      });
    }
  },
};

/**
 * The receive can run before the close: earlier in the text, on an earlier iteration of a loop holding
 * both (`select { case <-ctx.Done(): close(ch); return; case v := <-ch: … }`), or at all when the close is
 * deferred to the closer's return.
 */
function receivesFirst(f: DeclFacts, recv: ChanOp, close: ChanOp, closer: Node): boolean {
  if (recv.node.start < close.node.start) return true;
  if (close.node.parent?.type === 'defer_statement' && f.funcOf(close.node) === closer) return true;
  for (let p: Node | null = close.node.parent; p && p !== closer; p = p.parent) {
    if (p.type === 'func_literal') return false;
    if (p.type === 'for_statement' && p.isAncestorOf(recv.node)) return true;
  }
  return false;
}

function insideRangeOver(f: DeclFacts, close: ChanOp, key: string): boolean {
  for (let p: Node | null = close.node.parent; p; p = p.parent) {
    if (p.type === 'func_literal') return false;
    if (p.type === 'for_statement') {
      const over = p.firstOfType('range_clause')?.child('right');
      if (over && f.refKey(over) === key) return true;
    }
  }
  return false;
}

function waitsBefore(f: DeclFacts, closer: Node, at: Node): boolean {
  let found = false;
  closer.walk((n) => {
    if (found || n.start >= at.start) return false;
    if (n !== closer && n.type === 'func_literal' && !f.launchesOf(n).length && f.runner(n) !== closer) return false;
    if (n.type === 'call_expression') {
      const fn = unparen(n.child('function'));
      if (fn?.type === 'selector_expression' && fn.child('field')?.text === 'Wait' && (n.child('arguments')?.children.length ?? 0) === 0 && f.runner(n) === closer) found = true;
    }
    return true;
  });
  return found;
}

/** Sends on the same channel executed by other functions: goroutines here, or same-file functions it is passed to. */
function sendersOf(ctx: RuleContext, f: DeclFacts, key: string, closer: Node, close: ChanOp): Sender[] {
  const out: Sender[] = [];
  for (const o of f.chanOps) if (o.kind === 'send' && f.refKey(o.chan) === key && f.runner(o.node) !== closer) out.push({ facts: f, op: o });
  // Passed to a same-file function that sends on its parameter: go producer(ch).
  for (const l of f.launches) {
    if (!l.bodyDecl) continue;
    const i = l.args.findIndex((a) => f.refKey(a) === key);
    if (i < 0) continue;
    out.push(...paramSenders(ctx, l.bodyDecl, i));
  }
  // Handed to a same-file function called inside a goroutine: go func() { defer wg.Done(); produce(ch) }().
  for (const l of f.launches) {
    if (l.bodyDecl || l.body?.type !== 'func_literal' || l.body.isAncestorOf(closer) || l.body === closer) continue;
    l.body.walk((n) => {
      if (n.type !== 'call_expression' || f.runner(n) !== l.body) return true;
      const args = n.child('arguments')?.children ?? [];
      const i = args.findIndex((a) => f.refKey(a) === key);
      if (i < 0) return true;
      const callee = f.callee(n);
      if (callee.bodyDecl && callee.bodyDecl !== ctx.decl) out.push(...paramSenders(ctx, callee.bodyDecl, i));
      return true;
    });
  }
  // A field of a same-file type: its other methods, or functions given the struct, may send.
  if (key.startsWith('T:')) {
    const [type, field] = key.slice(2).split('.');
    const decls = [...ctx.file.scan({ kinds: ['method'], recvType: type, includes: ['<-'] }), ...ctx.file.scan({ kinds: ['func'], includes: ['<-', `.${field}`, type] })];
    for (const d of decls) {
      if (d === ctx.decl) continue;
      const df = ctx.file.depFacts(d);
      for (const o of df.chanOps) if (o.kind === 'send' && (df.refKey(o.chan) === key || localFieldOf(df, o.chan, type, field))) out.push({ facts: df, op: o });
    }
  }
  // The closer is a function whose channel parameter comes from callers that also hand it to senders.
  const b = f.bindingOf(close.chan);
  if (b?.kind === 'param' && b.func === f.root && closer === f.root && (ctx.decl.kind === 'func' || ctx.decl.kind === 'method')) {
    const idx = paramNames(f.root).indexOf(b.name);
    for (const d of ctx.file.scan({ kinds: ['func', 'method'], includes: [ctx.decl.names[0]] })) {
      if (d === ctx.decl) continue;
      const df = ctx.file.depFacts(d);
      for (const call of df.root.findAll('call_expression')) {
        const callee = df.callee(call);
        if (callee.bodyDecl !== ctx.decl) continue;
        const arg = call.child('arguments')?.children[idx];
        const argKey = df.refKey(arg);
        if (!argKey) continue;
        for (const o of df.chanOps) if (o.kind === 'send' && df.refKey(o.chan) === argKey) out.push({ facts: df, op: o });
        for (const l of df.launches) {
          if (!l.bodyDecl || l.bodyDecl === ctx.decl) continue;
          const j = l.args.findIndex((a) => df.refKey(a) === argKey);
          if (j >= 0) out.push(...paramSenders(ctx, l.bodyDecl, j));
        }
      }
    }
  }
  return out;
}

/**
 * `s := &Sub{msgs: make(chan T)}; go func() { s.msgs <- v }()` in a constructor: refKey keys a local
 * variable's field by its binding, but the goroutine sends on the field of the instance the methods close.
 */
function localFieldOf(df: DeclFacts, chan: Node, type: string, field: string): boolean {
  const e = unparen(chan);
  if (e?.type !== 'selector_expression' || e.child('field')?.text !== field) return false;
  const op = unparen(e.child('operand'));
  if (op?.type !== 'identifier') return false;
  const t = derefNamed(df.typeOf(op));
  return t?.kind === 'named' && t.pkg === '' && t.name === type;
}

function paramSenders(ctx: RuleContext, d: import('../fileindex').DeclInfo, index: number): Sender[] {
  const df = ctx.file.depFacts(d);
  const name = paramNames(df.root)[index];
  if (!name) return [];
  const out: Sender[] = [];
  for (const o of df.chanOps) {
    const b = df.bindingOf(o.chan);
    if (o.kind === 'send' && b?.kind === 'param' && b.name === name && b.func === df.root) out.push({ facts: df, op: o });
  }
  return out;
}

/** `go func() { ch <- v }(); x := <-ch; close(ch)`: the only value was received; nothing can send any more. */
function singleValueAlreadyReceived(f: DeclFacts, senders: Sender[], mine: ChanOp[], close: ChanOp): boolean {
  if (senders.length !== 1 || senders[0].facts !== f) return false;
  const s = senders[0].op.node;
  // A loop around the send sends many values, unless each iteration makes a new channel.
  const b = f.bindingOf(close.chan);
  const fresh = (loop: Node) => !!b && unparen(close.chan)?.type === 'identifier' && ((!!b.decl && loop.isAncestorOf(b.decl)) || f.scopes.writesTo(b).some((w) => loop.isAncestorOf(w)));
  for (let p: Node | null = s.parent; p; p = p.parent) if (p.type === 'for_statement' && !fresh(p)) return false;
  if (mine.some((o) => o.kind === 'recv' && !o.select && o.node.start < close.node.start && !f.loopOf(o.node) && f.runner(o.node) === f.runner(close.node) && !o.node.ancestor('if_statement', 'expression_switch_statement', 'select_statement', 'type_switch_statement'))) return true;
  // Every path to the close goes through a receive: `select { case v = <-ch: case <-time.After(d): t.Fatal(…) }; close(ch)`.
  const fn = f.funcOf(close.node);
  const g = f.cfg(fn);
  const nc = g.nodeFor(close.node);
  if (!nc || g.hasGoto) return false;
  return mine.some((o) => {
    if (o.kind !== 'recv' || f.funcOf(o.node) !== fn) return false;
    const nr = g.nodeFor(o.node);
    return !!nr && nr !== nc && !g.reachable(g.entry, nc, (c) => c === nr);
  });
}

/**
 * `go func() { defer close(exited); … ch <- v … }(); …; cancel(); <-exited; close(ch)`: the closer waits
 * until every sending goroutine has closed its exit channel on the way out, so none can send any more.
 */
function waitsForSenderExit(f: DeclFacts, senders: Sender[], close: ChanOp, closer: Node): boolean {
  return senders.every((s) => {
    if (s.facts !== f) return false;
    const lit = f.runner(s.op.node);
    if (lit.type !== 'func_literal' || !f.launches.some((l) => l.body === lit && l.kind === 'go')) return false;
    const stmts = lit.child('body')?.firstOfType('statement_list')?.children ?? [];
    const exits = f.chanOps.filter((o) => {
      if (o.kind !== 'close' || f.runner(o.node) !== lit) return false;
      const st = o.node.parent?.type === 'defer_statement' ? o.node.parent : o.node.parent?.type === 'expression_statement' ? o.node.parent : undefined;
      return !!st && stmts.includes(st) && (st.type === 'defer_statement' || st === stmts[stmts.length - 1]);
    });
    return exits.some((x) => {
      const key = f.refKey(x.chan);
      return !!key && f.chanOps.some((r) => r.kind === 'recv' && !r.select && f.refKey(r.chan) === key && r.node.start < close.node.start && f.runner(r.node) === closer && f.loopOf(r.node) === f.loopOf(close.node) && !r.node.ancestor('if_statement', 'expression_switch_statement', 'select_statement', 'type_switch_statement'));
    });
  });
}

/**
 * `for _, t := range tasks { go func() { errc <- t() }() }; for range tasks { <-errc }; close(errc)`: one
 * send per goroutine, one goroutine per element, and as many unconditional receives before the close, so
 * every send has completed when the channel is closed.
 */
function allValuesReceived(f: DeclFacts, senders: Sender[], mine: ChanOp[], close: ChanOp, closer: Node): boolean {
  if (f.loopOf(close.node) || f.funcOf(close.node) !== closer) return false;
  let count: string | undefined;
  for (const s of senders) {
    if (s.facts !== f) return false;
    const lit = f.funcOf(s.op.node);
    if (lit.type !== 'func_literal' || s.op.select || f.loopOf(s.op.node)) return false;
    const l = f.launches.find((x) => x.body === lit && x.kind === 'go');
    if (!l) return false;
    // Several sends in one goroutine are fine when no path runs two of them (`if err != nil { ch <- 0; return }; ch <- v`).
    if (!atMostOneSend(f, lit, senders.filter((o) => o !== s && f.funcOf(o.op.node) === lit).map((o) => o.op), s.op)) return false;
    const loop = f.loopOf(l.node);
    if (!loop || f.loopOf(loop) || f.funcOf(loop) !== closer) return false;
    const c = iterations(f, loop);
    if (!c || (count !== undefined && c !== count)) return false;
    count = c;
  }
  if (!count) return false;
  return mine.some((r) => {
    if (r.kind !== 'recv' || r.select || r.node.start > close.node.start || f.funcOf(r.node) !== closer) return false;
    const loop = f.loopOf(r.node);
    if (!loop || f.loopOf(loop) || iterations(f, loop) !== count || loop.end > close.node.start) return false;
    // The receive runs on every iteration: a statement of the body itself (or an if's header), and nothing leaves early.
    const body = loop.child('body')?.firstOfType('statement_list');
    const stmt = body?.children.find((c) => c.contains(r.node));
    if (!stmt) return false;
    if (stmt.type === 'if_statement' && (stmt.child('consequence')?.contains(r.node) || stmt.child('alternative')?.contains(r.node))) return false;
    if (!['expression_statement', 'short_var_declaration', 'assignment_statement', 'if_statement', 'var_declaration'].includes(stmt.type)) return false;
    let leaves = false;
    loop.child('body')!.walk((n) => {
      if (leaves || n.type === 'func_literal') return false;
      if (['break_statement', 'return_statement', 'goto_statement', 'continue_statement'].includes(n.type)) leaves = true;
      return !leaves;
    });
    return !leaves;
  });
}

/** No path through the literal executes two of its sends on the channel (each instance sends at most one value). */
function atMostOneSend(f: DeclFacts, lit: Node, others: ChanOp[], s: ChanOp): boolean {
  if (!others.length) return true;
  const g = f.cfg(lit);
  if (g.hasGoto) return false;
  const nodes = [s, ...others].map((o) => g.nodeFor(o.node));
  if (nodes.some((n) => !n)) return false;
  for (const a of nodes) for (const b of nodes) if (g.reachable(a!, b!)) return false;
  return true;
}

/**
 * How many times a loop runs, as text: `range xs`, `i := 0; i < len(xs); i++`, `i := 1; i <= n; i++` with
 * `n := len(xs)` all give `xs`.
 */
function iterations(f: DeclFacts, loop: Node): string | undefined {
  const rc = loop.firstOfType('range_clause');
  if (rc) {
    const right = rc.child('right');
    const t = f.typeOf(right);
    if (!right || t?.kind === 'chan') return undefined;
    return right.text;
  }
  const fc = loop.firstOfType('for_clause');
  if (!fc) return undefined;
  const m = /^(\w+)\s*:=\s*([01])$/.exec(fc.child('initializer')?.text ?? '');
  if (!m || fc.child('update')?.text.replace(/\s+/g, '') !== `${m[1]}++`) return undefined;
  const c = new RegExp(`^${m[1]}\\s*(<=?)\\s*(.+)$`).exec(fc.child('condition')?.text ?? '');
  if (!c || (c[1] === '<') !== (m[2] === '0')) return undefined;
  return lengthOf(f, fc.child('condition')!, c[2].trim());
}

/** `len(xs)` → `xs`; a variable initialized to `len(xs)` and never changed → `xs`; otherwise the text. */
function lengthOf(f: DeclFacts, at: Node, e: string): string {
  const lenOf = /^len\((.+)\)$/.exec(e);
  if (lenOf) return lenOf[1];
  if (!/^\w+$/.test(e)) return e;
  const id = at.findAll('identifier').find((x) => x.text === e);
  const b = id ? f.scopes.resolve(id) : undefined;
  const v = b?.kind === 'var' && !b.tuple && !f.scopes.writesTo(b).length ? b.value?.text.replace(/\s+/g, '') : undefined;
  const l = v ? /^len\((.+)\)$/.exec(v) : null;
  return l ? l[1] : e;
}

function removeFix(ctx: RuleContext, close: ChanOp, senders: Sender[], key: string): OffsetFix[] {
  // Certain only when some sender already closes the channel itself.
  const senderCloses = senders.some((s) => s.facts.chanOps.some((o) => o.kind === 'close' && s.facts.refKey(o.chan) === (s.facts === ctx.facts ? key : s.facts.refKey(s.op.chan)) && s.facts.runner(o.node) === s.facts.runner(s.op.node)));
  if (!senderCloses) return [];
  const stmt = statementOf(close.node);
  if (!stmt || (stmt.type !== 'expression_statement' && stmt.type !== 'defer_statement') || unparen(stmt.children[0]) !== close.node) return [];
  const del = deleteStatement(stmt, ctx.src);
  return del ? [{ title: `Remove close(${show(close.chan)}): the sender already closes it`, edits: [del] }] : [];
}
