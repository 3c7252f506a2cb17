import { Node, unparen } from '../ast';
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
        (l) => (l.how !== 'defer' || f.funcOf(l.lit) === loopFunc) && !iterationWaitsFor(f, loop.body!, l.lit),
      );
      if (!launched.length) continue;
      for (const v of loop.vars) {
        const reported = new Set<number>();
        for (const ref of f.scopes.references(v)) {
          const outer = launched.find((l) => l.lit.isAncestorOf(ref));
          if (!outer) continue;
          const line = ctx.src.lineOf(ref.start);
          if (reported.has(line)) continue;
          reported.add(line);
          const edit = copyEdit(ctx.src.text, loop.body, v.name, ctx.src.indentAt(loop.node.start));
          ctx.report({
            node: ref,
            message:
              `Loop variable ${v.name} is captured by ${HOW_TEXT[outer.how]}: before Go 1.22 (this file is go${ctx.goVersion.major}.${ctx.goVersion.minor}) ` +
              `every iteration shares one ${v.name}, so the closure may see a later value. Copy it per iteration (${v.name} := ${v.name}) or pass it as an argument.`,
            fixes: edit ? [{ title: `Copy ${v.name} per iteration (${v.name} := ${v.name})`, edits: [edit] }] : [],
          });
        }
      }
    }
  },
};

/**
 * The iteration itself waits for the launched closure after launching it: it receives from a channel the
 * closure sends on or closes, or calls Wait on a WaitGroup the closure calls Done on (or the group whose
 * Go started it). The closure then runs before the variable moves on.
 */
function iterationWaitsFor(f: DeclFacts, body: Node, lit: Node): boolean {
  if (launchedAs(lit) === 'defer') return false;
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
  if (!signals.size) return false;
  const loopFunc = f.funcOf(lit);
  let waits = false;
  body.walk((n) => {
    if (waits || n.end <= lit.end) return n.end > lit.end || n.isAncestorOf(lit);
    if (n.type === 'func_literal' && f.funcOf(n) === loopFunc && !isCalledInPlace(n)) return false;
    if (n.type === 'unary_expression' && n.tokens[0] === '<-' && signals.has(f.refKey(n.child('operand')) ?? '')) waits = true;
    if (n.type === 'for_statement') {
      const over = n.firstOfType('range_clause')?.child('right');
      if (over && signals.has(f.refKey(over) ?? '')) waits = true;
    }
    if (n.type === 'call_expression') {
      const fn = unparen(n.child('function'));
      if (fn?.type === 'selector_expression' && fn.child('field')?.text === 'Wait' && signals.has(f.refKey(fn.child('operand')) ?? '')) waits = true;
    }
    return true;
  });
  return waits;
}

/** Inserts `name := name` as the loop body's first line. */
function copyEdit(text: string, body: Node, name: string, forIndent: string): OffsetEdit | undefined {
  const brace = body.start;
  let i = brace + 1;
  while (i < text.length && (text[i] === ' ' || text[i] === '\t' || text[i] === '\r')) i++;
  if (text[i] !== '\n') return undefined;
  return { start: i + 1, end: i + 1, newText: `${forIndent}\t${name} := ${name}\n` };
}
