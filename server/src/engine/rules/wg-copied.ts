import { Node, unparen } from '../ast';
import type { DeclFacts } from '../facts';
import type { DeclInfo } from '../fileindex';
import type { OffsetEdit, OffsetFix, Rule, RuleContext } from '../rule';
import { show, statementOf } from './util';

/** The sync types whose copies are independent of the original (and that go vet's copylocks also knows). */
const LOCKS = new Set(['WaitGroup', 'Mutex', 'RWMutex']);

const BUILTIN_TYPES = new Set(
  'any bool byte comparable complex64 complex128 error float32 float64 int int8 int16 int32 int64 rune string uint uint8 uint16 uint32 uint64 uintptr'.split(' '),
);

const LOCK_NAME = /WaitGroup|Mutex/;

/**
 * Matches a declaration that mentions a lock type, or whose function signatures (the declaration's and its
 * literals') take a parameter or receiver of a plain named type by value: the only places a finding can
 * be. A regular expression cannot balance the parentheses of a parameter list, hence the scanner; it
 * keeps most declarations from being mirrored (mirroring every declaration costs as much as parsing).
 */
class SignatureTrigger extends RegExp {
  constructor() {
    super(LOCK_NAME.source);
  }

  override test(text: string): boolean {
    // A plain RegExp: V8 runs subclassed ones on its slow path.
    if (LOCK_NAME.test(text)) return true;
    const re = /\bfunc\b/g;
    for (let m = re.exec(text); m; m = re.exec(text)) {
      let i = m.index + 4;
      // Receiver (methods), then the parameters; a name and type parameters may sit between them.
      for (let k = 0; k < 2; k++) {
        while (text[i] === ' ') i++;
        if (/\w/.test(text[i] ?? ' ')) {
          while (/\w/.test(text[i] ?? ' ')) i++;
          while (text[i] === ' ') i++;
          if (text[i] === '[') i = closing(text, i) + 1;
          while (text[i] === ' ') i++;
        }
        if (text[i] !== '(') break;
        const end = closing(text, i);
        if (end < 0) break;
        if (hasValueParam(text.slice(i + 1, end))) return true;
        i = end + 1;
      }
    }
    return false;
  }
}

function closing(s: string, open: number): number {
  let depth = 0;
  for (let j = open; j < s.length; j++) {
    const c = s[j];
    if (c === '(' || c === '[' || c === '{') depth++;
    else if (c === ')' || c === ']' || c === '}') if (--depth === 0) return j;
  }
  return -1;
}

/** A parameter list with some `name T`, `T`, `name [N]T` or `name T[…]` where T is not a builtin. */
function hasValueParam(list: string): boolean {
  let depth = 0;
  let start = 0;
  const params: string[] = [];
  for (let j = 0; j <= list.length; j++) {
    const c = list[j];
    if (c === '(' || c === '[' || c === '{') depth++;
    else if (c === ')' || c === ']' || c === '}') depth--;
    else if ((c === ',' && depth === 0) || j === list.length) {
      params.push(list.slice(start, j));
      start = j + 1;
    }
  }
  for (const raw of params) {
    const p = raw.trim().replace(/^\w+\s+(?=\S)/, '').replace(/^(\[\w*\]\s*)+/, '');
    const m = /^([A-Za-z_]\w*)(\[[\s\S]*\])?$/.exec(p);
    if (m && !BUILTIN_TYPES.has(m[1])) return true;
  }
  return false;
}

/** Where a lock sits inside a type: the lock (`sync.Mutex`) and the field path to it. */
interface LockPath {
  lock: string;
  fields: string[];
}

