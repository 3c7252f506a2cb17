// Just enough typing to tell a WaitGroup from an atomic counter and a context from a channel, without a
// type checker: declared types, well-known constructors, same-file structs and same-file function results.
// Anything else is `undefined`, and rules treat unknown as "not sure".
import { Node, unparen } from './ast';
import type { Binding } from './scope';

export type GoType =
  | { kind: 'named'; pkg: string; name: string; node?: Node }
  | { kind: 'pointer'; elem: GoType | undefined }
  | { kind: 'chan'; dir: 'both' | 'send' | 'recv'; elem: Node | undefined; elemType?: GoType }
  | { kind: 'slice' | 'array'; elem: GoType | undefined }
  | { kind: 'map'; key: GoType | undefined; elem: GoType | undefined }
  | { kind: 'func'; node: Node }
  | { kind: 'struct'; node: Node }
  | { kind: 'interface' }
  | { kind: 'tuple'; items: (GoType | undefined)[] };

export interface TypeEnv {
  /** Import path of a package name used in this file, when it is not shadowed at `at`. */
  packagePath(name: string, at: Node): string | undefined;
  resolve(id: Node): Binding | undefined;
  /** Same-file named type's underlying type node. */
  localType(name: string): Node | undefined;
  /** Same-file function's result type list (parameter_list or type node). */
  funcResult(name: string): Node | undefined;
  /** Same-file method's result by receiver type and name. */
  methodResult(recvType: string | undefined, name: string): Node | undefined;
  /** Package path of a qualified type's package name (no shadowing check needed for types). */
  importPath(name: string): string | undefined;
}

const CTX: GoType = { kind: 'named', pkg: 'context', name: 'Context' };
const CANCEL: GoType = { kind: 'named', pkg: 'context', name: 'CancelFunc' };

/** Results of well-known functions, by "pkgpath.Func". */
const KNOWN_CALLS: Record<string, (GoType | undefined)[]> = {
  'context.Background': [CTX],
  'context.TODO': [CTX],
  'context.WithCancel': [CTX, CANCEL],
  'context.WithTimeout': [CTX, CANCEL],
  'context.WithDeadline': [CTX, CANCEL],
  'context.WithCancelCause': [CTX, { kind: 'named', pkg: 'context', name: 'CancelCauseFunc' }],
  'context.WithTimeoutCause': [CTX, CANCEL],
  'context.WithDeadlineCause': [CTX, CANCEL],
  'context.WithValue': [CTX],
  'context.WithoutCancel': [CTX],
  'signal.NotifyContext': [CTX, CANCEL],
  'os/signal.NotifyContext': [CTX, CANCEL],
  'golang.org/x/sync/errgroup.WithContext': [{ kind: 'pointer', elem: { kind: 'named', pkg: 'golang.org/x/sync/errgroup', name: 'Group' } }, CTX],
  'time.NewTimer': [{ kind: 'pointer', elem: { kind: 'named', pkg: 'time', name: 'Timer' } }],
  'time.NewTicker': [{ kind: 'pointer', elem: { kind: 'named', pkg: 'time', name: 'Ticker' } }],
  'time.After': [{ kind: 'chan', dir: 'recv', elem: undefined, elemType: { kind: 'named', pkg: 'time', name: 'Time' } }],
  'time.Tick': [{ kind: 'chan', dir: 'recv', elem: undefined, elemType: { kind: 'named', pkg: 'time', name: 'Time' } }],
  'golang.org/x/sync/semaphore.NewWeighted': [{ kind: 'pointer', elem: { kind: 'named', pkg: 'golang.org/x/sync/semaphore', name: 'Weighted' } }],
};

export function isNamed(t: GoType | undefined, pkg: string, name: string): boolean {
  return !!t && t.kind === 'named' && t.pkg === pkg && t.name === name;
}

/** T or *T. */
export function derefNamed(t: GoType | undefined): GoType | undefined {
  return t && t.kind === 'pointer' ? t.elem : t;
}

export function isPointer(t: GoType | undefined): boolean {
  return !!t && t.kind === 'pointer';
}

export class TypeInfer {
  private readonly cache = new Map<Node, GoType | undefined>();
  private depth = 0;

  constructor(private readonly env: TypeEnv) {}

