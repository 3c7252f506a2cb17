// Runs a real VS Code offline: code-server (VS Code's server, remote extension host and web workbench)
// on Node 24 from the cache that setup.sh fills, shown in Debian's headless Chromium via playwright-core.
// Every run gets its own user data, extensions, browser profile, HOME and TMPDIR under one temp dir, so
// runs neither share state nor litter the machine.
import { execFileSync, spawn } from 'child_process';
import * as fs from 'fs';
import * as http from 'http';
import * as net from 'net';
import * as os from 'os';
import * as path from 'path';
import type { BrowserContext } from 'playwright-core';

/** The repository root (this file runs from out/test/e2e/). */
export const ROOT = path.resolve(__dirname, '..', '..', '..');
export const E2E_SRC = path.join(ROOT, 'test', 'e2e');
export const WORKSPACE_FIXTURE = path.join(E2E_SRC, 'workspace');
export const ARTIFACTS = path.join(ROOT, 'artifacts');
export const CACHE = process.env.GG_E2E_CACHE || path.join(process.env.XDG_CACHE_HOME || path.join(os.homedir(), '.cache'), 'goroutine-guard-e2e');
export const CODE_SERVER_VERSION = '4.139.1';
const NODE24 = path.join(CACHE, 'node24', 'bin', 'node');
const CS_ENTRY = path.join(CACHE, 'cs', 'node_modules', 'code-server', 'out', 'node', 'entry.js');
const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';

/** True when setup.sh completed (it writes the marker last). */
export function codeServerInstalled(): boolean {
  return fs.existsSync(path.join(CACHE, 'cs', `.installed-${CODE_SERVER_VERSION}`)) && fs.existsSync(NODE24) && fs.existsSync(CHROMIUM);
}

/**
 * A per-run directory. Short on purpose: VS Code puts unix sockets in $TMPDIR and socket paths are
 * limited to 107 bytes, which a temp dir under a long $HOME/.cache path can exceed.
 */
export function makeRunDir(tag: string): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), `gg-${tag}-`));
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.on('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(port));
    });
  });
}

function healthz(url: string): Promise<number> {
  return new Promise((resolve, reject) => {
    http.get(url, (r) => {
      r.resume();
      resolve(r.statusCode ?? 0);
    }).on('error', reject);
  });
}

/**
 * The environment of every process we start. code-server writes ~/.config/code-server and
 * ~/.local/share/code-server, VS Code leaves vscode-ipc-*.sock in $TMPDIR, Chromium's crashpad writes
 * under ~/.config: all of it goes to the run dir. EXTENSIONS_GALLERY='{}' switches the Open VSX gallery
 * off (no outbound traffic).
 */
export function isolatedEnv(run: string): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    HOME: path.join(run, 'home'),
    XDG_CONFIG_HOME: path.join(run, 'xdg-config'),
    XDG_DATA_HOME: path.join(run, 'xdg-data'),
    XDG_CACHE_HOME: path.join(run, 'xdg-cache'),
    TMPDIR: path.join(run, 't'),
    EXTENSIONS_GALLERY: '{}',
  };
  for (const d of [env.HOME!, env.TMPDIR!]) fs.mkdirSync(d, { recursive: true });
  return env;
}

const USER_SETTINGS = {
  'workbench.startupEditor': 'none',
  'security.workspace.trust.enabled': false,
  'telemetry.telemetryLevel': 'off',
  'update.mode': 'none',
  'extensions.autoUpdate': false,
  'extensions.autoCheckUpdates': false,
  'workbench.enableExperiments': false,
  'workbench.tips.enabled': false,
  'chat.disableAIFeatures': true,
  'git.enabled': false,
  // The tests save explicitly; an auto-save would also publish diagnostics in goroutineGuard.run onSave mode.
  'files.autoSave': 'off',
  // The empty chat side bar would take a third of every screenshot.
  'workbench.secondarySideBar.defaultVisibility': 'hidden',
  // Snippets first and no word completions: the suggest widget then shows what the extension contributes.
  'editor.snippetSuggestions': 'top',
  'editor.wordBasedSuggestions': 'off',
};

/** `code-server --install-extension <vsix>` into the run's extensions dir (no server needed). */
export function installVsix(run: string, vsix: string): string {
  return execFileSync(NODE24, [CS_ENTRY, '--user-data-dir', path.join(run, 'user-data'), '--extensions-dir', path.join(run, 'extensions'), '--install-extension', vsix, '--force'], {
    env: isolatedEnv(run),
    encoding: 'utf8',
  });
}

export interface CodeServer {
  port: number;
  base: string;
  /** The authority the workbench uses for server-side paths (vscode-remote://…). */
  remote: string;
  userData: string;
  stop(): Promise<void>;
}