export const wgCopied: Rule = {
  id: 'wg-copied',
  title: 'WaitGroup or Mutex received by value',
  defaultSeverity: 'warning',
  summary: 'A sync.WaitGroup, sync.Mutex or sync.RWMutex (or a struct holding one) is received by value as a parameter or receiver: the function works on a copy.',
  trigger: new SignatureTrigger(),
  // A lock type must be named somewhere in the file: in the signature or in a same-file struct.
  fileTrigger: LOCK_NAME,
  patterns: ['waitgroup'],
  check(ctx) {
    const f = ctx.facts;
    const types = new TypeLocks(ctx);
    for (const fn of f.funcs) {
      if (fn.type === 'method_declaration') {
        const recv = fn.child('receiver')?.children.find((c) => c.type === 'parameter_declaration');
        const t = recv?.child('type');
        if (recv && t) {
          const hit = types.lockIn(t, t);
          if (hit) reportReceiver(ctx, fn, recv, t, hit);
        }
      }
      for (const p of fn.child('parameters')?.children ?? []) {
        if (p.type !== 'parameter_declaration') continue; // ...T is a slice
        const t = p.child('type');
        if (!t) continue;
        const hit = types.lockIn(t, t);
        if (hit) reportParam(ctx, fn, p, t, hit);
      }
    }
  },
};

/** Type specs by declaration and name (a DeclInfo lives for one analysis). */
const typeSpecs = new WeakMap<DeclInfo, Map<string, { type: Node; at: undefined; generic: Set<string> } | null>>();

/** Answers "does this type hold a lock by value", following same-file types. */
class TypeLocks {
  private localNames: Set<string> | undefined;

  constructor(private readonly ctx: RuleContext) {}

  /**
   * `at` is where a type name is resolved in the current declaration (local types, type parameters);
   * undefined inside another declaration's type. `generic` are the enclosing type's type parameters.
   */
  lockIn(t: Node, at: Node | undefined, generic: Set<string> = new Set(), depth = 0): LockPath | undefined {
    if (depth > 8) return undefined;
    switch (t.type) {
      case 'parenthesized_type':
        return t.children[0] ? this.lockIn(t.children[0], at, generic, depth + 1) : undefined;
      case 'qualified_type': {
        const pkg = t.child('package')?.text ?? '';
        const name = t.child('name')?.text ?? '';
        return this.ctx.file.index.imports.get(pkg) === 'sync' && LOCKS.has(name) ? { lock: `sync.${name}`, fields: [] } : undefined;
      }
      case 'generic_type': {
        const base = t.child('type');
        return base ? this.lockIn(base, at, generic, depth + 1) : undefined;
      }
      case 'array_type': {
        const el = t.child('element');
        return el ? this.lockIn(el, at, generic, depth + 1) : undefined;
      }
      case 'type_identifier': {
        const def = this.definition(t.text, at, generic);
        return def ? this.lockIn(def.type, def.at, def.generic, depth + 1) : undefined;
      }
      case 'struct_type': {
        for (const fd of t.firstOfType('field_declaration_list')?.children ?? []) {
          if (fd.type !== 'field_declaration') continue;
          const ft = fd.child('type');
          const names = fd.childrenIn('name');
          if (!ft || (!names.length && fd.hasToken('*'))) continue; // embedded *T
          const hit = this.lockIn(ft, at, generic, depth + 1);
          if (hit) return { lock: hit.lock, fields: [names.length ? names[0].text : embeddedName(ft), ...hit.fields] };
        }
        return undefined;
      }
    }
    return undefined;
  }

