// `npm run test:e2e`: installs a real VS Code if the cache lacks it, packages the extension, runs the
// extension-host suites (one VS Code session) and the UI test of the .vsix (one more), prints
// "N passed, N failed" and exits non-zero on any failure.
//   --only=exthost | --only=ui    run one of the two
//   GG_E2E_GREP=<pattern>         only the extension-host tests whose title matches
//   GG_E2E_VSCODE=download        extension-host tests in a downloaded VS Code (needs internet and a display)
//   GG_E2E_KEEP=1                 keep the per-run temp dirs
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { runExtensionHostSuites, vscodeSource } from './exthost';
import { ARTIFACTS, CACHE, codeServerInstalled, E2E_SRC, ROOT } from './harness';
import type { SuiteResults } from './suite/index';
import { runUiTest } from './ui';

function sh(cmd: string, args: string[]): void {
  execFileSync(cmd, args, { cwd: ROOT, stdio: 'inherit' });
}

async function main(): Promise<number> {
  const t0 = Date.now();
  const only = process.argv.find((a) => a.startsWith('--only='))?.slice('--only='.length);
  if (only && only !== 'exthost' && only !== 'ui') throw new Error(`--only=exthost or --only=ui, not ${only}`);
  const exthost = only !== 'ui';
  const ui = only !== 'exthost';

  if ((ui || vscodeSource() === 'code-server') && !codeServerInstalled()) {
    console.log(`[e2e] installing code-server, Node 24 and Chromium into ${CACHE}`);
    sh('bash', [path.join(E2E_SRC, 'setup.sh')]);
  }
  // One production build serves both runs: the extension-host tests load dist/ from the repository,
  // the UI test installs the .vsix made from the same dist/.
  const vsix = path.join(ROOT, 'goroutine-guard.vsix');
  if (ui) sh('npm', ['run', '--silent', 'package']);
  else sh('node', ['scripts/build.mjs', '--production']);

  const all: SuiteResults = { passed: [], failed: [], metrics: {} };
  const add = (r: SuiteResults) => {
    all.passed.push(...r.passed);
    all.failed.push(...r.failed);
    Object.assign(all.metrics, r.metrics);
  };
  if (exthost) {
    console.log(`[e2e] extension-host tests (${vscodeSource()})`);
    add(await runExtensionHostSuites());
  }
  if (ui) {
    console.log('[e2e] UI test of the packaged extension');
    add(await runUiTest(vsix));
  }

  fs.mkdirSync(ARTIFACTS, { recursive: true });
  fs.writeFileSync(path.join(ARTIFACTS, 'e2e-results.json'), JSON.stringify(all, null, 2));
  console.log('');
  for (const [k, v] of Object.entries(all.metrics)) console.log(`[e2e] ${k}: ${v}`);
  for (const f of all.failed) console.log(`[e2e] FAILED ${f.title}\n${f.error.split('\n').slice(0, 6).join('\n')}`);
  console.log(`[e2e] ${all.passed.length} passed, ${all.failed.length} failed (${((Date.now() - t0) / 1000).toFixed(0)} s; results in ${path.relative(ROOT, ARTIFACTS)}/e2e-results.json)`);
  return all.failed.length || !all.passed.length ? 1 : 0;
}

main().then(
  (code) => process.exit(code),
  (err) => {
    console.error(err);
    process.exit(2);
  },
);
