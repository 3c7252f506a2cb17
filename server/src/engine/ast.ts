// A plain-JS copy of the named nodes of one top-level declaration.
//
// Every property read on a web-tree-sitter node crosses the JS/wasm boundary (about 1 µs), so rules
// never navigate the wasm tree: a declaration is copied once with a cursor walk, and only when a cheap
// text pre-filter says some rule may care about it. Rules then navigate this copy freely.
import type { Node as TSNode, Language } from 'web-tree-sitter';
import type { SourceText } from './source';

export class Node {
  parent: Node | null = null;
  children: Node[] = [];
  /** Types of the anonymous children, in order (operators and keywords such as ':=', '<-', 'chan'). */
  tokens: string[] = NO_TOKENS;

  constructor(
    readonly type: string,
    readonly start: number,
    readonly end: number,
    readonly field: string | null,
    readonly src: SourceText,
  ) {}

  get text(): string {
    return this.src.text.slice(this.start, this.end);
  }

  /** First named child in the given field. */
  child(field: string): Node | undefined {
    for (const c of this.children) if (c.field === field) return c;
    return undefined;
  }

  childrenIn(field: string): Node[] {
    return this.children.filter((c) => c.field === field);
  }

  firstOfType(type: string): Node | undefined {
    for (const c of this.children) if (c.type === type) return c;
    return undefined;
  }

  ofType(type: string): Node[] {
    return this.children.filter((c) => c.type === type);
  }

  hasToken(t: string): boolean {
    return this.tokens.includes(t);
  }

  contains(other: Node): boolean {
    return this.start <= other.start && other.end <= this.end;
  }

  isAncestorOf(other: Node): boolean {
    for (let p = other.parent; p; p = p.parent) if (p === this) return true;
    return false;
  }

  /** Nearest ancestor (not self) of one of the types. */
  ancestor(...types: string[]): Node | undefined {
    for (let p = this.parent; p; p = p.parent) if (types.includes(p.type)) return p;
    return undefined;
  }

  /**
   * Pre-order walk over this node and its descendants. The visitor returns false to skip a node's
   * children.
   */
  walk(visit: (n: Node) => boolean | void): void {
    const stack: Node[] = [this];
    while (stack.length) {
      const n = stack.pop()!;
      if (visit(n) === false) continue;
      for (let i = n.children.length - 1; i >= 0; i--) stack.push(n.children[i]);
    }
  }

  /** All descendants (and self) of the given types, in source order. */
  findAll(types: string | string[], opts: { skipFuncLits?: boolean } = {}): Node[] {
    const set = typeof types === 'string' ? [types] : types;
    const out: Node[] = [];
    this.walk((n) => {
      if (set.includes(n.type)) out.push(n);
      if (opts.skipFuncLits && n !== this && n.type === 'func_literal') return false;
      return true;
    });
    return out;
  }

  /** The next named sibling, if any. */
  get nextSibling(): Node | undefined {
    if (!this.parent) return undefined;
    const sibs = this.parent.children;
    return sibs[sibs.indexOf(this) + 1];
  }

  get prevSibling(): Node | undefined {
    if (!this.parent) return undefined;
    const sibs = this.parent.children;
    const i = sibs.indexOf(this);
    return i > 0 ? sibs[i - 1] : undefined;
  }

  toString(): string {
    return `${this.type}@${this.start}`;
  }
}

const NO_TOKENS: string[] = [];

interface TypeTables {
  names: string[];
  named: boolean[];
  fields: (string | null)[];
}
const tables = new WeakMap<Language, TypeTables>();

function typeTables(lang: Language): TypeTables {
  let t = tables.get(lang);
  if (!t) {
    const names: string[] = [];
    const named: boolean[] = [];
    for (let id = 0; id < lang.types.length; id++) {
      names.push(lang.types[id] ?? 'ERROR');
      named.push(lang.nodeTypeIsNamed(id));
    }
    t = { names, named, fields: lang.fields };
    tables.set(lang, t);
  }
  return t;
}

/** Copies `root` and its subtree. Reads as few wasm properties per node as it can. */
export function mirror(root: TSNode, src: SourceText, lang: Language): Node {
  const { names, named, fields } = typeTables(lang);
  const cursor = root.walk();
  try {
    const top = new Node(root.type, root.startIndex, root.endIndex, null, src);
    let cur = top;
    if (!cursor.gotoFirstChild()) return top;
    for (;;) {
      const id = cursor.nodeTypeId;
      // ERROR nodes have an id outside the table and are kept, so callers can see them.
      if (id >= names.length || named[id]) {
        const fid = cursor.currentFieldId;
        const n = new Node(id >= names.length ? 'ERROR' : names[id], cursor.startIndex, cursor.endIndex, fid ? fields[fid] : null, src);
        n.parent = cur;
        cur.children.push(n);
        if (cursor.gotoFirstChild()) {
          cur = n;
          continue;
        }
      } else {
        if (cur.tokens === NO_TOKENS) cur.tokens = [];
        cur.tokens.push(names[id]);
      }
      while (!cursor.gotoNextSibling()) {
        if (cur === top) return top;
        cursor.gotoParent();
        cur = cur.parent!;
      }
    }
  } finally {
    cursor.delete();
  }
}

/** Strips parentheses: `(x)` → `x`. */
export function unparen(n: Node | undefined): Node | undefined {
  while (n && n.type === 'parenthesized_expression') n = n.children[0];
  return n;
}

export const FUNC_TYPES = ['func_literal', 'function_declaration', 'method_declaration'];

/** The innermost function (literal or declaration) that contains `n`. */
export function enclosingFunc(n: Node): Node | undefined {
  return n.ancestor(...FUNC_TYPES);
}
