import { Node, unparen } from '../ast';
import { CNode, isTerminatingCall } from '../cfg';
import { deleteStatement } from '../edits';
import type { DeclFacts, Launch, WgCall } from '../facts';
import type { Binding } from '../scope';
import type { OffsetEdit, OffsetFix, Rule, RuleContext } from '../rule';
import { climbTo } from './double-close';
import { countCallSites, paramNames, rootIdent, show, statementOf } from './util';

/** How the goroutine's body names the launcher's WaitGroup. */
interface WgInBody {
  is(e: Node): boolean;
  /** The text the body uses for it (for the fix); undefined when the body has no name for it. */
  name: string | undefined;
  /** The WaitGroup is reachable from other code (a field, a package variable, or its address escaped). */
  shared: boolean;
  /** The root variable through which other code could reach it from inside the body (`s` of `s.wg`). */
  rootIs?: (e: Node) => boolean;
  /** Rooted in a package-level variable: any same-package function may reach it. */
  pkgLevel?: boolean;
}

export const missingWgDone: Rule = {
  id: 'missing-wg-done',
  title: 'Goroutine counted by wg.Add that does not always call wg.Done',
  defaultSeverity: 'warning',
  summary: 'A goroutine counted by wg.Add never calls wg.Done(), or calls it only on some paths without defer: wg.Wait() blocks forever.',
  trigger: /\.Add\(/,
  patterns: ['waitgroup'],
  check(ctx) {
    const f = ctx.facts;
    if (!f.wgCalls.some((c) => c.method === 'Add')) return;
    for (const l of f.launches) {
      if (l.kind !== 'go' || !l.body) continue;
      checkLaunch(ctx, l);
    }
  },
};

function checkLaunch(ctx: RuleContext, l: Launch): void {
  const f = ctx.facts;
  const body = l.body!;
  const bf = l.bodyDecl ? ctx.file.depFacts(l.bodyDecl) : f;
  const block = immediate0(f, l);
  const immediate = block?.add;
  const candidates: WgCall[] = immediate ? [immediate] : earlierAdds(f, l);
  for (const add of candidates) {
    const wg = wgInBody(ctx, f, bf, l, add);
    if (!wg) continue;
    const usage = usageIn(bf, body, wg);
    if (usage === 'unknown') return;
    // Counted: right after the Add, or the body clearly works with this WaitGroup.
    if (!immediate && !usage.dones.length && !wg.name) continue;
    if (!immediate && !usage.dones.length && !passesWg(f, l, add)) continue;
    // `if track { wg.Add(1) }; go func() { …; if track { wg.Done() } }()`: the goroutine is counted only on
    // some paths, and its conditional Done may follow the same condition; we cannot correlate them.
    if (!immediate && usage.dones.length && addIsConditional(add, l)) return;
    if (usage.waits) return; // a goroutine that waits on the group is not one it counts
    let wrongGroup: WgCall | undefined;
    if (!usage.dones.length) {
      // Right after an Add, but the body calls Done on another group: that Add is not for this goroutine —
      // unless nothing else can count the group down (a local group no other code sees, with no Done
      // anywhere): then the Done is on the wrong group (`writers.Add(1); go func() { defer readers.Done() }()`).
      const other = bf.wgCalls.find((c) => c.method === 'Done' && body.isAncestorOf(c.call) && !inChild(usage, c.call));
      if (other) {
        const k = f.refKey(add.recv);
        if (!immediate || l.bodyDecl || wg.shared || !wg.name || f.wgCalls.some((c) => c.method === 'Done' && f.refKey(c.recv) === k)) return;
        wrongGroup = other;
      }
      // The group's Done is called elsewhere here (the launcher, another goroutine): the Add may be for that.
      // (A sibling launched under the same `wg.Add(N)` counts itself, not this one.)
      const key = f.refKey(add.recv);
      const siblings = block?.siblings ?? [];
      if (f.wgCalls.some((c) => c.method === 'Done' && f.refKey(c.recv) === key && !(l.body && l.body.isAncestorOf(c.call)) && !siblings.some((s) => s.node.isAncestorOf(c.call)))) return;
    }
    if (wg.shared && mayReachElsewhere(ctx, bf, body, wg, usage.children)) return;
    const g = bf.cfg(body);
    if (g.hasGoto) return;
    const doneNodes = new Set<CNode>();
    for (const d of usage.dones) {
      const cl = climbTo(bf, d.call, body);
      if (!cl || cl.launches.length || cl.once) return; // Done in a nested goroutine or a stored closure
      const n = g.nodeFor(cl.anchor);
      if (!n) return;
      // A Done that runs again on the next iteration counts items, not this goroutine.
      if (g.reachable(n, n)) return;
      doneNodes.add(n);
    }
    const leak = pathAvoiding(g, doneNodes);
    const panicking = leak ? undefined : recoveredPanic(bf, body, g, doneNodes, usage.dones);
    if (!leak && !panicking) return;
    const wgText = show(add.recv).replace(/^&/, '');
    const counted = `the ${wgText}.Add at ${ctx.lineRef(add.call)}`;
    const inDecl = l.bodyDecl ? ` in ${l.bodyDecl.names[0]}` : '';
    const where = panicking
      ? ` (a panic in ${show(panicking.call)} at ${ctx.lineRef(panicking.call)}${inDecl} is recovered by the deferred recover at ${ctx.lineRef(panicking.recover)}, and the goroutine ends without reaching Done)`
      : leak!.ast?.type !== 'return_statement' ? '' : ` (the return at ${ctx.lineRef(leak!.ast)}${inDecl})`;
    const consequence = `${wgText}.Wait() then blocks forever`;
    const msg = wrongGroup
      ? `This goroutine is counted by ${counted} but calls ${show(wrongGroup.recv)}.Done() at ${ctx.lineRef(wrongGroup.call)} instead of ${wgText}.Done(), and nothing else counts ${wgText} down: ${consequence}.`
      : usage.dones.length
      ? `This goroutine is counted by ${counted} but can finish without calling ${wgText}.Done()${where}: ${consequence}. Call defer ${wg.name ?? wgText}.Done() as its first statement.`
      : wg.name
        ? `This goroutine is counted by ${counted} but never calls ${wgText}.Done(): ${consequence}. Call defer ${wg.name}.Done() as its first statement.`
        : `This goroutine is counted by ${counted} but never calls ${wgText}.Done() and cannot reach ${wgText}: ${consequence}. Pass it a *sync.WaitGroup and call defer wg.Done() as its first statement.`;
    ctx.report({ node: l.node, message: msg, fixes: wrongGroup ? [] : fix(ctx, l, bf, body, wg, usage.dones) });
    return;
  }
}

/**
 * `wg.Add(…)` before the go statement in the same block, with only simple statements in between
 * (`u := u`, a log line) — nothing that starts another goroutine or touches a WaitGroup.
 */
function precedingAdd(f: DeclFacts, l: Launch): WgCall | undefined {
  if (l.node.parent?.type !== 'statement_list') return undefined;
  for (let prev = l.node.prevSibling; prev; prev = prev.prevSibling) {
    if (prev.type === 'comment') continue;
    if (prev.type === 'expression_statement') {
      const call = unparen(prev.children[0]);
      const add = f.wgCalls.find((c) => c.method === 'Add' && c.call === call);
      if (add) return add;
    }
    const simple = prev.type === 'short_var_declaration' || prev.type === 'assignment_statement' || prev.type === 'expression_statement' || prev.type === 'var_declaration';
    if (!simple || prev.findAll(['go_statement', 'func_literal']).length || f.wgCalls.some((c) => prev!.contains(c.call))) return undefined;
  }
  return undefined;
}

/** The Add that certainly counts this launch, and the other launches it counts. */
function immediate0(f: DeclFacts, l: Launch): { add: WgCall; siblings: Launch[] } | undefined {
  const add = precedingAdd(f, l);
  if (add) return { add, siblings: [] };
  return addForLoop(f, l) ?? addForSequence(f, l);
}

function isSimple(f: DeclFacts, st: Node): boolean {
  const simple = st.type === 'short_var_declaration' || st.type === 'assignment_statement' || st.type === 'expression_statement' || st.type === 'var_declaration';
  return simple && !st.findAll(['go_statement', 'func_literal']).length && !f.wgCalls.some((c) => st.contains(c.call));
}

/** The `wg.Add(…)` statement just before `st` in its block (simple statements in between are fine). */
function addBefore(f: DeclFacts, st: Node): WgCall | undefined {
  if (st.parent?.type !== 'statement_list') return undefined;
  for (let prev = st.prevSibling; prev; prev = prev.prevSibling) {
    if (prev.type === 'comment') continue;
    if (prev.type === 'expression_statement') {
      const call = unparen(prev.children[0]);
      const add = f.wgCalls.find((c) => c.method === 'Add' && c.call === call);
      if (add) return add;
    }
    if (!isSimple(f, prev)) return undefined;
  }
  return undefined;
}

/**
 * `wg.Add(n)` (or `Add(len(items))`) right before a loop whose body starts one goroutine per iteration
 * and does nothing else but simple statements: that Add counts this goroutine.
 */
function addForLoop(f: DeclFacts, l: Launch): { add: WgCall; siblings: Launch[] } | undefined {
  const list = l.node.parent;
  const loop = list?.parent?.type === 'block' ? list.parent.parent : undefined;
  if (list?.type !== 'statement_list' || loop?.type !== 'for_statement') return undefined;
  for (const st of list.children) if (st !== l.node && st.type !== 'comment' && !isSimple(f, st)) return undefined;
  const add = addBefore(f, loop);
  if (!add) return undefined;
  const arg = add.call.child('arguments')?.children ?? [];
  if (arg.length !== 1 || /^[01]$/.test(arg[0].text)) return undefined; // Add(1) before a loop counts something else
  return { add, siblings: [] };
}

/** `wg.Add(2)` followed by exactly two go statements (simple statements in between): each is counted. */
function addForSequence(f: DeclFacts, l: Launch): { add: WgCall; siblings: Launch[] } | undefined {
  const list = l.node.parent;
  if (list?.type !== 'statement_list') return undefined;
  let st: Node | null | undefined = l.node.prevSibling;
  for (; st; st = st.prevSibling) {
    if (st.type === 'expression_statement') {
      const call = unparen(st.children[0]);
      const add = f.wgCalls.find((c) => c.method === 'Add' && c.call === call);
      if (add) {
        const n = Number(add.call.child('arguments')?.children[0]?.text);
        if (!Number.isInteger(n) || n < 2) return undefined;
        const gos: Node[] = [];
        for (let nx: Node | null | undefined = st.nextSibling; nx; nx = nx.nextSibling) {
          if (nx.type === 'go_statement') gos.push(nx);
          else if (nx.type !== 'comment' && !isSimple(f, nx)) break;
        }
        if (gos.length !== n || !gos.includes(l.node)) return undefined;
        const siblings = f.launches.filter((x) => x !== l && gos.includes(x.node));
        return siblings.length === n - 1 ? { add, siblings } : undefined;
      }
    }
    if (st.type !== 'comment' && st.type !== 'go_statement' && !isSimple(f, st)) return undefined;
  }
  return undefined;
}

/** The Add runs only on some paths to the launch: it sits in a branch or loop that does not contain the go statement. */
function addIsConditional(add: WgCall, l: Launch): boolean {
  for (let n = add.call.parent; n && !n.isAncestorOf(l.node); n = n.parent) {
    if (/^(if_statement|for_statement|expression_case|type_case|communication_case|default_case)$/.test(n.type)) return true;
  }
  return false;
}

/** Adds executed earlier by the same function as the launch, latest first. */
function earlierAdds(f: DeclFacts, l: Launch): WgCall[] {
  const runner = f.runner(l.node);
  return f.wgCalls.filter((c) => c.method === 'Add' && c.call.start < l.node.start && f.runner(c.call) === runner).reverse();
}

function passesWg(f: DeclFacts, l: Launch, add: WgCall): boolean {
  const key = f.refKey(add.recv);
  return !!key && l.args.some((a) => f.refKey(a) === key);
}

/** How the body refers to the launcher's WaitGroup, or undefined when we cannot tell. */
function wgInBody(ctx: RuleContext, f: DeclFacts, bf: DeclFacts, l: Launch, add: WgCall): WgInBody | undefined {
  const key = f.refKey(add.recv);
  if (!key) return undefined;
  const body = l.body!;
  const rb = rootBindingOf(f, add.recv);
  const local = !!rb && rb.func !== undefined && rb.kind !== 'param' && rb.kind !== 'recv' && unparen(add.recv)!.type !== 'selector_expression';
  // The argument (if any) that carries it.
  const params = paramNames(body);
  const variadic = body.child('parameters')?.children.some((p) => p.type === 'variadic_parameter_declaration');
  const paramDecl = (i: number) => body.child('parameters')!.children.filter((p) => p.type === 'parameter_declaration').flatMap((p) => p.childrenIn('name').map((n) => ({ n, p })))[i];
  let param: Binding | undefined;
  // Or a struct that holds its address in a field: `go run(task{wg: &wg})`, `w := &worker{wg: &wg}; go w.run()`.
  let carrier: { b: Binding; field: string; lit: Node } | undefined;
  if (!variadic && params.length === l.args.length && !params.includes('')) {
    const i = l.args.findIndex((a) => f.refKey(a) === key);
    if (i >= 0) {
      const arg = unparen(l.args[i])!;
      const pdecl = paramDecl(i);
      // By value the goroutine gets a copy: its Done could never reach this group (wg-copied reports that).
      const byPointer = arg.type === 'unary_expression' ? arg.tokens[0] === '&' : pdecl?.p.child('type')?.type === 'pointer_type';
      if (!pdecl || !byPointer) return undefined;
      param = bf.scopes.resolve(pdecl.n);
    } else {
      for (let j = 0; j < l.args.length && !carrier; j++) {
        const c = fieldCarrying(f, l.args[j], key);
        const pb = c && paramDecl(j) ? bf.scopes.resolve(paramDecl(j).n) : undefined;
        if (c && pb) carrier = { b: pb, field: c.field, lit: c.lit };
      }
    }
  }
  if (!carrier && l.bodyDecl) carrier = receiverCarrying(f, bf, l, key);
  const escaped = local && escapes(f, rb!, l, add, carrier?.lit);
  // Any other argument built from it (`wg.Done` as a callback): the goroutine reaches it in ways we do not follow.
  if (l.args.some((a) => !(param && f.refKey(a) === key) && !(carrier && a.contains(carrier.lit)) && mentions(f, a, key))) return undefined;
  if (carrier) {
    const { b, field } = carrier;
    if (!l.bodyDecl && rootIdent(add.recv) && params.includes(rootIdent(add.recv)!.text)) return undefined;
    const viaField = (e: Node) => {
      const u = unparen(e);
      return u?.type === 'selector_expression' && u.child('field')?.text === field && bf.bindingOf(u.child('operand')) === b;
    };
    return {
      is: (e) => viaField(e) || (!l.bodyDecl && f.refKey(e) === key),
      name: `${b.name}.${field}`,
      shared: true,
      rootIs: (e) => bf.bindingOf(e) === b,
    };
  }
  if (!l.bodyDecl) {
    // A literal: it sees the launcher's variables (unless a parameter shadows the name).
    const root = rootIdent(add.recv);
    const shadowed = !!root && params.includes(root.text);
    const recvText = unparen(add.recv)!.text.replace(/^&/, '');
    return {
      is: (e) => (!shadowed && f.refKey(e) === key) || (!!param && bf.bindingOf(e) === param),
      name: param ? param.name : shadowed || !/^[A-Za-z_][\w.]*$/.test(recvText) ? undefined : recvText,
      shared: !local || escaped,
      rootIs: rb && !local ? (e) => f.bindingOf(e) === rb : undefined,
      pkgLevel: !!rb && rb.func === undefined,
    };
  }
  if (param) return { is: (e) => bf.bindingOf(e) === param, name: param.name, shared: escaped };
  // go s.worker(): the receiver's field.
  const recvNode = bf.root.child('receiver')?.findAll('identifier')[0];
  const recv = recvNode ? bf.scopes.resolve(recvNode) : undefined;
  const fn = unparen(l.call.child('function'));
  const a = unparen(add.recv)!;
  if (fn?.type === 'selector_expression' && a.type === 'selector_expression' && f.refKey(a.child('operand')) === f.refKey(fn.child('operand')) && f.refKey(a.child('operand'))) {
    const field = a.child('field')!.text;
    if (!recv) return { is: () => false, name: undefined, shared: true };
    return {
      is: (e) => {
        const u = unparen(e);
        return u?.type === 'selector_expression' && u.child('field')?.text === field && bf.bindingOf(u.child('operand')) === recv;
      },
      name: `${recv.name}.${field}`,
      shared: true,
      rootIs: (e) => bf.bindingOf(e) === recv,
    };
  }
  // A package-level WaitGroup is the same everywhere.
  if (key.startsWith('pkg:')) {
    const name = key.slice(4);
    const shadowed = bf.scopes.visibleAt(bf.root.child('body') ?? bf.root, (b) => b.name === name).length > 0;
    return { is: (e) => bf.refKey(e) === key, name: shadowed ? undefined : name, shared: true };
  }
  if (local && !escaped) return { is: () => false, name: undefined, shared: false }; // the function cannot reach it
  return undefined;
}

/** `T{f: &wg}` or `&T{f: &wg}` (`wg` itself when it is a pointer): the field that holds the group. */
function fieldCarrying(f: DeclFacts, e: Node | undefined, key: string): { field: string; lit: Node } | undefined {
  let u = unparen(e);
  if (u?.type === 'unary_expression' && u.tokens[0] === '&') u = unparen(u.child('operand'));
  if (u?.type !== 'composite_literal') return undefined;
  for (const el of u.child('body')?.children ?? []) {
    if (el.type !== 'keyed_element') continue;
    const [k, v] = el.children;
    const kid = k?.type === 'literal_element' ? k.children[0] : k;
    const val = v?.type === 'literal_element' ? v.children[0] : v;
    if (kid?.type !== 'field_identifier' && kid?.type !== 'identifier') continue;
    const uv = unparen(val);
    const isAddr = uv?.type === 'unary_expression' && uv.tokens[0] === '&';
    const isPtr = uv?.type === 'identifier' && f.typeOf(uv)?.kind === 'pointer';
    if ((isAddr || isPtr) && f.refKey(uv) === key) return { field: kid.text, lit: el };
  }
  return undefined;
}

/**
 * `w := &worker{wg: &wg}` then `go w.run()`, with `w` used nowhere else: in `run`, the receiver's field
 * is the group.
 */
function receiverCarrying(f: DeclFacts, bf: DeclFacts, l: Launch, key: string): { b: Binding; field: string; lit: Node } | undefined {
  const fn = unparen(l.call.child('function'));
  const op = fn?.type === 'selector_expression' ? unparen(fn.child('operand')) : undefined;
  if (op?.type !== 'identifier') return undefined;
  const wb = f.scopes.resolve(op);
  if (!wb || wb.kind !== 'var' || wb.tuple || !wb.value || f.scopes.writesTo(wb).length) return undefined;
  if (f.scopes.references(wb).some((r) => r !== op)) return undefined;
  const c = fieldCarrying(f, wb.value, key);
  const recvNode = bf.root.child('receiver')?.findAll('identifier')[0];
  const recv = recvNode ? bf.scopes.resolve(recvNode) : undefined;
  return c && recv ? { b: recv, field: c.field, lit: c.lit } : undefined;
}

function mentions(f: DeclFacts, e: Node, key: string): boolean {
  let found = false;
  e.walk((n) => {
    if (found) return false;
    if ((n.type === 'identifier' || n.type === 'selector_expression') && f.refKey(n) === key) found = true;
    return !found;
  });
  return found;
}

function rootBindingOf(f: DeclFacts, e: Node): Binding | undefined {
  const id = rootIdent(e);
  return id ? f.scopes.resolve(id) : undefined;
}

/**
 * The local WaitGroup is reachable by other code: its address or value is passed, stored or returned
 * (other than to the goroutine being checked), or a closure other than the goroutine uses it.
 */
function escapes(f: DeclFacts, b: Binding, l: Launch, _add: WgCall, carrier?: Node): boolean {
  for (const r of f.scopes.references(b)) {
    if (l.body && l.body.isAncestorOf(r)) continue;
    if (carrier && carrier.isAncestorOf(r)) continue;
    if (l.args.some((a) => a === r || a.isAncestorOf(r))) continue;
    let e: Node = r;
    while (e.parent?.type === 'parenthesized_expression') e = e.parent;
    // `return &wg` after the launch hands it to the caller, which waits on it: code the goroutine calls
    // cannot have received it.
    const ret = e.parent?.type === 'unary_expression' && e.parent.tokens[0] === '&' ? e.parent : e;
    if (ret.parent?.type === 'expression_list' && ret.parent.parent?.type === 'return_statement' && r.start > l.node.end && f.funcOf(r) === l.launcher) continue;
    const p = e.parent;
    if (p?.type === 'selector_expression' && p.field !== 'field' && /^(Add|Done|Wait)$/.test(p.child('field')?.text ?? '') && p.parent?.type === 'call_expression') {
      // A Done in a stored closure (not a goroutine of its own): that closure may be what finishes the work.
      const fn = f.runner(r);
      if (p.child('field')!.text === 'Done' && fn.type === 'func_literal' && !f.launches.some((x) => x.body === fn)) return true;
      continue;
    }
    return true;
  }
  return false;
}

interface Usage {
  dones: WgCall[];
  waits: boolean;
  /** Goroutines this one launches, each right after its own Add on the group (an accept loop's handlers). */
  children: Launch[];
}

function inChild(u: Usage, n: Node): boolean {
  return u.children.some((c) => c.node.isAncestorOf(n));
}

/**
 * The go statement that an `Add` counts when it directly precedes it in the same block (simple statements
 * in between are fine): `wg.Add(1); go handle(c)`.
 */
function childLaunchAfter(bf: DeclFacts, call: Node): Launch | undefined {
  const stmt = call.parent;
  if (stmt?.type !== 'expression_statement' || stmt.parent?.type !== 'statement_list') return undefined;
  for (let next = stmt.nextSibling; next; next = next.nextSibling) {
    if (next.type === 'comment') continue;
    if (next.type === 'go_statement') return bf.launches.find((l) => l.node === next);
    const simple = next.type === 'short_var_declaration' || next.type === 'assignment_statement' || next.type === 'expression_statement' || next.type === 'var_declaration';
    if (!simple || next.findAll(['go_statement', 'func_literal']).length || bf.wgCalls.some((c) => next!.contains(c.call))) return undefined;
  }
  return undefined;
}

/** WaitGroup uses inside the body; 'unknown' when it is handed to other code or used in other ways. */
function usageIn(bf: DeclFacts, body: Node, wg: WgInBody): Usage | 'unknown' {
  const dones: WgCall[] = [];
  const children: Launch[] = [];
  let waits = false;
  let unknown = false;
  const block = body.child('body');
  if (!block) return 'unknown';
  block.walk((n) => {
    if (unknown) return false;
    // A child counted by its own Add: its Done and the group passed to it are for it, not for us.
    if (n.type === 'go_statement' && children.some((c) => c.node === n)) return false;
    if (n.type !== 'identifier' && n.type !== 'selector_expression' && n.type !== 'unary_expression') return true;
    if (!wg.is(n)) return true;
    let e: Node = n;
    while (e.parent?.type === 'parenthesized_expression') e = e.parent;
    const p = e.parent;
    const m = p?.type === 'selector_expression' && p.child('operand') === e ? p.child('field')?.text : undefined;
    if (m && p!.parent?.type === 'call_expression' && p!.field === 'function') {
      const call = p!.parent;
      if (m === 'Done') {
        const c = bf.wgCalls.find((x) => x.call === call);
        if (c) dones.push(c);
        else unknown = true;
      } else if (m === 'Wait') waits = true;
      else if (m === 'Add' && childLaunchAfter(bf, call)) children.push(childLaunchAfter(bf, call)!);
      else unknown = true; // another Add inside: the wg-add-in-goroutine bug, not ours
      return false;
    }
    unknown = true;
    return false;
  });
  return unknown ? 'unknown' : { dones, waits, children };
}

/**
 * For a WaitGroup other code can reach: whether the body calls code that might call Done for it (a
 * method of the struct holding it, a function it is passed to, or any same-package function for a
 * package-level group).
 */
function mayReachElsewhere(ctx: RuleContext, bf: DeclFacts, body: Node, wg: WgInBody, children: Launch[]): boolean {
  // A same-file function or method may call Done when it calls Done on some WaitGroup (or calls further
  // helpers that might); another file's may always.
  const callsDone = (d: import('../fileindex').DeclInfo | undefined): boolean => {
    if (!d || d.hasError) return true;
    if (!/\bDone\(/.test(d.text)) return false;
    return ctx.file.depFacts(d).wgCalls.some((c) => c.method === 'Done');
  };
  const viaRoot = (e: Node | undefined) => !!wg.rootIs && !!e && !!rootIdent(e) && wg.rootIs(rootIdent(e)!);
  const packageLevel = !wg.rootIs || !!wg.pkgLevel;
  let found = false;
  body.walk((n) => {
    if (found) return false;
    if (n.type === 'go_statement' && children.some((c) => c.node === n)) return false;
    if (n.type !== 'call_expression') return true;
    const fn = unparen(n.child('function'));
    const args = n.child('arguments')?.children ?? [];
    const passesRoot = args.some((a) => wg.is(a) || viaRoot(a));
    if (fn?.type === 'selector_expression') {
      const op = fn.child('operand')!;
      if (wg.is(op)) return true; // wg.Done() itself
      if (viaRoot(op)) {
        // s.finish(), or s.mu.Lock(): a method of another package's type cannot know our WaitGroup.
        const t = bf.typeOf(unparen(op));
        const tn = t?.kind === 'pointer' ? t.elem : t;
        if (tn?.kind === 'named' && tn.pkg !== '') return true;
        const name = fn.child('field')?.text ?? '';
        const m = tn?.kind === 'named' ? ctx.file.method(tn.name, name) : undefined;
        const dyn = m ? undefined : dynamicCallee(ctx, bf, t, name);
        if (dyn) {
          if (passesRoot || dyn()) found = true;
        } else if (callsDone(m)) found = true;
      } else if (passesRoot) {
        const pkg = op.type === 'identifier' ? bf.pkgOf(op) : undefined;
        if (!pkg) found = true;
      }
    } else if (fn?.type === 'identifier') {
      const b = bf.scopes.resolve(fn);
      const builtin = !b && /^(append|cap|clear|close|complex|copy|delete|imag|len|make|max|min|new|panic|print|println|real|recover)$/.test(fn.text);
      if (!builtin && (!b || b.kind === 'func') && (packageLevel || passesRoot)) {
        // An unqualified call is a same-package function, maybe in another file.
        if (callsDone(ctx.file.func(fn.text))) found = true;
      } else if (b && b.kind !== 'func' && (packageLevel || passesRoot)) found = true; // a func value: unknown
    } else if (fn?.type !== 'func_literal' && passesRoot) found = true;
    return true;
  });
  return found;
}

/**
 * `s.handler(j)` (a func-typed field) or `s.store.Save(x)` (a same-file interface): the code that runs is
 * a value wired in elsewhere. Returns whether that value may call Done for our group, or undefined when
 * the call is not of that kind. A callback can only reach the group through what it captured: we look
 * for a func value or method value the file stores in a field of that name next to a Done call, and for
 * same-file implementations of the interface method that call Done.
 */
function dynamicCallee(ctx: RuleContext, bf: DeclFacts, t: import('../typeinfer').GoType | undefined, name: string): (() => boolean) | undefined {
  const ft = bf.types.fieldType(t, name);
  const isFunc = (x: import('../typeinfer').GoType | undefined): boolean => {
    if (x?.kind === 'func') return true;
    if (x?.kind !== 'named' || x.pkg !== '') return false;
    const def = ctx.file.localType(x.name);
    return def?.type === 'function_type';
  };
  if (ft && isFunc(ft)) {
    return () => {
      const set = new RegExp(`(?<![\\w.])${name}\\s*:(?!=)|\\.${name}\\s*=(?!=)`);
      return ctx.file.scan({ includes: ['Done(', name] }).some((d) => set.test(d.text));
    };
  }
  if (t === undefined || !name) return undefined;
  // A call of a method on the value itself: is its static type a same-file interface?
  const u = t.kind === 'pointer' ? t.elem : t;
  if (u?.kind !== 'interface' && (u?.kind !== 'named' || u.pkg !== '' || ctx.file.localType(u.name)?.type !== 'interface_type')) return undefined;
  return () => ctx.file.methodsNamed(name).some((d) => d.hasError || ctx.file.depFacts(d).wgCalls.some((c) => c.method === 'Done'));
}

const NO_PANIC_CALLS = /^(append|cap|len|make|new|min|max|complex|real|imag|string|int|int8|int16|int32|int64|uint|uint8|uint16|uint32|uint64|uintptr|float32|float64|byte|rune|bool)$/;

/**
 * `defer func() { if r := recover(); r != nil { log… } }()` and a Done that is not deferred: a panic in a
 * call between the two is recovered, the goroutine returns normally, and Done never runs. Returns such a
 * call (the first found) and the recover.
 */
function recoveredPanic(bf: DeclFacts, body: Node, g: import('../cfg').CFG, doneNodes: Set<CNode>, dones: WgCall[]): { call: Node; recover: Node } | undefined {
  if (!dones.length) return undefined;
  const list = body.child('body')?.firstOfType('statement_list');
  if (!list) return undefined;
  const deferred = (n: Node) => {
    for (let p: Node | null = n; p && p !== body; p = p.parent) if (p.type === 'defer_statement') return true;
    return false;
  };
  if (dones.some((d) => deferred(d.call))) return undefined;
  for (const st of list.children) {
    if (st.type !== 'defer_statement') continue;
    const call = unparen(st.children[0]);
    const lit = call?.type === 'call_expression' ? unparen(call.child('function')) : undefined;
    if (lit?.type !== 'func_literal') continue;
    let recovers: Node | undefined;
    let rethrows = false;
    lit.walk((n) => {
      if (n.type !== 'call_expression') return true;
      const fn = unparen(n.child('function'));
      if (fn?.type === 'identifier' && fn.text === 'recover' && !bf.scopes.resolve(fn)) recovers = n;
      if (isTerminatingCall(n, bf.pkgOf)) rethrows = true;
      return true;
    });
    if (!recovers || rethrows) continue;
    const start = g.nodeFor(st);
    if (!start) continue;
    // Nodes that run after the recover is in place and before any Done.
    const seen = new Set<number>();
    const stack = [...start.succs];
    while (stack.length) {
      const c = stack.pop()!;
      if (seen.has(c.id) || doneNodes.has(c) || c === g.exit) continue;
      seen.add(c.id);
      const risky = c.ast && riskyCall(bf, c.ast);
      if (risky) return { call: risky, recover: recovers };
      stack.push(...c.succs);
    }
  }
  return undefined;
}

/** A call in a statement (not inside a func literal) that can panic: anything but builtins and conversions. */
function riskyCall(bf: DeclFacts, stmt: Node): Node | undefined {
  let found: Node | undefined;
  const visit = (n: Node): boolean => {
    if (found || n.type === 'func_literal' || n.type === 'block' || n.type === 'statement_list') return false;
    if (n.type === 'call_expression') {
      const fn = unparen(n.child('function'));
      const builtin = fn?.type === 'identifier' && NO_PANIC_CALLS.test(fn.text) && !bf.scopes.resolve(fn);
      // Logging, formatting and the clock: not where a worker's panic comes from.
      const op = fn?.type === 'selector_expression' ? unparen(fn.child('operand')) : undefined;
      const quiet = op?.type === 'identifier' && /^(log|fmt|time|errors|sync\/atomic)$/.test(bf.pkgOf(op) ?? '');
      if (!builtin && !quiet && fn?.type !== 'func_literal') {
        found = n;
        return false;
      }
    }
    return true;
  };
  if (stmt.type === 'block' || stmt.type === 'statement_list') return undefined;
  stmt.walk(visit);
  return found;
}

function isPlainReturn(g: import('../cfg').CFG, c: CNode): boolean {
  if (c.ast?.type !== 'return_statement' || !c.succs.every((x) => x === g.exit)) return false;
  let plain = true;
  c.ast.walk((x) => {
    if (x.type === 'call_expression' || (x.type === 'unary_expression' && x.tokens[0] === '<-') || x.type === 'func_literal') plain = false;
    return plain;
  });
  return plain;
}

/** A path from entry to exit through none of `through`: returns the last node before the exit. */
function pathAvoiding(g: import('../cfg').CFG, through: Set<CNode>): CNode | undefined {
  const seen = new Set<number>();
  const stack: CNode[] = [g.entry];
  while (stack.length) {
    const c = stack.pop()!;
    if (seen.has(c.id)) continue;
    seen.add(c.id);
    if (through.has(c)) continue;
    for (const s of c.succs) {
      if (s === g.exit) return c;
      stack.push(s);
    }
  }
  return undefined;
}

/**
 * `defer wg.Done()` as the body's first statement, removing the other Done calls (all must be plain
 * statements of their own). Not offered when the body has no name for the WaitGroup, or a launched
 * function is started elsewhere too (the new Done would run for launches nobody counted).
 */
function fix(ctx: RuleContext, l: Launch, bf: DeclFacts, body: Node, wg: WgInBody, dones: WgCall[]): OffsetFix[] {
  if (!wg.name) return [];
  if (l.bodyDecl && countCallSites(ctx.src.text, l.bodyDecl.names[0], l.bodyDecl.kind === 'method') !== 1) return [];
  // `worker := func(…) {…}` launched with `go worker(i)`: it must not be used anywhere else either.
  const fnExpr = unparen(l.call.child('function'));
  if (!l.bodyDecl && fnExpr?.type === 'identifier') {
    const b = ctx.facts.scopes.resolve(fnExpr);
    if (!b || ctx.facts.scopes.references(b).length !== 1) return [];
  }
  const block = body.child('body');
  if (!block) return [];
  const text = ctx.src.text;
  let i = block.start + 1;
  while (i < text.length && (text[i] === ' ' || text[i] === '\t' || text[i] === '\r')) i++;
  if (text.startsWith('//', i)) while (i < text.length && text[i] !== '\n') i++;
  if (text[i] !== '\n') return [];
  // One level deeper than the line holding `{` (a first statement's own indent is wrong for a label).
  const indent = ctx.src.indentAt(block.start) + '\t';
  const edits: OffsetEdit[] = [{ start: i + 1, end: i + 1, newText: `${indent}defer ${wg.name}.Done()\n` }];
  const g = bf.cfg(body);
  for (const d of dones) {
    const stmt = statementOf(d.call);
    if (!stmt) return [];
    const plain = (stmt.type === 'expression_statement' || stmt.type === 'defer_statement') && unparen(stmt.children[0]) === d.call;
    if (!plain) return [];
    // A Done with more work after it (a readiness signal before serving) must stay where it is: deferring
    // it would make Wait block until the goroutine ends.
    if (stmt.type === 'expression_statement' && bf.funcOf(d.call) === body) {
      const n = g.nodeFor(stmt);
      if (!n || !n.succs.every((x) => x === g.exit || isPlainReturn(g, x))) return [];
    } else if (stmt.type === 'expression_statement') {
      // Inside a deferred closure: it runs at exit anyway.
      const lit = bf.funcOf(d.call);
      const call = lit.parent?.type === 'call_expression' ? lit.parent : undefined;
      if (call?.parent?.type !== 'defer_statement') return [];
    }
    const del = deleteStatement(stmt, ctx.src);
    if (!del) return [];
    edits.push(del);
  }
  return [{ title: `Call defer ${wg.name}.Done() first${dones.length ? ' (instead of the other Done calls)' : ''}`, edits }];
}
