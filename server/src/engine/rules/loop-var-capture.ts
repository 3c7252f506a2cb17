import { Node, unparen } from '../ast';
import type { CFG, CNode } from '../cfg';
import { DeclFacts, isCalledInPlace } from '../facts';
import type { OffsetEdit, Rule } from '../rule';

type How = 'go' | 'defer' | 'Go';

/** The func literal's launch: `go func(){…}()`, `defer func(){…}()`, `g.Go(func…)`. */
function launchedAs(lit: Node): How | undefined {
  let c: Node = lit;
  while (c.parent?.type === 'parenthesized_expression') c = c.parent;
  const p = c.parent;
  if (p?.type === 'call_expression' && c.field === 'function') {
    if (p.parent?.type === 'go_statement') return 'go';
    if (p.parent?.type === 'defer_statement') return 'defer';
    return undefined;
  }
  if (p?.type === 'argument_list' && p.parent?.type === 'call_expression') {
    const fn = unparen(p.parent.child('function'));
    const m = fn?.type === 'selector_expression' ? fn.child('field')?.text : undefined;
    if (m === 'Go' || m === 'TryGo') return 'Go';
  }
  return undefined;
}

// A func literal launched by go, defer or .Go/.TryGo (see launchedAs): `defer mu.Unlock()` captures nothing.
const LAUNCH = /\b(?:go|defer)\s*[(\s]*func\b|\.(?:Try)?Go\(\s*(?:\/\/[^\n]*\n\s*)*[(\s]*func\b/;
const FOR = /\bfor\b/;

/** Only declarations with a loop and a launched literal can capture a loop variable. */
class LaunchInLoopTrigger extends RegExp {
  constructor() {
    super(LAUNCH.source);
  }

  override test(text: string): boolean {
    return FOR.test(text) && LAUNCH.test(text);
  }
}

const HOW_TEXT: Record<How, string> = { go: 'a goroutine', defer: 'a deferred call', Go: 'a function started with .Go' };

export const loopVarCapture: Rule = {
  id: 'loop-var-capture',
  title: 'Loop variable captured by a goroutine or deferred closure (before Go 1.22)',
  defaultSeverity: 'warning',
  summary: 'Before Go 1.22 a loop variable is shared by all iterations; a goroutine, deferred or .Go closure that uses it sees whatever value it has when it runs.',
  trigger: new LaunchInLoopTrigger(),
  before: { major: 1, minor: 22 },
  check(ctx) {
    const f = ctx.facts;
    for (const loop of f.loops) {
      if (!loop.vars.length || !loop.body) continue;
      const loopFunc = f.funcOf(loop.node);
      const launched = (loop.body.findAll('func_literal').map((lit) => ({ lit, how: launchedAs(lit) })).filter((x) => x.how) as { lit: Node; how: How }[]).filter(
        // A defer inside a closure that runs within the iteration fires within the iteration too.
        (l) => l.how !== 'defer' || f.funcOf(l.lit) === loopFunc,
      );
      if (!launched.length) continue;
      // Asked only for closures that use a loop variable (it walks the body and may build a graph).
      const mayRun = new Map<Node, boolean>();
      const outlives = (l: { lit: Node; how: How }): boolean => {
        let r = mayRun.get(l.lit);
        if (r === undefined) mayRun.set(l.lit, (r = nextIterationMayRun(f, loop.node, loop.body!, l.lit, l.how)));
        return r;
      };
      for (const v of loop.vars) {
        const reported = new Set<number>();
        // A three-clause loop whose body writes its variable steers the loop with it: a copy at the top
        // of the body would take those writes away from the loop.
        const steers = loop.kind === 'clause' && f.scopes.writesTo(v).some((w) => loop.body!.contains(w));
        // A later `v := …` at the top level of the body would no longer declare anything new.
        const taken = f.scopes.declaredIn(loop.body).some((b) => b.name === v.name);
        const noFix = steers
          ? ` (No quick fix: the loop body assigns ${v.name}, so a copy at the top of the body would change how the loop counts.)`
          : taken
            ? ` (No quick fix: the loop body declares another ${v.name}.)`
            : '';
        for (const ref of f.scopes.references(v)) {
          const outer = launched.find((l) => l.lit.isAncestorOf(ref) && outlives(l));
          if (!outer) continue;
          const line = ctx.src.lineOf(ref.start);
          if (reported.has(line)) continue;
          reported.add(line);
          const edit = noFix ? undefined : copyEdit(ctx.src.text, loop.body, v.name, ctx.src.indentAt(loop.node.start));
          ctx.report({
            node: ref,
            message:
              `Loop variable ${v.name} is captured by ${HOW_TEXT[outer.how]}: before Go 1.22 (this file is go${ctx.goVersion.major}.${ctx.goVersion.minor}) ` +
              `every iteration shares one ${v.name}, so the closure may see a later value. Copy it per iteration (${v.name} := ${v.name}) or pass it as an argument.` +
              noFix,
            fixes: edit ? [{ title: `Copy ${v.name} per iteration (${v.name} := ${v.name})`, edits: [edit] }] : [],
          });
        }
      }
    }
  },
};

/**
 * Whether the loop may start another iteration (giving its variables new values) while the launched
 * closure can still read them: some path from the launch reaches the loop's head again without passing a
 * statement that waits for the closure. A launch after which the loop always ends (return, break), or that
 * every path waits for before iterating, is safe. Where the graph cannot tell, assume it may.
 */
function nextIterationMayRun(f: DeclFacts, loop: Node, body: Node, lit: Node, how: How): boolean {
  const fn = f.funcOf(loop);
  const g = f.cfg(fn);
  const head = g.nodeFor(loop);
  const at = g.nodeFor(f.anchorIn(fn, lit));
  if (g.hasGoto || !head || !at) return true;
  const waits = how === 'defer' ? [] : waitsFor(f, body, lit);
  // Launched from a closure in the body (t.Run's, one called in place) that waits for the goroutine on
  // every path before it returns: the goroutine is done before that closure's statement completes.
  const inner = f.funcOf(lit);
  if (inner !== fn && waits.length) {
    const gi = f.cfg(inner);
    const atInner = gi.nodeFor(f.anchorIn(inner, lit));
    if (!gi.hasGoto && atInner) {
      const wi = waitNodes(f, gi, inner, waits.filter((w) => inner.isAncestorOf(w)), lit);
      wi.delete(atInner);
      if (!gi.reachable(atInner, gi.exit, (c) => wi.has(c))) return false;
    }
  }
  const wl = waitNodes(f, g, fn, waits, lit);
  wl.delete(at);
  return g.reachable(at, head, (c) => wl.has(c));
}

/**
 * The graph nodes of `fn` that stand for the waits. A wait inside a loop after the launch stands for that
 * whole loop (`for i := 0; i < n; i++ { <-done }` drains what the iterations started, even if the graph
 * allows zero turns), and a wait in a select case for the whole select unless another case plainly gives
 * up (default, a timer or ticker, a Done channel): the other cases may be fed by the closure too.
 */
function waitNodes(f: DeclFacts, g: CFG, fn: Node, waits: Node[], lit: Node): Set<CNode> {
  const out = new Set<CNode>();
  for (const w of waits) {
    let anchor: Node = w;
    for (let p: Node | null = w.parent; p && p !== fn; p = p.parent) {
      if (p.type === 'func_literal' || (p.type === 'for_statement' && !p.isAncestorOf(lit))) anchor = p;
      else if (p.type === 'select_statement' && anchor.parent?.type === 'communication_case' && anchor.field === 'communication' && !givesUp(f, p)) anchor = p;
      else if (p.type === 'communication_case' && p.child('communication')?.contains(w)) anchor = p.child('communication')!;
    }
    const c = g.nodeFor(anchor);
    if (c) out.add(c);
  }
  return out;
}

/** A select with a case that stops waiting on its own: default, a timer or ticker channel, a Done channel. */
function givesUp(f: DeclFacts, select: Node): boolean {
  for (const c of select.children) {
    if (c.type === 'default_case') return true;
    if (c.type !== 'communication_case') continue;
    let e = c.child('communication');
    if (e?.type === 'receive_statement') e = e.child('right');
    if (e?.type === 'expression_statement') e = e.children[0];
    e = unparen(e);
    if (e?.type !== 'unary_expression' || e.tokens[0] !== '<-') continue;
    const ch = unparen(e.child('operand'));
    if (!ch) continue;
    const name = f.pkgCall(ch, 'time');
    if (name === 'After' || name === 'Tick') return true;
    if (ch.type === 'selector_expression' && ch.child('field')?.text === 'C') return true;
    if (ch.type === 'call_expression') {
      const fnx = unparen(ch.child('function'));
      if (fnx?.type === 'selector_expression' && fnx.child('field')?.text === 'Done') return true;
    }
  }
  return false;
}

/**
 * Expressions after the launch in the loop body that wait for the launched closure: a receive from (or a
 * range over) a channel the closure sends on or closes, or Wait on a WaitGroup the closure calls Done on
 * (or on the group whose Go started it).
 */
function waitsFor(f: DeclFacts, body: Node, lit: Node): Node[] {
  const signals = new Set<string>();
  for (const o of f.chanOps) {
    if ((o.kind === 'send' || o.kind === 'close') && lit.isAncestorOf(o.node)) {
      const k = f.refKey(o.chan);
      if (k) signals.add(k);
    }
  }
  for (const c of f.wgCalls) if (c.method === 'Done' && lit.isAncestorOf(c.call)) signals.add(f.refKey(c.recv) ?? '');
  const launchCall = lit.parent?.type === 'argument_list' ? lit.parent.parent : undefined;
  const group = launchCall ? unparen(launchCall.child('function'))?.child('operand') : undefined;
  if (group) signals.add(f.refKey(group) ?? '');
  signals.delete('');
  const out: Node[] = [];
  if (!signals.size) return out;
  body.walk((n) => {
    if (n.end <= lit.end) return n.end > lit.end || n.isAncestorOf(lit);
    // A closure that is not called in place may run after the iteration: its waits do not count.
    if (n.type === 'func_literal' && !n.isAncestorOf(lit) && !isCalledInPlace(n)) return false;
    if (n.type === 'unary_expression' && n.tokens[0] === '<-' && signals.has(f.refKey(n.child('operand')) ?? '')) out.push(n);
    if (n.type === 'for_statement') {
      const over = n.firstOfType('range_clause')?.child('right');
      if (over && signals.has(f.refKey(over) ?? '')) out.push(n);
    }
    if (n.type === 'call_expression') {
      const fn = unparen(n.child('function'));
      if (fn?.type === 'selector_expression' && fn.child('field')?.text === 'Wait' && signals.has(f.refKey(fn.child('operand')) ?? '')) out.push(n);
    }
    return true;
  });
  return out;
}

/** Inserts `name := name` as the loop body's first line. */
function copyEdit(text: string, body: Node, name: string, forIndent: string): OffsetEdit | undefined {
  const brace = body.start;
  let i = brace + 1;
  while (i < text.length && (text[i] === ' ' || text[i] === '\t' || text[i] === '\r')) i++;
  // A line comment after the brace (`for _, v := range vs { // why`) stays on the loop's line.
  if (text.startsWith('//', i)) i = text.indexOf('\n', i);
  if (i < 0 || text[i] !== '\n') return undefined;
  return { start: i + 1, end: i + 1, newText: `${forIndent}\t${name} := ${name}\n` };
}
