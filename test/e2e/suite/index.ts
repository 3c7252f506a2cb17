// Entry point VS Code loads inside the extension host (extensionTestsPath): runs the *.e2e.js suites
// beside it with mocha and writes a summary for test/e2e/run.ts to GG_E2E_RESULTS.
import * as fs from 'fs';
import * as path from 'path';
import { metrics } from './helpers';

// mocha's package entry is an ES module; the extension host loads tests with require(), like its CJS build.
const Mocha = require('mocha/lib/mocha.cjs') as typeof import('mocha');

export interface SuiteResults {
  passed: string[];
  failed: { title: string; error: string }[];
  metrics: Record<string, number>;
}

export function run(): Promise<void> {
  const mocha = new Mocha({ ui: 'bdd', color: false, reporter: 'spec', timeout: 60_000, grep: process.env.GG_E2E_GREP || undefined });
  // Numbered files: activation must be observed before any other suite opens a Go file.
  for (const f of fs.readdirSync(__dirname).filter((f) => f.endsWith('.e2e.js')).sort()) mocha.addFile(path.join(__dirname, f));
  const results: SuiteResults = { passed: [], failed: [], metrics };
  return new Promise((resolve, reject) => {
    const runner = mocha.run((failures) => {
      console.log(`${results.passed.length} passed, ${results.failed.length} failed`);
      const file = process.env.GG_E2E_RESULTS;
      if (file) fs.writeFileSync(file, JSON.stringify(results, null, 2));
      if (failures) reject(new Error(`${failures} extension-host test(s) failed`));
      else resolve();
    });
    runner.on('pass', (t) => results.passed.push(t.fullTitle()));
    runner.on('fail', (t, err: unknown) => results.failed.push({ title: t.fullTitle(), error: String((err as Error)?.stack ?? err) }));
  });
}
