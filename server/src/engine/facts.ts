// Shared facts, computed once per file (and per declaration, lazily) and handed to every rule:
// goroutine launches and their bodies, channel operations, WaitGroup calls, loops, scopes, types, CFGs
// and the contexts/done channels in scope.
import { FUNC_TYPES, Node, unparen } from './ast';
import { CFG } from './cfg';
import type { DeclInfo, DeclKind, FileIndex } from './fileindex';
import { Binding, Scopes } from './scope';
import { derefNamed, GoType, isNamed, TypeInfer } from './typeinfer';

export interface Launch {
  /** 'go' for a go statement; 'async' for g.Go(func…)/wg.Go(func…)/g.TryGo(func…). */
  kind: 'go' | 'async';
  /** The go_statement, or the .Go call_expression. */
  node: Node;
  /** The launched call (`f(a, b)` in `go f(a, b)`), or the .Go call itself. */
  call: Node;
  /** The goroutine's code: a func_literal in this declaration, or a same-file function/method declaration. */
  body: Node | undefined;
  /** Set when the body is another top-level declaration. */
  bodyDecl: DeclInfo | undefined;
  /** Arguments passed to the body (for `go f(a, b)` and `go func(x T){…}(a)`). */
  args: Node[];
  /** The function (declaration or literal) that executes the launch. */
  launcher: Node;
  /** For async launches: the receiver (`g` of `g.Go`). */
  receiver?: Node;
}

export interface ChanOp {
  kind: 'send' | 'recv' | 'range' | 'close';
  /** send_statement, unary `<-` expression, for_statement (range), or close call_expression. */
  node: Node;
  chan: Node;
  /** Innermost function (declaration or literal) executing the operation. */
  func: Node;
  /** The select_statement when the operation is a select case's communication. */
  select?: Node;
}

export interface WgCall {
  method: 'Add' | 'Done' | 'Wait' | 'Go';
  call: Node;
  recv: Node;
  func: Node;
}

export interface Loop {
  node: Node;
  kind: 'range' | 'clause' | 'cond' | 'infinite';
  /** Variables the loop declares with := (per-iteration only from Go 1.22). */
  vars: Binding[];
  body: Node | undefined;
}

/** A context or done channel usable in a select at some point. */
export interface Canceller {
  kind: 'ctx' | 'done';
  /** Source text to use in a fix: `ctx` gives `<-ctx.Done()`, a done channel `<-done`. */
  expr: string;
  binding?: Binding;
}

const bindingIds = new WeakMap<Binding, number>();
let nextBindingId = 1;
function bindingId(b: Binding): number {
  let id = bindingIds.get(b);
  if (!id) bindingIds.set(b, (id = nextBindingId++));
  return id;
}

const DONE_NAME = /^(ctx)?(done|quit|stop|stopped|stopping|close|closing|closed|shutdown|exit|exiting|cancel|cancelled|canceled|die|dying|kill|term|terminate|abort|finish|finished)(c|ch|chan)?$/i;
const DONE_FIELD = /(done|quit|stop|close|closing|shutdown|exit|cancel|die|dying|kill|term|abort)/i;

export class DeclFacts {
  /**
   * Other declarations these facts were computed from (types, package variables, callees…). Facts are
   * cached and may be computed while another declaration is analysed, so they keep their own record;
   * the analyzer folds it into the cache dependencies of every result that used these facts.
   */
  readonly consulted = new Set<DeclInfo>();
  /** Declarations (by key) whose set of launch sites these facts looked up. */
  readonly launchQueries = new Set<string>();
  /** Top-level names these facts looked up ("funcs:name", …): a name appearing or vanishing changes them. */
  readonly nameQueries = new Set<string>();
  readonly scopes: Scopes;
  readonly types: TypeInfer;
  private _launches: Launch[] | undefined;
  private _chanOps: ChanOp[] | undefined;
  private _wgCalls: WgCall[] | undefined;
  private _loops: Loop[] | undefined;
  private readonly cfgs = new Map<Node, CFG>();
  private _funcs: Node[] | undefined;

  constructor(
    readonly decl: DeclInfo,
    readonly file: FileFacts,
  ) {
    const root = decl.node;
    this.scopes = new Scopes(root, (name) => file.packageBinding(name, this));
    this.types = new TypeInfer({
      packagePath: (name, at) => this.packagePath(name, at),
      resolve: (id) => this.scopes.resolve(id),
      localType: (name) => file.localType(name, this),
      funcResult: (name) => file.funcResult(name, this),
      methodResult: (recv, name) => file.methodResult(recv, name, this),
      importPath: (name) => file.index.imports.get(name),
    });
  }

  get root(): Node {
    return this.decl.node;
  }

  /** Import path when `name` (used at `at`) is a package name rather than a variable. */
  packagePath(name: string, at: Node): string | undefined {
    const path = this.file.index.imports.get(name);
    if (!path) return undefined;
    const id = at.type === 'identifier' ? at : at.type === 'selector_expression' ? at.child('operand') : undefined;
    if (id && id.type === 'identifier' && id.text === name && this.scopes.resolve(id)) return undefined;
    return path;
  }

