import { FUNC_TYPES, Node, unparen } from '../ast';
import type { CNode } from '../cfg';
import { deleteStatement } from '../edits';
import { isCalledInPlace, type ChanOp, type DeclFacts, type Launch } from '../facts';
import type { OffsetFix, Rule, RuleContext } from '../rule';
import { derefNamed, isNamed, type GoType } from '../typeinfer';
import { paramNames, rootIdent, show } from './util';

// ---------------------------------------------------------------------------------------------------
// Path helpers shared with send-after-close: where an operation runs in a given function's CFG, which
// statements give a channel variable a new value, and the guard idioms that make a close run at most once.
// ---------------------------------------------------------------------------------------------------

/** How an operation nested in literals is seen from an enclosing function. */
export interface Climb {
  /** The node in the target function's own code (the operation itself, or the call/go/Do holding it). */
  anchor: Node;
  /** Goroutine launches crossed on the way up, innermost first. */
  launches: Launch[];
  /** The operation runs inside `once.Do(func(){…})` (or sync.OnceFunc). */
  once: boolean;
}

/**
 * Follows `n` up to `target`: through literals called in place or deferred, launched as goroutines or
 * handed to sync.Once. Undefined when a literal is stored or passed elsewhere (we cannot know when it runs).
 */
export function climbTo(f: DeclFacts, n: Node, target: Node): Climb | undefined {
  let cur = n;
  const launches: Launch[] = [];
  let once = false;
  for (let i = 0; i < 64; i++) {
    const fn = f.funcOf(cur);
    if (fn === target) return { anchor: cur, launches, once };
    if (fn.type !== 'func_literal') return undefined;
    if (isCalledInPlace(fn)) {
      cur = callOfLiteral(fn)!;
      continue;
    }
    const l = f.launches.find((x) => x.body === fn) ?? afterFunc(f, fn);
    if (l) {
      launches.push(l);
      cur = l.node;
      continue;
    }
    const d = onceCall(f, fn);
    if (d) {
      once = true;
      cur = d;
      continue;
    }
    return undefined;
  }
  return undefined;
}

/** `time.AfterFunc(d, lit)` / `context.AfterFunc(ctx, lit)`: lit runs in a goroutine of its own. */
function afterFunc(f: DeclFacts, lit: Node): Launch | undefined {
  let c: Node = lit;
  while (c.parent?.type === 'parenthesized_expression') c = c.parent;
  const list = c.parent;
  const call = list?.parent;
  if (list?.type !== 'argument_list' || call?.type !== 'call_expression' || list.children[1] !== c) return undefined;
  if (f.pkgCall(call, 'time') !== 'AfterFunc' && f.pkgCall(call, 'context') !== 'AfterFunc') return undefined;
  return { kind: 'async', node: call, call, body: lit, bodyDecl: undefined, args: [], launcher: f.funcOf(call) };
}

function callOfLiteral(lit: Node): Node | undefined {
  let c: Node = lit;
  while (c.parent?.type === 'parenthesized_expression') c = c.parent;
  return c.parent ?? undefined;
}

/** `once.Do(lit)` / `sync.OnceFunc(lit)`: the call, when `lit` is its function argument. */
export function onceCall(f: DeclFacts, lit: Node): Node | undefined {
  let c: Node = lit;
  while (c.parent?.type === 'parenthesized_expression') c = c.parent;
  const list = c.parent;
  if (list?.type !== 'argument_list' || list.children.length !== 1) return undefined;
  const call = list.parent!;
  if (call.type !== 'call_expression') return undefined;
  if (f.pkgCall(call, 'sync') === 'OnceFunc') return call;
  const fn = unparen(call.child('function'));
  if (fn?.type !== 'selector_expression' || fn.child('field')?.text !== 'Do') return undefined;
  const recv = fn.child('operand')!;
  const t = f.typeOf(recv);
  if (t) return isOnceType(t) ? call : undefined;
  return /once$/i.test(lastIdent(recv)) ? call : undefined;
}

export function isOnceType(t: GoType | undefined): boolean {
  return isNamed(derefNamed(t), 'sync', 'Once');
}

function lastIdent(e: Node): string {
  e = unparen(e) ?? e;
  if (e.type === 'selector_expression') return e.child('field')?.text ?? '';
  if (e.type === 'unary_expression') return lastIdent(e.child('operand') ?? e);
  return e.type === 'identifier' ? e.text : '';
}

/** Innermost function (declaration or literal) containing both nodes. */
export function commonFunc(f: DeclFacts, a: Node, b: Node): Node {
  for (let p: Node | null = a.parent; p; p = p.parent) if (FUNC_TYPES.includes(p.type) && p.isAncestorOf(b)) return p;
  return f.root;
}

/**
 * Identity of a channel expression: like refKey, but a field is keyed by the variable holding the struct
 * (`a.done` and `b.done` differ even when a and b have the same type).
 */
export function chanKey(f: DeclFacts, e: Node | undefined): string | undefined {
  e = unparen(e);
  if (!e) return undefined;
  if (e.type === 'unary_expression' && (e.tokens[0] === '&' || e.tokens[0] === '*')) return chanKey(f, e.child('operand'));
  if (e.type === 'selector_expression') {
    const op = unparen(e.child('operand'));
    const field = e.child('field')?.text;
    if (!op || !field) return undefined;
    if (op.type === 'identifier' && f.pkgOf(op)) return f.refKey(e);
    const base = chanKey(f, op);
    return base ? `${base}.${field}` : undefined;
  }
  return f.refKey(e);
}

/**
 * CFG nodes of `fn` where the place `key` denotes gets a new value (or may, through its address), or is
 * declared: a path through one of them closes or sends on a different channel.
 */
