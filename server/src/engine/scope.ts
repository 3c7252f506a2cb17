// Lexical scopes of one top-level declaration, following the Go spec's block rules, so that rules compare
// variables (bindings), not names: `v := v`, parameters and inner redeclarations all shadow correctly.
import { Node } from './ast';

export type BindingKind = 'var' | 'param' | 'result' | 'recv' | 'const' | 'type' | 'func' | 'range' | 'package';

export interface Binding {
  name: string;
  kind: BindingKind;
  /** The declaring identifier (undefined for package-level bindings not mirrored). */
  id: Node | undefined;
  /** The declaring construct: short_var_declaration, var_spec, parameter_declaration, range_clause, … */
  decl: Node | undefined;
  /** Position of this name in a tuple declaration (`a, b := f()`). */
  index: number;
  /** Explicit type, when declared with one. */
  typeNode?: Node;
  /** The initializer: the matching expression of a 1:1 declaration, or the single multi-value call. */
  value?: Node;
  /** True when `value` is a multi-value call and `index` selects the result. */
  tuple?: boolean;
  /** The node whose extent is the binding's scope. */
  scope: Node | undefined;
  visibleFrom: number;
  /** The function (declaration or literal) that declares it; undefined at package level. */
  func: Node | undefined;
}

const SCOPE_TYPES = new Set([
  'function_declaration',
  'method_declaration',
  'func_literal',
  'block',
  'if_statement',
  'for_statement',
  'expression_switch_statement',
  'type_switch_statement',
  'expression_case',
  'default_case',
  'type_case',
  'communication_case',
]);

const FUNC_TYPES = new Set(['function_declaration', 'method_declaration', 'func_literal']);

export class Scopes {
  private readonly byScope = new Map<Node, Binding[]>();
  /** Declaring (or redeclaring) identifier → binding. */
  private readonly declIds = new Map<Node, Binding>();
  private readonly resolved = new Map<Node, Binding | null>();
  private readonly refs = new Map<Binding, Node[]>();
  /** Identifiers assigned with `=`, `op=`, `++`/`--`, or redeclared by `:=`, per binding. */
  private readonly writes = new Map<Binding, Node[]>();
  private writesCollected = false;

  constructor(
    readonly root: Node,
    private readonly packageLookup: (name: string) => Binding | undefined,
  ) {
    root.walk((n) => {
      this.declare(n);
      return true;
    });
  }

  /** Scope node that a block belongs to: a function body shares the function's scope. */
  private scopeOf(n: Node): Node {
    for (let p: Node | null = n.parent; p; p = p.parent) {
      if (p.type === 'block' && p.parent && FUNC_TYPES.has(p.parent.type) && p.field === 'body') return p.parent;
      if (SCOPE_TYPES.has(p.type)) return p;
    }
    return this.root;
  }

  private funcOf(n: Node): Node | undefined {
    for (let p: Node | null = n; p; p = p.parent) if (FUNC_TYPES.has(p.type)) return p;
    return undefined;
  }

  private add(scope: Node, b: Binding): void {
    let list = this.byScope.get(scope);
    if (!list) this.byScope.set(scope, (list = []));
    list.push(b);
    if (b.id) this.declIds.set(b.id, b);
  }

  private lookupIn(scope: Node, name: string): Binding | undefined {
    const list = this.byScope.get(scope);
    if (!list) return undefined;
    for (let i = list.length - 1; i >= 0; i--) if (list[i].name === name) return list[i];
    return undefined;
  }