  /** The definition of a named type: local to the declaration, or same-file. Type parameters have none. */
  private definition(name: string, at: Node | undefined, generic: Set<string>): { type: Node; at: Node | undefined; generic: Set<string> } | undefined {
    if (generic.has(name) || BUILTIN_TYPES.has(name)) return undefined;
    if (at) {
      if (funcTypeParams(at).has(name)) return undefined;
      // Scopes cost a walk of the declaration: only for a declaration that declares a local type.
      this.localNames ??= new Set([...this.ctx.decl.text.matchAll(/\btype\s+(\w+)/g)].map((m) => m[1]));
      if (this.localNames.has(name)) {
        const local = this.ctx.facts.scopes.visibleAt(at, (b) => b.kind === 'type' && b.name === name)[0];
        if (local?.decl?.type === 'type_spec' || local?.decl?.type === 'type_alias') {
          const type = local.decl.child('type');
          return type ? { type, at: local.decl, generic: typeParams(local.decl) } : undefined;
        }
      }
    }
    // Recorded lookups (the result depends on them), then a per-analysis memo of the spec.
    const d = this.ctx.file.typeDecl(name);
    if (!d || d.hasError) return undefined;
    const node = this.ctx.file.declNode(d);
    let specs = typeSpecs.get(d);
    if (!specs) typeSpecs.set(d, (specs = new Map()));
    let def = specs.get(name);
    if (def === undefined) {
      const spec = node.findAll(['type_spec', 'type_alias']).find((s) => s.child('name')?.text === name);
      const type = spec?.child('type');
      def = spec && type ? { type, at: undefined, generic: typeParams(spec) } : null;
      specs.set(name, def);
    }
    return def ?? undefined;
  }
}

/** Type parameters of the functions around `at`, and those a generic receiver (`Box[T]`) names. */
function funcTypeParams(at: Node): Set<string> {
  const out = new Set<string>();
  for (let p: Node | null = at; p; p = p.parent) {
    for (const d of p.child('type_parameters')?.children ?? []) for (const n of d.childrenIn('name')) out.add(n.text);
    if (p.type === 'method_declaration') {
      const rt = p.child('receiver')?.findAll('type_arguments')[0];
      for (const id of rt?.findAll('type_identifier') ?? []) out.add(id.text);
    }
  }
  return out;
}

function typeParams(spec: Node): Set<string> {
  const out = new Set<string>();
  for (const d of spec.child('type_parameters')?.children ?? []) for (const n of d.childrenIn('name')) out.add(n.text);
  return out;
}

function embeddedName(t: Node): string {
  if (t.type === 'qualified_type') return t.child('name')?.text ?? t.text;
  if (t.type === 'generic_type') return t.child('type')?.text ?? t.text;
  return t.text;
}

/** Where the lock is, for messages: "" for a lock itself, ", and Config contains sync.Mutex (field mu)". */
function where(t: Node, hit: LockPath): string {
  let u = t;
  while (u.type === 'parenthesized_type' && u.children[0]) u = u.children[0];
  const field = hit.fields.length ? ` (field ${hit.fields.join('.')})` : '';
  if (u.type === 'qualified_type') return '';
  if (u.type === 'array_type') return `, an array of ${hit.lock}${field}`;
  const name = u.type === 'generic_type' ? u.child('type')?.text ?? u.text : u.text;
  return `, and ${name} contains ${hit.lock}${field}`;
}

function consequence(lock: string): string {
  return lock === 'sync.WaitGroup'
    ? 'Add, Done and Wait on the copy never reach the original, so a Wait on the original can return early or block forever'
    : 'locking the copy does not exclude code that locks the original, so the data it guards is unprotected';
}

function reportParam(ctx: RuleContext, fn: Node, p: Node, t: Node, hit: LockPath): void {
  const names = p.childrenIn('name').map((n) => n.text);
  const who = names.length ? `Parameter${names.length > 1 ? 's' : ''} ${names.join(', ')}` : 'An unnamed parameter';
  const res = paramFix(ctx, fn, p, t);
  ctx.report({
    node: p,
    message:
      `${who} receive${names.length > 1 ? '' : 's'} a ${t.text} by value${where(t, hit)}: the function works on a copy, and ${consequence(hit.lock)}. ` +
      `Take a pointer (*${t.text}) and pass the address at each call.` +
      (res.why ? ` No quick fix: ${res.why}.` : ''),
    fixes: res.fix ? [res.fix] : [],
  });
}

