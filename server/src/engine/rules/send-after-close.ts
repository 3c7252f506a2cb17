import type { CNode } from '../cfg';
import type { Rule } from '../rule';
import { Node, unparen } from '../ast';
import type { DeclFacts } from '../facts';
import { chanKey, climbTo, closersByCalls, commonFunc, complementary, ifGuarded, killNodes, panickingSends } from './double-close';
import { show } from './util';

export const sendAfterClose: Rule = {
  id: 'send-after-close',
  title: 'Send on a channel after it was closed',
  defaultSeverity: 'error',
  summary: 'A send on a channel that was already closed on the same path of the same function: the send panics.',
  // A send after a call of a same-file helper that closes needs no close( in the declaration itself.
  trigger: /\bclose\(|<-/,
  fileTrigger: /\bclose\(/,
  check(ctx) {
    const f = ctx.facts;
    const closes = f.chanOps.filter((o) => o.kind === 'close');
    if (!closes.length && !f.chanOps.some((o) => o.kind === 'send')) return;
    // A close is the close call, or a call of a same-file helper that closes the channel on every path.
    const byKey = new Map<string, { node: Node; where: (ch: string) => string }[]>();
    const add = (k: string, node: Node, where: (ch: string) => string) => {
      const l = byKey.get(k) ?? [];
      l.push({ node, where });
      byKey.set(k, l);
    };
    for (const c of closes) {
      const k = chanKey(f, c.chan);
      if (k) add(k, c.node, (ch) => `the close(${ch}) at ${ctx.lineRef(c.node)}`);
    }
    const sendKeys = new Set<string>();
    for (const o of f.chanOps) {
      const k = o.kind === 'send' ? chanKey(f, o.chan) : undefined;
      if (k) sendKeys.add(k);
    }
    if (sendKeys.size) {
      for (const h of closersByCalls(ctx, f, sendKeys)) {
        const name = h.facts.decl.kind === 'method' ? `${h.facts.decl.recvType}.${h.facts.decl.names[0]}` : h.facts.decl.names[0];
        add(h.key, h.start, (ch) => `the call at ${ctx.lineRef(h.start)}, which closes ${ch} (${name}, ${ctx.lineRef(h.at)})`);
      }
    }
    for (const send of f.chanOps) {
      if (send.kind !== 'send') continue;
      const key = chanKey(f, send.chan);
      const cands = key ? byKey.get(key) : undefined;
      if (!cands) continue;
      for (const close of cands) {
        // Same goroutine only: both reached from their common function through in-place calls.
        const F = commonFunc(f, close.node, send.node);
        const cc = climbTo(f, close.node, F);
        const cs = climbTo(f, send.node, F);
        // A goroutine started after the close sends after it too (`close(ch); go func() { ch <- v }()`).
        if (!cc || !cs || cc.launches.length || cs.once) continue;
        const g = f.cfg(F);
        if (g.hasGoto) continue;
        const nc = g.nodeFor(cc.anchor);
        const ns = g.nodeFor(cs.anchor);
        // A deferred close runs at return, a deferred send at some later point: neither is "after" here.
        if (!nc || !ns || nc.ast?.type === 'defer_statement' || ns.ast?.type === 'defer_statement') continue;
        const kill = killNodes(f, F, key!);
        // The goroutine may replace the channel before it sends.
        if (cs.launches.length && kill.has(ns)) continue;
        // Another plain send met first panics there: the path does not reach this one.
        const first = panickingSends(f, F, key!);
        const blocked = (c: CNode) => kill.has(c) || first.has(c);
        if (nc !== ns && !g.reachable(nc, ns, blocked)) continue;
        if (nc === ns && !g.reachable(nc, nc, blocked)) continue;
        // `if last { close(ch) }` … `if !last { ch <- v }`
        if (complementary(f, cc.anchor, cs.anchor)) continue;
        if (ifGuarded(f, send.node)) continue;
        // `if i == len(xs)-1 { close(ch) }` after the send: the close ends the sends, the back edge never runs.
        if (close.node.start > send.node.start && ifGuarded(f, close.node) && !notLastIteration(f, close.node, send.node)) continue;
        // `defer func() { recover() }()` first: a test or helper that provokes the panic on purpose.
        if (recoversBefore(f, send.node)) break;
        const ch = show(send.chan);
        const loop = nc === ns || close.node.start > send.node.start ? ', on a later iteration of the loop' : '';
        ctx.report({
          node: send.node,
          message:
            `Send on ${ch} after ${close.where(ch)}${loop}: a send on a closed channel panics. ` +
            `Send every value before closing, and let the sender close the channel once it has nothing more to send.`,
        });
        break;
      }
    }
  },
};

/**
 * `for i, v := range vals { out <- v; if i == 2 { close(out) } }`: the guard compares the loop index with a
 * constant that is not the last index, so later iterations send on the closed channel. Only when the loop's
 * length is unknown (a range over a slice, array or string, or `i < len(xs)`) or a literal the constant
 * does not end; any other bound (`i < n`) might make the constant the last index.
 */
function notLastIteration(f: DeclFacts, close: Node, send: Node): boolean {
  const ifs = close.ancestor('if_statement');
  if (!ifs || !ifs.child('consequence')?.contains(close)) return false;
  const cond = unparen(ifs.child('condition'));
  if (cond?.type !== 'binary_expression' || !cond.tokens.includes('==')) return false;
  const [l, r] = [unparen(cond.child('left')), unparen(cond.child('right'))];
  const id = l?.type === 'identifier' ? l : r?.type === 'identifier' ? r : undefined;
  const lit = l?.type === 'int_literal' ? l : r?.type === 'int_literal' ? r : undefined;
  if (!id || !lit || !/^\d+$/.test(lit.text)) return false;
  const k = Number(lit.text);
  let loop: Node | null = ifs.parent;
  while (loop && loop.type !== 'for_statement' && loop.type !== 'func_literal') loop = loop.parent;
  if (loop?.type !== 'for_statement' || !loop.contains(send) || !loop.child('body')?.contains(ifs)) return false;
  const b = f.scopes.resolve(id);
  if (!b?.id || (b.kind !== 'var' && b.kind !== 'range') || !loop.contains(b.id) || loop.child('body')?.contains(b.id)) return false;
  if (f.scopes.writesTo(b).some((w) => loop!.child('body')!.contains(w))) return false;
  const rc = loop.firstOfType('range_clause');
  if (rc) {
    const left = rc.child('left');
    if (left?.children[0] !== b.id) return false;
    const t = f.typeOf(rc.child('right'));
    return t?.kind === 'slice' || t?.kind === 'array';
  }
  const fc = loop.firstOfType('for_clause');
  const m = /^(\w+)\s*(<=?)\s*(.+)$/.exec(fc?.child('condition')?.text ?? '');
  if (!fc || !m || m[1] !== id.text || !/^\w+\s*:=\s*0$/.test(fc.child('initializer')?.text ?? '') || fc.child('update')?.text.replace(/\s+/g, '') !== `${id.text}++`) return false;
  if (/^len\(.+\)$/.test(m[3].trim())) return true;
  if (!/^\d+$/.test(m[3].trim())) return false;
  const last = m[2] === '<' ? Number(m[3].trim()) - 1 : Number(m[3].trim());
  return k < last;
}

/** A `defer` before `n` in its function whose deferred code calls the builtin `recover()`. */
function recoversBefore(f: DeclFacts, n: Node): boolean {
  const fn = f.funcOf(n);
  let found = false;
  fn.walk((d) => {
    if (found || d.start >= n.start) return false;
    if (d !== fn && (d.type === 'func_literal' || d.type === 'function_declaration' || d.type === 'method_declaration') && d.parent?.parent?.type !== 'defer_statement') return false;
    const ds = d.type === 'call_expression' ? d.ancestor('defer_statement') : null;
    if (ds && fn.isAncestorOf(ds)) {
      const callee = unparen(d.child('function'));
      if (callee?.type === 'identifier' && callee.text === 'recover' && !f.scopes.resolve(callee)) found = true;
    }
    return !found;
  });
  return found;
}