  private declare(n: Node): void {
    switch (n.type) {
      case 'function_declaration':
      case 'method_declaration':
      case 'func_literal': {
        const body = n.child('body');
        const from = body ? body.start : n.end;
        if (n.type === 'method_declaration') this.params(n, n.child('receiver'), 'recv', from);
        this.params(n, n.child('parameters'), 'param', from);
        const res = n.child('result');
        if (res?.type === 'parameter_list') this.params(n, res, 'result', from);
        const tps = n.child('type_parameters');
        if (tps) for (const d of tps.children) for (const id of d.childrenIn('name')) this.add(n, { name: id.text, kind: 'type', id, decl: d, index: 0, scope: n, visibleFrom: n.start, func: n });
        return;
      }
      case 'short_var_declaration': {
        const scope = n.field === 'initializer' ? this.scopeOf(n) : this.scopeOf(n);
        const left = n.child('left')?.children ?? [];
        const right = n.child('right')?.children ?? [];
        const func = this.funcOf(n);
        left.forEach((id, i) => {
          if (id.type !== 'identifier' || id.text === '_') return;
          const existing = this.lookupIn(scope, id.text);
          if (existing && existing.visibleFrom <= n.start) {
            this.declIds.set(id, existing); // redeclaration assigns the existing variable
            return;
          }
          const one = left.length === right.length;
          this.add(scope, { name: id.text, kind: 'var', id, decl: n, index: i, value: one ? right[i] : right[0], tuple: !one, scope, visibleFrom: n.end, func });
        });
        return;
      }
      case 'var_spec':
      case 'const_spec': {
        if (!n.ancestor(...FUNC_TYPES)) return; // package level: FileIndex knows those
        const scope = this.scopeOf(n);
        const names = n.childrenIn('name').filter((x) => x.type === 'identifier');
        const type = n.child('type');
        const values = n.child('value')?.children ?? [];
        const func = this.funcOf(n);
        names.forEach((id, i) => {
          if (id.text === '_') return;
          const one = names.length === values.length;
          this.add(scope, {
            name: id.text,
            kind: n.type === 'var_spec' ? 'var' : 'const',
            id,
            decl: n,
            index: i,
            typeNode: type,
            value: values.length ? (one ? values[i] : values[0]) : undefined,
            tuple: values.length > 0 && !one,
            scope,
            visibleFrom: n.end,
            func,
          });
        });
        return;
      }
      case 'type_spec':
      case 'type_alias': {
        if (!n.ancestor(...FUNC_TYPES)) return;
        const id = n.child('name');
        if (id) this.add(this.scopeOf(n), { name: id.text, kind: 'type', id, decl: n, index: 0, typeNode: n.child('type'), scope: this.scopeOf(n), visibleFrom: id.start, func: this.funcOf(n) });
        return;
      }
      case 'range_clause': {
        if (!n.hasToken(':=')) return;
        const forStmt = n.parent!;
        const body = forStmt.child('body');
        const left = n.child('left')?.children ?? [];
        left.forEach((id, i) => {
          if (id.type !== 'identifier' || id.text === '_') return;
          this.add(forStmt, { name: id.text, kind: 'range', id, decl: n, index: i, value: n.child('right'), scope: forStmt, visibleFrom: body ? body.start : n.end, func: this.funcOf(n) });
        });
        return;
      }
      case 'receive_statement': {
        if (!n.hasToken(':=') || n.parent?.type !== 'communication_case') return;
        const left = n.child('left')?.children ?? [];
        left.forEach((id, i) => {
          if (id.type !== 'identifier' || id.text === '_') return;
          this.add(n.parent!, { name: id.text, kind: 'var', id, decl: n, index: i, value: n.child('right'), tuple: true, scope: n.parent!, visibleFrom: n.end, func: this.funcOf(n) });
        });
        return;
      }
      case 'type_switch_statement': {
        const alias = n.child('alias')?.children[0];
        if (!alias || alias.type !== 'identifier') return;
        for (const clause of n.children) {
          if (clause.type !== 'type_case' && clause.type !== 'default_case') continue;
          const types = clause.childrenIn('type');
          this.add(clause, { name: alias.text, kind: 'var', id: alias, decl: n, index: 0, typeNode: types.length === 1 ? types[0] : undefined, value: n.child('value'), scope: clause, visibleFrom: clause.start, func: this.funcOf(n) });
        }
        return;
      }
    }
  }

