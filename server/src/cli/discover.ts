// Which files the CLI lints: named files always; directories recursively for *.go, skipping the
// directories Go tooling and users never want linted and what .gitignore files (nested ones apply to
// their subtree, as in git) ignore.
import * as fs from 'fs';
import ignore, { type Ignore } from 'ignore';
import * as path from 'path';

const SKIPPED_DIRS = new Set(['vendor', 'testdata', 'node_modules', '.git']);

interface Matcher {
  base: string;
  ig: Ignore;
}

export interface Discovery {
  /** Absolute paths, de-duplicated, in walk order. */
  files: string[];
  /** Paths that do not exist or cannot be listed, with the reason. */
  errors: { path: string; message: string }[];
}

export function discover(paths: string[], cwd: string): Discovery {
  const seen = new Set<string>();
  const files: string[] = [];
  const errors: Discovery['errors'] = [];
  const add = (f: string) => {
    if (!seen.has(f)) {
      seen.add(f);
      files.push(f);
    }
  };
  for (const arg of paths) {
    // Go users type ./... for "this directory and below"; that is what a directory means here anyway.
    const cleaned = arg === '...' ? '.' : arg.replace(/[\\/]\.\.\.$/, '') || '/';
    const abs = path.resolve(cwd, cleaned);
    let stat: fs.Stats;
    try {
      stat = fs.statSync(abs);
    } catch (err) {
      errors.push({ path: arg, message: describeError(err) });
      continue;
    }
    if (!stat.isDirectory()) {
      add(abs);
      continue;
    }
    let matchers = ancestorMatchers(abs);
    // The user named this directory: a .gitignore above it must not hide all of it.
    if (isIgnored(matchers, abs, true)) matchers = [];
    walk(abs, matchers, add, errors);
  }
  return { files, errors };
}

function walk(dir: string, parent: Matcher[], add: (f: string) => void, errors: Discovery['errors']): void {
  let entries: fs.Dirent[];
  try {
    entries = fs.readdirSync(dir, { withFileTypes: true });
  } catch (err) {
    errors.push({ path: dir, message: describeError(err) });
    return;
  }
  const own = readIgnoreFile(path.join(dir, '.gitignore'));
  const matchers = own ? [...parent, { base: dir, ig: own }] : parent;
  entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  for (const e of entries) {
    const full = path.join(dir, e.name);
    if (e.isDirectory()) {
      if (SKIPPED_DIRS.has(e.name) || isIgnored(matchers, full, true)) continue;
      walk(full, matchers, add, errors);
    } else if (e.name.endsWith('.go') && (e.isFile() || e.isSymbolicLink())) {
      // Symlinked directories are not followed (as `go ./...` does not): they can form cycles. A dangling
      // link named *.go is kept so that reading it reports the problem instead of hiding it.
      if (e.isSymbolicLink()) {
        try {
          if (fs.statSync(full).isDirectory()) continue;
        } catch {
          /* dangling: reported when read */
        }
      }
      if (!isIgnored(matchers, full, false)) add(full);
    }
  }
}

/**
 * The .gitignore files above a walked directory, up to its repository root (the directory holding
 * .git), and that repository's .git/info/exclude. Outside a repository only the walked tree's own
 * .gitignore files apply.
 */
function ancestorMatchers(dir: string): Matcher[] {
  const chain: string[] = [];
  let d = path.dirname(dir);
  let repoRoot: string | undefined = fs.existsSync(path.join(dir, '.git')) ? dir : undefined;
  while (!repoRoot) {
    chain.push(d);
    if (fs.existsSync(path.join(d, '.git'))) repoRoot = d;
    const up = path.dirname(d);
    if (up === d) break;
    d = up;
  }
  if (!repoRoot) return [];
  const out: Matcher[] = [];
  const exclude = readIgnoreFile(path.join(repoRoot, '.git', 'info', 'exclude'));
  if (exclude) out.push({ base: repoRoot, ig: exclude });
  for (const a of chain.reverse()) {
    const ig = readIgnoreFile(path.join(a, '.gitignore'));
    if (ig) out.push({ base: a, ig });
  }
  return out;
}

function readIgnoreFile(file: string): Ignore | undefined {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
  return ignore().add(text);
}

/** Git semantics: the deepest .gitignore with a matching pattern decides (a `!pattern` re-includes). */
function isIgnored(matchers: Matcher[], full: string, isDir: boolean): boolean {
  let ignored = false;
  for (const m of matchers) {
    const rel = path.relative(m.base, full);
    if (!rel || rel.startsWith('..') || path.isAbsolute(rel)) continue;
    const r = m.ig.test(rel.split(path.sep).join('/') + (isDir ? '/' : ''));
    if (r.ignored) ignored = true;
    else if (r.unignored) ignored = false;
  }
  return ignored;
}

export function describeError(err: unknown): string {
  const e = err as NodeJS.ErrnoException;
  switch (e.code) {
    case 'ENOENT':
      return 'no such file or directory';
    case 'EACCES':
    case 'EPERM':
      return 'permission denied';
    case 'EISDIR':
      return 'is a directory';
    case 'ELOOP':
      return 'too many levels of symbolic links';
    default:
      return e.message ?? String(err);
  }
}