export function killNodes(f: DeclFacts, fn: Node, key: string): Set<CNode> {
  const g = f.cfg(fn);
  const out = new Set<CNode>();
  const hits = (e: Node | undefined): boolean => {
    const k = chanKey(f, e);
    return !!k && (k === key || key.startsWith(k + '.'));
  };
  const add = (n: Node) => {
    let a: Node = n;
    for (let fnOf = f.funcOf(a); fnOf !== fn && fnOf.type === 'func_literal'; fnOf = f.funcOf(a)) a = fnOf;
    if (f.funcOf(a) !== fn) return;
    const c = g.nodeFor(a);
    if (c) out.add(c);
  };
  const root = rootKeyIdent(key);
  fn.walk((n) => {
    switch (n.type) {
      case 'assignment_statement':
      case 'short_var_declaration':
        if ((n.child('left')?.children ?? []).some(hits)) add(n);
        break;
      case 'var_spec':
        if (n.childrenIn('name').some(hits)) add(n);
        break;
      case 'range_clause':
        if ((n.child('left')?.children ?? []).some(hits)) add(n);
        break;
      case 'receive_statement':
        // `case c := <-leave:` declares a fresh c (and c.out) each time the case is taken.
        if ((n.child('left')?.children ?? []).some(hits)) {
          add(n);
          if (n.parent) add(n.parent);
        }
        break;
      case 'unary_expression':
        // &ch handed to a call may be reassigned there.
        if (n.tokens[0] === '&' && hits(n.child('operand'))) add(n);
        break;
      case 'call_expression': {
        // A method called on the struct that holds the channel field may replace the field.
        if (!root) break;
        const fnode = unparen(n.child('function'));
        if (fnode?.type === 'selector_expression' && chanKey(f, fnode.child('operand')) === root && mayAssignField(f, fnode, key.slice(root.length + 1).split('.')[0])) add(n);
        if ((n.child('arguments')?.children ?? []).some((a) => chanKey(f, a) === root)) add(n);
        break;
      }
    }
    return true;
  });
  return out;
}

/** `s.m()`: whether method m may assign s.field (unknown methods may; same-file ones when their text does). */
function mayAssignField(f: DeclFacts, sel: Node, field: string): boolean {
  const t = derefNamed(f.typeOf(sel.child('operand')));
  if (t?.kind !== 'named') return true;
  if (t.pkg !== '') return false; // another package's method cannot reach our struct's field
  const d = f.file.method(t.name, sel.child('field')?.text ?? '');
  if (!d || d.hasError) return true;
  return new RegExp(`\\.${field}\\s*(=[^=]|,)`).test(f.file.declNode(d).text);
}

/** For a field key `b3:s.done`: the key of the object holding it (`b3:s`), if a variable. */
function rootKeyIdent(key: string): string | undefined {
  if (key.startsWith('T:')) return undefined;
  const i = key.indexOf('.');
  return i > 0 ? key.slice(0, i) : undefined;
}

const GUARD_CALL = /(close|stop|shut|done|once|first|last|mark|claim|acquire|try|finish|release|remaining|pending|count|open|alive|active|running|state|CompareAndSwap|Swap|^Add|^Load|^Dec|^Inc)/i;

/** refKeys of the variables and fields an expression reads. */
function readKeys(f: DeclFacts, e: Node): string[] {
  const out: string[] = [];
  e.walk((n) => {
    if (n.type === 'func_literal') return false;
    if (n.type === 'selector_expression' || n.type === 'identifier') {
      const k = f.refKey(n);
      if (k && !k.startsWith('ext:')) out.push(k);
      return n.type === 'selector_expression';
    }
    return true;
  });
  return out;
}

/** Keys assigned a new value inside `region` (`=`, `op=`, `++`, `--`, `:=` redeclaration). */
function writtenKeys(f: DeclFacts, region: Node): Set<string> {
  const out = new Set<string>();
  region.walk((n) => {
    let targets: Node[] = [];
    if (n.type === 'assignment_statement') targets = n.child('left')?.children ?? [];
    else if (n.type === 'inc_statement' || n.type === 'dec_statement') targets = n.children.slice(0, 1);
    for (const t of targets) {
      const k = f.refKey(t);
      if (k) out.add(k);
    }
    // atomic.AddInt32(&n, -1), n.Store(true), flag.CompareAndSwap(…)
    if (n.type === 'call_expression') {
      const fn = unparen(n.child('function'));
      const name = fn?.type === 'selector_expression' ? fn.child('field')?.text ?? '' : '';
      if (/^(Add|Store|Swap|CompareAndSwap)/.test(name)) {
        const op = fn!.child('operand')!;
        if (op.type === 'identifier' && f.pkgOf(op)) {
          const a = unparen(n.child('arguments')?.children[0]);
          if (a?.type === 'unary_expression' && a.tokens[0] === '&') {
            const k = f.refKey(a.child('operand'));
            if (k) out.add(k);
          }
        } else {
          const k = f.refKey(op);
          if (k) out.add(k);
        }
      }
    }
    return true;
  });
  return out;
}

interface DeclWrites {
  /** Assigned `true`/`false` somewhere: a flag. */
  flags: Set<string>;
  /** Changed by ++, --, op= or `x = x ± …`: a counter. */
  counters: Set<string>;
}

const declWritesCache = new WeakMap<DeclFacts, DeclWrites>();
function declWrites(f: DeclFacts): DeclWrites {
  let w = declWritesCache.get(f);
  if (w) return w;
  w = { flags: new Set(), counters: new Set() };
  const res = w;
  f.root.walk((n) => {
    if (n.type === 'assignment_statement') {
      const left = n.child('left')?.children ?? [];
      const right = n.child('right')?.children ?? [];
      const op = n.tokens.find((t) => t.endsWith('=')) ?? '=';
      left.forEach((l, i) => {
        const k = f.refKey(l);
        if (!k) return;
        const r = unparen(right[i]);
        if (op !== '=') res.counters.add(k);
        else if (r && (r.text === 'true' || r.text === 'false')) res.flags.add(k);
        else if (r?.type === 'binary_expression' && readKeys(f, r).includes(k)) res.counters.add(k);
      });
    } else if (n.type === 'inc_statement' || n.type === 'dec_statement') {
      const k = f.refKey(n.children[0]);
      if (k) res.counters.add(k);
    } else if (n.type === 'call_expression') {
      const fn = unparen(n.child('function'));
      const name = fn?.type === 'selector_expression' ? fn.child('field')?.text ?? '' : '';
      if (/^(Add|Store|CompareAndSwap|Swap)/.test(name)) for (const k of writtenKeys(f, n)) res.counters.add(k);
    }
    return true;
  });
  declWritesCache.set(f, w);
  return w;
}

