// The package's own files found at run time: package.json (version, home page) and docs/rules/<id>.md
// (SARIF rule help). They sit above the running module in every layout: dist/cli.js, out/server/src/cli/
// under tsc, and an installed package.
import * as fs from 'fs';
import * as path from 'path';

function findUp(rel: string, accept: (p: string) => boolean = () => true): string | undefined {
  let dir = __dirname;
  for (let i = 0; i < 8; i++) {
    const candidate = path.join(dir, rel);
    if (fs.existsSync(candidate) && accept(candidate)) return candidate;
    const up = path.dirname(dir);
    if (up === dir) break;
    dir = up;
  }
  return undefined;
}

interface PackageJson {
  name?: string;
  version?: string;
  homepage?: string;
  repository?: string | { url?: string };
}

let pkg: PackageJson | undefined;
export function packageJson(): PackageJson {
  if (!pkg) {
    pkg = {};
    const file = findUp('package.json', (p) => {
      try {
        return (JSON.parse(fs.readFileSync(p, 'utf8')) as PackageJson).name === 'goroutine-guard';
      } catch {
        return false;
      }
    });
    if (file) pkg = JSON.parse(fs.readFileSync(file, 'utf8')) as PackageJson;
  }
  return pkg;
}

export function toolVersion(): string {
  return packageJson().version ?? '0.0.0';
}

/** A web page about the tool, when package.json names one. */
export function informationUri(): string | undefined {
  const p = packageJson();
  const repo = typeof p.repository === 'string' ? p.repository : p.repository?.url;
  const uri = p.homepage ?? repo?.replace(/^git\+/, '').replace(/\.git$/, '');
  return uri && /^https?:\/\//.test(uri) ? uri : undefined;
}

let docsDir: string | null | undefined;
/** The markdown page of a rule, or undefined when the docs are not shipped next to the tool. */
export function ruleDoc(id: string): string | undefined {
  if (docsDir === undefined) docsDir = findUp(path.join('docs', 'rules')) ?? null;
  if (!docsDir) return undefined;
  try {
    return fs.readFileSync(path.join(docsDir, `${id}.md`), 'utf8');
  } catch {
    return undefined;
  }
}
