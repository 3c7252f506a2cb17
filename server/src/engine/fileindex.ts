// The file's top-level declarations, read with a handful of wasm calls each. Their mirrors (see ast.ts)
// are built lazily, only for the declarations some rule looks at.
import type { Node as TSNode, Language } from 'web-tree-sitter';
import { mirror, Node } from './ast';
import type { SourceText } from './source';

export type DeclKind = 'func' | 'method' | 'var' | 'const' | 'type' | 'import' | 'package' | 'other';

export class DeclInfo {
  private mirrored: Node | undefined;

  constructor(
    readonly index: number,
    readonly kind: DeclKind,
    /** Declared names (one for funcs and methods). */
    readonly names: string[],
    /** Receiver base type name for methods. */
    readonly recvType: string | undefined,
    readonly tsNode: TSNode,
    readonly start: number,
    readonly end: number,
    readonly hasError: boolean,
    private readonly src: SourceText,
    private readonly lang: Language,
  ) {}

  private _text: string | undefined;

  get text(): string {
    return (this._text ??= this.src.text.slice(this.start, this.end));
  }

  private _key: string | undefined;

  /** Stable identity across edits: used to key per-declaration caches. */
  get key(): string {
    if (this._key === undefined) {
      if (this.kind === 'func') this._key = `func ${this.names[0]}`;
      else if (this.kind === 'method') this._key = `method ${this.recvType}.${this.names[0]}`;
      else this._key = `${this.kind}#${this.index}`;
    }
    return this._key;
  }

  /** Text of a func/method up to its body: what callers may depend on. */
  get signature(): string {
    if (this.kind !== 'func' && this.kind !== 'method') return this.text;
    const body = this.tsNode.childForFieldName('body');
    return body ? this.src.text.slice(this.start, body.startIndex) : this.text;
  }

  get node(): Node {
    if (!this.mirrored) this.mirrored = mirror(this.tsNode, this.src, this.lang);
    return this.mirrored;
  }

  get isMirrored(): boolean {
    return this.mirrored !== undefined;
  }
}

export interface ImportInfo {
  path: string;
  /** The name the file uses: alias, or the last path element (without a /vN suffix). */
  name: string;
}

export function defaultImportName(path: string): string {
  const parts = path.split('/');
  let last = parts[parts.length - 1];
  if (/^v\d+$/.test(last) && parts.length > 1) last = parts[parts.length - 2];
  // gopkg.in/yaml.v3 → yaml
  last = last.replace(/\.v\d+$/, '');
  return last.replace(/^go-/, '').replace(/-go$/, '').replace(/[^A-Za-z0-9_]/g, '_');
}

export class FileIndex {
  readonly decls: DeclInfo[] = [];
  readonly funcs = new Map<string, DeclInfo>();
  /** "Type.method" → decl. */
  readonly methods = new Map<string, DeclInfo>();
  readonly methodsByName = new Map<string, DeclInfo[]>();
  readonly types = new Map<string, DeclInfo>();
  /** Package-level vars and consts. */
  readonly values = new Map<string, DeclInfo>();
  /** Local package name → import path. */
  readonly imports = new Map<string, string>();
  /** Import path → local name. */
  readonly importNames = new Map<string, string>();
  packageName = '';

  constructor(
    root: TSNode,
    readonly src: SourceText,
    lang: Language,
  ) {
    const n = root.namedChildCount;
    for (let i = 0; i < n; i++) {
      const c = root.namedChild(i)!;
      const type = c.type;
      if (type === 'comment') continue;
      let kind: DeclKind = 'other';
      const names: string[] = [];
      let recv: string | undefined;
      if (type === 'function_declaration') {
        kind = 'func';
        const nm = c.childForFieldName('name');
        if (nm) names.push(nm.text);
      } else if (type === 'method_declaration') {
        kind = 'method';
        const nm = c.childForFieldName('name');
        if (nm) names.push(nm.text);
        recv = receiverTypeName(c);
      } else if (type === 'var_declaration' || type === 'const_declaration') {
        kind = type === 'var_declaration' ? 'var' : 'const';
        for (const spec of specs(c)) for (const nm of spec.childrenForFieldName('name')) if (nm && nm.type === 'identifier') names.push(nm.text);
      } else if (type === 'type_declaration') {
        kind = 'type';
        for (const spec of c.namedChildren) {
          const nm = spec?.childForFieldName('name');
          if (nm) names.push(nm.text);
        }
      } else if (type === 'import_declaration') {
        kind = 'import';
        this.readImports(c);
      } else if (type === 'package_clause') {
        kind = 'package';
        this.packageName = c.namedChild(0)?.text ?? '';
      }
      const d = new DeclInfo(this.decls.length, kind, names, recv, c, c.startIndex, c.endIndex, c.hasError || type === 'ERROR', src, lang);
      this.decls.push(d);
      if (kind === 'func' && names[0]) this.funcs.set(names[0], d);
      else if (kind === 'method' && names[0]) {
        this.methods.set(`${recv}.${names[0]}`, d);
        const list = this.methodsByName.get(names[0]) ?? [];
        list.push(d);
        this.methodsByName.set(names[0], list);
      } else if (kind === 'type') for (const nm of names) this.types.set(nm, d);
      else if (kind === 'var' || kind === 'const') for (const nm of names) this.values.set(nm, d);
    }
  }