  /** Import path of the package an identifier names, if it names one. */
  pkgOf = (id: Node): string | undefined => (id.type === 'identifier' ? this.packagePath(id.text, id) : undefined);

  /** `pkg.Name(…)` with pkg the import of `path`: returns Name. */
  pkgCall(call: Node, path: string): string | undefined {
    if (call.type !== 'call_expression') return undefined;
    const fn = unparen(call.child('function'));
    if (fn?.type !== 'selector_expression') return undefined;
    const op = fn.child('operand');
    if (op?.type !== 'identifier' || this.pkgOf(op) !== path) return undefined;
    return fn.child('field')?.text;
  }

  /** Function declaration and every func literal in this declaration. */
  get funcs(): Node[] {
    return (this._funcs ??= this.root.findAll(FUNC_TYPES));
  }

  cfg(fn: Node): CFG {
    let g = this.cfgs.get(fn);
    if (!g) this.cfgs.set(fn, (g = new CFG(fn, this.pkgOf)));
    return g;
  }

  /** Innermost function (declaration or literal) around `n`. */
  funcOf(n: Node): Node {
    for (let p: Node | null = n.parent; p; p = p.parent) if (FUNC_TYPES.includes(p.type)) return p;
    return this.root;
  }

  typeOf(e: Node | undefined): GoType | undefined {
    return this.types.typeOf(e);
  }

  // ---- goroutines ----

  get launches(): Launch[] {
    if (this._launches) return this._launches;
    const out: Launch[] = [];
    this.root.walk((n) => {
      if (n.type === 'go_statement') {
        const call = unparen(n.children[0]);
        if (call?.type !== 'call_expression') return true;
        const { body, bodyDecl } = this.callee(call);
        out.push({ kind: 'go', node: n, call, body, bodyDecl, args: call.child('arguments')?.children ?? [], launcher: this.funcOf(n) });
      } else if (n.type === 'call_expression') {
        const fn = unparen(n.child('function'));
        if (fn?.type !== 'selector_expression') return true;
        const m = fn.child('field')?.text;
        if (m !== 'Go' && m !== 'TryGo') return true;
        const args = n.child('arguments')?.children ?? [];
        const lit = unparen(args[args.length - 1]);
        if (lit?.type !== 'func_literal') return true;
        const recv = fn.child('operand')!;
        if (recv.type === 'identifier' && this.pkgOf(recv)) return true;
        out.push({ kind: 'async', node: n, call: n, body: lit, bodyDecl: undefined, args: [], launcher: this.funcOf(n), receiver: recv });
      }
      return true;
    });
    return (this._launches = out);
  }

  /** The body of a called function when it is a literal or a same-file function/method. */
  callee(call: Node): { body: Node | undefined; bodyDecl: DeclInfo | undefined } {
    const fn = unparen(call.child('function'));
    if (!fn) return { body: undefined, bodyDecl: undefined };
    if (fn.type === 'func_literal') return { body: fn, bodyDecl: undefined };
    if (fn.type === 'identifier') {
      const b = this.scopes.resolve(fn);
      if (b?.kind === 'func' && b.func === undefined) {
        const d = this.file.func(fn.text, this);
        if (d && !d.hasError) return { body: this.file.declNode(d, this), bodyDecl: d };
      }
      if (b && b.kind === 'var' && b.value && unparen(b.value)?.type === 'func_literal' && this.scopes.writesTo(b).length === 0) {
        return { body: unparen(b.value), bodyDecl: undefined };
      }
      return { body: undefined, bodyDecl: undefined };
    }
    if (fn.type === 'selector_expression') {
      const op = fn.child('operand')!;
      const name = fn.child('field')?.text ?? '';
      if (op.type === 'identifier' && this.pkgOf(op)) return { body: undefined, bodyDecl: undefined };
      const t = derefNamed(this.typeOf(op));
      let d: DeclInfo | undefined;
      if (t?.kind === 'named' && t.pkg === '') d = this.file.method(t.name, name, this);
      if (d && !d.hasError) return { body: this.file.declNode(d, this), bodyDecl: d };
    }
    return { body: undefined, bodyDecl: undefined };
  }

  /** Launches whose body is the given function node (a literal here, or this declaration itself). */
  launchesOf(fn: Node): Launch[] {
    if (fn === this.root && (this.decl.kind === 'func' || this.decl.kind === 'method')) return this.file.launchesOfDecl(this.decl, this);
    return this.launches.filter((l) => l.body === fn);
  }

  /**
   * The function whose execution runs `n`: its innermost function, skipping literals that are called in
   * place or deferred (they run as part of the function around them).
   */
  runner(n: Node): Node {
    let fn = this.funcOf(n);
    while (fn.type === 'func_literal' && isCalledInPlace(fn) && fn.parent) fn = this.funcOf(fn);
    return fn;
  }