function reportReceiver(ctx: RuleContext, fn: Node, recv: Node, t: Node, hit: LockPath): void {
  const method = fn.child('name')?.text ?? '?';
  const name = recv.child('name')?.text;
  const res = receiverFix(ctx, fn, recv, t);
  ctx.report({
    node: recv,
    message:
      `Method ${method} has a value receiver${name && name !== '_' ? ` ${name}` : ''} of type ${t.text}${where(t, hit)}: every call works on a copy of the lock, and ${consequence(hit.lock)}. ` +
      `Use a pointer receiver (*${t.text}).` +
      (res.why ? ` No quick fix: ${res.why}.` : ''),
    fixes: res.fix ? [res.fix] : [],
  });
}

interface FixResult {
  fix?: OffsetFix;
  why?: string;
}

// ---- parameters ----

function paramFix(ctx: RuleContext, fn: Node, p: Node, t: Node): FixResult {
  const f = ctx.facts;
  const params = fn.child('parameters')?.children.filter((c) => c.type === 'parameter_declaration' || c.type === 'variadic_parameter_declaration') ?? [];
  if (params.some((c) => c.type === 'variadic_parameter_declaration')) return { why: 'the function is variadic' };
  const positions: number[] = [];
  let total = 0;
  for (const c of params) {
    const n = Math.max(1, c.childrenIn('name').length);
    if (c === p) for (let i = 0; i < n; i++) positions.push(total + i);
    total += n;
  }
  for (const id of p.childrenIn('name')) {
    const b = id.text === '_' ? undefined : f.scopes.resolve(id);
    if (!b) continue;
    const bad = f.scopes.references(b).find((r) => !usableThroughPointer(r, t));
    if (bad) return { why: `${id.text} is used as a value in ${show(statementOf(bad) ?? bad)}` };
  }
  const sites = callSites(ctx, fn);
  if (typeof sites === 'string') return { why: sites };
  const edits: OffsetEdit[] = [{ start: t.start, end: t.start, newText: '*' }];
  for (const s of sites) {
    const args = s.call.child('arguments');
    const list = args?.children ?? [];
    if (!args || list.length !== total || list.some((a) => a.type === 'variadic_argument')) return { why: `the call at ${ctx.lineRef(s.call)} does not pass each parameter separately` };
    for (const i of positions) {
      const e = addressOf(s.facts, list[i]);
      if (!e) return { why: `the argument ${show(list[i])} at ${ctx.lineRef(list[i])} is not addressable` };
      edits.push(e);
    }
  }
  const names = p.childrenIn('name').map((n) => n.text).join(', ');
  return { fix: { title: `Make ${names ? names + ' ' : 'the parameter '}a pointer (*${t.text}) and pass addresses at the calls`, edits } };
}

/** `p.f`, `p.M()` (and `p[i]` for arrays) mean the same through a pointer. */
function usableThroughPointer(ref: Node, t: Node): boolean {
  const par = ref.parent;
  if (!par) return false;
  if (par.type === 'selector_expression' && ref.field === 'operand') return true;
  let u = t;
  while (u.type === 'parenthesized_type' && u.children[0]) u = u.children[0];
  return u.type === 'array_type' && par.type === 'index_expression' && ref.field === 'operand';
}

interface CallSite {
  facts: DeclFacts;
  call: Node;
}

