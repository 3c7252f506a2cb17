import { FUNC_TYPES, Node, unparen } from '../ast';
import { isCalledInPlace, lastName, type DeclFacts, type Launch } from '../facts';
import type { Rule, RuleContext } from '../rule';
import type { Binding } from '../scope';
import { derefNamed, type GoType } from '../typeinfer';
import { paramNames, rootBinding, show } from './util';

/** Why a ranged input has no size this function can see. */
interface Unknown {
  /** "items (a parameter)", "s.clients (a field)", "os.ReadDir(dir)" … */
  what: string;
  chan: boolean;
  /** What one goroutine is started for, when not an element or a received value ("row of rows.Next()"). */
  per?: string;
}

const INT_TYPES = new Set('int int8 int16 int32 int64 uint uint8 uint16 uint32 uint64 uintptr byte rune'.split(' '));
/** Names of integers that count workers or tries; ranging over one (Go 1.22) starts a fixed pool. */
const COUNT_NAME = /^(n|num\w*|\w*(count|workers?|concurrency|parallelism|procs|size|limit)|max\w*|total)$/i;
/** The pool itself: starting each of a fixed set of workers (or shards) is the worker-pool pattern. */
const POOL_NAME = /^(workers?|pool|shards?)$/i;
/**
 * Blocking calls that bound how many goroutines the loop has started but not finished: semaphore.Weighted
 * and hand-written semaphores (`sem.acquire()`, `acquireSlot(sem)`), rate limiters (`Wait`, `Take`).
 */
const BOUND_CALL = /^(acquire\w*|tryAcquire\w*|wait|take)$/i;