  /** The innermost goroutine body (literal or launched declaration) that executes `n`, if any. */
  goroutineOf(n: Node): { body: Node; launches: Launch[] } | undefined {
    for (let p: Node | null = n.parent; p; p = p.parent) {
      if (!FUNC_TYPES.includes(p.type)) continue;
      const ls = this.launchesOf(p);
      if (ls.length) return { body: p, launches: ls };
      // A func literal that is not launched runs in its caller's goroutine only if called in place;
      // stored or deferred closures are unknown: stop there.
      if (p.type === 'func_literal' && !isCalledInPlace(p)) return undefined;
    }
    return undefined;
  }

  // ---- channels ----

  get chanOps(): ChanOp[] {
    if (this._chanOps) return this._chanOps;
    const out: ChanOp[] = [];
    this.root.walk((n) => {
      switch (n.type) {
        case 'send_statement': {
          const ch = n.child('channel');
          if (ch) out.push({ kind: 'send', node: n, chan: ch, func: this.funcOf(n), select: selectOf(n) });
          break;
        }
        case 'unary_expression':
          if (n.tokens[0] === '<-') {
            const ch = n.child('operand');
            if (ch) out.push({ kind: 'recv', node: n, chan: ch, func: this.funcOf(n), select: selectOf(n) });
          }
          break;
        case 'for_statement': {
          const rc = n.firstOfType('range_clause');
          const over = rc?.child('right');
          if (over) {
            const t = this.typeOf(over);
            if (t?.kind === 'chan' || (!t && looksLikeChannelName(over))) out.push({ kind: 'range', node: n, chan: over, func: this.funcOf(n) });
          }
          break;
        }
        case 'call_expression': {
          const fn = n.child('function');
          const args = n.child('arguments')?.children ?? [];
          if (fn?.type === 'identifier' && fn.text === 'close' && args.length === 1 && !this.scopes.resolve(fn)) {
            out.push({ kind: 'close', node: n, chan: args[0], func: this.funcOf(n) });
          }
          break;
        }
      }
      return true;
    });
    return (this._chanOps = out);
  }

  /** `make(chan T[, n])` that initialises the binding, if that is how it was declared. */
  makeOf(b: Binding | undefined): { call: Node; elem: Node | undefined; cap: Node | undefined } | undefined {
    if (!b || b.tuple) return undefined;
    if (b.value) return this.scopes.writesTo(b).length ? undefined : makeChan(b.value);
    // `var ch chan T` then `ch = make(chan T, n)`: one assignment, from a make.
    const writes = this.scopes.writesTo(b);
    if (writes.length !== 1) return undefined;
    const asg = writes[0].parent?.parent;
    if (asg?.type !== 'assignment_statement' || !asg.hasToken('=')) return undefined;
    const left = asg.child('left')?.children ?? [];
    const right = asg.child('right')?.children ?? [];
    const i = left.indexOf(writes[0]);
    return left.length === right.length && i >= 0 ? makeChan(right[i]) : undefined;
  }

  /**
   * The node of `fn`'s own body that executes `n`: `n` itself, or the statement holding the in-place or
   * deferred literal `n` is in (a deferred literal's code runs when the defer statement's function exits).
   */
  anchorIn(fn: Node, n: Node): Node {
    let cur = n;
    for (let p: Node | null = n.parent; p && p !== fn; p = p.parent) if (p.type === 'func_literal') cur = p;
    return cur;
  }

  // ---- identities ----

  /**
   * A string naming the variable or field an expression denotes, equal for equal places:
   * `ch`, `s.results` (keyed by the struct type when known, so methods agree), `&wg` → `wg`.
   * Undefined for anything else (calls, index expressions…).
   */
  refKey(e: Node | undefined): string | undefined {
    e = unparen(e);
    if (!e) return undefined;
    if (e.type === 'identifier') {
      if (e.text === '_') return undefined;
      const b = this.scopes.resolve(e);
      if (!b) return this.pkgOf(e) ? undefined : `ext:${e.text}`;
      if (b.kind === 'package' || (b.func === undefined && b.kind !== 'func')) return `pkg:${b.name}`;
      return `b${bindingId(b)}:${b.name}`;
    }
    if (e.type === 'unary_expression' && (e.tokens[0] === '&' || e.tokens[0] === '*')) return this.refKey(e.child('operand'));
    if (e.type === 'selector_expression') {
      const op = e.child('operand');
      const field = e.child('field')?.text;
      if (!op || !field) return undefined;
      if (op.type === 'identifier' && this.pkgOf(op)) return `${this.pkgOf(op)}.${field}`;
      const t = derefNamed(this.typeOf(op));
      if (t?.kind === 'named' && t.pkg === '' && unparen(op)?.type === 'identifier') {
        // Receiver-like access: the same field of the same type is the same place for our purposes.
        const b = this.scopes.resolve(unparen(op)!);
        if (b && (b.kind === 'package' || ((b.kind === 'recv' || b.kind === 'param') && !sharesType(b, t.name)))) return `T:${t.name}.${field}`;
      }
      const base = this.refKey(op);
      return base ? `${base}.${field}` : undefined;
    }
    return undefined;
  }