  /** Converts a type node to a GoType. */
  fromTypeNode(t: Node | undefined): GoType | undefined {
    if (!t) return undefined;
    switch (t.type) {
      case 'parenthesized_type':
        return this.fromTypeNode(t.children[0]);
      case 'qualified_type': {
        const pkgName = t.child('package')?.text ?? '';
        return { kind: 'named', pkg: this.env.importPath(pkgName) ?? pkgName, name: t.child('name')?.text ?? '', node: t };
      }
      case 'type_identifier':
        return { kind: 'named', pkg: '', name: t.text, node: t };
      case 'generic_type':
        return this.fromTypeNode(t.child('type'));
      case 'pointer_type':
        return { kind: 'pointer', elem: this.fromTypeNode(t.children[0]) };
      case 'channel_type': {
        const toks = t.tokens;
        const dir = toks[0] === '<-' ? 'recv' : toks.includes('<-') ? 'send' : 'both';
        const elem = t.child('value');
        return { kind: 'chan', dir, elem, elemType: undefined };
      }
      case 'slice_type':
        return { kind: 'slice', elem: this.fromTypeNode(t.child('element')) };
      case 'array_type':
      case 'implicit_length_array_type':
        return { kind: 'array', elem: this.fromTypeNode(t.child('element')) };
      case 'map_type':
        return { kind: 'map', key: this.fromTypeNode(t.child('key')), elem: this.fromTypeNode(t.child('value')) };
      case 'function_type':
        return { kind: 'func', node: t };
      case 'struct_type':
        return { kind: 'struct', node: t };
      case 'interface_type':
        return { kind: 'interface' };
    }
    return undefined;
  }

  /** The underlying struct_type of a same-file named type (through pointers). */
  structOf(t: GoType | undefined): Node | undefined {
    let u = derefNamed(t);
    if (u?.kind === 'struct') return u.node;
    for (let i = 0; i < 4 && u?.kind === 'named' && u.pkg === ''; i++) {
      const def = this.env.localType(u.name);
      if (!def) return undefined;
      if (def.type === 'struct_type') return def;
      u = this.fromTypeNode(def);
    }
    return undefined;
  }

  /** Type of a struct field (including promoted fields of embedded same-file structs). */
  fieldType(t: GoType | undefined, field: string, depth = 0): GoType | undefined {
    const st = this.structOf(t);
    if (!st || depth > 3) return undefined;
    const list = st.firstOfType('field_declaration_list');
    if (!list) return undefined;
    for (const fd of list.children) {
      if (fd.type !== 'field_declaration') continue;
      const names = fd.childrenIn('name');
      const type = fd.child('type');
      if (names.some((n) => n.text === field)) return this.fromTypeNode(type);
      if (names.length === 0 && type) {
        // Embedded field: named by its type; also promotes its fields.
        const et = this.fromTypeNode(type);
        const en = derefNamed(et);
        if (en?.kind === 'named' && en.name === field) return et;
      }
    }
    for (const fd of list.children) {
      if (fd.type !== 'field_declaration' || fd.childrenIn('name').length) continue;
      const found = this.fieldType(this.fromTypeNode(fd.child('type')), field, depth + 1);
      if (found) return found;
    }
    return undefined;
  }

  typeOfBinding(b: Binding): GoType | undefined {
    // `xs ...T` declares xs as a []T.
    if (b.typeNode && b.decl?.type === 'variadic_parameter_declaration') return { kind: 'slice', elem: this.fromTypeNode(b.typeNode) };
    if (b.typeNode) return this.fromTypeNode(b.typeNode);
    if (!b.value) return undefined;
    if (b.kind === 'range') {
      const over = this.typeOf(b.value);
      if (!over) return undefined;
      if (over.kind === 'chan') return b.index === 0 ? over.elemType ?? this.fromTypeNode(over.elem) : undefined;
      if (over.kind === 'slice' || over.kind === 'array') return b.index === 1 ? over.elem : undefined;
      if (over.kind === 'map') return b.index === 0 ? over.key : over.elem;
      return undefined;
    }
    if (b.decl?.type === 'receive_statement') {
      const ch = this.typeOf(b.value.type === 'unary_expression' ? b.value.child('operand') : b.value);
      return b.index === 0 && ch?.kind === 'chan' ? ch.elemType ?? this.fromTypeNode(ch.elem) : undefined;
    }
    const t = this.typeOf(b.value);
    if (b.tuple) return t?.kind === 'tuple' ? t.items[b.index] : undefined;
    return t?.kind === 'tuple' ? undefined : t;
  }