/** Process groups of the code-servers this process started (with their extension hosts and language servers). */
const live = new Set<number>();
// An interrupted run (Ctrl+C, CI timeout) must not leave a code-server behind on a shared machine.
for (const sig of ['SIGINT', 'SIGTERM'] as const) {
  process.once(sig, () => {
    for (const pgid of live) signalGroup(pgid, 'SIGKILL');
    process.exit(130);
  });
}

function signalGroup(pgid: number, sig: NodeJS.Signals | 0): boolean {
  try {
    process.kill(-pgid, sig);
    return true;
  } catch {
    return false; // ESRCH: the whole group is gone
  }
}

async function stopGroup(pgid: number): Promise<void> {
  const gone = async (ms: number) => {
    for (const end = Date.now() + ms; Date.now() < end; await new Promise((r) => setTimeout(r, 100))) if (!signalGroup(pgid, 0)) return true;
    return false;
  };
  // The whole group: the extension host and the language server outlive code-server's own exit for a
  // moment, and would still write into the run dir after it is removed.
  signalGroup(pgid, 'SIGTERM');
  if (!(await gone(5000))) {
    signalGroup(pgid, 'SIGKILL');
    await gone(2000);
  }
  live.delete(pgid);
}

export async function startCodeServer(run: string, settings: Record<string, unknown> = {}): Promise<CodeServer> {
  const port = await freePort();
  const userData = path.join(run, 'user-data');
  const extDir = path.join(run, 'extensions');
  fs.mkdirSync(path.join(userData, 'User'), { recursive: true });
  fs.mkdirSync(extDir, { recursive: true });
  fs.writeFileSync(path.join(userData, 'User', 'settings.json'), JSON.stringify({ ...USER_SETTINGS, ...settings }, null, 2));
  const args = [
    CS_ENTRY,
    '--bind-addr', `127.0.0.1:${port}`,
    '--auth', 'none',
    '--disable-telemetry', '--disable-update-check', '--disable-workspace-trust', '--disable-getting-started-override',
    // Without it the built workbench ignores the ?payload= that carries extensionDevelopmentPath/extensionTestsPath.
    '--vscode-option', 'enable-smoke-test-driver',
    '--user-data-dir', userData,
    '--extensions-dir', extDir,
  ];
  const logFile = path.join(run, 'code-server.log');
  const log = fs.openSync(logFile, 'a');
  // detached: its own process group, so stopping it stops everything it started.
  const proc = spawn(NODE24, args, { env: isolatedEnv(run), stdio: ['ignore', log, log], detached: true });
  fs.closeSync(log);
  const pgid = proc.pid!;
  live.add(pgid);
  const base = `http://127.0.0.1:${port}`;
  const t0 = Date.now();
  for (;;) {
    if (proc.exitCode !== null) {
      await stopGroup(pgid);
      throw new Error(`code-server exited with ${proc.exitCode}; see ${logFile}`);
    }
    try {
      if ((await healthz(`${base}/healthz`)) === 200) break;
    } catch {
      // not listening yet
    }
    if (Date.now() - t0 > 60_000) {
      await stopGroup(pgid);
      throw new Error(`code-server did not answer /healthz within 60 s; see ${logFile}`);
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  const stop = () => stopGroup(pgid);
  return { port, base, remote: `vscode-remote://127.0.0.1:${port}`, userData, stop };
}

export async function launchChromium(run: string): Promise<BrowserContext> {
  const { chromium } = await import('playwright-core');
  return chromium.launchPersistentContext(path.join(run, 'chromium-profile'), {
    executablePath: CHROMIUM,
    headless: true,
    env: isolatedEnv(run) as Record<string, string>,
    viewport: { width: 1280, height: 800 },
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--disable-dev-shm-usage', '--disable-breakpad'],
  });
}

/** Keeps what explains a failure (server and extension host logs) in artifacts/<name>/. */
export function saveLogs(run: string, name: string): string {
  const dest = path.join(ARTIFACTS, name);
  fs.mkdirSync(dest, { recursive: true });
  const csLog = path.join(run, 'code-server.log');
  if (fs.existsSync(csLog)) fs.copyFileSync(csLog, path.join(dest, 'code-server.log'));
  const logs = path.join(run, 'user-data', 'logs');
  if (fs.existsSync(logs)) fs.cpSync(logs, path.join(dest, 'vscode-logs'), { recursive: true });
  return dest;
}

export function removeRunDir(run: string): void {
  if (process.env.GG_E2E_KEEP) {
    console.log(`[e2e] kept ${run}`);
    return;
  }
  // The extension host and language server write their last log lines while code-server shuts them down.
  try {
    fs.rmSync(run, { recursive: true, force: true, maxRetries: 10, retryDelay: 300 });
  } catch (err) {
    console.log(`[e2e] could not remove ${run}: ${(err as Error).message}`);
  }
}
