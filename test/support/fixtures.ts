// analysistest-style fixtures: `// want <rule-id> [<rule-id>…]` at the end of a line marks every
// finding that must start on that line; every other line must stay silent.
import * as fs from 'fs';
import * as path from 'path';

export const FIXTURES = path.resolve(__dirname, '..', '..', '..', 'test', 'fixtures');

export interface Fixture {
  rule: string;
  /** Absolute path of the .go file. */
  file: string;
  /** Path relative to the rule's fixture directory. */
  rel: string;
  text: string;
  golden: string | undefined;
  /** "line:rule" keys (1-based lines). */
  wants: Set<string>;
}

export function parseWants(text: string): Set<string> {
  const wants = new Set<string>();
  text.split('\n').forEach((line, i) => {
    const m = /\/\/\s*want\s+([\w-]+(?:[\s,]+[\w-]+)*)\s*$/.exec(line);
    if (!m) return;
    for (const id of m[1].split(/[\s,]+/).filter(Boolean)) wants.add(`${i + 1}:${id}`);
  });
  return wants;
}

function walk(dir: string, out: string[]): void {
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) walk(p, out);
    else if (e.name.endsWith('.go')) out.push(p);
  }
}

export function loadFixtures(): Fixture[] {
  const out: Fixture[] = [];
  for (const rule of fs.readdirSync(FIXTURES).sort()) {
    const dir = path.join(FIXTURES, rule);
    if (!fs.statSync(dir).isDirectory()) continue;
    const files: string[] = [];
    walk(dir, files);
    for (const file of files.sort()) {
      const text = fs.readFileSync(file, 'utf8');
      const g = file + '.golden';
      out.push({ rule, file, rel: path.relative(dir, file), text, golden: fs.existsSync(g) ? fs.readFileSync(g, 'utf8') : undefined, wants: parseWants(text) });
    }
  }
  return out;
}