const GO_STMT = /^[ \t]*go\s/m;
const RANGE = /\b(range|select)\b|\.(Scan|Next)\(/;

/**
 * A declaration with a `range` and a go statement (which gofmt puts at the start of a line, so "go" in
 * comments and strings does not count). Two plain expressions: one cannot say "both, in any order"
 * without rescanning, and V8 runs subclassed RegExps on its slow path.
 */
class GoInRangeTrigger extends RegExp {
  constructor() {
    super(GO_STMT.source, 'm');
  }

  override test(text: string): boolean {
    return GO_STMT.test(text) && RANGE.test(text);
  }
}

export const unboundedGoroutines: Rule = {
  id: 'unbounded-goroutines',
  title: 'One goroutine per input element, without a bound',
  defaultSeverity: 'info',
  summary: 'A go statement in a loop over a slice, map or channel of unknown size (a parameter, field or call result) starts one goroutine per element with nothing limiting how many run at once.',
  trigger: new GoInRangeTrigger(),
  patterns: ['workerpool', 'errgroup-limit'],
  check(ctx) {
    const f = ctx.facts;
    let limited: boolean | undefined;
    for (const l of f.launches) {
      if (l.kind !== 'go') continue;
      const hit = unboundedLoop(ctx, l);
      if (!hit) continue;
      // errgroup.SetLimit anywhere in the function: the author manages concurrency there.
      limited ??= ctx.node.findAll('call_expression').some((c) => calledMethod(c) === 'SetLimit');
      if (limited) return;
      const per = hit.input.per ?? (hit.input.chan ? `value received from ${hit.input.what}` : `element of ${hit.input.what}`);
      ctx.report({
        node: l.node,
        message:
          `This go statement starts one goroutine per ${per}, and nothing bounds how many run at once: a large input means as many ` +
          `goroutines at the same time (memory, open connections, rate limits). Bound it with a fixed pool of workers reading a channel ` +
          `(snippet workerpool), an errgroup with SetLimit (errgroup-limit), or a semaphore acquired before the go statement.`,
      });
    }
  },
};

/** `x.m(…)` → m; `f(…)` → f. */
function calledName(call: Node): string | undefined {
  const fn = unparen(call.child('function'));
  return fn?.type === 'identifier' ? fn.text : calledMethod(call);
}

function calledMethod(call: Node): string | undefined {
  const fn = unparen(call.child('function'));
  return fn?.type === 'selector_expression' ? fn.child('field')?.text : undefined;
}

/** The innermost enclosing range loop over an input of unknown size that nothing bounds, if any. */
function unboundedLoop(ctx: RuleContext, l: Launch): { loop: Node; input: Unknown } | undefined {
  const f = ctx.facts;
  for (let p: Node | null = l.node.parent; p && !FUNC_TYPES.includes(p.type); p = p.parent) {
    if (p.type !== 'for_statement' || !p.child('body')?.contains(l.node)) continue;
    const rc = p.firstOfType('range_clause');
    const over = rc?.child('right');
    if (!rc || !over) {
      const hit = rc ? undefined : readLoop(f, p, l);
      if (hit === 'bounded') return undefined;
      if (hit) return { loop: p, input: hit };
      continue;
    }
    if (POOL_NAME.test(lastName(over))) continue;
    const input = unknownInput(f, over, rc, 0);
    if (!input) continue;
    if (boundedInBody(f, p, l) || fanIn(f, p, rc, l)) return undefined;
    // Hooks the program registered in a field (`for _, h := range s.onShutdown { go h() }`) are as many as
    // the code adds; funcs handed in by a caller (`tasks []func() error`) are an input like any other. An
    // enclosing loop over data still multiplies hooks.
    if (unparen(over)?.type === 'selector_expression' && callsElement(f, rc, l)) continue;
    if (leavesAfter(l.node, p) || cappedByIndex(f, p, rc, l) || lengthChecked(f, p, over)) return undefined;
    return { loop: p, input };
  }
  return selectLoop(ctx, l);
}

/**
 * `for sc.Scan() { go handle(sc.Text()) }`, `for rows.Next() { … go … }`: one goroutine per line or row
 * read, as many as the input has. (An accept loop is `for { … }` and stays silent.)
 */
function readLoop(f: DeclFacts, loop: Node, l: Launch): Unknown | 'bounded' | undefined {
  if (loop.firstOfType('for_clause')) return undefined;
  const cond = loop.children.find((c) => c.field !== 'body' && c.type !== 'comment');
  const call = unparen(cond);
  if (call?.type !== 'call_expression') return undefined;
  const fn = unparen(call.child('function'));
  const name = fn?.type === 'selector_expression' ? fn.child('field')?.text : undefined;
  const nargs = call.child('arguments')?.children.filter((c) => c.type !== 'comment').length ?? 0;
  if ((name !== 'Scan' && name !== 'Next') || nargs !== 0) return undefined;
  const op = fn!.child('operand')!;
  if (op.type === 'identifier' && f.pkgOf(op)) return undefined;
  if (boundedInBody(f, loop, l) || leavesAfter(l.node, loop)) return 'bounded';
  return { what: show(call), chan: false, per: `${name === 'Scan' ? 'token read by' : 'item of'} for ${show(call)}` };
}

/**
 * `for { select { case m := <-in: go handle(m) … } }`: a dispatcher loop receiving from an input channel
 * (a parameter, a field, a call) starts one goroutine per message, like `for m := range in`. Only a
 * receive that binds a value counts (`case <-done:` is a signal), and not one of a clock or signals.
 */
function selectLoop(ctx: RuleContext, l: Launch): { loop: Node; input: Unknown } | undefined {
  const f = ctx.facts;
  let cc: Node | undefined;
  for (let p: Node | null = l.node.parent; p && !FUNC_TYPES.includes(p.type); p = p.parent) {
    if (p.type === 'for_statement') return undefined; // an inner loop of the case: not one goroutine per message
    if (p.type === 'communication_case') {
      cc = p;
      break;
    }
  }
  const sel = cc?.parent;
  const recv = cc?.child('communication');
  if (!cc || sel?.type !== 'select_statement' || recv?.type !== 'receive_statement' || !recv.child('left')) return undefined;
  let loop: Node | null = sel.parent;
  while (loop && loop.type !== 'for_statement' && !FUNC_TYPES.includes(loop.type)) loop = loop.parent;
  if (loop?.type !== 'for_statement' || loop.firstOfType('range_clause') || loop.firstOfType('for_clause')) return undefined;
  const right = unparen(recv.child('right'));
  const ch = right?.type === 'unary_expression' && right.tokens[0] === '<-' ? right.child('operand') : undefined;
  const input = ch ? unknownInput(f, ch, undefined, 0) : undefined;
  if (!input) return undefined;
  // Channels of channels (fan-in) stay silent, as in ranges.
  const first = recv.child('left')?.children[0];
  const elem = first?.type === 'identifier' ? f.scopes.resolve(first) : undefined;
  const et = elem && underlying(f, f.types.typeOfBinding(elem));
  if (!elem || !et || et.kind === 'chan') return undefined;
  if (boundedInBody(f, loop, l) || leavesAfter(l.node, loop)) return undefined;
  return { loop, input: { ...input, chan: true } };
}

/**
 * Whether ranging over `e` walks an input whose size this function does not control: a parameter, a
 * field, a call result, or a local initialised or appended from one of those. Fixed-size inputs (literals,
 * arrays, integers, strings) and package-level registries are not.
 */
function unknownInput(f: DeclFacts, e: Node, rc: Node | undefined, depth: number): Unknown | undefined {
  e = unparen(e)!;
  if (depth > 6) return undefined;
  const t = f.typeOf(e);
  if (t && !collection(f, t)) return undefined;
  const chan = !!t && underlying(f, t)?.kind === 'chan';
  switch (e.type) {
    case 'identifier': {
      const b = f.scopes.resolve(e);
      if (!b) return undefined; // another file's package variable, a builtin
      if (!t && rc && looksLikeCount(e, rc)) return undefined;
      if (b.kind === 'param' || b.kind === 'recv') return { what: `${b.name} (a ${b.kind === 'param' ? 'parameter' : 'receiver'})`, chan };
      if (b.kind === 'range') {
        const outer = b.value && b.decl?.type === 'range_clause' ? unknownInput(f, b.value, undefined, depth + 1) : undefined;
        return outer ? { what: `${b.name} (an element of ${outer.what})`, chan } : undefined;
      }
      if (b.kind === 'var') return localInput(f, b, chan, depth);
      return undefined; // package-level variables and constants: registries and tables the program defines
    }
    case 'selector_expression': {
      const op = e.child('operand');
      if (!t && rc && looksLikeCount(e, rc)) return undefined;
      if (op?.type === 'identifier' && f.pkgOf(op)) return { what: `${e.text} (a package variable)`, chan };
      // ticker.C, timer.C
      const ot = derefNamed(f.typeOf(op));
      if (e.child('field')?.text === 'C' && ((ot?.kind === 'named' && ot.pkg === 'time') || (!ot && /tick|timer/i.test(lastName(op!))))) return undefined;
      // tt.files of `for _, tt := range tests` over a table of literals: part of the table.
      const root = rootOf(e);
      let rb = root ? f.scopes.resolve(root) : undefined;
      // `tt := tt` (the pre-1.22 per-iteration copy) is still the table's row.
      for (let i = 0; i < 4 && rb?.kind === 'var' && !rb.tuple && unparen(rb.value)?.type === 'identifier' && !f.scopes.writesTo(rb).length; i++) rb = f.scopes.resolve(unparen(rb.value)!);
      if (rb?.kind === 'range' && rb.value && literalTable(f, rb.value, depth)) return undefined;
      return { what: `${show(e)} (a field)`, chan };
    }
    case 'call_expression':
      return callInput(f, e, t, chan);
    case 'index_expression':
    case 'unary_expression': {
      if (e.type === 'unary_expression' && e.tokens[0] !== '*') return undefined;
      const inner = unknownInput(f, e.child('operand')!, undefined, depth + 1);
      return inner ? { what: show(e), chan } : undefined;
    }
    case 'slice_expression': {
      const lo = e.child('start');
      const hi = e.child('end');
      if (hi && isConst(f, hi) && (!lo || isConst(f, lo))) return undefined; // xs[:10]
      const inner = unknownInput(f, e.child('operand')!, undefined, depth + 1);
      return inner ? { what: show(e), chan } : undefined;
    }
  }
  return undefined;
}

/** A package-level table, or a composite literal (directly or through a local) whose elements are literals. */
function literalTable(f: DeclFacts, e: Node, depth: number): boolean {
  const u = unparen(e);
  if (!u || depth > 6) return false;
  if (u.type === 'identifier') {
    const b = f.scopes.resolve(u);
    if (b?.kind === 'package') return true;
    return b?.kind === 'var' && !!b.value && !b.tuple && f.scopes.writesTo(b).length === 0 && literalTable(f, b.value, depth + 1);
  }
  if (u.type !== 'composite_literal') return false;
  return (u.child('body')?.children ?? []).every((el) => {
    if (el.type === 'comment') return true; // `// case: …` between the rows of a test table
    const v = el.type === 'keyed_element' ? el.child('value')?.children[0] : el.children[0];
    const w = v?.type === 'unary_expression' && v.tokens[0] === '&' ? v.child('operand') : v;
    return w?.type === 'literal_value' || w?.type === 'composite_literal';
  });
}

/** A local: unknown when its initial value or any later assignment (appends included) is. */
function localInput(f: DeclFacts, b: Binding, chan: boolean, depth: number): Unknown | undefined {
  const sources: Node[] = [];
  if (b.value) {
    if (b.tuple) {
      // `files, err := os.ReadDir(dir)`; `subs, ok := b.topics[t]` is an element of the map it indexes.
      // A `<-ch` element is not followed.
      const v = unparen(b.value);
      if (v?.type === 'index_expression' && b.index === 0) {
        const inner = unknownInput(f, v.child('operand')!, undefined, depth + 1);
        return inner ? { what: `${b.name} (an element of ${inner.what})`, chan } : undefined;
      }
      return v?.type === 'call_expression' ? { what: `${b.name} (from ${show(v)})`, chan } : undefined;
    }
    sources.push(b.value);
  }
  for (const w of f.scopes.writesTo(b)) {
    const rhs = assignedValue(w);
    if (!rhs) return { what: `${b.name} (a local assigned from elsewhere)`, chan };
    sources.push(rhs);
  }
  // `var items []Item; json.Unmarshal(b, &items)`: filled by the call.
  for (const r of b.value ? [] : f.scopes.references(b)) {
    const addr = r.parent;
    if (addr?.type === 'unary_expression' && addr.tokens[0] === '&' && addr.parent?.type === 'argument_list') {
      return { what: `${b.name} (filled by ${show(addr.parent.parent!)})`, chan };
    }
  }
  // m[k] = v grows a map like an append (on a slice it only replaces an element).
  const isMap = underlying(f, f.types.typeOfBinding(b))?.kind === 'map';
  for (const r of isMap ? f.scopes.references(b) : []) {
    const ix = r.parent;
    if (ix?.type !== 'index_expression' || r.field !== 'operand' || ix.parent?.type !== 'expression_list' || ix.parent.field !== 'left') continue;
    const grows = appendRepeats(f, ix, b, depth);
    if (grows) return { what: `${b.name} (filled ${grows})`, chan };
  }
  for (const s of sources) {
    const v = unparen(s)!;
    if (v.type === 'call_expression' && v.child('function')?.text === 'append') {
      const args = v.child('arguments')?.children ?? [];
      // append(xs, more...) grows by an input; append(xs, x) inside a loop grows once per iteration.
      for (const a of args.slice(1)) {
        const inner = unparen(a.type === 'variadic_argument' ? a.children[0] : a);
        if (a.type === 'variadic_argument' && inner && unknownInput(f, inner, undefined, depth + 1)) return { what: `${b.name} (appended from ${show(inner)})`, chan };
      }
      const grows = appendRepeats(f, v, b, depth);
      if (grows) return { what: `${b.name} (appended ${grows})`, chan };
      continue;
    }
    const inner = unknownInput(f, v, undefined, depth + 1);
    if (inner) return { what: `${b.name} (from ${inner.what})`, chan };
  }
  return undefined;
}

/**
 * How often an `append` to a local runs, when that follows an input: in a callback (filepath.Walk's),
 * in a loop reading input (`for sc.Scan()`), or in a range over an input of unknown size. A counted
 * loop appends a known number of times.
 */
function appendRepeats(f: DeclFacts, append: Node, b: Binding, depth: number): string | undefined {
  if (b.func && f.funcOf(append) !== b.func) return 'in a callback';
  if (b.decl?.contains(append)) return undefined;
  for (let loop = f.loopOf(append); loop; loop = f.loopOf(loop)) {
    if (b.decl && loop.contains(b.decl)) break; // a local of the loop body starts afresh each iteration
    const rc = loop.firstOfType('range_clause');
    if (rc) {
      const over = rc.child('right');
      const inner = over ? unknownInput(f, over, rc, depth + 1) : undefined;
      if (inner) return `for each element of ${inner.what}`;
    } else if (!loop.firstOfType('for_clause')) return 'in a loop reading input';
  }
  return undefined;
}

/** The right-hand side assigned to a written identifier, when it is a 1:1 assignment. */
function assignedValue(id: Node): Node | undefined {
  const list = id.parent;
  const stmt = list?.parent;
  if (list?.type !== 'expression_list' || !stmt || (stmt.type !== 'assignment_statement' && stmt.type !== 'short_var_declaration')) return undefined;
  if (stmt.type === 'assignment_statement' && !stmt.hasToken('=')) return undefined; // op= on a collection does not happen
  const left = stmt.child('left')?.children ?? [];
  const right = stmt.child('right')?.children ?? [];
  const i = left.indexOf(id);
  if (i < 0) return undefined;
  if (left.length === right.length) return right[i];
  return right.length === 1 && unparen(right[0])?.type === 'call_expression' ? right[0] : undefined;
}

function callInput(f: DeclFacts, call: Node, t: GoType | undefined, chan: boolean): Unknown | undefined {
  const fn = unparen(call.child('function'));
  const args = call.child('arguments')?.children ?? [];
  if (fn?.type === 'identifier' && !f.scopes.resolve(fn)) {
    if (fn.text === 'make') {
      if (args[0]?.type === 'channel_type') return { what: `a channel made here (${show(call)})`, chan: true };
      // make([]T, n) counts like `for i := 0; i < n; i++`; only make([]T, len(xs)) follows an input.
      const size = unparen(args[1]);
      const fnOfSize = size?.type === 'call_expression' ? unparen(size.child('function')) : undefined;
      const of = fnOfSize?.type === 'identifier' && (fnOfSize.text === 'len' || fnOfSize.text === 'cap') ? size!.child('arguments')?.children[0] : undefined;
      const inner = of ? unknownInput(f, of, undefined, 1) : undefined;
      return inner ? { what: `${show(call)}, one element per element of ${inner.what}`, chan } : undefined;
    }
    if (fn.text === 'len' || fn.text === 'cap' || INT_TYPES.has(fn.text) || fn.text === 'string') return undefined;
  }
  if (fn?.type === 'selector_expression') {
    const op = fn.child('operand');
    const pkg = op?.type === 'identifier' ? f.pkgOf(op) : undefined;
    const name = fn.child('field')?.text ?? '';
    if (pkg === 'runtime' && (name === 'NumCPU' || name === 'GOMAXPROCS')) return undefined;
    // A ticker's channel paces a loop by time, like an accept loop; it is not an input of some size.
    if (pkg === 'time' && (name === 'Tick' || name === 'After')) return undefined;
  }
  if (t && !collection(f, t)) return undefined;
  return { what: show(call), chan };
}

/** Types that can be the input of unknown size: slices, maps, channels, iterator functions. */
function collection(f: DeclFacts, t: GoType): boolean {
  const u = underlying(f, t);
  if (!u) return true; // unknown: another package's named type
  if (u.kind === 'named') return !INT_TYPES.has(u.name) && u.name !== 'string' && !(u.pkg === 'time');
  if (u.kind === 'chan') return !pacedByClock(f, u);
  // `range *items`: the pointer's operand is followed to the slice or map it points to.
  if (u.kind === 'pointer') return !u.elem || collection(f, u.elem);
  return u.kind === 'slice' || u.kind === 'map' || u.kind === 'func';
}

/**
 * Ticks and signals arrive at the pace of a clock or an operator, like connections in an accept loop;
 * a loop over them is not walking an input of some size.
 */
function pacedByClock(f: DeclFacts, t: GoType & { kind: 'chan' }): boolean {
  const el = t.elemType ?? f.types.fromTypeNode(t.elem);
  return el?.kind === 'named' && ((el.pkg === 'time' && el.name === 'Time') || (el.pkg === 'os' && el.name === 'Signal'));
}

/** Same-file named types resolved to their definition; builtins stay named. */
function underlying(f: DeclFacts, t: GoType | undefined): GoType | undefined {
  for (let i = 0; i < 5 && t?.kind === 'named' && t.pkg === ''; i++) {
    if (INT_TYPES.has(t.name) || t.name === 'string' || t.name === 'bool') return t;
    const def = f.file.localType(t.name);
    if (!def) return undefined;
    t = f.types.fromTypeNode(def);
  }
  return t;
}

function isConst(f: DeclFacts, e: Node): boolean {
  const u = unparen(e);
  if (!u) return false;
  if (u.type === 'int_literal') return true;
  if (u.type === 'identifier') return f.scopes.resolve(u)?.kind === 'const' || f.file.valueDecl(u.text)?.kind === 'const';
  if (u.type === 'binary_expression') return u.children.every((c) => isConst(f, c));
  return false;
}

/** `for range n` / `for i := range cfg.Workers` where the type is unknown but the name counts something. */
function looksLikeCount(e: Node, rc: Node): boolean {
  const left = rc.child('left')?.children ?? [];
  if (left.length === 0) return true; // `for range X` uses no element: a count of workers or tries
  const name = e.type === 'selector_expression' ? e.child('field')?.text ?? '' : e.text;
  return left.length === 1 && COUNT_NAME.test(name);
}

/**
 * A semaphore send or Acquire/TryAcquire/Take executed by the loop itself before the go statement; a
 * Wait (rate limiter, batch WaitGroup) or time.Sleep anywhere in the loop; a plain receive anywhere in
 * the loop (a token, a ticker, or waiting for the goroutine's result, which runs them one at a time).
 */
function boundedInBody(f: DeclFacts, loop: Node, l: Launch): boolean {
  const body = loop.child('body');
  if (!body) return false;
  let bounded = false;
  body.walk((n) => {
    if (bounded || n === l.node) return false;
    // Code in other goroutines or stored closures does not hold the loop back.
    if (n.type === 'func_literal' && !isCalledInPlace(n)) return false;
    const before = n.start < l.node.start;
    if (n.type === 'send_statement' && before) bounded = true;
    else if (n.type === 'call_expression' && BOUND_CALL.test(calledName(n) ?? '') && (before || /^wait$/i.test(calledName(n)!))) bounded = true;
    else if (n.type === 'call_expression' && f.pkgCall(n, 'time') === 'Sleep') bounded = true; // paces the starts, before or after the go
    else if (n.type === 'unary_expression' && n.tokens[0] === '<-' && !f.chanOps.find((o) => o.node === n)?.select) bounded = true;
    else if (n.type === 'select_statement' && !before && awaitsResult(f, n, l)) bounded = true;
    return true;
  });
  return bounded;
}

/**
 * `go func() { done <- work() }()` then `select { case <-done: case <-time.After(d): }`: the loop waits
 * for that goroutine (or its deadline) before starting the next one. A select with a default case does
 * not wait.
 */
function awaitsResult(f: DeclFacts, sel: Node, l: Launch): boolean {
  const body = l.body;
  if (!body || l.bodyDecl || sel.children.some((c) => c.type === 'default_case')) return false;
  const sent = new Set<string>();
  for (const s of body.findAll('send_statement')) {
    const k = f.refKey(s.child('channel'));
    if (k) sent.add(k);
  }
  if (!sent.size) return false;
  return f.chanOps.some((o) => o.kind === 'recv' && o.select === sel && sent.has(f.refKey(o.chan) ?? ''));
}

/**
 * Fan-in: one forwarding goroutine per input channel. The ranged elements are channels, or the goroutine
 * receives from (or ranges over) the element it was given.
 */
function fanIn(f: DeclFacts, loop: Node, rc: Node, l: Launch): boolean {
  const elem = elementBinding(f, rc);
  if (!elem) return false;
  const et = f.types.typeOfBinding(elem);
  const over = f.typeOf(rc.child('right'));
  const u = over && underlying(f, over);
  const chanElem = et?.kind === 'chan' ? et : u && (u.kind === 'slice' || u.kind === 'array' || u.kind === 'map') ? underlying(f, u.elem) : undefined;
  // Where the goroutine's code sees the element: captured, or as the parameter it is passed to.
  const body = l.body;
  const idx = body ? l.args.findIndex((a) => f.bindingOf(a) === elem) : -1;
  const pname = idx >= 0 ? paramNames(body!)[idx] : undefined;
  if (chanElem?.kind === 'chan') {
    // Fan-out is not fan-in: `go func(c chan Msg) { c <- m }(c)` delivers one message per subscriber,
    // and the goroutines pile up behind a slow subscriber. A goroutine that closes the channel is its
    // producer, one per output stream (the mirror of fan-in).
    if (!body || l.bodyDecl) return true;
    return !deliversOnly(chanUse(f, body, elem, pname));
  }
  if (!body) return false;
  // `go forward(e)` / `go func(c <-chan T) {…}(src.C)`: a channel parameter fed from the element.
  const names = paramNames(body);
  const decls = body.child('parameters')?.children ?? [];
  const fed = l.args.findIndex((a, i) => {
    const t = rootBinding(f, a) === elem ? decls.find((p) => p.childrenIn('name').some((n) => n.text === names[i]))?.child('type') : undefined;
    return t?.type === 'channel_type' && !/^chan\s*<-/.test(t.text);
  });
  if (fed >= 0) {
    if (l.bodyDecl) return true;
    return !deliversOnly(chanUse(f, body, undefined, names[fed]));
  }
  if (l.bodyDecl) return false;
  let recv = false;
  body.walk((n) => {
    if (recv) return false;
    let ch: Node | undefined;
    if (n.type === 'unary_expression' && n.tokens[0] === '<-') ch = n.child('operand');
    else if (n.type === 'range_clause' && !knownNotChan(f, n.child('right'))) ch = n.child('right');
    // The element itself (`<-c`), or a stream in one of its fields (`range sub.C`, a receive in a
    // loop); a single `<-w.start` only gates the goroutine.
    const b = ch ? rootBinding(f, ch) : undefined;
    if (!b || !(b === elem || (pname && b.name === pname && b.func === body))) return true;
    if (unparen(ch)?.type === 'identifier' || n.type === 'range_clause' || inLoop(n, body)) recv = true;
    return true;
  });
  return recv;
}

/**
 * `go func(batch []Item) { for _, it := range batch {…} }(batch)` walks a slice, it receives nothing:
 * a goroutine per batch is not a forwarder. Unknown types (another package's) still count as streams.
 */
function knownNotChan(f: DeclFacts, e: Node | undefined): boolean {
  const t = e && underlying(f, f.typeOf(e));
  if (!t) return false;
  if (t.kind === 'named') return t.pkg === '' && (INT_TYPES.has(t.name) || t.name === 'string');
  return t.kind === 'slice' || t.kind === 'array' || t.kind === 'map';
}

interface ChanUse {
  send: boolean;
  recv: boolean;
  close: boolean;
}

function deliversOnly(u: ChanUse): boolean {
  return u.send && !u.recv && !u.close;
}

/** Whether a goroutine literal sends on, receives from or closes a channel variable (the element, or its parameter). */
function chanUse(f: DeclFacts, body: Node, elem: Binding | undefined, pname: string | undefined): ChanUse {
  const use = { send: false, recv: false, close: false };
  const isIt = (ch: Node | undefined) => {
    const u = unparen(ch);
    const b = u?.type === 'identifier' ? f.scopes.resolve(u) : undefined;
    if (!b) return false;
    // `ch := ch` in the loop body is the element too.
    const copy = unparen(b.value);
    return b === elem || (!!elem && copy?.type === 'identifier' && !b.tuple && f.scopes.resolve(copy) === elem) || (!!pname && b.name === pname && b.func === body);
  };
  body.walk((n) => {
    if (n.type === 'send_statement' && isIt(n.child('channel'))) use.send = true;
    else if (n.type === 'unary_expression' && n.tokens[0] === '<-' && isIt(n.child('operand'))) use.recv = true;
    else if (n.type === 'range_clause' && isIt(n.child('right'))) use.recv = true;
    else if (n.type === 'call_expression' && n.child('function')?.text === 'close' && isIt(n.child('arguments')?.children[0])) use.close = true;
    return true;
  });
  return use;
}

/** The variable holding the element: the value of a slice/map range, or the only variable of a channel range. */
function elementBinding(f: DeclFacts, rc: Node): Binding | undefined {
  const left = rc.child('left')?.children ?? [];
  const over = f.typeOf(rc.child('right'));
  const u = over && underlying(f, over);
  // A key-only range over a map (`for sub := range subs`, a set) yields the keys as its elements.
  const id = u?.kind === 'chan' || (u?.kind === 'map' && left.length === 1) ? left[0] : left.length === 2 ? left[1] : undefined;
  return id?.type === 'identifier' ? f.scopes.resolve(id) : undefined;
}

/**
 * `for _, fn := range hooks { go fn() }`: the elements are functions the program registered (hooks,
 * callbacks, cleanup funcs); the loop dispatches them, and their number is set by the program, not by data.
 */
function callsElement(f: DeclFacts, rc: Node, l: Launch): boolean {
  const elem = elementBinding(f, rc) ?? singleValue(f, rc);
  if (!elem) return false;
  if (underlying(f, f.types.typeOfBinding(elem))?.kind === 'func') return true;
  const fn = unparen(l.call.child('function'));
  if (fn?.type === 'identifier' && f.scopes.resolve(fn) === elem) return true;
  // go func(fn func() error) { errc <- fn() }(fn)
  const body = l.body;
  if (!body || l.bodyDecl) return false;
  const idx = l.args.findIndex((a) => f.bindingOf(a) === elem);
  const pname = idx >= 0 ? paramNames(body)[idx] : undefined;
  return body.findAll('call_expression').some((c) => {
    const callee = unparen(c.child('function'));
    if (callee?.type !== 'identifier') return false;
    const b = f.scopes.resolve(callee);
    return b === elem || (!!pname && b?.name === pname && b.func === body);
  });
}

/** `for _, v := range xs` when the ranged type is unknown: v is still the element. */
function singleValue(f: DeclFacts, rc: Node): Binding | undefined {
  const left = rc.child('left')?.children ?? [];
  return left.length === 2 && left[1].type === 'identifier' ? f.scopes.resolve(left[1]) : undefined;
}

/** Root identifier of `a.b.c`. */
function rootOf(e: Node): Node | undefined {
  let cur = unparen(e);
  while (cur?.type === 'selector_expression') cur = unparen(cur.child('operand'));
  return cur?.type === 'identifier' ? cur : undefined;
}

/** `go run(s); break` / `go run(s); return`: the loop starts at most one goroutine. */
function leavesAfter(goStmt: Node, loop: Node): boolean {
  const list = goStmt.parent;
  if (list?.type !== 'statement_list') return false;
  for (const st of list.children.slice(list.children.indexOf(goStmt) + 1)) {
    if (st.type === 'return_statement') return true;
    if (st.type !== 'break_statement') continue;
    const label = st.children[0]?.text;
    if (!label) return breakTarget(st) === loop;
    for (let p: Node | null = st.parent; p; p = p.parent) {
      if (p.type === 'labeled_statement' && p.child('label')?.text === label) return p.contains(loop);
    }
  }
  return false;
}

function breakTarget(br: Node): Node | undefined {
  for (let p: Node | null = br.parent; p; p = p.parent) {
    if (p.type === 'for_statement' || p.type === 'expression_switch_statement' || p.type === 'type_switch_statement' || p.type === 'select_statement') return p;
    if (FUNC_TYPES.includes(p.type)) return undefined;
  }
  return undefined;
}

/** `for i, x := range xs { if i >= max { break } … go …}`: the index caps the goroutines. */
function cappedByIndex(f: DeclFacts, loop: Node, rc: Node, l: Launch): boolean {
  const keyId = rc.child('left')?.children[0];
  const key = keyId?.type === 'identifier' ? f.scopes.resolve(keyId) : undefined;
  if (!key) return false;
  return (loop.child('body')?.findAll('if_statement', { skipFuncLits: true }) ?? []).some((s) => {
    if (s.start > l.node.start) return false;
    const cond = s.child('condition');
    const then = s.child('consequence');
    if (!cond || !then || !cond.findAll('identifier').some((id) => f.scopes.resolve(id) === key)) return false;
    if (!cond.findAll('binary_expression').some((b) => b.hasToken('>=') || b.hasToken('>') || b.hasToken('=='))) return false;
    return (then.firstOfType('statement_list')?.children ?? []).some((st) => st.type === 'break_statement' || st.type === 'return_statement');
  });
}

/** `if len(items) > max { … }` before the loop: the function limits its input. */
function lengthChecked(f: DeclFacts, loop: Node, over: Node): boolean {
  const key = f.refKey(over);
  const fn = f.funcOf(loop);
  if (!key) return false;
  return fn.findAll('if_statement', { skipFuncLits: true }).some((s) => {
    if (s.start > loop.start || s.contains(loop)) return false;
    const cond = s.child('condition');
    return !!cond?.findAll('call_expression').some((c) => {
      const fnName = unparen(c.child('function'));
      const arg = c.child('arguments')?.children[0];
      return fnName?.type === 'identifier' && fnName.text === 'len' && !!arg && f.refKey(arg) === key && !!c.parent && c.parent.type === 'binary_expression' && /^(>|>=|<|<=)$/.test(c.parent.tokens[0] ?? '');
    });
  });
}

function inLoop(n: Node, upTo: Node): boolean {
  for (let p = n.parent; p && p !== upTo; p = p.parent) if (p.type === 'for_statement') return true;
  return false;
}