/** Every call of the function in the file, or why they cannot all be found. */
function callSites(ctx: RuleContext, fn: Node): CallSite[] | string {
  const f = ctx.facts;
  if (fn.type === 'func_literal') {
    let c: Node = fn;
    while (c.parent?.type === 'parenthesized_expression') c = c.parent;
    if (c.parent?.type === 'call_expression' && c.field === 'function') return [{ facts: f, call: c.parent }];
    // `show := func(t T) {…}` then only direct calls `show(x)`.
    const decl = c.parent?.type === 'expression_list' ? c.parent.parent : undefined;
    const left = decl?.type === 'short_var_declaration' ? decl.child('left')?.children ?? [] : [];
    const right = decl?.type === 'short_var_declaration' ? decl.child('right')?.children ?? [] : [];
    const b = left.length === 1 && right.length === 1 && unparen(right[0]) === fn ? f.scopes.resolve(left[0]) : undefined;
    if (!b || b.kind !== 'var' || f.scopes.writesTo(b).length) return 'the function literal is not called where it is written';
    const out: CallSite[] = [];
    for (const r of f.scopes.references(b)) {
      if (r === left[0]) continue;
      let e: Node = r;
      while (e.parent?.type === 'parenthesized_expression') e = e.parent;
      if (e.parent?.type !== 'call_expression' || e.field !== 'function') return `${b.name} is used as a value at ${ctx.lineRef(r)}`;
      out.push({ facts: f, call: e.parent });
    }
    return out;
  }
  const name = fn.child('name')?.text;
  if (!name) return 'the function has no name';
  const isMethod = fn.type === 'method_declaration';
  if (isMethod) {
    if (ctx.file.methodsNamed(name).length > 1) return `other types in this file also have a method ${name}, so its calls are ambiguous`;
    if (inInterface(ctx, name)) return `an interface in this file has a method ${name}`;
  }
  const out: CallSite[] = [];
  for (const use of usesInFile(ctx, name, isMethod)) {
    if (typeof use === 'string') return use;
    if (isMethod) {
      const whose = selectorOwner(use.facts, use.node, ctx.decl.recvType);
      if (whose === 'other') continue;
      if (whose === 'unknown') return `the type of ${show(use.node.child('operand'))} at ${ctx.lineRef(use.node)} is unknown, so ${name} there may be another type's`;
    }
    const call = use.node.parent;
    if (call?.type !== 'call_expression' || use.node.field !== 'function') return `${name} is used as a value at ${ctx.lineRef(use.node)}`;
    if (isMethod && namesType(use.facts, use.node.child('operand'))) return `${name} is used as a method expression at ${ctx.lineRef(use.node)}`;
    out.push({ facts: use.facts, call });
  }
  return out;
}

/**
 * Every reference in the file to the package-level function `name` (identifiers) or to any method
 * `name` (selectors), or a reason why the file cannot be searched.
 */
function usesInFile(ctx: RuleContext, name: string, method: boolean): ({ facts: DeclFacts; node: Node } | string)[] {
  const word = new RegExp(`${method ? '\\.\\s*' : '\\b'}${name}\\b`);
  const out: ({ facts: DeclFacts; node: Node } | string)[] = [];
  // A declaration with a syntax error is not scanned: a use could hide in it.
  if (ctx.file.scan({ broken: true, includes: [name] }).some((d) => word.test(d.text))) return [`the file has a syntax error near a use of ${name}`];
  for (const d of ctx.file.scan({ kinds: ['func', 'method', 'var'], includes: [name] })) {
    if (!word.test(d.text)) continue;
    const df = declFacts(ctx, d);
    df.root.walk((n) => {
      if (method) {
        if (n.type === 'selector_expression' && n.child('field')?.text === name) out.push({ facts: df, node: n });
      } else if (n.type === 'identifier' && n.text === name && !(n.field === 'name' && n.parent?.type === 'function_declaration')) {
        const b = df.scopes.resolve(n);
        if (b?.kind === 'func' && b.func === undefined) out.push({ facts: df, node: n });
      }
      return true;
    });
  }
  return out;
}

function declFacts(ctx: RuleContext, d: DeclInfo): DeclFacts {
  return d === ctx.decl ? ctx.facts : ctx.file.depFacts(d);
}

function inInterface(ctx: RuleContext, name: string): boolean {
  const re = new RegExp(`\\b${name}\\s*\\(`);
  for (const d of ctx.file.scan({ kinds: ['type'], includes: [name] })) {
    if (!re.test(d.text)) continue;
    if (ctx.file.declNode(d).findAll('method_elem').some((m) => m.child('name')?.text === name)) return true;
  }
  return false;
}

/** `T` or `(*T)` as a selector operand: a method expression. */
function namesType(f: DeclFacts, op: Node | undefined): boolean {
  let e = unparen(op);
  if (e?.type === 'unary_expression' && e.tokens[0] === '*') e = unparen(e.child('operand'));
  if (e?.type !== 'identifier') return false;
  const b = f.scopes.resolve(e);
  return b ? b.kind === 'type' : !!f.file.typeDecl(e.text);
}

