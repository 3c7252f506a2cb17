import { Node, unparen } from '../ast';
import { insertLinesBefore, ownLines } from '../edits';
import { DeclFacts, isCalledInPlace } from '../facts';
import type { OffsetFix, Rule, RuleContext } from '../rule';
import { callArgs, show } from './util';

export const timeAfterInLoop: Rule = {
  id: 'time-after-in-loop',
  title: 'time.After in a select inside a loop (before Go 1.23)',
  defaultSeverity: 'warning',
  summary: 'Before Go 1.23, time.After as a select case in a loop allocates a timer every iteration that is not collected until it fires.',
  trigger: /\.After\s*\(/,
  before: { major: 1, minor: 23 },
  patterns: ['ticker', 'timeout'],
  check(ctx) {
    const f = ctx.facts;
    ctx.node.walk((n) => {
      if (n.type !== 'call_expression' || f.pkgCall(n, 'time') !== 'After') return true;
      const sel = selectCaseOf(n) ?? viaVariable(f, n);
      if (!sel) return true;
      let loop = f.loopOf(sel.select);
      // A select in a closure called in place in a loop body (`func() { select {…} }()`) runs once per iteration too.
      const lit = loop ? undefined : f.funcOf(sel.select);
      const inPlace = lit?.type === 'func_literal' && isCalledInPlace(lit) ? lit : undefined;
      if (inPlace) loop = f.loopOf(inPlace);
      if (!loop || !loop.child('body')?.contains(n) || !repeats(f, inPlace ?? sel.select)) return true;
      const d = callArgs(n)[0];
      const fix: FixResult = sel.variable
        ? { why: `the channel is kept in ${sel.variable}` }
        : inPlace
          ? { why: 'the select is in a function literal called in the loop' }
          : timerFix(ctx, n, sel.select, loop, d);
      const v = `go${ctx.goVersion.major}.${ctx.goVersion.minor}`;
      ctx.report({
        node: n,
        message:
          `time.After(${show(d)}) ${sel.variable ? `received through ${sel.variable} ` : ''}in a select inside a loop creates a new timer on every iteration; before Go 1.23 (this file is ${v}) each one stays in memory ` +
          `until it fires, so a loop that usually takes another case piles up timers. Create one time.NewTimer before the loop and Reset it before each select` +
          (fix.fix ? '.' : ` (no quick fix: ${fix.why}).`),
        fixes: fix.fix ? [fix.fix] : [],
      });
      return true;
    });
  },
};

/** Whether the select can run again in the same call: a loop whose every case leaves it runs it once. */
function repeats(f: DeclFacts, select: Node): boolean {
  const g = f.cfg(f.funcOf(select));
  const at = g.nodeFor(select);
  return !at || g.hasGoto || g.reachable(at, at);
}

/**
 * `t := time.After(d)` made in the loop body and only received from as a select case there: one timer
 * per iteration as well.
 */
function viaVariable(f: DeclFacts, call: Node): { select: Node; variable: string } | undefined {
  let c: Node = call;
  while (c.parent?.type === 'parenthesized_expression') c = c.parent;
  const list = c.parent;
  const stmt = list?.parent;
  if (list?.type !== 'expression_list' || !stmt || list.children.length !== 1) return undefined;
  let id: Node | undefined;
  if (stmt.type === 'short_var_declaration' && list.field === 'right') id = stmt.child('left')?.children[0];
  else if (stmt.type === 'var_spec' && list.field === 'value') id = stmt.childrenIn('name')[0];
  const b = id?.type === 'identifier' ? f.scopes.resolve(id) : undefined;
  if (!b || b.id !== id || (stmt.type === 'short_var_declaration' && stmt.child('left')!.children.length !== 1)) return undefined;
  const refs = f.scopes.references(b);
  if (!refs.length || f.scopes.writesTo(b).length) return undefined;
  let select: Node | undefined;
  for (const r of refs) {
    const s = selectCaseOf(r)?.select;
    if (!s || (select && s !== select) || f.funcOf(s) !== f.funcOf(call)) return undefined;
    select = s;
  }
  return select && f.loopOf(select) === f.loopOf(stmt) ? { select, variable: b.name } : undefined;
}

/** `case <-time.After(d):` / `case v := <-time.After(d):`: the select and its case (also for `<-ch` of a variable). */
function selectCaseOf(call: Node): { select: Node; caseNode: Node; variable?: undefined } | undefined {
  let c: Node = call;
  while (c.parent?.type === 'parenthesized_expression') c = c.parent;
  const recv = c.parent;
  if (recv?.type !== 'unary_expression' || recv.tokens[0] !== '<-' || c.field !== 'operand') return undefined;
  let comm: Node = recv;
  while (comm.parent?.type === 'parenthesized_expression') comm = comm.parent;
  if (comm.parent?.type === 'receive_statement' || comm.parent?.type === 'expression_statement') comm = comm.parent;
  if (comm.field !== 'communication' || comm.parent?.type !== 'communication_case') return undefined;
  const caseNode = comm.parent;
  const select = caseNode.parent;
  return select?.type === 'select_statement' ? { select, caseNode } : undefined;
}

interface FixResult {
  fix?: OffsetFix;
  why?: string;
}

/**
 * One timer for the whole loop: made before it, stopped on return, drained and reset before the select.
 * Certain only when the duration means the same every iteration and nothing else in the loop needs care.
 */
function timerFix(ctx: RuleContext, call: Node, select: Node, loop: Node, d: Node | undefined): FixResult {
  const f = ctx.facts;
  if (!d || callArgs(call).length !== 1) return { why: 'unexpected arguments' };
  // The call is replaced whole: comments inside it would be lost.
  if (call.text.includes('\n') || call.child('arguments')!.children.length !== 1) return { why: 'the call holds comments or spans lines' };
  const afters = loop.findAll('call_expression').filter((c) => f.pkgCall(c, 'time') === 'After');
  if (afters.length !== 1) return { why: 'the loop has several time.After calls' };
  if (select.parent?.type !== 'statement_list' || !ownLines(select, ctx.src)) return { why: 'the select is not a plain statement' };
  const variant = invariantWhy(f, d, loop);
  if (variant) return { why: variant };
  // The statement the loop is (with its label): the new lines go before it.
  const loopStmt = loop.parent?.type === 'labeled_statement' ? loop.parent : loop;
  if (loopStmt.parent?.type !== 'statement_list' || !ownLines(loopStmt, ctx.src)) return { why: 'the loop is not a plain statement' };
  if (f.loopOf(loopStmt)) return { why: 'the loop is inside another loop, where a defer would pile up' };
  // gofmt aligns the trailing comments of consecutive lines: once the case line shrinks, a comment on it
  // and one on a neighbour would need realigning.
  const ln = ctx.src.lineOf(call.start);
  const trailing = (l: number) => l >= 0 && l < ctx.src.lineCount && /\S.*(\/\/|\/\*)/.test(ctx.src.lineText(l).replace(/"(?:[^"\\]|\\.)*"|`[^`]*`/g, '""'));
  if (trailing(ln) && (trailing(ln - 1) || trailing(ln + 1))) return { why: 'the comments next to the case would need realigning' };
  const timer = freeName(ctx);
  if (!timer) return { why: 'no free name for the timer' };
  const time = unparen(call.child('function'))!.child('operand')!.text;
  // gofmt outdents a label by one level: the new lines take the loop's indentation.
  const loopLines = ownLines(loopStmt, ctx.src)!;
  const indent = ctx.src.indentAt(loop.start);
  const before = { start: loopLines.start, end: loopLines.start, newText: `${indent}${timer} := ${time}.NewTimer(${d.text})\n${indent}defer ${timer}.Stop()\n` };
  const reset = insertLinesBefore(select, ctx.src, [`if !${timer}.Stop() {`, `\tselect {`, `\tcase <-${timer}.C:`, `\tdefault:`, `\t}`, `}`, `${timer}.Reset(${d.text})`]);
  if (!reset || d.text.includes('\n')) return { why: 'the duration spans lines' };
  return {
    fix: {
      title: `Use one ${timer} := ${time}.NewTimer(${show(d)}) for the loop`,
      edits: [before, reset, { start: call.start, end: call.end, newText: `${timer}.C` }],
    },
  };
}

/**
 * Why `d` might differ between iterations (or between before the loop and inside it); undefined when it
 * is made of literals, constants, package-qualified names (time.Second) and variables declared before the
 * loop that it never assigns, combined with operators and time.Duration conversions.
 */
function invariantWhy(f: DeclFacts, d: Node, loop: Node): string | undefined {
  let why: string | undefined;
  const assignedInLoop = new Set<string>();
  loop.walk((n) => {
    if (n.type === 'assignment_statement' || n.type === 'short_var_declaration') for (const t of n.child('left')?.children ?? []) assignedInLoop.add(t.text);
    if (n.type === 'inc_statement' || n.type === 'dec_statement') assignedInLoop.add(n.children[0]?.text ?? '');
    return true;
  });
  const visit = (e: Node | undefined): void => {
    if (!e || why) return;
    switch (e.type) {
      case 'int_literal':
      case 'float_literal':
        return;
      case 'parenthesized_expression':
        return visit(e.children[0]);
      case 'unary_expression':
        if (e.tokens[0] !== '-' && e.tokens[0] !== '+') why = `${show(d)} is not a plain duration`;
        return visit(e.child('operand'));
      case 'binary_expression':
        visit(e.child('left'));
        return visit(e.child('right'));
      case 'selector_expression': {
        const op = e.child('operand');
        if (op?.type === 'identifier' && f.pkgOf(op)) return; // time.Second, config.DefaultTimeout
        why = `${show(e)} may change between iterations`;
        return;
      }
      case 'call_expression': {
        const a = callArgs(e);
        if (f.pkgCall(e, 'time') === 'Duration' && a.length === 1) return visit(a[0]);
        why = `${show(d)} calls a function on every iteration`;
        return;
      }
      case 'identifier': {
        const b = f.scopes.resolve(e);
        if (b?.kind === 'const') return;
        if (b && b.decl && loop.contains(b.decl)) {
          why = `${e.text} is declared inside the loop`;
          return;
        }
        if (b && b.kind !== 'var' && b.kind !== 'param' && b.kind !== 'package' && b.kind !== 'result' && b.kind !== 'recv') {
          why = `${e.text} may change between iterations`;
          return;
        }
        if (assignedInLoop.has(e.text)) why = `${e.text} is assigned inside the loop`;
        return;
      }
      default:
        why = `${show(d)} may change between iterations`;
    }
  };
  visit(d);
  return why;
}

/** `timer`, or another name no identifier of the declaration, no package name and no import uses. */
function freeName(ctx: RuleContext): string | undefined {
  const used = new Set<string>();
  ctx.node.walk((n) => {
    if (n.type === 'identifier') used.add(n.text);
    return true;
  });
  for (const name of ['timer', 'timeout', 'tm', 'loopTimer', 'afterTimer']) {
    if (!used.has(name) && !ctx.file.packageBinding(name) && !ctx.file.index.imports.has(name)) return name;
  }
  return undefined;
}