  /** Binding of an identifier expression (through parens, & and *). */
  bindingOf(e: Node | undefined): Binding | undefined {
    e = unparen(e);
    if (e?.type === 'unary_expression' && (e.tokens[0] === '&' || e.tokens[0] === '*')) return this.bindingOf(e.child('operand'));
    return e?.type === 'identifier' ? this.scopes.resolve(e) : undefined;
  }

  // ---- sync.WaitGroup ----

  get wgCalls(): WgCall[] {
    if (this._wgCalls) return this._wgCalls;
    const out: WgCall[] = [];
    const candidates: WgCall[] = [];
    this.root.walk((n) => {
      if (n.type !== 'call_expression') return true;
      const fn = unparen(n.child('function'));
      if (fn?.type !== 'selector_expression') return true;
      const m = fn.child('field')?.text;
      if (m !== 'Add' && m !== 'Done' && m !== 'Wait' && m !== 'Go') return true;
      const recv = fn.child('operand')!;
      if (recv.type === 'identifier' && this.pkgOf(recv)) return true;
      const nargs = n.child('arguments')?.children.length ?? 0;
      if ((m === 'Add' || m === 'Go') !== (nargs === 1)) return true;
      candidates.push({ method: m, call: n, recv, func: this.funcOf(n) });
      return true;
    });
    // A receiver is a WaitGroup when typed so; when its type is unknown (another file's field), when
    // its name says so and it is used with the WaitGroup protocol.
    const verdict = new Map<string, boolean>();
    for (const c of candidates) {
      const key = this.refKey(c.recv) ?? c.recv.text;
      let v = verdict.get(key);
      if (v === undefined) {
        v = this.isWaitGroupExpr(c.recv, candidates);
        verdict.set(key, v);
      }
      if (v) out.push(c);
    }
    return (this._wgCalls = out);
  }

  isWaitGroupType(t: GoType | undefined): boolean {
    const u = derefNamed(t);
    return isNamed(u, 'sync', 'WaitGroup');
  }

  private isWaitGroupExpr(recv: Node, calls: WgCall[]): boolean {
    const t = this.typeOf(recv);
    if (t) return this.isWaitGroupType(t) || this.embedsWaitGroup(t);
    const key = this.refKey(recv) ?? recv.text;
    const methods = new Set(calls.filter((c) => (this.refKey(c.recv) ?? c.recv.text) === key).map((c) => c.method));
    const last = lastName(recv);
    if (/^(wg|.*(Wg|WG|WaitGroup|waitGroup|waitgroup))$/.test(last)) return true;
    return methods.has('Add') && methods.has('Done') && methods.has('Wait');
  }

  private embedsWaitGroup(t: GoType): boolean {
    const st = this.types.structOf(t);
    if (!st) return false;
    for (const fd of st.firstOfType('field_declaration_list')?.children ?? []) {
      if (fd.type === 'field_declaration' && fd.childrenIn('name').length === 0 && this.isWaitGroupType(this.types.fromTypeNode(fd.child('type')))) return true;
    }
    return false;
  }

  // ---- loops ----

  get loops(): Loop[] {
    if (this._loops) return this._loops;
    const out: Loop[] = [];
    for (const n of this.root.findAll('for_statement')) {
      const rc = n.firstOfType('range_clause');
      const fc = n.firstOfType('for_clause');
      const vars = this.scopes.declaredIn(n).filter((b) => b.kind === 'range' || (fc && b.decl?.parent === fc));
      const kind = rc ? 'range' : fc ? 'clause' : n.children.some((c) => c.field !== 'body') ? 'cond' : 'infinite';
      out.push({ node: n, kind, vars, body: n.child('body') });
    }
    return (this._loops = out);
  }

  /** Innermost loop around `n` inside the same function. */
  loopOf(n: Node): Node | undefined {
    for (let p: Node | null = n.parent; p; p = p.parent) {
      if (FUNC_TYPES.includes(p.type)) return undefined;
      if (p.type === 'for_statement' && p.child('body')?.contains(n)) return p;
    }
    return undefined;
  }

  // ---- contexts and done channels ----

  isContextType(t: GoType | undefined): boolean {
    return isNamed(t, 'context', 'Context');
  }

  /**
   * Contexts and done channels a select at `at` could wait on, innermost first. A channel that this
   * declaration sends on is a completion signal, not a cancellation: it is not one.
   */
  cancellersAt(at: Node): Canceller[] {
    const sentOn = new Set(this.chanOps.filter((o) => o.kind === 'send').map((o) => this.refKey(o.chan)));
    return this.rawCancellersAt(at).filter((c) => c.kind === 'ctx' || !sentOn.has(c.binding ? this.refKeyOfBinding(c.binding) : `T?${c.expr}`));
  }