/** The edit turning an argument into its address: `x` → `&x`, `s.f` → `&s.f`, `T{}` → `&T{}`, `*p` → `p`. */
function addressOf(f: DeclFacts, arg: Node): OffsetEdit | undefined {
  const a = unparen(arg);
  if (!a) return undefined;
  if (a.type === 'unary_expression' && a.tokens[0] === '*') {
    const op = a.child('operand');
    return op ? { start: a.start, end: op.start, newText: '' } : undefined;
  }
  if (a.type === 'composite_literal') return { start: a.start, end: a.start, newText: '&' };
  if (a.type === 'identifier') {
    if (a.text === '_' || a.text === 'nil') return undefined;
    const b = f.scopes.resolve(a);
    // A range variable is itself a copy of the element: its address would keep the bug.
    if (b && b.kind !== 'var' && b.kind !== 'param' && b.kind !== 'result' && b.kind !== 'recv' && b.kind !== 'package') return undefined;
    return { start: a.start, end: a.start, newText: '&' };
  }
  if (a.type === 'selector_expression' && addressableSelector(f, a)) return { start: a.start, end: a.start, newText: '&' };
  return undefined;
}

/** `x.f`, `x.y.f`, `(*p).f`, `pkg.V`: rooted at a variable through field selections only. */
function addressableSelector(f: DeclFacts, e: Node): boolean {
  let cur = unparen(e);
  while (cur) {
    if (cur.type === 'selector_expression') cur = unparen(cur.child('operand'));
    else if (cur.type === 'unary_expression' && cur.tokens[0] === '*') cur = unparen(cur.child('operand'));
    else if (cur.type === 'identifier') {
      const b = f.scopes.resolve(cur);
      return !b || b.kind === 'var' || b.kind === 'param' || b.kind === 'result' || b.kind === 'recv' || b.kind === 'package' || b.kind === 'range';
    } else return false;
  }
  return false;
}

// ---- receivers ----

/** Methods of widely used standard interfaces that values commonly satisfy (sort.Interface: when the type has Swap). */
const INTERFACE_METHODS = new Set(
  'String GoString Format Error Unwrap Is As Timeout Temporary Read Write Close ReadFrom WriteTo ReadAt WriteAt Seek ServeHTTP MarshalJSON MarshalText MarshalBinary MarshalYAML'.split(' '),
);