  private readImports(decl: TSNode): void {
    const specsOf = (n: TSNode): TSNode[] => (n.type === 'import_spec' ? [n] : n.type === 'import_spec_list' ? (n.namedChildren.filter(Boolean) as TSNode[]) : []);
    for (const child of decl.namedChildren) {
      if (!child) continue;
      for (const spec of specsOf(child)) {
        const p = spec.childForFieldName('path');
        if (!p) continue;
        const path = p.text.slice(1, -1);
        const alias = spec.childForFieldName('name');
        const name = alias ? alias.text : defaultImportName(path);
        if (name === '_' || name === '.') continue;
        this.imports.set(name, path);
        this.importNames.set(path, name);
      }
    }
  }

  private words: Map<string, DeclInfo[]> | undefined;

  /**
   * Declarations whose text holds `word` as a whole identifier (code, comments or strings), in file order.
   * Built on first use: whole-file searches for a name then cost a lookup instead of a pass over the text.
   */
  declsWithWord(word: string): DeclInfo[] {
    if (!this.words) {
      this.words = new Map();
      for (const d of this.decls) {
        for (const w of wordsOf(d.text)) {
          const list = this.words.get(w);
          if (list) list.push(d);
          else this.words.set(w, [d]);
        }
      }
    }
    return this.words.get(word) ?? [];
  }

  private byRecv: Map<string, DeclInfo[]> | undefined;

  /** Methods whose receiver's base type is `type`, in file order. */
  methodsOf(type: string): DeclInfo[] {
    if (!this.byRecv) {
      this.byRecv = new Map();
      for (const d of this.decls) {
        if (d.recvType === undefined) continue;
        const list = this.byRecv.get(d.recvType);
        if (list) list.push(d);
        else this.byRecv.set(d.recvType, [d]);
      }
    }
    return this.byRecv.get(type) ?? [];
  }

  /** The function or method declaration that contains `offset`, if any. */
  declAt(offset: number): DeclInfo | undefined {
    let lo = 0;
    let hi = this.decls.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      const d = this.decls[mid];
      if (offset < d.start) hi = mid - 1;
      else if (offset >= d.end) lo = mid + 1;
      else return d;
    }
    return undefined;
  }

  /** The local name under which `path` is imported, if it is. */
  importName(path: string): string | undefined {
    return this.importNames.get(path);
  }
}

function specs(decl: TSNode): TSNode[] {
  const out: TSNode[] = [];
  for (const c of decl.namedChildren) {
    if (!c) continue;
    if (c.type === 'var_spec' || c.type === 'const_spec') out.push(c);
    else if (c.type === 'var_spec_list' || c.type === 'const_spec_list') for (const s of c.namedChildren) if (s && (s.type === 'var_spec' || s.type === 'const_spec')) out.push(s);
  }
  return out;
}

function receiverTypeName(method: TSNode): string | undefined {
  const recv = method.childForFieldName('receiver');
  const param = recv?.namedChildren.find((c) => c?.type === 'parameter_declaration');
  let t = param?.childForFieldName('type') ?? undefined;
  while (t && (t.type === 'pointer_type' || t.type === 'parenthesized_type')) t = t.namedChild(0) ?? undefined;
  if (t?.type === 'generic_type') t = t.childForFieldName('type') ?? undefined;
  return t?.text;
}

// Distinct identifiers of a declaration's text, shared across re-parses: an edit re-tokenises only the
// declarations whose text changed. Cleared when it grows past what a few large files need.
const wordCache = new Map<string, string[]>();

function wordsOf(text: string): string[] {
  let ws = wordCache.get(text);
  if (!ws) {
    if (wordCache.size > 100_000) wordCache.clear();
    ws = [...new Set(text.match(/[A-Za-z_]\w*/g))];
    wordCache.set(text, ws);
  }
  return ws;
}
