// The text logic behind "Insert Concurrency Pattern": reading the pattern snippets, expanding their
// placeholders, deriving the imports a snippet needs, adding those imports to a Go file, and finding
// where a snippet goes. Pure (no vscode), so the command and the tests share exactly this code.

/** Package qualifiers a snippet body may use, and the import path each one needs. */
export const QUALIFIER_IMPORTS: Readonly<Record<string, string>> = {
  atomic: 'sync/atomic',
  context: 'context',
  errgroup: 'golang.org/x/sync/errgroup',
  errors: 'errors',
  fmt: 'fmt',
  http: 'net/http',
  log: 'log',
  os: 'os',
  rate: 'golang.org/x/time/rate',
  semaphore: 'golang.org/x/sync/semaphore',
  signal: 'os/signal',
  sync: 'sync',
  syscall: 'syscall',
  time: 'time',
};

export interface Pattern {
  /** The snippet's key in the snippets file: the pattern's display name. */
  name: string;
  prefix: string;
  description: string;
  /** The snippet body in VS Code snippet syntax. */
  body: string;
  /** True when the snippet is top-level declarations (a function, types, vars), false for statements. */
  topLevel: boolean;
  /** Import paths the body needs, derived from its package qualifiers. */
  imports: string[];
}

/** Parses a .code-snippets file (JSON; comments are not supported) into patterns. */
export function parseSnippets(json: string): Pattern[] {
  const data = JSON.parse(json) as Record<string, { prefix?: string | string[]; body?: string | string[]; description?: string }>;
  const out: Pattern[] = [];
  for (const [name, s] of Object.entries(data)) {
    const prefix = Array.isArray(s.prefix) ? s.prefix[0] : s.prefix;
    if (typeof prefix !== 'string' || s.body === undefined) throw new Error(`snippet "${name}" has no prefix or body`);
    const body = Array.isArray(s.body) ? s.body.join('\n') : s.body;
    const code = expandSnippet(body);
    out.push({ name, prefix, description: s.description ?? '', body, topLevel: isTopLevelCode(code), imports: requiredImports(code) });
  }
  return out;
}

// ---------------------------------------------------------------------------------------------------
// Snippet syntax (https://code.visualstudio.com/docs/editor/userdefinedsnippets#_grammar)

type SnippetNode =
  | { kind: 'text'; text: string }
  | { kind: 'tabstop'; index: number; children: SnippetNode[] | undefined }
  | { kind: 'choice'; index: number; options: string[] }
  | { kind: 'variable'; name: string; children: SnippetNode[] | undefined };

class SnippetParser {
  private pos = 0;
  constructor(private readonly src: string) {}

  parse(): SnippetNode[] {
    const nodes = this.sequence(false);
    if (this.pos < this.src.length) throw this.error('unexpected "}"');
    return nodes;
  }

  private error(msg: string): Error {
    return new Error(`snippet syntax: ${msg} at offset ${this.pos} in ${JSON.stringify(this.src.slice(Math.max(0, this.pos - 20), this.pos + 20))}`);
  }

  /** Text and markers up to the end, or (nested) up to an unescaped `}`. */
  private sequence(nested: boolean): SnippetNode[] {
    const out: SnippetNode[] = [];
    let text = '';
    const flush = () => {
      if (text) out.push({ kind: 'text', text });
      text = '';
    };
    while (this.pos < this.src.length) {
      const c = this.src[this.pos];
      if (c === '\\' && '$}\\'.includes(this.src[this.pos + 1] ?? '')) {
        text += this.src[this.pos + 1];
        this.pos += 2;
      } else if (c === '}' && nested) {
        break;
      } else if (c === '$') {
        const m = this.marker();
        if (m) {
          flush();
          out.push(m);
        } else {
          text += c;
          this.pos++;
        }
      } else {
        text += c;
        this.pos++;
      }
    }
    flush();
    return out;
  }