  private params(fn: Node, list: Node | undefined, kind: BindingKind, from: number): void {
    if (!list) return;
    for (const p of list.children) {
      if (p.type !== 'parameter_declaration' && p.type !== 'variadic_parameter_declaration') continue;
      const type = p.child('type');
      for (const id of p.childrenIn('name')) {
        if (id.type !== 'identifier' || id.text === '_') continue;
        this.add(fn, { name: id.text, kind, id, decl: p, index: 0, typeNode: type, scope: fn, visibleFrom: from, func: fn });
      }
    }
  }

  /** The binding an identifier refers to (or declares); undefined for builtins and other files' names. */
  resolve(id: Node): Binding | undefined {
    if (id.type !== 'identifier') return undefined;
    const cached = this.resolved.get(id);
    if (cached !== undefined) return cached ?? undefined;
    let b: Binding | undefined = this.declIds.get(id);
    if (!b && !isFieldKey(id)) {
      const name = id.text;
      for (let p: Node | null = id.parent; p && !b; p = p.parent) {
        const list = this.byScope.get(p);
        if (!list) continue;
        for (let i = list.length - 1; i >= 0; i--) {
          const c = list[i];
          if (c.name === name && c.visibleFrom <= id.start) {
            b = c;
            break;
          }
        }
      }
      if (!b) b = this.packageLookup(name);
    }
    this.resolved.set(id, b ?? null);
    return b;
  }

  /** Bindings declared directly in a scope node. */
  declaredIn(scope: Node): Binding[] {
    return this.byScope.get(scope) ?? [];
  }

  /** Every binding visible at `at` with the given name filter, innermost first. */
  visibleAt(at: Node, filter: (b: Binding) => boolean): Binding[] {
    const out: Binding[] = [];
    const seen = new Set<string>();
    for (let p: Node | null = at.parent; p; p = p.parent) {
      const list = this.byScope.get(p);
      if (!list) continue;
      for (let i = list.length - 1; i >= 0; i--) {
        const b = list[i];
        if (seen.has(b.name) || b.visibleFrom > at.start) continue;
        seen.add(b.name);
        if (filter(b)) out.push(b);
      }
    }
    return out;
  }

  /** Uses of a binding inside this declaration (declaring identifiers excluded). */
  references(b: Binding): Node[] {
    let list = this.refs.get(b);
    if (list) return list;
    list = [];
    const where = b.scope ?? this.root;
    const name = b.name;
    where.walk((n) => {
      if (n.type === 'identifier' && n.text === name && n !== b.id && this.resolve(n) === b) list!.push(n);
      return true;
    });
    this.refs.set(b, list);
    return list;
  }

  /** Identifiers that assign a new value to the binding (`=`, `op=`, `:=` redeclaration, `++`, `--`). */
  writesTo(b: Binding): Node[] {
    if (!this.writesCollected) {
      this.writesCollected = true;
      this.root.walk((n) => {
        let targets: Node[] = [];
        if (n.type === 'assignment_statement') targets = n.child('left')?.children ?? [];
        else if (n.type === 'inc_statement' || n.type === 'dec_statement') targets = n.children.slice(0, 1);
        else if (n.type === 'short_var_declaration') targets = (n.child('left')?.children ?? []).filter((id) => this.declIds.get(id)?.id !== id);
        else if (n.type === 'range_clause' && !n.hasToken(':=')) targets = n.child('left')?.children ?? [];
        for (const t of targets) {
          if (t.type !== 'identifier') continue;
          const tb = this.resolve(t);
          if (!tb) continue;
          const l = this.writes.get(tb) ?? [];
          l.push(t);
          this.writes.set(tb, l);
        }
        return true;
      });
    }
    return this.writes.get(b) ?? [];
  }
}

/** `Field` in a struct literal `T{Field: v}` names a field, not a variable. */
function isFieldKey(id: Node): boolean {
  const le = id.parent;
  if (le?.type !== 'literal_element' || le.field !== 'key') return false;
  const lit = le.parent?.parent?.parent; // keyed_element → literal_value → composite_literal
  if (lit?.type !== 'composite_literal') return true; // elided type inside a literal: most often a struct
  const t = lit.child('type');
  return !(t && (t.type === 'map_type' || t.type === 'array_type' || t.type === 'slice_type' || t.type === 'implicit_length_array_type'));
}