/** Whether an if condition makes the guarded code run at most once (or we cannot tell). */
function onceCondition(f: DeclFacts, cond: Node, region: Node, at: Node): boolean {
  let call = false;
  cond.walk((n) => {
    if (call || n.type === 'func_literal') return false;
    if (n.type === 'call_expression') {
      const fn = unparen(n.child('function'));
      if (fn?.type === 'identifier' && !f.scopes.resolve(fn) && ['len', 'cap'].includes(fn.text)) return true;
      const name = fn?.type === 'selector_expression' ? fn.child('field')?.text ?? '' : fn?.text ?? '';
      const op = fn?.type === 'selector_expression' ? fn.child('operand') : undefined;
      if (GUARD_CALL.test(name) || (op?.type === 'identifier' && f.pkgOf(op) === 'sync/atomic')) call = true;
    }
    return true;
  });
  if (call) return true;
  const reads = readKeys(f, cond);
  if (!reads.length) return false;
  const dw = declWrites(f);
  const inRegion = writtenKeys(f, region);
  if (reads.some((k) => inRegion.has(k) || dw.flags.has(k))) return true;
  // `if remaining == 0`, `if i == len(xs)-1`: true for one value of a counter or loop index.
  const eq: Node[] = [];
  cond.walk((n) => {
    if (n.type === 'binary_expression' && n.tokens.includes('==')) eq.push(n);
    return n.type !== 'func_literal';
  });
  // Loop counters and slice indexes (not the values: `if v == 0` can hold on many iterations).
  const loopVars = new Set<string>();
  for (let p: Node | null = at.parent; p && p !== f.root.parent; p = p.parent) {
    if (p.type !== 'for_statement') continue;
    const l = f.loops.find((x) => x.node === p);
    if (!l) continue;
    const rc = p.firstOfType('range_clause');
    const over = rc ? f.typeOf(rc.child('right')) : undefined;
    for (const v of l.vars) {
      if (!v.id) continue;
      const index = l.kind === 'clause' || (v.index === 0 && ((rc?.child('left')?.children.length ?? 0) === 2 || (over && over.kind !== 'chan' && over.kind !== 'map')));
      if (index && (!over || over.kind !== 'map')) loopVars.add(f.refKey(v.id) ?? '');
    }
  }
  for (const e of eq) for (const k of readKeys(f, e)) if (dw.counters.has(k) || loopVars.has(k)) return true;
  return false;
}

/** An enclosing if whose condition makes `n` run at most once, or an earlier early-exit check of a flag. */
export function ifGuarded(f: DeclFacts, n: Node): boolean {
  for (let p: Node | null = n.parent; p; p = p.parent) {
    if (p.type === 'if_statement') {
      const cond = p.child('condition');
      if (!cond || cond.contains(n)) continue;
      const region = [p.child('consequence'), p.child('alternative')].find((b) => b?.contains(n)) ?? p;
      if (onceCondition(f, cond, region, n)) return true;
    }
    if (p.type === 'expression_switch_statement') {
      const c = p.children.find((x) => (x.type === 'expression_case' || x.type === 'default_case') && x.contains(n));
      const tag = p.child('value');
      if (c && tag) {
        // switch s.state { case running: close(s.stopped); s.state = stopped }: the case moves the state on.
        const written = writtenKeys(f, c);
        if (readKeys(f, tag).some((k) => written.has(k))) return true;
      } else if (c) {
        // switch { case remaining == 0: close(ch) }
        const v = c.child('value');
        if (v && onceCondition(f, v, c, n)) return true;
      }
    }
  }
  // if s.closed { return }; s.closed = true; close(s.ch)
  const fn = f.funcOf(n);
  for (let p: Node | null = n; p && p !== fn; p = p.parent) {
    if (p.parent?.type !== 'statement_list') continue;
    for (const s of p.parent.children) {
      if (s.start >= p.start) break;
      if (s.type !== 'if_statement') continue;
      const cons = s.child('consequence');
      const cond = s.child('condition');
      if (!cons || !cond || !leaves(cons)) continue;
      if (onceCondition(f, cond, fn, n)) return true;
    }
  }
  return false;
}

/** A block that ends by leaving (return, break, continue, goto, panic). */
function leaves(block: Node): boolean {
  const list = block.firstOfType('statement_list');
  const last = list?.children[list.children.length - 1];
  if (!last) return false;
  if (['return_statement', 'break_statement', 'continue_statement', 'goto_statement'].includes(last.type)) return true;
  const call = last.type === 'expression_statement' ? unparen(last.children[0]) : undefined;
  return call?.type === 'call_expression' && call.child('function')?.text === 'panic';
}

/**
 * `select { case <-ch: default: close(ch) }`, or an earlier select with a case receiving from the same
 * channel (the check-then-close idiom).
 */
export function selectGuarded(f: DeclFacts, n: Node, key: string): boolean {
  const recvsKey = (sel: Node) =>
    sel.children.some((c) => {
      if (c.type !== 'communication_case') return false;
      const comm = c.child('communication');
      let e: Node | undefined = comm;
      if (comm?.type === 'receive_statement') e = comm.child('right');
      else if (comm?.type === 'expression_statement') e = comm.children[0];
      e = unparen(e);
      return e?.type === 'unary_expression' && e.tokens[0] === '<-' && chanKey(f, e.child('operand')) === key;
    });
  const fn = f.funcOf(n);
  for (let p: Node | null = n.parent; p && p !== fn; p = p.parent) {
    if (p.type === 'default_case' && p.parent?.type === 'select_statement' && recvsKey(p.parent)) return true;
    if (p.parent?.type === 'statement_list') {
      for (const s of p.parent.children) {
        if (s.start >= p.start) break;
        if (s.type === 'select_statement' && recvsKey(s)) return true;
      }
    }
  }
  return false;
}

// ---------------------------------------------------------------------------------------------------
// The rule
// ---------------------------------------------------------------------------------------------------

/** A close of a channel as seen from one declaration: its own, or one inside a same-file function launched there. */
export interface Closer {
  /** The close call, or the go statement launching the function that closes. */
  start: Node;
  key: string;
  /** The close, when it is in the declaration being checked. */
  op?: ChanOp;
  guarded: boolean;
  /** Set for a close inside a same-file function launched by `via`. */
  via?: Launch;
  /** The close call itself (in this declaration or, for `via`, in the launched one). */
  at: Node;
  /** Facts of the declaration holding `at`. */
  facts: DeclFacts;
  /** Set for a close inside a same-file function called (not launched) here: the call. */
  call?: Node;
}