  private marker(): SnippetNode | undefined {
    const rest = this.src.slice(this.pos);
    let m = /^\$(\d+)/.exec(rest);
    if (m) {
      this.pos += m[0].length;
      return { kind: 'tabstop', index: Number(m[1]), children: undefined };
    }
    m = /^\$([A-Za-z_][A-Za-z0-9_]*)/.exec(rest);
    if (m) {
      this.pos += m[0].length;
      return { kind: 'variable', name: m[1], children: undefined };
    }
    m = /^\$\{(\d+|[A-Za-z_][A-Za-z0-9_]*)/.exec(rest);
    if (!m) return undefined; // a lone "$" is text
    this.pos += m[0].length;
    const id = m[1];
    const numeric = /^\d/.test(id);
    const next = this.src[this.pos];
    if (next === '}') {
      this.pos++;
      return numeric ? { kind: 'tabstop', index: Number(id), children: undefined } : { kind: 'variable', name: id, children: undefined };
    }
    if (next === ':') {
      this.pos++;
      const children = this.sequence(true);
      if (this.src[this.pos] !== '}') throw this.error(`unterminated \${${id}:`);
      this.pos++;
      return numeric ? { kind: 'tabstop', index: Number(id), children } : { kind: 'variable', name: id, children };
    }
    if (next === '|' && numeric) {
      this.pos++;
      const options: string[] = [];
      let cur = '';
      for (;;) {
        const c = this.src[this.pos];
        if (c === undefined) throw this.error('unterminated choice');
        if (c === '\\' && ',|\\$}'.includes(this.src[this.pos + 1] ?? '')) {
          cur += this.src[this.pos + 1];
          this.pos += 2;
        } else if (c === ',') {
          options.push(cur);
          cur = '';
          this.pos++;
        } else if (c === '|' && this.src[this.pos + 1] === '}') {
          options.push(cur);
          this.pos += 2;
          return { kind: 'choice', index: Number(id), options };
        } else {
          cur += c;
          this.pos++;
        }
      }
    }
    // Transforms (${1/re/fmt/}) change text as the user types; a pattern snippet has no use for them.
    throw this.error(`unsupported marker \${${id}${next ?? ''}`);
  }
}

/**
 * The text a snippet inserts when every placeholder keeps its default: as in VS Code, the first
 * occurrence of a tab stop that has a default (or choice) defines the text of all its occurrences;
 * `$0` and tab stops without a default are empty; variables take their default, or nothing.
 */
export function expandSnippet(body: string): string {
  const nodes = new SnippetParser(body).parse();
  const defaults = new Map<number, SnippetNode[] | string>();
  const collect = (list: SnippetNode[]) => {
    for (const n of list) {
      if (n.kind === 'tabstop' && n.index !== 0 && n.children?.length && !defaults.has(n.index)) defaults.set(n.index, n.children);
      if (n.kind === 'choice' && !defaults.has(n.index)) defaults.set(n.index, n.options[0] ?? '');
      if ((n.kind === 'tabstop' || n.kind === 'variable') && n.children) collect(n.children);
    }
  };
  collect(nodes);
  const render = (list: SnippetNode[], seen: number[]): string =>
    list
      .map((n) => {
        if (n.kind === 'text') return n.text;
        if (n.kind === 'variable') return n.children ? render(n.children, seen) : '';
        if (n.index === 0) return '';
        if (seen.includes(n.index)) throw new Error(`snippet syntax: tab stop $${n.index} contains itself`);
        const d = defaults.get(n.index);
        if (d === undefined) return '';
        return typeof d === 'string' ? d : render(d, [...seen, n.index]);
      })
      .join('');
  return render(nodes, []);
}

// ---------------------------------------------------------------------------------------------------
// A small Go lexer: enough to skip comments and literals and to track bracket depth.

interface Token {
  kind: 'ident' | 'number' | 'string' | 'char' | 'comment' | 'op';
  start: number;
  end: number;
  text: string;
}

const IDENT_START = /[\p{L}_]/u;
const IDENT_PART = /[\p{L}\p{N}_]/u;

function lex(src: string): Token[] {
  const out: Token[] = [];
  let i = 0;
  const n = src.length;
  while (i < n) {
    const c = src[i];
    const start = i;
    if (c === ' ' || c === '\t' || c === '\n' || c === '\r') {
      i++;
      continue;
    }
    if (c === '/' && src[i + 1] === '/') {
      while (i < n && src[i] !== '\n') i++;
      out.push({ kind: 'comment', start, end: i, text: src.slice(start, i) });
    } else if (c === '/' && src[i + 1] === '*') {
      const close = src.indexOf('*/', i + 2);
      i = close < 0 ? n : close + 2;
      out.push({ kind: 'comment', start, end: i, text: src.slice(start, i) });
    } else if (c === '"' || c === "'") {
      i++;
      while (i < n && src[i] !== c && src[i] !== '\n') i += src[i] === '\\' ? 2 : 1;
      i = Math.min(n, i + 1);
      out.push({ kind: c === '"' ? 'string' : 'char', start, end: i, text: src.slice(start, i) });
    } else if (c === '`') {
      const close = src.indexOf('`', i + 1);
      i = close < 0 ? n : close + 1;
      out.push({ kind: 'string', start, end: i, text: src.slice(start, i) });
    } else if (/[0-9]/.test(c) || (c === '.' && /[0-9]/.test(src[i + 1] ?? ''))) {
      i++;
      while (i < n && /[0-9A-Za-z_.]/.test(src[i])) i++;
      out.push({ kind: 'number', start, end: i, text: src.slice(start, i) });
    } else if (IDENT_START.test(c)) {
      i++;
      while (i < n && IDENT_PART.test(src[i])) i++;
      out.push({ kind: 'ident', start, end: i, text: src.slice(start, i) });
    } else {
      i++;
      out.push({ kind: 'op', start, end: i, text: c });
    }
  }
  return out;
}

function stringValue(tok: Token): string {
  const raw = tok.text.slice(1, -1);
  if (tok.text.startsWith('`')) return raw;
  try {
    return JSON.parse(`"${raw}"`) as string;
  } catch {
    return raw;
  }
}

/** The import paths that the package qualifiers used in Go code need (sorted). */
export function requiredImports(code: string): string[] {
  const toks = lex(code).filter((t) => t.kind !== 'comment');
  const paths = new Set<string>();
  toks.forEach((t, i) => {
    if (t.kind !== 'ident' || !(t.text in QUALIFIER_IMPORTS)) return;
    const prev = toks[i - 1];
    if (prev && prev.kind === 'op' && prev.text === '.') return; // a field or method named like a package
    if (toks[i + 1]?.text === '.' && toks[i + 2]?.kind === 'ident') paths.add(QUALIFIER_IMPORTS[t.text]);
  });
  return [...paths].sort();
}

const DECL_KEYWORDS = new Set(['func', 'type', 'var', 'const', 'import', 'package']);

/** True when every line that starts at bracket depth 0 starts a declaration (or closes one). */
export function isTopLevelCode(code: string): boolean {
  let depth = 0;
  let lastLine = -1;
  let sawCode = false;
  for (const t of lex(code)) {
    if (t.kind === 'comment') continue;
    const line = lineNumber(code, t.start);
    const first = line !== lastLine;
    lastLine = line;
    if (first && depth === 0 && !(t.kind === 'ident' && DECL_KEYWORDS.has(t.text))) return false;
    sawCode = true;
    if (t.kind === 'op') {
      if ('([{'.includes(t.text)) depth++;
      else if (')]}'.includes(t.text)) depth = Math.max(0, depth - 1);
    }
  }
  return sawCode;
}

function lineNumber(text: string, offset: number): number {
  let n = 0;
  for (let i = text.indexOf('\n'); i >= 0 && i < offset; i = text.indexOf('\n', i + 1)) n++;
  return n;
}

// ---------------------------------------------------------------------------------------------------
// Imports

export interface OffsetEdit {
  start: number;
  end: number;
  newText: string;
}

export interface ImportSpec {
  /** Explicit name (alias, "_" or "."), if any. */
  name?: string;
  path: string;
  start: number;
  end: number;
}

export interface ImportDecl {
  start: number;
  end: number;
  grouped: boolean;
  lparen?: number;
  rparen?: number;
  specs: ImportSpec[];
}

export interface FileHeader {
  /** End of the package clause (after the package name). */
  packageEnd: number;
  imports: ImportDecl[];
  /** False when an import declaration could not be read (e.g. while it is being typed). */
  complete: boolean;
}

/** The package clause and import declarations of a Go file, or undefined without a package clause. */
export function parseHeader(text: string): FileHeader | undefined {
  const toks = lex(text).filter((t) => t.kind !== 'comment');
  if (toks[0]?.text !== 'package' || toks[1]?.kind !== 'ident') return undefined;
  const header: FileHeader = { packageEnd: toks[1].end, imports: [], complete: false };
  let i = 2;
  const skipSemis = () => {
    while (toks[i]?.text === ';') i++;
  };
  const spec = (): ImportSpec | undefined => {
    const first = toks[i];
    if (!first) return undefined;
    let name: string | undefined;
    let start = first.start;
    if (first.kind === 'ident' || first.text === '.') {
      name = first.text;
      i++;
    }
    const str = toks[i];
    if (str?.kind !== 'string') return undefined;
    i++;
    return { name, path: stringValue(str), start, end: str.end };
  };
  for (skipSemis(); toks[i]?.text === 'import'; skipSemis()) {
    const kw = toks[i++];
    if (toks[i]?.text === '(') {
      const lparen = toks[i++].start;
      const specs: ImportSpec[] = [];
      for (skipSemis(); toks[i] && toks[i].text !== ')'; skipSemis()) {
        const s = spec();
        if (!s) return header;
        specs.push(s);
      }
      if (!toks[i]) return header;
      const rparen = toks[i++];
      header.imports.push({ start: kw.start, end: rparen.end, grouped: true, lparen, rparen: rparen.start, specs });
    } else {
      const s = spec();
      if (!s) return header;
      header.imports.push({ start: kw.start, end: s.end, grouped: false, specs: [s] });
    }
  }
  header.complete = true;
  return header;
}

/** The name a package is referred to by when imported without an alias (its path's last element). */
export function defaultImportName(path: string): string {
  const last = path.slice(path.lastIndexOf('/') + 1);
  // gopkg.in/yaml.v3 is package yaml; go-foo style names are usually package foo.
  return last.replace(/\.v\d+$/, '').replace(/^go-/, '').replace(/[-.]/g, '_');
}

function isStdPath(path: string): boolean {
  return !path.split('/')[0].includes('.');
}

export interface ImportResult {
  /** Insertions/replacements in offsets of the original text (non-overlapping, in order). */
  edits: OffsetEdit[];
  /** The text with the edits applied. */
  text: string;
  /** For every requested path: the qualifier the code must use ('' for a dot import). */
  qualifiers: Map<string, string>;
}

/**
 * Adds the import paths a file is missing to its import block, gofmt-style: into the first grouped
 * block (standard library paths into its first group that has some, others into its last group that has
 * some, each in sorted position), else by turning the first single import into a group, else as a new
 * declaration after the package clause. Paths already imported are not added again; when one is imported
 * under an alias, the returned qualifier is that alias. A file without a package clause, or whose imports
 * cannot be read (half typed), is left alone.
 */
export function addImports(text: string, paths: string[]): ImportResult {
  const qualifiers = new Map<string, string>();
  const header = parseHeader(text);
  if (!header?.complete) {
    for (const p of paths) qualifiers.set(p, defaultImportName(p));
    return { edits: [], text, qualifiers };
  }
  const eol = text.includes('\r\n') ? '\r\n' : '\n';
  const existing = header.imports.flatMap((d) => d.specs);
  const taken = new Set(existing.filter((s) => s.name !== '_' && s.name !== '.').map((s) => s.name ?? defaultImportName(s.path)));

  const missing: { path: string; name?: string }[] = [];
  for (const p of [...new Set(paths)].sort()) {
    const usable = existing.filter((s) => s.path === p && s.name !== '_');
    const plain = usable.find((s) => s.name === undefined || s.name === defaultImportName(p));
    if (plain) qualifiers.set(p, defaultImportName(p));
    else if (usable.length) qualifiers.set(p, usable[0].name === '.' ? '' : usable[0].name!);
    else {
      const base = defaultImportName(p);
      let name: string | undefined;
      if (taken.has(base)) {
        // Another package already has this name here: import ours under a name derived from its path.
        const parts = p.split('/');
        const stem = (parts.length > 1 ? defaultImportName(parts.slice(0, -1).join('/')) : 'std') + base;
        name = stem;
        for (let k = 2; taken.has(name); k++) name = `${stem}${k}`;
      }
      taken.add(name ?? base);
      qualifiers.set(p, name ?? base);
      missing.push({ path: p, name });
    }
  }
  if (!missing.length) return { edits: [], text, qualifiers };

  const specText = (m: { path: string; name?: string }) => `${m.name ? `${m.name} ` : ''}${JSON.stringify(m.path)}`;
  const blockText = (specs: string[][]) =>
    `import (${eol}${specs
      .filter((g) => g.length)
      .map((g) => g.map((s) => `\t${s}${eol}`).join(''))
      .join(eol)})`;
  const splitStd = (items: { path: string; text: string }[]) => {
    const sorted = [...items].sort((a, b) => cmp(a.path, b.path));
    return [sorted.filter((s) => isStdPath(s.path)).map((s) => s.text), sorted.filter((s) => !isStdPath(s.path)).map((s) => s.text)];
  };

  let edits: OffsetEdit[];
  const block = header.imports.find((d) => d.grouped && isMultiLineBlock(text, d));
  if (block) {
    edits = insertIntoBlock(text, block, missing.map((m) => ({ path: m.path, text: specText(m) })), eol);
  } else if (header.imports.length && !header.imports[0].grouped) {
    const d = header.imports[0];
    const s = d.specs[0];
    const lineEnd = endOfLine(text, d.end);
    const trailing = text.slice(d.end, lineEnd).trim();
    const own = { path: s.path, text: text.slice(s.start, s.end) + (trailing ? ` ${trailing}` : '') };
    const groups = splitStd([own, ...missing.map((m) => ({ path: m.path, text: specText(m) }))]);
    edits = [{ start: d.start, end: lineEnd, newText: blockText(groups) }];
  } else if (header.imports.length) {
    // Only blocks written on one line (not gofmt'd): add a declaration after the last import instead.
    const last = header.imports[header.imports.length - 1];
    const at = endOfLine(text, last.end);
    const groups = splitStd(missing.map((m) => ({ path: m.path, text: specText(m) })));
    const decl = missing.length === 1 ? `import ${specText(missing[0])}` : blockText(groups);
    edits = [{ start: at, end: at, newText: eol + decl }];
  } else {
    const groups = splitStd(missing.map((m) => ({ path: m.path, text: specText(m) })));
    const decl = missing.length === 1 ? `import ${specText(missing[0])}` : blockText(groups);
    const lineEnd = endOfLine(text, header.packageEnd);
    if (lineEnd >= text.length) {
      edits = [{ start: text.length, end: text.length, newText: eol + eol + decl + eol }];
    } else {
      const next = lineEnd + 1;
      const nextLineBlank = text.slice(next, endOfLine(text, next)).trim() === '';
      edits = [{ start: next, end: next, newText: eol + decl + eol + (nextLineBlank ? '' : eol) }];
    }
  }
  return { edits, text: applyEdits(text, edits), qualifiers };
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Index of the line break ending the line that holds `offset` (or the text's length). */
function endOfLine(text: string, offset: number): number {
  const i = text.indexOf('\n', offset);
  if (i < 0) return text.length;
  return i > 0 && text[i - 1] === '\r' ? i - 1 : i;
}

function startOfLine(text: string, offset: number): number {
  return text.lastIndexOf('\n', offset - 1) + 1;
}

/** After the line break that ends the line holding `offset` (or the text's length). */
function nextLineStart(text: string, offset: number): number {
  const i = text.indexOf('\n', offset);
  return i < 0 ? text.length : i + 1;
}

/** `(` ends its line and `)` starts its line: the only block shape gofmt produces. */
function isMultiLineBlock(text: string, d: ImportDecl): boolean {
  const afterParen = text.slice(d.lparen! + 1, endOfLine(text, d.lparen!)).trim();
  const beforeParen = text.slice(startOfLine(text, d.rparen!), d.rparen!).trim();
  return (afterParen === '' || afterParen.startsWith('//')) && beforeParen === '';
}

interface BlockLine {
  start: number;
  blank: boolean;
  spec?: ImportSpec;
}

function insertIntoBlock(text: string, d: ImportDecl, items: { path: string; text: string }[], eol: string): OffsetEdit[] {
  // The lines between "(" and ")", split into groups at blank lines as gofmt sorts them.
  const lines: BlockLine[] = [];
  for (let at = nextLineStart(text, d.lparen!); at < startOfLine(text, d.rparen!); at = nextLineStart(text, at)) {
    const end = endOfLine(text, at);
    const spec = d.specs.find((s) => s.start >= at && s.start <= end);
    lines.push({ start: at, blank: text.slice(at, end).trim() === '', spec });
  }
  const groups: BlockLine[][] = [];
  let cur: BlockLine[] | undefined;
  for (const l of lines) {
    if (l.blank) cur = undefined;
    else {
      if (!cur) groups.push((cur = []));
      cur.push(l);
    }
  }
  const specGroups = groups.filter((g) => g.some((l) => l.spec));

  // Insertions keyed by offset; several new specs at one offset keep their sorted order.
  const inserts = new Map<number, { before: string; lines: string[]; after: string }>();
  const add = (offset: number, line: string, before = '', after = '') => {
    const e = inserts.get(offset) ?? { before, lines: [], after };
    e.lines.push(line);
    inserts.set(offset, e);
  };
  const afterLine = (l: BlockLine) => nextLineStart(text, l.start);
  for (const item of [...items].sort((a, b) => cmp(a.path, b.path))) {
    const std = isStdPath(item.path);
    const name = /^\S+ (?=")/.exec(item.text)?.[0].trim() ?? '';
    const group = std
      ? specGroups.find((g) => g.some((l) => l.spec && isStdPath(l.spec.path)))
      : [...specGroups].reverse().find((g) => g.some((l) => l.spec && !isStdPath(l.spec.path)));
    if (!group) {
      if (!groups.length) add(startOfLine(text, d.rparen!), item.text);
      else if (std) add(groups[0][0].start, item.text, '', eol);
      else add(afterLine(groups[groups.length - 1][groups[groups.length - 1].length - 1]), item.text, eol);
      continue;
    }
    // gofmt orders by path, then by name (no name first).
    const idx = group.findIndex((l) => l.spec && (cmp(l.spec.path, item.path) || cmp(l.spec.name ?? '', name)) > 0);
    if (idx < 0) {
      const lastSpec = [...group].reverse().find((l) => l.spec)!;
      add(afterLine(lastSpec), item.text);
    } else {
      // Comment lines directly above a spec belong to it: insert above them.
      let k = idx;
      while (k > 0 && !group[k - 1].spec) k--;
      add(group[k].start, item.text);
    }
  }
  return [...inserts.entries()]
    .sort((a, b) => a[0] - b[0])
    .map(([offset, e]) => ({ start: offset, end: offset, newText: e.before + e.lines.map((l) => `\t${l}${eol}`).join('') + e.after }));
}

/** Applies non-overlapping edits given in offsets of the original text. */
export function applyEdits(text: string, edits: OffsetEdit[]): string {
  let out = '';
  let pos = 0;
  for (const e of [...edits].sort((a, b) => a.start - b.start || a.end - b.end)) {
    if (e.start < pos) throw new Error('overlapping edits');
    out += text.slice(pos, e.start) + e.newText;
    pos = e.end;
  }
  return out + text.slice(pos);
}

/**
 * Rewrites a snippet body's package qualifiers to the names the file imports them under (an alias, or
 * nothing for a dot import). Qualifiers that keep their default name are left as they are.
 */
export function renameQualifiers(body: string, qualifiers: Map<string, string>): string {
  let out = body;
  for (const [path, q] of qualifiers) {
    const base = defaultImportName(path);
    if (q === base) continue;
    out = out.replace(new RegExp(`(?<![\\w.$])${base}\\.(?=[\\p{L}_])`, 'gu'), q ? `${q}.` : '');
  }
  return out;
}

// ---------------------------------------------------------------------------------------------------
// Where a snippet goes

export interface TopLevelDecl {
  keyword: string;
  /** Start of its doc comment, or of the keyword. */
  start: number;
  /** End of its last token. */
  end: number;
  /** For a func: its body's braces. */
  body?: { open: number; close: number };
}

/** The file's top-level declarations (and package clause), found from the tokens at bracket depth 0. */
export function topLevelDecls(text: string): TopLevelDecl[] {
  const toks = lex(text);
  const out: TopLevelDecl[] = [];
  let depth = 0;
  let current: TopLevelDecl | undefined;
  let lastCode: Token | undefined;
  let braceOpen = -1;
  const closeCurrent = () => {
    if (current && lastCode) current.end = lastCode.end;
  };
  for (let i = 0; i < toks.length; i++) {
    const t = toks[i];
    if (t.kind === 'comment') continue;
    const firstOnLine = text.slice(startOfLine(text, t.start), t.start).trim() === '';
    if (depth === 0 && firstOnLine && t.kind === 'ident' && DECL_KEYWORDS.has(t.text)) {
      closeCurrent();
      current = { keyword: t.text, start: docCommentStart(text, toks, i), end: t.end };
      out.push(current);
    }
    if (t.kind === 'op') {
      if (t.text === '{' && depth === 0) braceOpen = t.start;
      if ('([{'.includes(t.text)) depth++;
      else if (')]}'.includes(t.text)) {
        depth = Math.max(0, depth - 1);
        // The last depth-0 brace pair of a func is its body (a struct result type comes before it).
        if (t.text === '}' && depth === 0 && current?.keyword === 'func' && braceOpen >= 0) current.body = { open: braceOpen, close: t.start };
      }
    }
    lastCode = t;
  }
  closeCurrent();
  return out;
}

/** The start of the comment lines directly above token i (no blank line between), or the token's start. */
function docCommentStart(text: string, toks: Token[], i: number): number {
  let start = toks[i].start;
  for (let k = i - 1; k >= 0 && toks[k].kind === 'comment'; k--) {
    const between = text.slice(toks[k].end, start);
    if ((between.match(/\n/g) ?? []).length > 1 || text.slice(startOfLine(text, toks[k].start), toks[k].start).trim() !== '') break;
    start = toks[k].start;
  }
  return start;
}

/** True when the offset lies inside the body of a top-level function or method. */
export function insideFunctionBody(text: string, offset: number): boolean {
  return topLevelDecls(text).some((d) => d.body && d.body.open < offset && offset <= d.body.close);
}

export interface Placement {
  offset: number;
  /** Text to put before and after the snippet so that it is separated by one blank line, as gofmt wants. */
  before: string;
  after: string;
}

/**
 * Where a top-level snippet goes for a cursor at `offset`: after the top-level declaration holding the
 * cursor (its whole line), or, outside any declaration, after the cursor's line (at it, when blank).
 */
export function topLevelPlacement(text: string, offset: number): Placement {
  const eol = text.includes('\r\n') ? '\r\n' : '\n';
  const decl = topLevelDecls(text).find((d) => d.start <= offset && offset <= endOfLine(text, d.end));
  const lineIsBlank = (at: number) => at < text.length && text.slice(at, endOfLine(text, at)).trim() === '';
  if (!decl && lineIsBlank(startOfLine(text, offset))) {
    const at = startOfLine(text, offset);
    const prevBlank = at === 0 || text.slice(startOfLine(text, at - 1), at).trim() === '';
    return { offset: at, before: prevBlank ? '' : eol, after: eol };
  }
  const anchor = decl ? decl.end : offset;
  const lineEnd = endOfLine(text, anchor);
  if (nextLineStart(text, anchor) >= text.length && !text.endsWith('\n')) {
    return { offset: text.length, before: eol + eol, after: eol };
  }
  const at = nextLineStart(text, lineEnd);
  return { offset: at, before: eol, after: eol + (at < text.length && !lineIsBlank(at) ? eol : '') };
}

// ---------------------------------------------------------------------------------------------------
// The whole insertion, as the command performs it

export interface InsertionPlan {
  /** Import edits, in offsets of the original text; the command applies them first. */
  importEdits: OffsetEdit[];
  /** Where the snippet goes, in offsets of the text after the import edits. */
  offset: number;
  /** The snippet to insert there (VS Code snippet syntax), qualifiers renamed to the file's imports. */
  snippet: string;
  /** Set when the imports could not be added (no package clause, or imports being typed). */
  importsSkipped?: boolean;
}

/**
 * Plans inserting a pattern into a Go file whose cursor is at `cursor`: statements go at the cursor, which
 * must be inside a function body; declarations go after the top-level declaration holding the cursor.
 */
export function planInsertion(text: string, cursor: number, pattern: Pattern): InsertionPlan | { error: string } {
  if (!pattern.topLevel && !insideFunctionBody(text, cursor)) {
    return { error: `"${pattern.name}" inserts statements: place the cursor inside a function body.` };
  }
  const { edits, text: after, qualifiers } = addImports(text, pattern.imports);
  const importsSkipped = pattern.imports.length > 0 && !parseHeader(text)?.complete;
  // Import edits lie above the cursor (in the header), so the cursor moves by their length.
  let moved = cursor;
  for (const e of edits) if (e.end <= cursor) moved += e.newText.length - (e.end - e.start);
  const body = renameQualifiers(pattern.body, qualifiers);
  if (!pattern.topLevel) return { importEdits: edits, offset: moved, snippet: body, importsSkipped };
  const at = topLevelPlacement(after, moved);
  return { importEdits: edits, offset: at.offset, snippet: escapeSnippetText(at.before) + body + escapeSnippetText(at.after), importsSkipped };
}

/** Plain text inside a snippet. */
export function escapeSnippetText(s: string): string {
  return s.replace(/[$}\\]/g, '\\$&');
}
