// Go toolchain access for tests that prove fixed code and snippets compile and are gofmt-clean.
// Under CI (CI=true) a missing toolchain fails the test; elsewhere the test is skipped with a message
// that says exactly what to install.
import { execFileSync, spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

export interface GoTools {
  go: string;
  gofmt: string;
  /** GOPATH entries that hold golang.org/x/sync and golang.org/x/time (Debian's golang-golang-x-*-dev). */
  gopath: string[];
}

const INSTALL_HINT =
  'These tests need Go (1.19 or newer) with golang.org/x/sync and golang.org/x/time sources. On Debian/Ubuntu: ' +
  'sudo apt-get install golang-go golang-golang-x-sync-dev golang-golang-x-time-dev';

function which(cmd: string): string | undefined {
  const r = spawnSync('sh', ['-c', `command -v ${cmd}`], { encoding: 'utf8' });
  return r.status === 0 ? r.stdout.trim() : undefined;
}

let cached: GoTools | null | undefined;
export function findGo(): GoTools | undefined {
  if (cached !== undefined) return cached ?? undefined;
  const go = which('go') ?? (fs.existsSync('/usr/lib/go/bin/go') ? '/usr/lib/go/bin/go' : undefined);
  const gofmt = which('gofmt') ?? (go ? path.join(path.dirname(go), 'gofmt') : undefined);
  const gopath = ['/usr/share/gocode'].filter((p) => fs.existsSync(path.join(p, 'src', 'golang.org', 'x', 'sync')));
  cached = go && gofmt && fs.existsSync(gofmt) && gopath.length ? { go, gofmt, gopath } : null;
  return cached ?? undefined;
}

/** Returns the toolchain, or fails (CI) / skips loudly (elsewhere). */
export function requireGo(ctx: Mocha.Context): GoTools {
  const t = findGo();
  if (t) return t;
  if (process.env.CI === 'true') throw new Error(`Go toolchain missing under CI. ${INSTALL_HINT}`);
  console.warn(`\n  SKIPPED (no Go toolchain): ${INSTALL_HINT}\n`);
  ctx.skip();
}

export interface GoFile {
  /** Package directory, relative (e.g. "loop-var-capture/basic"). */
  pkg: string;
  name: string;
  text: string;
}

export interface GoCheckResult {
  /** pkg → compiler/vet messages. */
  errors: Map<string, string[]>;
  /** pkg/name of files gofmt would change. */
  unformatted: string[];
}

/**
 * Writes the files into a temporary GOPATH workspace (one package per directory), runs gofmt -l and
 * `go vet` (mode 'vet': type-checks and runs vet) or `go build` (mode 'build': type-checks only).
 */
export function goCheck(tools: GoTools, files: GoFile[], mode: 'vet' | 'build'): GoCheckResult {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'gg-go-'));
  try {
    const base = path.join(tmp, 'src', 'gg');
    for (const f of files) {
      const dir = path.join(base, f.pkg);
      fs.mkdirSync(dir, { recursive: true });
      fs.writeFileSync(path.join(dir, f.name), f.text);
    }
    const env = {
      ...process.env,
      GO111MODULE: 'off',
      GOPATH: [tmp, ...tools.gopath].join(path.delimiter),
      GOFLAGS: '',
      GOTOOLCHAIN: 'local',
      GOCACHE: process.env.GOCACHE || path.join(os.homedir(), '.cache', 'go-build'),
    };
    const errors = new Map<string, string[]>();
    const fmt = spawnSync(tools.gofmt, ['-l', base], { encoding: 'utf8', env });
    const unformatted = fmt.stdout
      .split('\n')
      .filter(Boolean)
      .map((p) => path.relative(base, p));
    const args = mode === 'vet' ? ['vet', './...'] : ['build', '-o', os.devNull, './...'];
    const r = spawnSync(tools.go, args, { cwd: base, encoding: 'utf8', env, maxBuffer: 64 << 20 });
    if (r.status !== 0) {
      const out = `${r.stdout}\n${r.stderr}`;
      let current = '?';
      for (const line of out.split('\n')) {
        const header = /^# (gg\/\S+)/.exec(line);
        if (header) {
          current = header[1].slice(3);
          continue;
        }
        const m = /(?:^|\s)(?:\.\/)?((?:gg\/)?[\w./-]+)\/[\w.-]+\.go:\d+(?::\d+)?: /.exec(line);
        const pkg = m ? m[1].replace(/^gg\//, '') : current;
        if (!line.trim() || /^exit status/.test(line)) continue;
        const list = errors.get(pkg) ?? [];
        list.push(line);
        errors.set(pkg, list);
      }
      if (!errors.size) errors.set('?', [out.trim()]);
    }
    return { errors, unformatted };
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}

/** gofmt-formats a source text (used to build expected outputs in tests). */
export function gofmt(tools: GoTools, text: string): string {
  return execFileSync(tools.gofmt, [], { input: text, encoding: 'utf8' });
}