// `where` describes the other close (or the loop/launch) for the message.
type Reason =
  | { kind: 'path'; where: string }
  | { kind: 'defer'; where: string }
  | { kind: 'loop'; where: string }
  | { kind: 'goroutines'; where: string }
  | { kind: 'instances'; where: string };

const PRIORITY: Record<Reason['kind'], number> = { defer: 0, path: 1, goroutines: 2, instances: 3, loop: 4 };

export const doubleClose: Rule = {
  id: 'double-close',
  title: 'Channel closed twice',
  defaultSeverity: 'warning',
  summary: 'The same channel can be closed twice — twice on one path, in a loop, from several goroutines, or by an explicit close plus a deferred one — and closing a closed channel panics.',
  trigger: /\bclose\(/,
  patterns: ['once', 'waitgroup'],
  check(ctx) {
    const f = ctx.facts;
    const closers = closersIn(ctx, f);
    const mine = closers.filter((c) => c.op);
    if (!mine.length) return;
    const reasons = new Map<ChanOp, Reason>();
    const note = (op: ChanOp, r: Reason) => {
      const old = reasons.get(op);
      if (!old || PRIORITY[r.kind] < PRIORITY[old.kind]) reasons.set(op, r);
    };

    // Pairs of closes of the same place.
    for (let i = 0; i < closers.length; i++) {
      for (let j = i + 1; j < closers.length; j++) {
        const a = closers[i];
        const b = closers[j];
        if (a.key !== b.key || (!a.op && !b.op)) continue;
        const rel = relate(f, a, b);
        if (!rel) continue;
        if (rel.concurrent) {
          if (!rel.ab && !rel.ba) continue;
          if (a.op && !a.guarded) note(a.op, { kind: 'goroutines', where: describe(ctx, b) });
          if (b.op && !b.guarded) note(b.op, { kind: 'goroutines', where: describe(ctx, a) });
          continue;
        }
        if (complementary(f, a.start, b.start)) continue;
        // Same goroutine: the second close on a path panics. A deferred close runs at return.
        if (rel.aDeferred !== rel.bDeferred) {
          if (!rel.ab && !rel.ba) continue;
          const explicit = rel.aDeferred ? b : a;
          const deferred = rel.aDeferred ? a : b;
          // The deferred close runs whatever guards the explicit one: only a guard on the deferred one helps.
          if (explicit.op && !deferred.guarded && !inOnce(f, explicit.start)) note(explicit.op, { kind: 'defer', where: describe(ctx, deferred) });
          continue;
        }
        if (rel.ab && b.op && !b.guarded) note(b.op, { kind: 'path', where: describe(ctx, a) });
        if (rel.ba && a.op && !a.guarded) note(a.op, { kind: 'path', where: describe(ctx, b) });
      }
    }

    for (const c of mine) {
      if (c.guarded) continue;
      const op = c.op!;
      // A close that reaches itself: a loop that does not leave after closing.
      const home = f.runner(op.node);
      const cl = climbTo(f, op.node, home);
      if (cl && !cl.launches.length) {
        const g = f.cfg(home);
        const n = g.nodeFor(cl.anchor);
        const loop = f.loopOf(cl.anchor);
        // `for v := range ch { if v == quit { close(ch) } }`: once closed, the range ends instead of coming back.
        const rangesOverIt = !!loop && chanKey(f, loop.firstOfType('range_clause')?.child('right')) === c.key;
        if (n && !g.hasGoto && !rangesOverIt && g.reachable(n, n, blocker(killNodes(f, home, c.key), panickingSends(f, home, c.key)))) {
          note(op, { kind: 'loop', where: loop ? `the loop at ${ctx.lineRef(loop)}` : 'the loop' });
        }
      }
      // One close in a goroutine started many times (a loop) on a channel they all share.
      const inst = manyInstances(ctx, f, op);
      if (inst !== undefined) note(op, { kind: 'instances', where: inst });
      // A close in a function launched elsewhere, where the launcher (or another goroutine) also closes.
      const other = closedByLauncher(ctx, f, op);
      if (other !== undefined) note(op, { kind: 'goroutines', where: other });
    }

    for (const [op, r] of reasons) {
      const ch = show(op.chan);
      ctx.report({ node: op.node, message: message(ch, r), fixes: fixes(ctx, op, r, reasons) });
    }
  },
};

function message(ch: string, r: Reason): string {
  switch (r.kind) {
    case 'path':
      return `close(${ch}) can run after ${ch} was already closed on the same path (${r.where}): closing a closed channel panics. Close it in exactly one place, or guard the closes with sync.Once.`;
    case 'defer':
      return `close(${ch}) closes ${ch}, and ${r.where} closes it again when the function returns: the second close panics. Keep only one of them.`;
    case 'loop':
      return `close(${ch}) runs again on the next iteration of ${r.where}, closing ${ch} a second time, which panics. Close it once after the loop, or leave the loop (return/break) right after closing.`;
    case 'goroutines':
      return `close(${ch}) runs in a different goroutine than ${r.where}, and both run: the second close panics. Let exactly one goroutine close ${ch} (e.g. after wg.Wait()), or guard the closes with sync.Once.`;
    case 'instances':
      return `close(${ch}) runs in every goroutine started by ${r.where}, and they all share ${ch}: the second one to close it panics. Close ${ch} once after all of them finish (wg.Wait() then close), or guard the close with sync.Once.`;
  }
}

function declName(f: DeclFacts): string {
  const d = f.decl;
  return d.kind === 'method' ? `${d.recvType}.${d.names[0]}` : d.names[0] ?? 'another function';
}

/** The other close, for a message (ctx.lineRef keeps line numbers right when cached findings move). */
function describe(ctx: RuleContext, c: Closer): string {
  const what = `close(${show(c.at.child('arguments')?.children[0] ?? c.at)})`;
  const deferred = c.at.parent?.type === 'defer_statement' ? `the deferred ${what}` : `the ${what}`;
  if (c.call) return `${deferred} at ${ctx.lineRef(c.at)} in ${declName(c.facts)}, called at ${ctx.lineRef(c.call)}`;
  if (c.via) return `${deferred} at ${ctx.lineRef(c.at)} in ${declName(c.facts)}, started by the go statement at ${ctx.lineRef(c.start)}`;
  return `${deferred} at ${ctx.lineRef(c.at)}`;
}

function blocker(kill: Set<CNode>, stops?: Set<CNode>): (c: CNode) => boolean {
  return (c) => kill.has(c) || !!stops?.has(c);
}

/** Plain sends on the channel in `fn`'s own code: after a close they panic, so a path does not go on. */
export function panickingSends(f: DeclFacts, fn: Node, key: string): Set<CNode> {
  const g = f.cfg(fn);
  const out = new Set<CNode>();
  for (const o of f.chanOps) {
    if (o.kind !== 'send' || o.select || f.funcOf(o.node) !== fn || chanKey(f, o.chan) !== key) continue;
    const n = g.nodeFor(o.node);
    if (n) out.add(n);
  }
  return out;
}

interface Relation {
  concurrent: boolean;
  /** b can run after a on one path (a's node reaches b's). */
  ab: boolean;
  ba: boolean;
  aDeferred: boolean;
  bDeferred: boolean;
}

function relate(f: DeclFacts, a: Closer, b: Closer): Relation | undefined {
  const F = commonFunc(f, a.start, b.start);
  const ca = climbTo(f, a.start, F);
  const cb = climbTo(f, b.start, F);
  if (!ca || !cb) return undefined;
  const g = f.cfg(F);
  if (g.hasGoto) return undefined;
  const na = g.nodeFor(ca.anchor);
  const nb = g.nodeFor(cb.anchor);
  if (!na || !nb || na === nb) return undefined;
  const concurrent = !!(a.via || b.via || ca.launches.length || cb.launches.length);
  const aDeferred = na.ast?.type === 'defer_statement';
  const bDeferred = nb.ast?.type === 'defer_statement';
  // A send only stops a path that starts at a close: from the registration of a deferred close the
  // channel is still open (`defer close(ch); ch <- v; close(ch)`).
  const kills = killNodes(f, F, a.key);
  const sends = concurrent ? undefined : panickingSends(f, F, a.key);
  const from = (deferred: boolean) => blocker(kills, deferred ? undefined : sends);
  return { concurrent, ab: g.reachable(na, nb, from(aDeferred)), ba: g.reachable(nb, na, from(bDeferred)), aDeferred, bDeferred };
}

/** Inside a literal handed to once.Do / sync.OnceFunc. */
function inOnce(f: DeclFacts, n: Node): boolean {
  for (let p: Node | null = n.parent; p; p = p.parent) if (p.type === 'func_literal' && onceCall(f, p)) return true;
  return false;
}

/** `if err != nil { close(ch) }` … `if err == nil { close(ch) }`: opposite conditions on unchanged variables. */
export function complementary(f: DeclFacts, a: Node, b: Node): boolean {
  const condOf = (n: Node) => {
    for (let p: Node | null = n.parent; p; p = p.parent) {
      if (FUNC_TYPES.includes(p.type)) return undefined;
      if (p.type === 'if_statement' && p.child('consequence')?.contains(n)) return p.child('condition');
    }
    return undefined;
  };
  const ca = condOf(a);
  const cb = condOf(b);
  if (!ca || !cb) return false;
  const norm = (c: Node) => c.text.replace(/\s+/g, '');
  const x = norm(ca);
  const y = norm(cb);
  if (ca === cb) return false;
  // (a replace that finds nothing gives the condition itself back: that is not its negation)
  const negations = (t: string) => [`!${t}`, `!(${t})`, t.replace('!=', '=='), t.replace('==', '!='), t.startsWith('!') ? t.slice(1) : undefined].filter((n) => n !== t);
  if (!negations(x).includes(y) && !negations(y).includes(x)) return false;
  // The variables they read must not change in between (conservatively: anywhere in the function).
  const fn = commonFunc(f, a, b);
  const written = writtenKeys(f, fn);
  return !readKeys(f, ca).some((k) => written.has(k));
}

function isGuardedClose(f: DeclFacts, op: ChanOp, key: string, once: boolean): boolean {
  return once || ifGuarded(f, op.node) || selectGuarded(f, op.node, key);
}

/** The closes a declaration performs, directly or through same-file functions it launches. */
function closersIn(ctx: RuleContext, f: DeclFacts): Closer[] {
  const out: Closer[] = [];
  for (const op of f.chanOps) {
    if (op.kind !== 'close') continue;
    const key = chanKey(f, op.chan);
    if (!key) continue;
    // A close in a stored closure still pairs with closes in that closure (relate climbs only that far).
    out.push({ start: op.node, key, op: f === ctx.facts ? op : undefined, guarded: isGuardedClose(f, op, key, inOnce(f, op.node)), at: op.node, facts: f });
  }
  if (f === ctx.facts) {
    const keys = new Set(out.map((c) => c.key));
    if (keys.size) out.push(...closersByCalls(ctx, f, keys));
  }
  for (const l of f.launches) {
    if (!l.bodyDecl || l.bodyDecl === f.decl || l.kind !== 'go') continue;
    ctx.file.onDependency?.(l.bodyDecl); // the result depends on that declaration's text
    if (!l.bodyDecl.text.includes('close(')) continue;
    const gf = ctx.file.depFacts(l.bodyDecl);
    for (const op of gf.chanOps) {
      if (op.kind !== 'close') continue;
      const cl = climbTo(gf, op.node, gf.root);
      if (!cl) continue;
      const key = mapToLauncher(f, gf, op.chan, l);
      if (!key) continue;
      const gkey = chanKey(gf, op.chan)!;
      out.push({ start: l.node, key, guarded: isGuardedClose(gf, op, gkey, cl.once), via: l, at: op.node, facts: gf });
    }
  }
  return out;
}

/**
 * `produce(out, xs)` … `close(out)`: a plain call (statement or deferred) of a same-file function or
 * method that closes the channel it is given on every path through it. Only closes of channels this
 * declaration also closes itself are looked for; the helper's own close is never reported.
 */
export function closersByCalls(ctx: RuleContext, f: DeclFacts, keys: Set<string>): Closer[] {
  const out: Closer[] = [];
  const passes = (e: Node | undefined) => {
    const k = chanKey(f, e);
    return !!k && (keys.has(k) || [...keys].some((x) => x.startsWith(k + '.')));
  };
  for (const call of f.root.findAll('call_expression')) {
    const stmt = call.parent;
    if ((stmt?.type !== 'expression_statement' && stmt?.type !== 'defer_statement') || stmt.children[0] !== call) continue;
    const fn = unparen(call.child('function'));
    if (!fn || fn.text === 'close') continue;
    const args = call.child('arguments')?.children ?? [];
    if (!args.some(passes) && !(fn.type === 'selector_expression' && passes(fn.child('operand')))) continue;
    const { bodyDecl } = f.callee(call);
    if (!bodyDecl || bodyDecl === ctx.decl) continue;
    ctx.file.onDependency?.(bodyDecl);
    if (!bodyDecl.text.includes('close(')) continue;
    const gf = ctx.file.depFacts(bodyDecl);
    const g = gf.cfg(gf.root);
    if (g.hasGoto) continue;
    const l: Launch = { kind: 'go', node: call, call, body: gf.root, bodyDecl, args, launcher: f.funcOf(call) };
    for (const op of gf.chanOps) {
      if (op.kind !== 'close') continue;
      const cl = climbTo(gf, op.node, gf.root);
      if (!cl || cl.launches.length || cl.once) continue;
      // Closed on every path through the helper (a guarded or early-return close proves nothing).
      const n = g.nodeFor(cl.anchor);
      if (!n || g.exitAvoiding(g.entry, (c) => c === n)) continue;
      const key = mapToLauncher(f, gf, op.chan, l);
      if (!key || !keys.has(key)) continue;
      out.push({ start: call, key, guarded: ifGuarded(f, call) || inOnce(f, call), at: op.node, facts: gf, call });
    }
  }
  return out;
}

/** The key, in the launcher's terms, of a channel a launched same-file function closes (its parameter or receiver field). */
function mapToLauncher(f: DeclFacts, gf: DeclFacts, chan: Node, l: Launch): string | undefined {
  const e = unparen(chan)!;
  if (e.type === 'identifier') {
    const b = gf.scopes.resolve(e);
    if (!b) return undefined;
    if (b.func === undefined) return gf.refKey(e); // package-level: same everywhere
    if (b.kind !== 'param' || b.func !== gf.root) return undefined;
    const params = paramNames(gf.root);
    if (params.length !== l.args.length || gf.root.child('parameters')?.children.some((p) => p.type === 'variadic_parameter_declaration')) return undefined;
    return chanKey(f, l.args[params.indexOf(b.name)]);
  }
  if (e.type === 'selector_expression') {
    const op = unparen(e.child('operand'));
    const field = e.child('field')?.text;
    if (op?.type !== 'identifier' || !field) return undefined;
    const b = gf.scopes.resolve(op);
    if (b?.kind !== 'recv' || b.func !== gf.root) return undefined;
    const fn = unparen(l.call.child('function'));
    if (fn?.type !== 'selector_expression') return undefined;
    return selectorKey(f, fn.child('operand')!, field);
  }
  return undefined;
}

/** What chanKey would give for `op.field`. */
function selectorKey(f: DeclFacts, op: Node, field: string): string | undefined {
  const o = unparen(op)!;
  if (o.type === 'identifier' && f.pkgOf(o)) return undefined;
  const base = chanKey(f, o);
  return base ? `${base}.${field}` : undefined;
}

/**
 * A close inside a goroutine that is started in a loop, on a channel all the instances share. Returns
 * a description of the loop.
 */
function manyInstances(ctx: RuleContext, f: DeclFacts, op: ChanOp): string | undefined {
  const cl = climbTo(f, op.node, f.root);
  if (!cl) return undefined;
  // Goroutine literals of this declaration.
  for (const l of cl.launches) {
    const loop = f.loopOf(l.node);
    if (!loop) continue;
    // `if id == 0 { close(ready) }`: one instance (the leader) closes.
    const instance = (id: Node) => {
      const b = f.scopes.resolve(id);
      if (!b) return false;
      if (b.kind === 'param' && l.body && b.func === l.body) {
        const params = paramNames(l.body);
        const arg = params.length === l.args.length ? l.args[params.indexOf(b.name)] : undefined;
        return !!arg && variesIn(f, arg, loop);
      }
      if (b.decl && l.body?.isAncestorOf(b.decl)) return false; // computed by the goroutine itself
      return !!b.decl && loop.isAncestorOf(b.decl);
    };
    if (sharedFromLiteral(f, op.chan, l, loop) && !underEquality(op.node, instance)) return `the loop at ${ctx.lineRef(loop)}`;
  }
  // This declaration launched with go in a loop elsewhere in the file.
  if (ctx.decl.kind !== 'func' && ctx.decl.kind !== 'method') return undefined;
  for (const l of ctx.file.launchesOfDecl(ctx.decl)) {
    if (l.kind !== 'go') continue;
    const lf = ctx.file.factsFor(l.node);
    if (!lf) continue;
    const loop = lf.loopOf(l.node);
    if (!loop) continue;
    const instance = (id: Node) => {
      const b = f.scopes.resolve(id);
      if (!b || b.func !== f.root) return false;
      if (b.kind === 'param') {
        const params = paramNames(f.root);
        const arg = params.length === l.args.length ? l.args[params.indexOf(b.name)] : undefined;
        return !!arg && variesIn(lf, arg, loop);
      }
      if (b.kind === 'recv') {
        const fn = unparen(l.call.child('function'));
        return fn?.type === 'selector_expression' && variesIn(lf, fn.child('operand')!, loop);
      }
      return false;
    };
    const at = mapExprToLaunch(f, op.chan, l);
    if (at && sharedAcross(lf, at.expr, loop) && !underEquality(op.node, instance)) return `the loop at ${ctx.lineRef(loop)} in ${declName(lf)}`;
  }
  return undefined;
}

/** An argument that differs per iteration of `loop`: it reads a variable declared or assigned in the loop. */
function variesIn(f: DeclFacts, e: Node, loop: Node): boolean {
  let varies = false;
  e.walk((n) => {
    if (varies || n.type === 'func_literal') return false;
    if (n.type === 'identifier') {
      const b = f.scopes.resolve(n);
      if (b && ((b.decl && loop.isAncestorOf(b.decl)) || f.scopes.writesTo(b).some((w) => loop.isAncestorOf(w)))) varies = true;
    }
    return true;
  });
  return varies;
}

/**
 * Inside an if or switch case that compares something that identifies the instance (`if id == 0`,
 * `switch w.role { case leader: }`): only the matching instance closes. An equality on values the
 * goroutine computes (`if resp.StatusCode == 200`) can hold in many instances.
 */
function underEquality(n: Node, instance: (id: Node) => boolean): boolean {
  const identifies = (e: Node | undefined) => {
    let yes = false;
    e?.walk((x) => {
      if (yes || x.type === 'func_literal') return false;
      if (x.type === 'identifier' && instance(x)) yes = true;
      return true;
    });
    return yes;
  };
  for (let p: Node | null = n.parent; p; p = p.parent) {
    if (p.type === 'if_statement' && !p.child('condition')?.contains(n)) {
      let eq = false;
      p.child('condition')?.walk((x) => {
        if (x.type === 'binary_expression' && x.tokens.includes('==') && identifies(x)) eq = true;
        return !eq && x.type !== 'func_literal';
      });
      if (eq) return true;
    }
    if (p.type === 'expression_case' && identifies(p.parent?.child('value'))) return true;
  }
  return false;
}

/** Whether a channel closed in a literal launched in `loop` is the same for every instance. */
function sharedFromLiteral(f: DeclFacts, chan: Node, l: Launch, loop: Node): boolean {
  const root = rootIdent(chan);
  if (!root) return false;
  const b = f.scopes.resolve(root);
  if (!b) return f.refKey(root)?.startsWith('ext:') ?? false;
  if (b.func === undefined) return true;
  const body = l.body!;
  if (b.func === body && b.kind === 'param') {
    const params = paramNames(body);
    if (params.length !== l.args.length) return false;
    const arg = l.args[params.indexOf(b.name)];
    return !!arg && sharedAcross(f, arg, loop);
  }
  if (b.decl && body.isAncestorOf(b.decl)) return false; // the instance's own
  if (b.kind === 'param' && b.func && body.isAncestorOf(b.func)) return false;
  if (b.decl && loop.isAncestorOf(b.decl)) return false; // declared per iteration
  return !f.scopes.writesTo(b).some((w) => loop.isAncestorOf(w)); // or given a new channel per iteration
}

/** Whether `e` (in the launcher) denotes the same channel on every iteration of `loop`. */
function sharedAcross(f: DeclFacts, e: Node, loop: Node): boolean {
  const root = rootIdent(e);
  if (!root) return false;
  const u = unparen(e)!;
  // Only plain variables and field chains: an index or a call may differ per iteration.
  if (!/^&?[A-Za-z_][\w.]*$/.test(u.text)) return false;
  const b = f.scopes.resolve(root);
  if (!b) return f.refKey(root)?.startsWith('ext:') ?? false;
  if (b.func === undefined) return true;
  if (b.decl && loop.isAncestorOf(b.decl)) return false;
  // Assigned inside the loop: may differ per iteration.
  return !f.scopes.writesTo(b).some((w) => loop.isAncestorOf(w));
}

/** A closed expression of a launched declaration, translated to the launch site. */
function mapExprToLaunch(f: DeclFacts, chan: Node, l: Launch): { expr: Node } | undefined {
  const e = unparen(chan)!;
  const root = rootIdent(e);
  if (!root) return undefined;
  const b = f.scopes.resolve(root);
  if (!b) return undefined;
  if (b.func === undefined) return { expr: root };
  if (b.func !== f.root) return undefined;
  if (b.kind === 'param') {
    const params = paramNames(f.root);
    if (params.length !== l.args.length) return undefined;
    const arg = l.args[params.indexOf(b.name)];
    return arg && (e === root || e.type === 'selector_expression') ? { expr: arg } : undefined;
  }
  if (b.kind === 'recv') {
    const fn = unparen(l.call.child('function'));
    if (fn?.type !== 'selector_expression') return undefined;
    return { expr: fn.child('operand')! };
  }
  return undefined;
}

/**
 * A close in this declaration, launched elsewhere with go, where the launcher or another goroutine it
 * starts closes the same channel on a path with the launch. Returns a description of the other close.
 */
function closedByLauncher(ctx: RuleContext, f: DeclFacts, op: ChanOp): string | undefined {
  if (ctx.decl.kind !== 'func' && ctx.decl.kind !== 'method') return undefined;
  const cl = climbTo(f, op.node, f.root);
  if (!cl || cl.once) return undefined;
  for (const l of ctx.file.launchesOfDecl(ctx.decl)) {
    if (l.kind !== 'go') continue;
    const lf = ctx.file.factsFor(l.node);
    if (!lf) continue;
    const key = mapToLauncher(lf, f, op.chan, l);
    if (!key) continue;
    const me: Closer = { start: l.node, key, guarded: false, via: l, at: op.node, facts: f };
    for (const c of closersIn(ctx, lf)) {
      if (c.key !== key || c.via === l) continue;
      const rel = relate(lf, me, c);
      if (rel && (rel.ab || rel.ba)) {
        if (c.via && c.facts === f) return `this same close in another goroutine started at ${ctx.lineRef(c.start)} in ${declName(lf)}`;
        const what = `close(${show(c.at.child('arguments')?.children[0] ?? c.at)})`;
        return c.via
          ? `the ${what} at ${ctx.lineRef(c.at)} in ${declName(c.facts)}, also started by ${declName(lf)}`
          : `the ${what} at ${ctx.lineRef(c.at)} in ${declName(lf)}, which starts this function with go`;
      }
    }
  }
  return undefined;
}


// ---------------------------------------------------------------------------------------------------
// Fixes
// ---------------------------------------------------------------------------------------------------

function fixes(ctx: RuleContext, op: ChanOp, r: Reason, all: Map<ChanOp, Reason>): OffsetFix[] {
  if (r.kind === 'defer') return removeExplicit(ctx, op);
  if (r.kind === 'path') return [];
  return wrapInOnce(ctx, op, all);
}

/**
 * `defer close(ch)` … `close(ch); return`: drop the explicit close. Only when the deferred close is
 * registered on every path to it and nothing but a return (and no other deferred call) runs in between,
 * so the channel still closes at the same moment for anyone waiting on it.
 */
function removeExplicit(ctx: RuleContext, op: ChanOp): OffsetFix[] {
  const f = ctx.facts;
  const stmt = op.node.parent;
  if (stmt?.type !== 'expression_statement' || stmt.parent?.type !== 'statement_list') return [];
  const fn = f.funcOf(op.node);
  const key = chanKey(f, op.chan)!;
  const g = f.cfg(fn);
  const n = g.nodeFor(stmt);
  if (!n || g.hasGoto) return [];
  const defers = fn.findAll('defer_statement').filter((d) => f.funcOf(d) === fn);
  const closing = defers.filter((d) => {
    const call = unparen(d.children[0]);
    return call?.type === 'call_expression' && call.child('function')?.text === 'close' && chanKey(f, call.child('arguments')?.children[0]) === key;
  });
  if (closing.length !== 1) return [];
  const d = closing[0];
  if (defers.some((x) => x !== d && x.start > d.start)) return [];
  const dn = g.nodeFor(d);
  if (!dn || g.reachable(g.entry, n, (c) => c === dn)) return [];
  // Only a return without calls or receives may follow.
  const next = n.succs;
  if (next.length !== 1) return [];
  const s = next[0];
  if (s !== g.exit) {
    if (s.ast?.type !== 'return_statement' || s.succs[0] !== g.exit) return [];
    let plain = true;
    s.ast.walk((x) => {
      if (x.type === 'call_expression' || (x.type === 'unary_expression' && x.tokens[0] === '<-') || x.type === 'func_literal') plain = false;
      return plain;
    });
    if (!plain) return [];
  }
  const del = deleteStatement(stmt, ctx.src);
  return del ? [{ title: `Remove close(${show(op.chan)}): the deferred close already closes it`, edits: [del] }] : [];
}

/**
 * Wraps the close in `<once>.Do(func() { close(ch) })` when exactly one sync.Once is there for it, and
 * every unguarded close of the channel in this declaration gets the same fix (otherwise one unguarded
 * close would still run besides the guarded one).
 */
function wrapInOnce(ctx: RuleContext, op: ChanOp, all: Map<ChanOp, Reason>): OffsetFix[] {
  const f = ctx.facts;
  const key = chanKey(f, op.chan)!;
  const stmt = op.node.parent;
  if (!stmt || stmt.parent?.type !== 'statement_list') return [];
  const deferred = stmt.type === 'defer_statement';
  if (stmt.type !== 'expression_statement' && !deferred) return [];
  if (unparen(stmt.children[0]) !== op.node) return [];
  for (const o of f.chanOps) {
    if (o.kind !== 'close' || o === op || chanKey(f, o.chan) !== key) continue;
    const cl = climbTo(f, o.node, f.root);
    if (cl?.once) continue;
    if (!all.has(o) || all.get(o)!.kind === 'path' || all.get(o)!.kind === 'defer') return [];
  }
  const once = onceFor(ctx, op);
  if (!once) return [];
  const text = `${deferred ? 'defer ' : ''}${once}.Do(func() { close(${op.chan.text}) })`;
  return [{ title: `Guard the close with ${once}.Do`, edits: [{ start: stmt.start, end: stmt.end, newText: text }] }];
}

const ONCE_NAME = /^(once|(close|closed|stop|shutdown|done|quit|cancel|finish|term|end)_?once|once_?(close|stop|shutdown|done|quit))$/i;

/** The expression of the one sync.Once declared for a channel: a field of the same struct, or a variable next to it. */
function onceFor(ctx: RuleContext, op: ChanOp): string | undefined {
  const f = ctx.facts;
  const ch = unparen(op.chan)!;
  if (ch.type === 'selector_expression') {
    const base = ch.child('operand')!;
    if (!/^[A-Za-z_][\w.]*$/.test(base.text)) return undefined;
    const st = f.types.structOf(f.typeOf(base));
    if (!st) return undefined;
    const names: string[] = [];
    for (const fd of st.firstOfType('field_declaration_list')?.children ?? []) {
      if (fd.type !== 'field_declaration' || !isOnceType(f.types.fromTypeNode(fd.child('type')))) continue;
      for (const nm of fd.childrenIn('name')) names.push(nm.text);
      if (!fd.childrenIn('name').length) names.push('');
    }
    if (names.length !== 1 || !names[0] || !ONCE_NAME.test(names[0])) return undefined;
    if (onceUsedElsewhere(f, names[0], chanKey(f, ch)!)) return undefined;
    // Other methods of the type may use the same Once for something else.
    const t = derefNamed(f.typeOf(base));
    if (t?.kind === 'named') {
      for (const d of ctx.file.scan({ kinds: ['method'], recvType: t.name, includes: [`.${names[0]}.Do(`] })) {
        if (d === ctx.decl) continue;
        const df = ctx.file.depFacts(d);
        const k = selectorKey(df, df.root.child('receiver')?.findAll('identifier')[0] ?? df.root, ch.child('field')!.text);
        if (!k || onceUsedElsewhere(df, names[0], k)) return undefined;
      }
    }
    return `${base.text}.${names[0]}`;
  }
  if (ch.type !== 'identifier') return undefined;
  const b = f.scopes.resolve(ch);
  if (!b) return undefined;
  let cands: { name: string }[];
  if (b.func === undefined) {
    cands = [];
    for (const d of ctx.file.scan({ kinds: ['var'] })) {
      for (const name of d.names) {
        const pb = ctx.file.packageBinding(name);
        if (pb && isOnceType(f.types.typeOfBinding(pb))) cands.push({ name });
      }
    }
    // A local Once would shadow or confuse: require none.
    if (f.scopes.visibleAt(op.node, (x) => isOnceType(f.types.typeOfBinding(x))).length) return undefined;
  } else {
    cands = f.scopes.visibleAt(op.node, (x) => isOnceType(f.types.typeOfBinding(x)));
  }
  if (cands.length !== 1 || !ONCE_NAME.test(cands[0].name)) return undefined;
  if (onceUsedElsewhere(f, cands[0].name, chanKey(f, ch)!)) return undefined;
  return cands[0].name;
}

/** The Once already guards something other than closing this channel here. */
function onceUsedElsewhere(f: DeclFacts, name: string, key: string): boolean {
  let other = false;
  f.root.walk((n) => {
    if (other) return false;
    if (n.type !== 'call_expression') return true;
    const fn = unparen(n.child('function'));
    if (fn?.type !== 'selector_expression' || fn.child('field')?.text !== 'Do' || lastIdent(fn.child('operand')!) !== name) return true;
    const lit = unparen(n.child('arguments')?.children[0]);
    if (lit?.type !== 'func_literal' || !f.chanOps.some((o) => o.kind === 'close' && lit.isAncestorOf(o.node) && chanKey(f, o.chan) === key)) other = true;
    return true;
  });
  return other;
}
