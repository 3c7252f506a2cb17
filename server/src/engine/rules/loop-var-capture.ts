import { Node, unparen } from '../ast';
import type { CNode } from '../cfg';
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

const HOW_TEXT: Record<How, string> = { go: 'a goroutine', defer: 'a deferred call', Go: 'a function started with .Go' };

export const loopVarCapture: Rule = {
  id: 'loop-var-capture',
  title: 'Loop variable captured by a goroutine or deferred closure (before Go 1.22)',
  defaultSeverity: 'warning',
  summary: 'Before Go 1.22 a loop variable is shared by all iterations; a goroutine, deferred or .Go closure that uses it sees whatever value it has when it runs.',
  trigger: /\bgo\b|\bdefer\b|\.(Try)?Go\(/,
  before: { major: 1, minor: 22 },
  check(ctx) {
    const f = ctx.facts;
    for (const loop of f.loops) {
      if (!loop.vars.length || !loop.body) continue;
      const loopFunc = f.funcOf(loop.node);
      const launched = (loop.body.findAll('func_literal').map((lit) => ({ lit, how: launchedAs(lit) })).filter((x) => x.how) as { lit: Node; how: How }[]).filter(
        // A defer inside a closure that runs within the iteration fires within the iteration too.
        (l) => (l.how !== 'defer' || f.funcOf(l.lit) === loopFunc) && nextIterationMayRun(f, loop.node, loop.body!, l.lit, l.how),
      );
      if (!launched.length) continue;
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
          const outer = launched.find((l) => l.lit.isAncestorOf(ref));
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
  const at = g.nodeFor(outermostLiteralIn(lit, fn) ?? lit);
  if (g.hasGoto || !head || !at) return true;
  const waits = new Set<CNode>();
  if (how !== 'defer') {
    for (const w of waitsFor(f, body, lit)) {
      const c = g.nodeFor(outermostLiteralIn(w, fn) ?? w);
      if (c && c !== at) waits.add(c);
    }
  }
  return g.reachable(at, head, (c) => waits.has(c));
}

/** The outermost func literal around `n` inside `fn` (`n` itself when it is one). */
function outermostLiteralIn(n: Node, fn: Node): Node | undefined {
  let lit: Node | undefined;
  for (let p: Node | null = n; p && p !== fn; p = p.parent) if (p.type === 'func_literal') lit = p;
  return lit;
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
  const loopFunc = f.funcOf(lit);
  body.walk((n) => {
    if (n.end <= lit.end) return n.end > lit.end || n.isAncestorOf(lit);
    if (n.type === 'func_literal' && f.funcOf(n) === loopFunc && !isCalledInPlace(n)) return false;
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
  if (text[i] !== '\n') return undefined;
  return { start: i + 1, end: i + 1, newText: `${forIndent}\t${name} := ${name}\n` };
}
