import { unparen } from '../ast';
import { deleteStatement, insertLinesBefore } from '../edits';
import type { Launch, WgCall } from '../facts';
import type { OffsetFix, Rule, RuleContext } from '../rule';
import { countCallSites, exprAtLaunch, isLocalTo, movableTo, rootBinding, show, statementOf } from './util';

export const wgAddInGoroutine: Rule = {
  id: 'wg-add-in-goroutine',
  title: 'WaitGroup.Add called inside the goroutine it counts',
  defaultSeverity: 'warning',
  summary: 'wg.Add runs inside the goroutine it is meant to count, so wg.Wait can return before the goroutine has started.',
  trigger: /\.Add\(/,
  patterns: ['waitgroup'],
  check(ctx) {
    const f = ctx.facts;
    for (const add of f.wgCalls) {
      if (add.method !== 'Add') continue;
      // `wg.Add(-1)` is a Done.
      const arg = unparen(add.call.child('arguments')?.children[0]);
      if (arg?.type === 'unary_expression' && arg.tokens[0] === '-') continue;
      const g = f.goroutineOf(add.call);
      if (!g) continue;
      // A WaitGroup declared inside the goroutine counts something else (its own children).
      if (isLocalTo(rootBinding(f, add.recv), g.body)) continue;
      if (addsForChildren(ctx, add, g.body)) continue;
      if (!countsItself(f, add, g.body)) continue;
      if (countedAtLaunch(ctx, add, g.launches)) continue;
      const wg = show(add.recv);
      ctx.report({
        node: add.call,
        message:
          `${wg}.Add is called inside the goroutine it counts: ${wg}.Wait() can run before this goroutine starts, ` +
          `see a zero counter and return early. Call ${wg}.Add before the go statement.`,
        fixes: fix(ctx, add, g.body, g.launches),
      });
    }
  },
};

/**
 * The goroutine counts itself only when it also counts down on that group (`defer wg.Done()`), and does not
 * wait on it afterwards: a producer that adds per queued job (`wg.Add(1); jobs <- j`, Done in the workers)
 * or a batcher that adds, hands work over and waits itself counts other work.
 */
function countsItself(f: import('../facts').DeclFacts, add: WgCall, body: import('../ast').Node): boolean {
  const key = f.refKey(add.recv);
  if (!key) return true;
  const same = f.wgCalls.filter((c) => body.isAncestorOf(c.call) && f.refKey(c.recv) === key);
  if (same.some((c) => c.method === 'Wait' && c.call.start > add.call.end && f.runner(c.call) === f.runner(add.call))) return false;
  return same.some((c) => c.method === 'Done');
}

/**
 * `wg.Add(1); go func() { defer wg.Done(); … wg.Add(1); step(); wg.Done() … }()`: the goroutine is already
 * counted when it adds, so the counter is above zero and Wait cannot pass in between. The same holds for a
 * same-file function or method launched right after the Add (`q.wg.Add(1); go q.producer()`), where the
 * group is named differently at the launch site.
 */
function countedAtLaunch(ctx: RuleContext, add: WgCall, launches: Launch[]): boolean {
  const f = ctx.facts;
  const key = f.refKey(add.recv);
  if (!key || !launches.length) return false;
  return launches.every((l) => {
    if (l.kind !== 'go' || l.node.parent?.type !== 'statement_list') return false;
    let lf = f;
    let matches = (c: WgCall) => f.refKey(c.recv) === key;
    if (l.bodyDecl) {
      const there = exprAtLaunch(f, add.recv, l);
      const launcher = ctx.file.factsFor(l.node);
      if (!there || !launcher) return false;
      lf = launcher;
      matches = (c) => c.recv.text.replace(/\s+/g, '') === there;
    }
    for (let prev = l.node.prevSibling; prev; prev = prev.prevSibling) {
      if (prev.type === 'comment') continue;
      if (prev.type !== 'expression_statement' && prev.type !== 'short_var_declaration' && prev.type !== 'assignment_statement') return false;
      const call = unparen(prev.children[0]);
      const c = lf.wgCalls.find((x) => x.call === call);
      if (c) return c.method === 'Add' && matches(c);
      if (prev.findAll(['go_statement', 'func_literal']).length) return false;
    }
    return false;
  });
}

/** `go func() { wg.Add(1); go child() }()`: the Add counts goroutines this one launches afterwards. */
function addsForChildren(ctx: RuleContext, add: WgCall, body: import('../ast').Node): boolean {
  const f = ctx.facts;
  const key = f.refKey(add.recv);
  for (const l of f.launches) {
    if (!body.isAncestorOf(l.node) || l.node.start < add.call.start) continue;
    if (l.args.some((a) => f.refKey(a) === key)) return true;
    if (l.body && l.body.start >= body.start && l.body.end <= body.end && f.wgCalls.some((c) => l.body!.isAncestorOf(c.call) && f.refKey(c.recv) === key)) return true;
    if (l.bodyDecl) return true; // passes the work to another function: assume it is counted there
  }
  // `wg.Add(1); s.handleAsync(m, &wg)`, or `s.wg.Add(1); s.startWorker()`: a call made afterwards hands the
  // group to code that may start the goroutine it counts.
  let hands = false;
  const root = rootBinding(f, add.recv);
  body.walk((n) => {
    if (hands) return false;
    if (n.type !== 'call_expression' || n.start < add.call.end || f.runner(n) !== f.runner(add.call)) return true;
    // The group itself, or a closure using it (`pool.Submit(func() { defer wg.Done(); … })`, time.AfterFunc).
    const args = n.child('arguments')?.children ?? [];
    if (args.some((a) => f.refKey(a) === key || (unparen(a)?.type === 'func_literal' && f.wgCalls.some((c) => a.isAncestorOf(c.call) && f.refKey(c.recv) === key)))) hands = true;
    const fn = unparen(n.child('function'));
    if (!hands && root && fn?.type === 'selector_expression' && unparen(add.recv)?.type === 'selector_expression' && rootBinding(f, fn.child('operand')) === root) {
      const callee = f.callee(n).bodyDecl;
      if (callee && /\bgo\b/.test(callee.text) && ctx.file.depFacts(callee).launches.some((x) => x.kind === 'go')) hands = true;
    }
    return !hands;
  });
  return hands;
}

function fix(ctx: RuleContext, add: WgCall, body: import('../ast').Node, launches: Launch[]): OffsetFix[] {
  if (launches.length !== 1) return [];
  const launch = launches[0];
  const f = ctx.facts;
  const stmt = statementOf(add.call);
  // Only an unconditional Add at the top of the goroutine's body moves without changing meaning.
  const bodyList = body.child('body')?.firstOfType('statement_list');
  if (!stmt || stmt.parent !== bodyList || stmt.type !== 'expression_statement' || unparen(stmt.children[0]) !== add.call) return [];
  if (launch.bodyDecl) {
    const d = launch.bodyDecl;
    if (countCallSites(ctx.src.text, d.names[0], d.kind === 'method') !== 1) return [];
  }
  // `process := func(…) {…}` launched with `go process(x)`: a direct call elsewhere would lose its Add.
  const fnExpr = unparen(launch.call.child('function'));
  if (!launch.bodyDecl && launch.kind === 'go' && fnExpr?.type === 'identifier') {
    const b = f.scopes.resolve(fnExpr);
    if (!b || f.scopes.references(b).length !== 1) return [];
  }
  const launchStmt = launch.kind === 'go' ? launch.node : statementOf(launch.node);
  if (!launchStmt || launchStmt.parent?.type !== 'statement_list') return [];
  // The launch may be in another declaration; its facts resolve names there.
  const launcherFacts = ctx.file.factsFor(launch.node);
  if (!launcherFacts) return [];
  const recv = exprAtLaunch(f, add.recv, launch);
  const arg = add.call.child('arguments')!.children[0];
  if (!recv || !movableTo(f, arg, body, launch.node)) return [];
  const del = deleteStatement(stmt, ctx.src);
  const ins = insertLinesBefore(launchStmt, ctx.src, [`${recv}.Add(${arg.text})`]);
  if (!del || !ins) return [];
  return [{ title: `Move ${recv}.Add(${arg.text}) before the go statement`, edits: [ins, del] }];
}