  private refKeyOfBinding(b: Binding): string {
    return b.kind === 'package' || (b.func === undefined && b.kind !== 'func') ? `pkg:${b.name}` : `b${bindingId(b)}:${b.name}`;
  }

  private rawCancellersAt(at: Node): Canceller[] {
    const out: Canceller[] = [];
    const recvFields: Binding[] = [];
    for (const b of this.scopes.visibleAt(at, () => true)) {
      if (b.kind === 'type' || b.kind === 'func' || b.kind === 'const') continue;
      const t = this.chanUnder(this.types.typeOfBinding(b));
      if (this.isContextType(t)) out.push({ kind: 'ctx', expr: b.name, binding: b });
      else if ((isDoneChan(t) || isBoolChan(t)) && canRecv(t) && DONE_NAME.test(b.name)) out.push({ kind: 'done', expr: b.name, binding: b });
      else if (t?.kind === 'chan' && t.dir !== 'send' && b.value && this.isCtxDoneCall(b.value)) out.push({ kind: 'done', expr: b.name, binding: b });
      else if (b.kind === 'recv') recvFields.push(b);
    }
    // Fields of the receiver: s.ctx, s.done, s.quit…
    for (const r of recvFields) {
      const st = this.types.structOf(this.types.typeOfBinding(r));
      for (const fd of st?.firstOfType('field_declaration_list')?.children ?? []) {
        if (fd.type !== 'field_declaration') continue;
        const ft = this.chanUnder(this.types.fromTypeNode(fd.child('type')));
        for (const nm of fd.childrenIn('name')) {
          if (this.isContextType(ft)) out.push({ kind: 'ctx', expr: `${r.name}.${nm.text}` });
          else if (canRecv(ft) && ((isDoneChan(ft) && DONE_FIELD.test(nm.text)) || (isBoolChan(ft) && DONE_NAME.test(nm.text)))) out.push({ kind: 'done', expr: `${r.name}.${nm.text}` });
        }
      }
    }
    return out;
  }

  /** A same-file named channel type (`type Done = <-chan struct{}`, `type stopCh chan struct{}`) as its channel type. */
  private chanUnder(t: GoType | undefined): GoType | undefined {
    if (t?.kind !== 'named' || t.pkg !== '') return t;
    const def = this.file.localType(t.name, this);
    return def?.type === 'channel_type' ? this.types.fromTypeNode(def) : t;
  }

  isCtxDoneCall(e: Node | undefined): boolean {
    e = unparen(e);
    if (e?.type !== 'call_expression') return false;
    const fn = unparen(e.child('function'));
    if (fn?.type !== 'selector_expression' || fn.child('field')?.text !== 'Done') return false;
    if ((e.child('arguments')?.children.length ?? 0) !== 0) return false;
    const op = fn.child('operand');
    const t = this.typeOf(op);
    return this.isContextType(t) || (!t && /ctx|context/i.test(lastName(op!)));
  }

  /**
   * Whether a select case's communication waits for cancellation: `<-ctx.Done()`, `<-done`,
   * `<-s.quit`, `<-stop`.
   */
  isCancelRecv(comm: Node): boolean {
    let e: Node | undefined = comm;
    if (comm.type === 'receive_statement') e = comm.child('right');
    else if (comm.type === 'expression_statement') e = comm.children[0];
    e = unparen(e);
    if (e?.type !== 'unary_expression' || e.tokens[0] !== '<-') return false;
    const ch = unparen(e.child('operand'));
    if (!ch) return false;
    if (this.isCtxDoneCall(ch)) return true;
    const t = this.chanUnder(this.typeOf(ch));
    const name = lastName(ch);
    if (t) {
      if (t.kind !== 'chan') return false;
      if (isDoneChan(t) && (DONE_NAME.test(name) || DONE_FIELD.test(name))) return true;
      if (isBoolChan(t) && DONE_NAME.test(name)) return true;
      const b = this.bindingOf(ch);
      return !!b && this.isCtxDoneCall(b.value);
    }
    return DONE_NAME.test(name) || (ch.type === 'selector_expression' && DONE_FIELD.test(name));
  }
}

/** Per-file facts shared by all rules; per-declaration facts are created on first use. */
export class FileFacts {
  private readonly declFacts = new Map<DeclInfo, DeclFacts>();
  private readonly pkgBindings = new Map<string, Binding | null>();
  private callerIndex: Map<string, DeclInfo[]> | undefined;
  /** Called with every other declaration a rule's result depends on. */
  onDependency: ((d: DeclInfo) => void) | undefined;
  /** Called when a rule looks up a top-level name (see func/method/typeDecl/valueDecl). */
  onNameQuery: ((q: string) => void) | undefined;
  /** Called when a rule looks up the launch sites of a declaration (by key). */
  onLaunchQuery: ((key: string) => void) | undefined;
  /** Called with every scan a rule's result depends on. */
  onScan: ((q: ScanQuery, signature: string) => void) | undefined;