function receiverFix(ctx: RuleContext, fn: Node, recv: Node, t: Node): FixResult {
  const f = ctx.facts;
  const typeName = ctx.decl.recvType;
  const method = fn.child('name')?.text;
  if (!typeName || !method || fn !== f.root) return { why: 'the receiver type is not a plain named type' };
  const ptrRecv = /^func\s*\(\s*(?:[\w]+\s+)?\*/;
  const hasPtrMethods = ctx.file.scan({ kinds: ['method'], recvType: typeName }).some((d) => ptrRecv.test(d.signature));
  if (!hasPtrMethods) return { why: `${typeName} has no pointer-receiver methods in this file, so changing its method set may break code that uses ${typeName} values` };
  const id = recv.child('name');
  const b = id && id.text !== '_' ? f.scopes.resolve(id) : undefined;
  if (b) {
    const bad = f.scopes.references(b).find((r) => !usableThroughPointer(r, t));
    if (bad) return { why: `the receiver ${b.name} is used as a value in ${show(statementOf(bad) ?? bad)}` };
  }
  if (inInterface(ctx, method)) return { why: `an interface in this file has a method ${method}` };
  // A value of the type may satisfy an interface through this method (fmt.Stringer, error, sort.Interface…):
  // with a pointer receiver it no longer would, and `var s fmt.Stringer = v` stops compiling.
  const sortish = /^(Len|Less|Swap)$/.test(method) && ctx.file.scan({ kinds: ['method'], recvType: typeName, includes: ['Swap'] }).length > 0;
  if (INTERFACE_METHODS.has(method) || sortish) return { why: `${method} is a method of common interfaces, which ${typeName} values may be used as` };
  const assertion = new RegExp(`\\bvar\\s+_\\s+[^=\\n]+=\\s*${typeName}\\s*[{(]`);
  if (ctx.file.scan({ kinds: ['var'], includes: [typeName] }).some((d) => assertion.test(d.text))) return { why: `a ${typeName} value is asserted to implement an interface` };
  for (const use of usesInFile(ctx, method, true)) {
    if (typeof use === 'string') return { why: use };
    // Another type's field or method of that name is not affected by our receiver; an unknown operand
    // is checked below as if it were ours (an addressable operand works either way).
    if (selectorOwner(use.facts, use.node, typeName) === 'other') continue;
    if (use.node.parent?.type !== 'call_expression' || use.node.field !== 'function') return { why: `${method} is used as a method value at ${ctx.lineRef(use.node)}` };
    const op = use.node.child('operand');
    if (namesType(use.facts, op)) return { why: `${method} is used as a method expression at ${ctx.lineRef(use.node)}` };
    if (!op || !addressableOperand(use.facts, op)) return { why: `the call at ${ctx.lineRef(use.node)} is on ${show(op)}, which is not addressable` };
  }
  return { fix: { title: `Use a pointer receiver (*${t.text})`, edits: [{ start: t.start, end: t.start, newText: '*' }] } };
}

/**
 * Whether `x.name` selects the method of `recvType`: 'other' when x's type is known to be another type
 * (another package's, or a same-file type that does not embed recvType), 'unknown' when x's type is not
 * known. A method expression `T.name` counts as ours (the caller rejects it).
 */
function selectorOwner(f: DeclFacts, sel: Node, recvType: string | undefined): 'ours' | 'other' | 'unknown' {
  const op = sel.child('operand');
  if (!recvType || !op) return 'unknown';
  if (namesType(f, op)) return 'ours';
  let t = f.typeOf(op);
  if (t?.kind === 'pointer') t = t.elem;
  if (!t) return 'unknown';
  if (t.kind === 'named' && t.pkg !== '') return 'other';
  if (t.kind === 'named' && t.name === recvType) return 'ours';
  if (t.kind !== 'named' && t.kind !== 'struct') return 'other';
  const e = embeds(f, t, recvType, 0);
  return e === undefined ? 'unknown' : e ? 'ours' : 'other';
}

/**
 * Whether a struct type embeds recvType (or *recvType), directly or through embedded structs; undefined
 * when that cannot be told (a type declared in another file).
 */
function embeds(f: DeclFacts, t: import('../typeinfer').GoType, recvType: string, depth: number): boolean | undefined {
  if (depth > 4) return undefined;
  const st = f.types.structOf(t);
  if (!st) return t.kind === 'named' && t.pkg === '' && !f.file.typeDecl(t.name) ? undefined : false;
  let unsure = false;
  for (const fd of st.firstOfType('field_declaration_list')?.children ?? []) {
    if (fd.type !== 'field_declaration' || fd.childrenIn('name').length) continue;
    let et = f.types.fromTypeNode(fd.child('type'));
    if (et?.kind === 'pointer') et = et.elem;
    if (et?.kind !== 'named' || et.pkg !== '') continue;
    if (et.name === recvType) return true;
    const inner = embeds(f, et, recvType, depth + 1);
    if (inner) return true;
    if (inner === undefined) unsure = true;
  }
  return unsure ? undefined : false;
}

function addressableOperand(f: DeclFacts, op: Node): boolean {
  const e = unparen(op);
  if (!e) return false;
  if (e.type === 'identifier') return true;
  if (e.type === 'unary_expression' && (e.tokens[0] === '&' || e.tokens[0] === '*')) return true;
  return e.type === 'selector_expression' && addressableSelector(f, e);
}

