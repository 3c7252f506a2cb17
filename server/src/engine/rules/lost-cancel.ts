import { FUNC_TYPES, Node, unparen } from '../ast';
import type { CFG, CNode } from '../cfg';
import { insertLinesAfter, ownLines } from '../edits';
import { DeclFacts, isCalledInPlace } from '../facts';
import type { OffsetFix, Rule, RuleContext } from '../rule';
import type { Binding } from '../scope';

const WITH = /^With(Cancel|Timeout|Deadline)(Cause)?$/;

/** Result types a returned value cannot carry a context in (so cancelling at return cannot break a caller). */
const PLAIN_RESULT = /^(error|bool|string|byte|rune|u?int(8|16|32|64)?|uintptr|float(32|64)|complex(64|128)|time\.Duration)$/;

export const lostCancel: Rule = {
  id: 'lost-cancel',
  title: 'Cancel func of a derived context discarded or not called on every path',
  defaultSeverity: 'warning',
  summary: 'The cancel func returned by context.WithCancel/WithTimeout/WithDeadline is discarded or not used on every path: the context, its timer and its children stay alive until the parent is cancelled.',
  trigger: /\bWith(Cancel|Timeout|Deadline)(Cause)?\s*\(/,
  patterns: ['timeout'],
  check(ctx) {
    const f = ctx.facts;
    ctx.node.walk((n) => {
      if (n.type !== 'call_expression') return true;
      const name = f.pkgCall(n, 'context');
      if (!name || !WITH.test(name)) return true;
      const site = assignmentOf(n);
      if (!site) return true;
      const fn = f.funcOf(n);
      if (site.cancel.type === 'identifier' && site.cancel.text === '_') reportDiscarded(ctx, n, name, site, fn);
      else if (site.cancel.type === 'identifier') checkNamed(ctx, n, name, site, fn);
      return true;
    });
  },
};

interface Site {
  /** short_var_declaration, assignment_statement or var_spec. */
  stmt: Node;
  ctxVar: Node;
  cancel: Node;
  /** Every identifier the statement assigns (not uses). */
  lhs: Node[];
}

/** `ctx, cancel := With…(…)`, `ctx, cancel = With…(…)` or `var ctx, cancel = With…(…)`. */
function assignmentOf(call: Node): Site | undefined {
  let c: Node = call;
  while (c.parent?.type === 'parenthesized_expression') c = c.parent;
  const list = c.parent;
  if (list?.type !== 'expression_list' || list.children.length !== 1) return undefined;
  const stmt = list.parent;
  if (!stmt) return undefined;
  if ((stmt.type === 'short_var_declaration' || stmt.type === 'assignment_statement') && list.field === 'right') {
    if (stmt.type === 'assignment_statement' && !stmt.hasToken('=')) return undefined;
    const lhs = stmt.child('left')?.children ?? [];
    if (lhs.length !== 2) return undefined;
    return { stmt, ctxVar: lhs[0], cancel: lhs[1], lhs };
  }
  if (stmt.type === 'var_spec' && list.field === 'value') {
    const names = stmt.childrenIn('name');
    if (names.length !== 2) return undefined;
    return { stmt, ctxVar: names[0], cancel: names[1], lhs: names };
  }
  return undefined;
}

/** The statement to insert after: the assignment itself, or the var declaration holding a lone spec. */
function lineStatement(site: Site): Node | undefined {
  let s = site.stmt;
  if (s.type === 'var_spec') {
    const decl = s.parent;
    if (decl?.type !== 'var_declaration' || decl.children.length !== 1) return undefined;
    s = decl;
  }
  return s.parent?.type === 'statement_list' ? s : undefined;
}

function reportDiscarded(ctx: RuleContext, call: Node, name: string, site: Site, fn: Node): void {
  // A package-level `var ctx, _ = …` lives as long as the program: nothing to leak into.
  if (!FUNC_TYPES.includes(fn.type) || !fn.isAncestorOf(call)) return;
  const f = ctx.facts;
  const inLoop = !!f.loopOf(site.stmt);
  const fixes: OffsetFix[] = [];
  const call0 = callOf('cancel', name);
  let advice = `Name it and defer ${call0} right after, or call it when the work that uses the context ends.`;
  if (inLoop) advice = `Name it and call ${call0} at the end of each iteration (a defer in a loop runs only when the function returns), or move the loop body into a function that defers ${call0}.`;
  else {
    let why = site.stmt.type === 'assignment_statement' ? 'the variables are assigned, not declared, here' : noFixReason(ctx, site, fn, undefined);
    // A context that is never cancelled may be meant to outlive the call: only a deadline says it is not.
    if (!why && /^WithCancel/.test(name) && site.ctxVar.text !== '_' && contextIsPassedOn(f, site.ctxVar)) why = 'the context is handed to other code, which may need it after this function returns';
    const cancelName = why ? undefined : freeCancelName(ctx, site.stmt, fn);
    if (!why && !cancelName) why = 'the name cancel is already taken here';
    if (why) advice += ` (No quick fix: ${why}.)`;
    else {
      const ins = insertLinesAfter(lineStatement(site)!, ctx.src, [`defer ${callOf(cancelName!, name)}`]);
      if (ins) fixes.push({ title: `Name the cancel func ${cancelName} and defer ${callOf(cancelName!, name)}`, edits: [{ start: site.cancel.start, end: site.cancel.end, newText: cancelName! }, ins] });
    }
  }
  ctx.report({
    node: call,
    message:
      `The cancel func returned by context.${name} is discarded: the context${ctxName(site)} and what it holds (${holds(name)}) ` +
      `stay alive until ${untilParent(ctx, call)}. ${advice}`,
    fixes,
  });
}

function checkNamed(ctx: RuleContext, call: Node, name: string, site: Site, fn: Node): void {
  const f = ctx.facts;
  const b = f.scopes.resolve(site.cancel);
  // Stored in a package variable or a variable of an enclosing function: it outlives this function.
  if (!b || b.func !== fn || (b.kind !== 'var' && b.kind !== 'result')) return;
  // Returning from main.main ends the process: nothing leaks (go vet agrees).
  if (fn.type === 'function_declaration' && fn.child('name')?.text === 'main' && isPackageMain(ctx)) return;
  const g = f.cfg(fn);
  if (g.hasGoto) return;
  const start = g.nodeFor(site.stmt);
  if (!start) return;
  const own = new Set(site.lhs);
  const uses = new Set<CNode>();
  for (const ref of f.scopes.references(b)) {
    if (own.has(ref)) continue;
    const lit = outermostLiteralIn(ref, fn);
    // A closure made earlier (a cleanup func, a deferred func) or a pointer to the variable sees the new
    // value wherever it runs: the path through this statement does not tell.
    if (lit && lit.start < site.stmt.start) return;
    if (ref.parent?.type === 'unary_expression' && ref.parent.tokens[0] === '&') return;
    const at = g.nodeFor(lit ?? ref);
    if (!at) return; // a use the graph does not place: not sure
    uses.add(at);
  }
  if (b.kind === 'result') {
    for (const r of fn.findAll('return_statement', { skipFuncLits: true })) if (!r.children.length) uses.add(g.nodeFor(r)!);
  }
  if (uses.has(start)) return;
  const leak = pathToExit(g, start, uses);
  if (!leak) return;
  const where = leak.ast?.type === 'return_statement' ? `the return on ${ctx.lineRef(leak.ast)}` : `the end of the function`;
  const cancel = site.cancel.text;
  const inLoop = !!f.loopOf(site.stmt);
  const why = inLoop ? undefined : noFixReason(ctx, site, fn, b);
  const call1 = callOf(cancel, name);
  let advice = `Add defer ${call1} right after this line.`;
  if (inLoop) advice = `Call ${call1} on every path through the loop body (a defer in a loop runs only when the function returns), or move the body into a function that defers ${call1}.`;
  else if (why) advice = `Call ${call1} on that path too. (No quick fix: ${why}.)`;
  const fixes: OffsetFix[] = [];
  if (!inLoop && !why) {
    const ins = insertLinesAfter(lineStatement(site)!, ctx.src, [`defer ${callOf(cancel, name)}`]);
    if (ins) fixes.push({ title: `Add defer ${callOf(cancel, name)}`, edits: [ins] });
  }
  ctx.report({
    node: call,
    message:
      `${cancel}, the cancel func returned by context.${name}, is not called on every path: ${where} is reached without using it, so the context` +
      `${ctxName(site)} and what it holds (${holds(name)}) stay alive until ${untilParent(ctx, call)}. ${advice}`,
    fixes,
  });
}

/** WithCancelCause returns a CancelCauseFunc, which takes the cause. */
function callOf(cancel: string, name: string): string {
  return name === 'WithCancelCause' ? `${cancel}(nil)` : `${cancel}()`;
}

function holds(name: string): string {
  return /^WithCancel/.test(name) ? 'child contexts, goroutines watching it' : 'a timer, child contexts, goroutines watching it';
}

/** "the parent context is cancelled", or "the timeout/deadline" — never for a background parent without one. */
function untilParent(ctx: RuleContext, call: Node): string {
  const parent = unparen(call.child('arguments')?.children.find((c) => c.type !== 'comment'));
  const root = parent?.type === 'call_expression' ? ctx.facts.pkgCall(parent, 'context') : undefined;
  const isRoot = root === 'Background' || root === 'TODO';
  const name = ctx.facts.pkgCall(call, 'context') ?? '';
  if (/^WithCancel/.test(name)) return isRoot ? 'the program exits (its parent is never cancelled)' : 'the parent context is cancelled';
  const end = /^WithDeadline/.test(name) ? 'the deadline passes' : 'the timeout expires';
  return isRoot ? end : `${end} or the parent context is cancelled`;
}

function ctxName(site: Site): string {
  return site.ctxVar.text === '_' ? '' : ` ${site.ctxVar.text}`;
}

/**
 * Why `defer cancel()` right after the statement is not certain to keep the code correct: the statement
 * is not on lines of its own in a statement list, the context (or the cancel func) is handed to code that
 * may run after the function returns, or the function returns values that may depend on the context.
 */
function noFixReason(ctx: RuleContext, site: Site, fn: Node, cancel: Binding | undefined): string | undefined {
  const f = ctx.facts;
  const stmt = lineStatement(site);
  if (!stmt || !ownLines(stmt, ctx.src)) return 'the statement shares its line or is not a plain statement';
  for (const r of resultTypes(fn)) if (!PLAIN_RESULT.test(r.replace(/\s+/g, ''))) return `the function returns a ${r}, which may still need the context after it returns`;
  if (site.ctxVar.type !== 'identifier') return `the context is stored in ${site.ctxVar.text}`;
  if (site.ctxVar.text !== '_') {
    const cb = f.scopes.resolve(site.ctxVar);
    if (!cb || cb.func !== fn) return `the context is stored in ${site.ctxVar.text}, which outlives the function`;
    const e = escapes(f, cb, fn, new Set());
    if (e) return `the context ${e}`;
  }
  if (cancel) {
    for (const ref of f.scopes.references(cancel)) {
      if (site.lhs.includes(ref)) continue;
      if (!isDirectCall(ref, fn)) return `${cancel.name} is also handed to other code`;
    }
  }
  return undefined;
}

/** How a local (the context, or a value made from it) may outlive the function, if it may. */
function escapes(f: DeclFacts, b: Binding, fn: Node, seen: Set<Binding>): string | undefined {
  if (seen.has(b)) return undefined;
  seen.add(b);
  for (const ref of f.scopes.references(b)) {
    // Say where it really goes: into a goroutine or closure, before whatever that code assigns it to.
    for (let p: Node | null = ref.parent; p && p !== fn; p = p.parent) {
      if (p.type === 'go_statement') return 'is handed to a goroutine';
      if (p.type === 'func_literal' && !isCalledInPlace(p)) return p.parent?.parent?.type === 'go_statement' ? 'is handed to a goroutine' : 'is used by a function literal that may run later';
    }
    for (let p: Node | null = ref.parent; p && p !== fn; p = p.parent) {
      if (p.type === 'send_statement' && p.child('value')?.contains(ref)) return 'is sent on a channel';
      if (p.type === 'assignment_statement' || p.type === 'short_var_declaration' || p.type === 'var_spec') {
        if (!(p.child('right')?.contains(ref) || p.child('value')?.contains(ref))) break;
        const targets = p.type === 'var_spec' ? p.childrenIn('name') : p.child('left')?.children ?? [];
        // Values computed from the context (a request, a derived context) go where they are stored.
        for (const t of targets) {
          if (t.type === 'identifier' && t.text === '_') continue;
          const tb = t.type === 'identifier' ? f.scopes.resolve(t) : undefined;
          if (!tb || tb.func !== fn) return `is stored in ${t.text}`;
          const e = escapes(f, tb, fn, seen);
          if (e) return e;
        }
        break;
      }
      if (p.parent?.type === 'statement_list') break;
    }
  }
  return undefined;
}

/** Whether the context is given to any call (whose callee may keep it). */
function contextIsPassedOn(f: DeclFacts, ctxVar: Node): boolean {
  const b = f.scopes.resolve(ctxVar);
  if (!b) return true;
  return f.scopes.references(b).some((r) => r.parent?.type === 'argument_list' || r.parent?.type === 'selector_expression');
}

/** `cancel()` or `defer cancel()` in the function itself. */
function isDirectCall(ref: Node, fn: Node): boolean {
  let c: Node = ref;
  while (c.parent?.type === 'parenthesized_expression') c = c.parent;
  const call = c.parent;
  if (call?.type !== 'call_expression' || c.field !== 'function') return false;
  const stmt = call.parent;
  if (stmt?.type !== 'expression_statement' && stmt?.type !== 'defer_statement') return false;
  return outermostLiteralIn(ref, fn) === undefined;
}

function resultTypes(fn: Node): string[] {
  const r = fn.child('result');
  if (!r) return [];
  if (r.type !== 'parameter_list') return [r.text];
  const out: string[] = [];
  for (const p of r.children) if (p.type === 'parameter_declaration') out.push(p.child('type')?.text ?? '?');
  return out;
}

/** The outermost func literal between `n` and `fn` (its statement in `fn` is where a closure's use happens). */
function outermostLiteralIn(n: Node, fn: Node): Node | undefined {
  let lit: Node | undefined;
  for (let p: Node | null = n.parent; p && p !== fn; p = p.parent) if (p.type === 'func_literal') lit = p;
  return lit;
}

/** A path from `start` to the function's exit that avoids every node in `uses`: the node that reaches the exit. */
function pathToExit(g: CFG, start: CNode, uses: Set<CNode>): CNode | undefined {
  const seen = new Set<number>([start.id]);
  const stack: CNode[] = [start];
  while (stack.length) {
    const c = stack.pop()!;
    for (const s of c.succs) {
      if (s === g.exit) return c;
      if (seen.has(s.id) || uses.has(s)) continue;
      seen.add(s.id);
      stack.push(s);
    }
  }
  return undefined;
}

/** `cancel` unless a variable, function, import or later declaration of that name would clash. */
function freeCancelName(ctx: RuleContext, at: Node, fn: Node): string | undefined {
  const f = ctx.facts;
  const name = 'cancel';
  if (f.scopes.visibleAt(at, (b) => b.name === name).length) return undefined;
  if (ctx.file.packageBinding(name) || ctx.file.index.imports.has(name)) return undefined;
  // Any later identifier of that name in the function would now see (or clash with) the new variable.
  let clash = false;
  fn.walk((n) => {
    if (clash) return false;
    if (n.type === 'identifier' && n.text === name) clash = true;
    return true;
  });
  return clash ? undefined : name;
}

function isPackageMain(ctx: RuleContext): boolean {
  return /^\s*(\/\/[^\n]*\n|\/\*[\s\S]*?\*\/|\s)*package\s+main\b/.test(ctx.src.text);
}

