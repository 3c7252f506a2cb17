// The extension-host tests, launched the standard way: @vscode/test-electron's runTests. Where VS Code
// can be downloaded (GG_E2E_VSCODE=download) runTests fetches and starts it as usual; by default, and on
// machines that only reach the npm registry, vscodeExecutablePath is code-shim, which runs the same
// tests in code-server's extension host.
import { runTests } from '@vscode/test-electron';
import * as fs from 'fs';
import * as path from 'path';
import { E2E_SRC, makeRunDir, removeRunDir, ROOT, WORKSPACE_FIXTURE } from './harness';
import type { SuiteResults } from './suite/index';

export type VSCodeSource = 'code-server' | 'download';

export function vscodeSource(): VSCodeSource {
  const v = process.env.GG_E2E_VSCODE || 'code-server';
  if (v !== 'code-server' && v !== 'download') throw new Error(`GG_E2E_VSCODE must be code-server or download, not ${v}`);
  return v;
}

/** Runs every extension-host suite in one VS Code session; the results come back through a file. */
export async function runExtensionHostSuites(): Promise<SuiteResults> {
  const run = makeRunDir('ws');
  // A copy: the tests apply fixes, edit go.mod and write settings.
  const workspace = path.join(run, 'workspace');
  fs.cpSync(WORKSPACE_FIXTURE, workspace, { recursive: true });
  const resultsFile = path.join(run, 'results.json');
  const source = vscodeSource();
  try {
    await runTests({
      extensionDevelopmentPath: ROOT,
      extensionTestsPath: path.join(__dirname, 'suite', 'index.js'),
      // Other installed extensions (e.g. the Go extension) would add diagnostics and completions of their own.
      launchArgs: [workspace, '--disable-extensions'],
      extensionTestsEnv: { GG_E2E_RESULTS: resultsFile, ...(process.env.GG_E2E_GREP ? { GG_E2E_GREP: process.env.GG_E2E_GREP } : {}) },
      ...(source === 'code-server' ? { vscodeExecutablePath: path.join(E2E_SRC, 'code-shim') } : {}),
    });
  } catch (err) {
    // A failing test is reported through the results file; only a run that produced none is an error here.
    if (!fs.existsSync(resultsFile)) console.error(`[exthost] ${(err as Error).message}`);
  }
  try {
    if (!fs.existsSync(resultsFile)) return { passed: [], failed: [{ title: 'extension-host run', error: 'the suites did not run to completion (see the log above)' }], metrics: {} };
    return JSON.parse(fs.readFileSync(resultsFile, 'utf8')) as SuiteResults;
  } finally {
    removeRunDir(run);
  }
}
