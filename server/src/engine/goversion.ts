// The Go language version a file is analysed under: --go-version/setting > //go:build go1.N > go.mod.
import type { AnalyzeOptions, GoVersion } from './types';

/** Assumed when nothing says otherwise: a modern toolchain (per-iteration loop variables, GC'd timers). */
export const DEFAULT_GO_VERSION: GoVersion = { major: 1, minor: 25 };

/** Parses "1.21", "1.21.3", "go1.22", "1.23rc1". */
export function parseGoVersion(s: string | undefined): GoVersion | undefined {
  if (!s) return undefined;
  const m = /^\s*(?:go)?(\d+)\.(\d+)/.exec(s);
  if (!m) return undefined;
  return { major: Number(m[1]), minor: Number(m[2]) };
}

export function formatGoVersion(v: GoVersion): string {
  return `${v.major}.${v.minor}`;
}

export function versionLess(a: GoVersion, b: GoVersion): boolean {
  return a.major < b.major || (a.major === b.major && a.minor < b.minor);
}

/** The `go` directive of a go.mod file's text. */
export function goModDirective(gomod: string): string | undefined {
  const m = /^[ \t]*go[ \t]+(\d+\.\d+(?:\.\d+)?(?:rc\d+|beta\d+)?)[ \t]*(?:\/\/.*)?$/m.exec(gomod);
  return m?.[1];
}

/**
 * The version a `//go:build` line pins the file to: the go1.N terms that must hold. Only plain
 * conjunctions are read (`go1.22`, `go1.22 && linux`); anything with `||` or a negated go term is
 * ambiguous and ignored.
 */
export function buildLineVersion(text: string): GoVersion | undefined {
  // The constraint must come before the package clause.
  const head = text.slice(0, Math.max(0, text.search(/^package\s/m)));
  const m = /^\/\/go:build\s+(.+)$/m.exec(head);
  if (!m) return undefined;
  const expr = m[1].trim();
  if (expr.includes('||') || /!\s*\(?\s*go1\.\d+/.test(expr)) return undefined;
  let best: GoVersion | undefined;
  for (const g of expr.matchAll(/\bgo1\.(\d+)\b/g)) {
    const v = { major: 1, minor: Number(g[1]) };
    if (!best || versionLess(best, v)) best = v;
  }
  return best;
}

export function effectiveGoVersion(opts: AnalyzeOptions, text: string): GoVersion {
  return parseGoVersion(opts.goVersionOverride) ?? buildLineVersion(text) ?? parseGoVersion(opts.moduleGoVersion) ?? DEFAULT_GO_VERSION;
}
