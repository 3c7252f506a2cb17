// Developer tool (the analysistest -update of this project): rewrites test/fixtures/**/NAME.go.golden as
// the file after applying each finding's first fix; deletes goldens of fixtures without fixes.
// Review `git diff` afterwards: a golden is an assertion, not an output to accept blindly.
//   npm run fixtures:update [-- <rule-id> ...]
import * as fs from 'fs';
import * as path from 'path';
import { analyzeText, applyFirstFixes, initParser } from '../server/src/engine';
import { goModDirective } from '../server/src/engine/goversion';
import { FIXTURES, loadFixtures } from '../test/support/fixtures';

function moduleVersion(file: string): string | undefined {
  for (let dir = path.dirname(file); dir.startsWith(FIXTURES); dir = path.dirname(dir)) {
    const mod = path.join(dir, 'go.mod');
    if (fs.existsSync(mod)) return goModDirective(fs.readFileSync(mod, 'utf8'));
  }
  return undefined;
}

(async () => {
  await initParser();
  const only = process.argv.slice(2);
  for (const fx of loadFixtures()) {
    if (only.length && !only.includes(fx.rule)) continue;
    const findings = analyzeText(fx.text, { moduleGoVersion: moduleVersion(fx.file) });
    const golden = fx.file + '.golden';
    if (!findings.some((f) => f.fixes.length)) {
      if (fs.existsSync(golden)) {
        fs.unlinkSync(golden);
        console.log(`removed ${path.relative(FIXTURES, golden)}`);
      }
      continue;
    }
    const { text, skipped } = applyFirstFixes(fx.text, findings);
    if (skipped) console.warn(`${fx.rel}: ${skipped} overlapping fix(es) skipped`);
    if (fs.existsSync(golden) && fs.readFileSync(golden, 'utf8') === text) continue;
    fs.writeFileSync(golden, text);
    console.log(`wrote ${path.relative(FIXTURES, golden)}`);
  }
})();