  constructor(
    readonly index: FileIndex,
    private readonly launchCache?: LaunchCache,
  ) {}

  facts(d: DeclInfo): DeclFacts {
    let f = this.declFacts.get(d);
    if (!f) this.declFacts.set(d, (f = new DeclFacts(d, this)));
    return f;
  }

  /**
   * Records that a result depends on declaration `d`: the requesting facts' own record when facts ask,
   * and the declaration being analysed (through onDependency) when a rule asks.
   */
  note(d: DeclInfo, requester?: DeclFacts): void {
    if (requester && requester.decl !== d) requester.consulted.add(d);
    this.onDependency?.(d);
  }

  /** Another declaration's facts, noting that the current result depends on it. */
  depFacts(d: DeclInfo, requester?: DeclFacts): DeclFacts {
    this.note(d, requester);
    return this.facts(d);
  }

  /** A declaration's mirror, noting that the current result depends on it. */
  declNode(d: DeclInfo, requester?: DeclFacts): Node {
    this.note(d, requester);
    return d.node;
  }

  /** Facts already created for a declaration, if any (for dependency bookkeeping). */
  peek(d: DeclInfo): DeclFacts | undefined {
    return this.declFacts.get(d);
  }

  /**
   * Declarations matching a query on their kind, receiver type and text. The result depends on every
   * declaration's text, so the query itself is recorded and re-run to validate cached results.
   */
  scan(q: ScanQuery): DeclInfo[] {
    const out = runScan(this.index, q);
    if (this.onScan) {
      const k = JSON.stringify(q);
      let sig = this.scanMemo.get(k);
      if (sig === undefined) this.scanMemo.set(k, (sig = scanSignature(out)));
      this.onScan(q, sig);
    }
    return out;
  }

  private scanMemo = new Map<string, string>();

  /** The signature of a scan's result on this file (memoised: validating many results repeats scans). */
  scanSignature(q: ScanQuery): string {
    const k = JSON.stringify(q);
    let sig = this.scanMemo.get(k);
    if (sig === undefined) this.scanMemo.set(k, (sig = scanSignature(runScan(this.index, q))));
    return sig;
  }

  /** Facts of the declaration that contains a node of any mirrored declaration. */
  factsFor(n: Node): DeclFacts | undefined {
    const d = this.index.declAt(n.start);
    if (!d || !d.isMirrored) return undefined;
    let root = n;
    while (root.parent) root = root.parent;
    if (root !== d.node) return undefined;
    this.onDependency?.(d);
    return this.facts(d);
  }

  // ---- top-level names: every lookup is a recorded dependency ----

  /**
   * Records a lookup: its answer (which declaration, if any, has the name) and, when one does, that
   * declaration's text — what the caller does with it (or skips, if it has a syntax error) depends on it.
   */
  private nameQuery<T extends DeclInfo | DeclInfo[] | undefined>(q: string, found: T, requester?: DeclFacts, textToo = true): T {
    requester?.nameQueries.add(q);
    this.onNameQuery?.(q);
    if (!textToo) return found;
    if (Array.isArray(found)) for (const d of found) this.note(d, requester);
    else if (found) this.note(found as DeclInfo, requester);
    return found;
  }

  /** The same-file function declaration with this name. */
  func(name: string, requester?: DeclFacts): DeclInfo | undefined {
    return this.nameQuery(`funcs:${name}`, this.index.funcs.get(name), requester);
  }

  /** Whether the file declares a function/type with this name (its text is not a dependency). */
  private declares(map: 'funcs' | 'types', name: string, requester?: DeclFacts): boolean {
    return !!this.nameQuery(`${map}:${name}`, this.index[map].get(name), requester, false);
  }

  /** The same-file method `recv.name` (recv: the receiver's base type name). */
  method(recv: string, name: string, requester?: DeclFacts): DeclInfo | undefined {
    return this.nameQuery(`methods:${recv}.${name}`, this.index.methods.get(`${recv}.${name}`), requester);
  }

  /** Same-file methods with this name, on any type. */
  methodsNamed(name: string, requester?: DeclFacts): DeclInfo[] {
    return this.nameQuery(`methodsByName:${name}`, this.index.methodsByName.get(name) ?? [], requester);
  }

  /** The same-file type declaration declaring this name. */
  typeDecl(name: string, requester?: DeclFacts): DeclInfo | undefined {
    return this.nameQuery(`types:${name}`, this.index.types.get(name), requester);
  }

  /** The package-level var/const declaration declaring this name. */
  valueDecl(name: string, requester?: DeclFacts): DeclInfo | undefined {
    return this.nameQuery(`values:${name}`, this.index.values.get(name), requester);
  }

