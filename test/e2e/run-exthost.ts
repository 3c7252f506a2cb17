// A stand-in "VS Code executable" for @vscode/test-electron's runTests (test/e2e/code-shim execs it):
// it takes the same --extensionDevelopmentPath=/--extensionTestsPath= flags and the workspace folder,
// runs the tests inside code-server's real extension host, and exits with the tests' exit code.
//
// The workbench gets the two paths through the URL's `payload` parameter, which the built workbench
// honours only because code-server runs with enable-smoke-test-driver; the test runner's exit code and
// the extension host's console come back through window.codeAutomationExit / codeAutomationLog.
import * as fs from 'fs';
import * as path from 'path';
import * as util from 'util';
import type { BrowserContext, Page } from 'playwright-core';
import { ARTIFACTS, CodeServer, launchChromium, makeRunDir, removeRunDir, saveLogs, startCodeServer } from './harness';

// Lines every run prints that say nothing about the tests.
const NOISE = /Ignoring fetching additional builtin|Creating a socket|connection token|AccountPolicyGate|AgentHost:remote|Service Worker|grace time|additional builtin extensions cache|authentication provider 'github'/;

interface Options {
  extDevs: string[];
  testsPath: string;
  folder?: string;
}

export function parseArgs(argv: string[]): Options {
  const o: Options = { extDevs: [], testsPath: '' };
  for (const a of argv) {
    const eq = a.indexOf('=');
    const value = a.slice(eq + 1);
    if (a.startsWith('--extensionDevelopmentPath=')) o.extDevs.push(value);
    else if (a.startsWith('--extensionTestsPath=')) o.testsPath = value;
    else if (!a.startsWith('-')) o.folder = a;
    // Electron-only flags runTests adds (--no-sandbox, --user-data-dir=…, --disable-updates) do not apply.
  }
  if (!o.extDevs.length || !o.testsPath) throw new Error('usage: code-shim --extensionDevelopmentPath=<dir> --extensionTestsPath=<file> [folder]');
  return o;
}

export async function runExtHostTests(o: Options): Promise<number> {
  const timeoutMs = Number(process.env.GG_E2E_TIMEOUT_MS || 480_000);
  const t0 = Date.now();
  const run = makeRunDir('exthost');
  // Logs of an earlier failed run would pass for this run's.
  fs.rmSync(path.join(ARTIFACTS, 'exthost'), { recursive: true, force: true });
  let code = 1;
  let cs: CodeServer | undefined;
  let browser: BrowserContext | undefined;
  let page: Page | undefined;
  try {
    cs = await startCodeServer(run);
    console.log(`[exthost] code-server up in ${Date.now() - t0} ms`);
    browser = await launchChromium(run);
    let exit: (code: number) => void = () => undefined;
    const exited = new Promise<number>((resolve) => (exit = resolve));
    // Both must exist before the workbench loads: it looks for them when the tests start and end.
    await browser.exposeFunction('codeAutomationLog', (_type: string, args: unknown) => {
      const line = util.format(...(Array.isArray(args) ? args : [args]));
      if (process.env.GG_E2E_VERBOSE || !NOISE.test(line)) console.log(line);
    });
    await browser.exposeFunction('codeAutomationExit', (c: number) => exit(c));
    page = browser.pages()[0] ?? (await browser.newPage());
    page.on('pageerror', (e) => console.log('[exthost] page error:', e.message));
    const remote = cs.remote;
    const payload = [
      ...o.extDevs.map((p) => ['extensionDevelopmentPath', remote + path.resolve(p)]),
      ['extensionTestsPath', remote + path.resolve(o.testsPath)],
      ['skipWelcome', 'true'],
      ['skipReleaseNotes', 'true'],
    ];
    const folder = o.folder ? `folder=${encodeURIComponent(path.resolve(o.folder))}&` : '';
    await page.goto(`${cs.base}/?${folder}payload=${encodeURIComponent(JSON.stringify(payload))}`);
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<'timeout'>((r) => (timer = setTimeout(() => r('timeout'), timeoutMs)));
    const result = await Promise.race([exited, timedOut]);
    clearTimeout(timer);
    if (result === 'timeout') console.log(`[exthost] the tests did not finish within ${timeoutMs / 1000} s`);
    else code = result;
  } finally {
    if (code !== 0) {
      const dest = saveLogs(run, 'exthost');
      await page?.screenshot({ path: path.join(dest, 'failure.png') }).catch(() => undefined);
      console.log(`[exthost] logs and a screenshot in ${dest}`);
    }
    await browser?.close().catch(() => undefined);
    await cs?.stop();
    removeRunDir(run);
    console.log(`[exthost] exit code ${code}, ${((Date.now() - t0) / 1000).toFixed(1)} s`);
  }
  return code;
}

if (require.main === module) {
  let opts: Options;
  try {
    opts = parseArgs(process.argv.slice(2));
  } catch (err) {
    console.error((err as Error).message);
    process.exit(2);
  }
  runExtHostTests(opts).then(
    (c) => process.exit(c),
    (err) => {
      console.error(err);
      process.exit(2);
    },
  );
}