  typeOf(e: Node | undefined): GoType | undefined {
    if (!e) return undefined;
    if (this.cache.has(e)) return this.cache.get(e);
    if (this.depth > 40) return undefined;
    this.depth++;
    this.cache.set(e, undefined); // breaks cycles such as `x := f(x)`
    let t: GoType | undefined;
    try {
      t = this.compute(e);
    } finally {
      this.depth--;
    }
    this.cache.set(e, t);
    return t;
  }

  private compute(e: Node): GoType | undefined {
    switch (e.type) {
      case 'parenthesized_expression':
        return this.typeOf(e.children[0]);
      case 'identifier': {
        const b = this.env.resolve(e);
        return b ? this.typeOfBinding(b) : undefined;
      }
      case 'selector_expression': {
        const operand = e.child('operand');
        const field = e.child('field')?.text ?? '';
        if (operand?.type === 'identifier') {
          const pkg = this.env.packagePath(operand.text, e);
          if (pkg) return undefined; // a package-level name of another package
        }
        return this.fieldType(this.typeOf(operand), field);
      }
      case 'unary_expression': {
        const op = e.tokens[0];
        const inner = this.typeOf(e.child('operand'));
        if (op === '&') return { kind: 'pointer', elem: inner ?? this.literalType(e.child('operand')) };
        if (op === '*') return inner?.kind === 'pointer' ? inner.elem : undefined;
        if (op === '<-') return inner?.kind === 'chan' ? inner.elemType ?? this.fromTypeNode(inner.elem) : undefined;
        return undefined;
      }
      case 'composite_literal':
        return this.literalType(e);
      case 'index_expression': {
        const over = this.typeOf(e.child('operand'));
        if (over && (over.kind === 'slice' || over.kind === 'array' || over.kind === 'map')) return over.elem;
        return undefined;
      }
      case 'type_conversion_expression':
        return this.fromTypeNode(e.child('type'));
      case 'call_expression':
        return this.callType(e);
      case 'func_literal':
        return { kind: 'func', node: e };
    }
    return undefined;
  }

  private literalType(e: Node | undefined): GoType | undefined {
    if (e?.type !== 'composite_literal') return undefined;
    return this.fromTypeNode(e.child('type'));
  }

  private callType(call: Node): GoType | undefined {
    const fn = unparen(call.child('function'));
    const args = call.child('arguments')?.children ?? [];
    if (!fn) return undefined;
    if (fn.type === 'identifier') {
      const name = fn.text;
      if (!this.env.resolve(fn)) {
        if (name === 'make' || name === 'new') {
          const t = this.fromTypeNode(args[0]);
          if (name === 'new') return { kind: 'pointer', elem: t };
          return t;
        }
        const res = this.env.funcResult(name);
        if (res) return this.resultType(res);
      }
      return undefined;
    }
    if (fn.type === 'selector_expression') {
      const operand = fn.child('operand');
      const method = fn.child('field')?.text ?? '';
      if (operand?.type === 'identifier') {
        const pkg = this.env.packagePath(operand.text, fn);
        if (pkg) {
          const known = KNOWN_CALLS[`${pkg}.${method}`];
          if (known) return known.length === 1 ? known[0] : { kind: 'tuple', items: known };
          return undefined;
        }
      }
      if (method === 'Context' && args.length === 0) return CTX; // http.Request, errgroup-style APIs, cobra
      if (method === 'Done' && args.length === 0) {
        const rt = this.typeOf(operand);
        if (isNamed(rt, 'context', 'Context')) return { kind: 'chan', dir: 'recv', elem: undefined, elemType: { kind: 'struct', node: fn } };
      }
      const rt = derefNamed(this.typeOf(operand));
      if (rt?.kind === 'named' && rt.pkg === '') {
        const res = this.env.methodResult(rt.name, method);
        if (res) return this.resultType(res);
      }
      return undefined;
    }
    if (fn.type === 'func_literal') {
      const res = fn.child('result');
      return res ? this.resultType(res) : undefined;
    }
    return undefined;
  }

  private resultType(res: Node): GoType | undefined {
    if (res.type !== 'parameter_list') return this.fromTypeNode(res);
    const items: (GoType | undefined)[] = [];
    for (const p of res.children) {
      if (p.type !== 'parameter_declaration') continue;
      const t = this.fromTypeNode(p.child('type'));
      const n = Math.max(1, p.childrenIn('name').length);
      for (let i = 0; i < n; i++) items.push(t);
    }
    return items.length === 1 ? items[0] : { kind: 'tuple', items };
  }
}