  /** What a name query answers now (validates cached results). */
  nameSignature(q: string): string {
    const i = q.indexOf(':');
    const map = q.slice(0, i);
    const key = q.slice(i + 1);
    const idx = this.index;
    // The text too: after an edit the same name can resolve to another declaration of the same kind
    // (a broken function's local type parsed as a top-level one).
    const one = (d: DeclInfo | undefined) => (d ? `${d.kind}:${d.recvType ?? ''}:${d.text}` : '');
    switch (map) {
      case 'funcs':
        return one(idx.funcs.get(key));
      case 'methods':
        return one(idx.methods.get(key));
      case 'types':
        return one(idx.types.get(key));
      case 'values':
        return one(idx.values.get(key));
      case 'methodsByName':
        return (idx.methodsByName.get(key) ?? []).map(one).join(',');
    }
    return '?';
  }

  packageBinding(name: string, requester?: DeclFacts): Binding | undefined {
    const vd = this.valueDecl(name, requester);
    const fd = this.declares('funcs', name, requester);
    const td = this.declares('types', name, requester);
    const cached = this.pkgBindings.get(name);
    if (cached !== undefined) return cached ?? undefined;
    let b: Binding | undefined;
    if (fd) b = { name, kind: 'func', id: undefined, decl: undefined, index: 0, scope: undefined, visibleFrom: 0, func: undefined };
    else if (td) b = { name, kind: 'type', id: undefined, decl: undefined, index: 0, scope: undefined, visibleFrom: 0, func: undefined };
    else {
      if (vd && !vd.hasError) {
        const spec = vd.node.findAll(['var_spec', 'const_spec']).find((s) => s.childrenIn('name').some((n) => n.text === name));
        if (spec) {
          const names = spec.childrenIn('name');
          const i = names.findIndex((n) => n.text === name);
          const values = spec.child('value')?.children ?? [];
          const one = values.length === names.length;
          b = {
            name,
            kind: 'package',
            id: names[i],
            decl: spec,
            index: i,
            typeNode: spec.child('type'),
            value: values.length ? (one ? values[i] : values[0]) : undefined,
            tuple: values.length > 0 && !one,
            scope: undefined,
            visibleFrom: 0,
            func: undefined,
          };
        }
      }
    }
    this.pkgBindings.set(name, b ?? null);
    return b;
  }

  localType(name: string, requester?: DeclFacts): Node | undefined {
    const d = this.typeDecl(name, requester);
    if (d) this.note(d, requester);
    if (!d || d.hasError) return undefined;
    const spec = d.node.findAll(['type_spec', 'type_alias']).find((s) => s.child('name')?.text === name);
    return spec?.child('type');
  }

  funcResult(name: string, requester?: DeclFacts): Node | undefined {
    const d = this.func(name, requester);
    if (d) this.note(d, requester);
    if (!d || d.hasError) return undefined;
    return d.node.child('result');
  }

  methodResult(recv: string | undefined, name: string, requester?: DeclFacts): Node | undefined {
    const d = recv ? this.method(recv, name, requester) : undefined;
    if (d) this.note(d, requester);
    if (!d || d.hasError) return undefined;
    return d.node.child('result');
  }

  /**
   * Keys of the same-file declarations a declaration launches as goroutines. Cached across analyses by
   * the declaration's text (callee resolution depends only on it and on the file's type and function
   * signatures, which are part of `launchCache.key`).
   */
  calleesOf(d: DeclInfo): string[] {
    if ((d.kind !== 'func' && d.kind !== 'method' && d.kind !== 'var') || d.hasError) return [];
    const text = d.text;
    if (!LAUNCH_TEXT.test(text)) return [];
    const cache = this.launchCache;
    const hit = cache?.entries.get(text);
    if (hit) return hit;
    const saved = this.onDependency;
    this.onDependency = undefined;
    const keys = [...new Set(this.facts(d).launches.filter((l) => l.bodyDecl).map((l) => l.bodyDecl!.key))];
    this.onDependency = saved;
    cache?.entries.set(text, keys);
    return keys;
  }

  /** Callee key → declarations that launch it; built once per analysis. */
  private callers(): Map<string, DeclInfo[]> {
    if (this.callerIndex) return this.callerIndex;
    const idx = new Map<string, DeclInfo[]>();
    for (const c of this.index.decls) {
      for (const k of this.calleesOf(c)) {
        const list = idx.get(k);
        if (list) list.push(c);
        else idx.set(k, [c]);
      }
    }
    return (this.callerIndex = idx);
  }

  /** Go statements anywhere in the file that launch this function or method declaration. */
  launchesOfDecl(d: DeclInfo, requester?: DeclFacts): Launch[] {
    const out: Launch[] = [];
    requester?.launchQueries.add(d.key);
    this.onLaunchQuery?.(d.key);
    for (const c of this.callers().get(d.key) ?? []) {
      this.note(c, requester);
      for (const l of this.facts(c).launches) if (l.bodyDecl === d) out.push(l);
    }
    return out;
  }

  /** Which declarations launch the declaration with this key: part of the cache key of results that asked. */
  launchersSignature(key: string): string {
    return (this.callers().get(key) ?? []).map((d) => d.key).join(',');
  }

}

