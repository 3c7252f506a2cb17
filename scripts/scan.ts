// Developer tool: lint a directory with the engine and print findings, to review what rules report on
// real code (e.g. the Go standard library). Usage:
//   npm run compile && node out/scripts/scan.js <dir> [rule-id ...] [--go-version X.Y] [--context N]
import * as fs from 'fs';
import * as path from 'path';
import { analyzeText, initParser } from '../server/src/engine';
import { GoModResolver } from '../server/src/gomod';

function files(dir: string, out: string[]): string[] {
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) {
      if (!['testdata', 'vendor', 'node_modules', '.git'].includes(e.name)) files(p, out);
    } else if (e.name.endsWith('.go')) out.push(p);
  }
  return out;
}

(async () => {
  const args = process.argv.slice(2);
  const gv = args.indexOf('--go-version');
  const override = gv >= 0 ? args.splice(gv, 2)[1] : undefined;
  const cx = args.indexOf('--context');
  const context = cx >= 0 ? Number(args.splice(cx, 2)[1]) : 0;
  const [dir, ...only] = args;
  await initParser();
  const mods = new GoModResolver();
  const counts = new Map<string, number>();
  let n = 0;
  for (const f of files(dir, [])) {
    const text = fs.readFileSync(f, 'utf8');
    n++;
    const found = analyzeText(text, { goVersionOverride: override, moduleGoVersion: mods.goVersionFor(f) }, (rule, err) => console.error(`RULE ERROR ${rule} in ${f}: ${(err as Error).stack}`));
    const lines = text.split('\n');
    for (const x of found) {
      if (only.length && !only.includes(x.rule)) continue;
      counts.set(x.rule, (counts.get(x.rule) ?? 0) + 1);
      console.log(`${f}:${x.range.start.line + 1}:${x.range.start.character + 1}: [${x.rule}] ${x.message}`);
      for (let i = Math.max(0, x.range.start.line - context); i <= Math.min(lines.length - 1, x.range.start.line + context) && context > 0; i++) console.log(`    ${i + 1}| ${lines[i]}`);
    }
  }
  console.log(`\n${n} files; findings: ${[...counts].map(([r, c]) => `${r}=${c}`).join(' ') || 'none'}`);
})();