/** Launch callees by declaration text, valid while `key` (types and signatures of the file) holds. */
export interface LaunchCache {
  key: string;
  entries: Map<string, string[]>;
}

export const LAUNCH_TEXT = /\bgo\b|\.(Try)?Go\(/;

/** A re-runnable question about the file's declarations (see FileFacts.scan). */
export interface ScanQuery {
  kinds?: DeclKind[];
  recvType?: string;
  /**
   * Every string must occur in the declaration's text; an identifier must occur as a whole word
   * (`worker` does not match `worker_3`), which lets large files answer from a word index.
   */
  includes?: string[];
  /** Select the declarations with syntax errors (and unparsed top-level text) instead of the intact ones. */
  broken?: boolean;
}

const WORD = /^[A-Za-z_]\w*$/;

export function runScan(index: FileIndex, q: ScanQuery): DeclInfo[] {
  const word = q.includes?.find((t) => WORD.test(t));
  const pool = word !== undefined ? index.declsWithWord(word) : q.recvType !== undefined ? index.methodsOf(q.recvType) : index.decls;
  return pool.filter(
    (d) =>
      (q.broken ? d.hasError || d.kind === 'other' : !d.hasError) &&
      (!q.kinds || q.kinds.includes(d.kind)) &&
      (q.recvType === undefined || d.recvType === q.recvType) &&
      (!q.includes || q.includes.every((t) => (WORD.test(t) ? index.declsWithWord(t).includes(d) : d.text.includes(t)))),
  );
}

export function scanSignature(ds: DeclInfo[]): string {
  return ds.map((d) => `${d.key}\u0001${d.text}`).join('\u0002');
}

function selectOf(n: Node): Node | undefined {
  // send_statement / receive_statement directly as a case's communication
  let c: Node | undefined = n;
  if (c.parent?.type === 'expression_statement' || c.parent?.type === 'receive_statement') c = c.parent;
  if (c.parent?.type === 'expression_list' && c.parent.parent?.type === 'receive_statement') c = c.parent.parent;
  if (c.field === 'communication' && c.parent?.type === 'communication_case') return c.parent.parent ?? undefined;
  return undefined;
}

export function isDoneChan(t: GoType | undefined): boolean {
  if (t?.kind !== 'chan') return false;
  if (t.elemType?.kind === 'struct') return true;
  const e = t.elem;
  return !!e && (e.type === 'struct_type' && e.text.replace(/\s/g, '') === 'struct{}');
}

/** A channel one can receive from (`chan<- T` is someone else's signal to send). */
function canRecv(t: GoType | undefined): boolean {
  return t?.kind === 'chan' && t.dir !== 'send';
}

/** `chan bool`: the older spelling of a done channel (`quit <- true`, `close(stop)`). */
function isBoolChan(t: GoType | undefined): boolean {
  return t?.kind === 'chan' && t.elem?.type === 'type_identifier' && t.elem.text === 'bool';
}

export function makeChan(e: Node | undefined): { call: Node; elem: Node | undefined; cap: Node | undefined } | undefined {
  e = unparen(e);
  if (e?.type !== 'call_expression') return undefined;
  const fn = e.child('function');
  if (fn?.type !== 'identifier' || fn.text !== 'make') return undefined;
  const args = e.child('arguments')?.children ?? [];
  if (args[0]?.type !== 'channel_type') return undefined;
  return { call: e, elem: args[0].child('value'), cap: args[1] };
}

/** Last identifier of `a.b.c` (or the identifier itself). */
export function lastName(e: Node): string {
  e = unparen(e) ?? e;
  if (e.type === 'selector_expression') return e.child('field')?.text ?? '';
  if (e.type === 'unary_expression') return lastName(e.child('operand') ?? e);
  return e.type === 'identifier' ? e.text : '';
}

function looksLikeChannelName(e: Node): boolean {
  return /(^ch$|Ch$|Chan$|^c$|jobs|results|work|queue|tasks|events|msgs|messages|in$|out$)/i.test(lastName(e));
}

/** `func(){…}()` or `defer func(){…}()`: the literal runs in its caller's goroutine. */
export function isCalledInPlace(lit: Node): boolean {
  let c: Node = lit;
  while (c.parent?.type === 'parenthesized_expression') c = c.parent;
  const p = c.parent;
  return p?.type === 'call_expression' && c.field === 'function' && p.parent?.type !== 'go_statement';
}

/**
 * Whether another receiver or parameter of b's function has the same named type: then `src.done` and
 * `dst.done` are different places and must not share a type-based key.
 */
function sharesType(b: Binding, type: string): boolean {
  let n = 0;
  for (const list of [b.func?.child('receiver'), b.func?.child('parameters')]) {
    for (const pd of list?.children ?? []) {
      if (pd.type !== 'parameter_declaration') continue;
      const t = pd.child('type')?.text.replace(/^\*/, '').replace(/\[.*$/s, '');
      if (t === type) n += Math.max(1, pd.childrenIn('name').length);
    }
  }
  return n > 1;
}
