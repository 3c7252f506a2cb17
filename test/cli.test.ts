// The CLI as users and CI run it: `node dist/cli.js` spawned on temporary directories, checking the
// documented output formats, exit codes, file selection and --fix.
import * as assert from 'assert';
import { spawn, spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { ALL_RULES, analyzeText, applyFirstFixes, initParser } from '../server/src/engine';

const ROOT = path.resolve(__dirname, '..', '..');
const CLI = path.join(ROOT, 'dist', 'cli.js');

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/**
 * The assertions are about the CLI, on snippets written for the four documented rules: the other rules
 * are turned off so that rules added later cannot change what these tests expect.
 */
const FOCUS = new Set(['wg-add-in-goroutine', 'close-by-receiver', 'send-without-cancel', 'loop-var-capture', 'unused-ignore']);
const OTHER_RULES_OFF = Object.fromEntries(ALL_RULES.filter((r) => !FOCUS.has(r.id)).map((r) => [r.id, 'off' as const]));
const OTHER_RULES_ARGS = Object.keys(OTHER_RULES_OFF).flatMap((id) => ['--rule', `${id}=off`]);

function cli(args: string[], cwd: string): Run {
  const r = spawnSync(process.execPath, [CLI, ...args, ...OTHER_RULES_ARGS], { cwd, encoding: 'utf8', maxBuffer: 64 << 20, timeout: 60_000 });
  if (r.error) throw r.error;
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

function json(r: Run): JsonOutput {
  try {
    return JSON.parse(r.stdout) as JsonOutput;
  } catch {
    throw new Error(`not JSON (exit ${r.code}):\n${r.stdout}\n${r.stderr}`);
  }
}

interface JsonEdit {
  line: number;
  column: number;
  endLine: number;
  endColumn: number;
  newText: string;
}
interface JsonDiagnostic {
  file: string;
  line: number;
  column: number;
  endLine: number;
  endColumn: number;
  rule: string;
  severity: string;
  message: string;
  fixes: { title: string; edits: JsonEdit[] }[];
}
interface JsonOutput {
  diagnostics: JsonDiagnostic[];
  filesScanned: number;
}

let tmpRoot: string;
function tmpdir(): string {
  return fs.mkdtempSync(path.join(tmpRoot, 'case-'));
}

/** Writes files (path → content) under dir, creating directories. */
function write(dir: string, files: Record<string, string | Buffer>): void {
  for (const [rel, content] of Object.entries(files)) {
    const p = path.join(dir, rel);
    fs.mkdirSync(path.dirname(p), { recursive: true });
    fs.writeFileSync(p, content);
  }
}

const WG_ADD = `package p

import "sync"

func Run(items []int) {
	var wg sync.WaitGroup
	for _, it := range items {
		go func(it int) {
			wg.Add(1)
			defer wg.Done()
			_ = it
		}(it)
	}
	wg.Wait()
}
`;

const CLOSE_BY_RECEIVER = `package p

func FirstNegative(readings []int) bool {
	ch := make(chan int)
	go func() {
		for _, r := range readings {
			ch <- r
		}
	}()
	for r := range ch {
		if r < 0 {
			close(ch)
			return true
		}
	}
	return false
}
`;

const SEND_WITHOUT_CANCEL = `package p

import "context"

func Generate(ctx context.Context, nums []int) <-chan int {
	out := make(chan int)
	go func() {
		defer close(out)
		for _, n := range nums {
			out <- n
		}
	}()
	return out
}
`;

/** Reported only under Go < 1.22; the use of u sits after non-ASCII text (the emoji is 2 UTF-16 units). */
const LOOP_CAPTURE = `package p

import (
	"fmt"
	"sync"
)

func Notify(users []string) {
	var wg sync.WaitGroup
	for _, u := range users {
		wg.Add(1)
		go func() {
			defer wg.Done()
			fmt.Println("→ 😀 naïve", u)
		}()
	}
	wg.Wait()
}
`;

const CLEAN = `package p

import "sync"

func Run(items []int) {
	var wg sync.WaitGroup
	for _, it := range items {
		wg.Add(1)
		go func(it int) {
			defer wg.Done()
			_ = it
		}(it)
	}
	wg.Wait()
}
`;

const GO_MOD = (v: string) => `module example.com/m\n\ngo ${v}\n`;

function rulesAt(out: JsonOutput): string[] {
  return out.diagnostics.map((d) => `${d.file}:${d.line}:${d.rule}`);
}

describe('CLI (dist/cli.js)', function () {
  this.timeout(120_000);

  before(function () {
    if (!fs.existsSync(CLI)) {
      // `npm test` builds first (pretest); a bare `mocha` run gets the bundle built here.
      const b = spawnSync(process.execPath, [path.join(ROOT, 'scripts', 'build.mjs')], { cwd: ROOT, encoding: 'utf8' });
      assert.strictEqual(b.status, 0, `build failed:\n${b.stdout}${b.stderr}`);
    }
    tmpRoot = fs.mkdtempSync(path.join(os.tmpdir(), 'gg-cli-'));
  });

  after(() => fs.rmSync(tmpRoot, { recursive: true, force: true }));

  describe('output formats', () => {
    let dir: string;
    before(() => {
      dir = tmpdir();
      write(dir, { 'go.mod': GO_MOD('1.21'), 'a/wg.go': WG_ADD, 'a/close.go': CLOSE_BY_RECEIVER, 'b/send.go': SEND_WITHOUT_CANCEL, 'b/loop.go': LOOP_CAPTURE, 'c/clean.go': CLEAN });
    });

    it('text: path:line:col: message (rule-id), sorted, relative to cwd, summary on stderr', () => {
      const r = cli([], dir);
      assert.strictEqual(r.code, 1, r.stderr);
      const lines = r.stdout.trimEnd().split('\n');
      assert.deepStrictEqual(
        lines.map((l) => /^(\S+?):(\d+):(\d+): .+ \(([a-z-]+)\)$/.exec(l)?.slice(1).join(':')),
        ['a/close.go:12:4:close-by-receiver', 'a/wg.go:9:4:wg-add-in-goroutine', 'b/loop.go:14:29:loop-var-capture', 'b/send.go:10:4:send-without-cancel'],
      );
      assert.match(lines[1], /^a\/wg\.go:9:4: wg\.Add .*inside the goroutine.* \(wg-add-in-goroutine\)$/);
      assert.match(r.stderr, /5 files scanned, 4 findings/);
      assert.doesNotMatch(r.stdout, /files scanned/);
    });

    it('text: paths outside cwd are absolute', () => {
      const other = tmpdir();
      const r = cli([path.join(dir, 'a', 'wg.go')], other);
      assert.strictEqual(r.code, 1);
      assert.strictEqual(r.stdout.split(':')[0], path.join(dir, 'a', 'wg.go'));
    });

    it('JSON: exactly the documented shape and key order', () => {
      const r = cli(['--format', 'json'], dir);
      assert.strictEqual(r.code, 1, r.stderr);
      const out = json(r);
      assert.deepStrictEqual(Object.keys(out), ['diagnostics', 'filesScanned']);
      assert.strictEqual(out.filesScanned, 5);
      assert.deepStrictEqual(rulesAt(out), ['a/close.go:12:close-by-receiver', 'a/wg.go:9:wg-add-in-goroutine', 'b/loop.go:14:loop-var-capture', 'b/send.go:10:send-without-cancel']);
      for (const d of out.diagnostics) {
        assert.deepStrictEqual(Object.keys(d), ['file', 'line', 'column', 'endLine', 'endColumn', 'rule', 'severity', 'message', 'fixes']);
        assert.ok(['error', 'warning', 'info', 'hint'].includes(d.severity), d.severity);
        for (const f of d.fixes) {
          assert.deepStrictEqual(Object.keys(f), ['title', 'edits']);
          for (const e of f.edits) assert.deepStrictEqual(Object.keys(e), ['line', 'column', 'endLine', 'endColumn', 'newText']);
        }
      }
      const wg = out.diagnostics.find((d) => d.rule === 'wg-add-in-goroutine')!;
      // `wg.Add(1)` on line 9 after three tabs: columns 4..13 (end exclusive), 1-based.
      assert.deepStrictEqual([wg.line, wg.column, wg.endLine, wg.endColumn, wg.severity], [9, 4, 9, 13, 'warning']);
      assert.strictEqual(wg.fixes[0].title, 'Move wg.Add(1) before the go statement');
      // The fix inserts `wg.Add(1)` before the go statement (line 8) and deletes line 9.
      assert.deepStrictEqual(wg.fixes[0].edits, [
        { line: 8, column: 1, endLine: 8, endColumn: 1, newText: '\t\twg.Add(1)\n' },
        { line: 9, column: 1, endLine: 10, endColumn: 1, newText: '' },
      ]);
    });

    it('columns count Unicode code points, not UTF-16 units or bytes', () => {
      const out = json(cli(['--format', 'json', 'b/loop.go'], dir));
      const line = LOOP_CAPTURE.split('\n')[13];
      const utf16 = line.lastIndexOf('u)');
      const codePoints = [...line.slice(0, utf16)].length;
      assert.notStrictEqual(codePoints, utf16, 'the line must contain a character outside the BMP');
      const d = out.diagnostics[0];
      assert.deepStrictEqual([d.rule, d.line, d.column, d.endColumn], ['loop-var-capture', 14, codePoints + 1, codePoints + 2]);
    });

    it('SARIF 2.1.0: schema, stable rules, consistent ruleIndex, regions, code-point columns', () => {
      const r = cli(['--format', 'sarif'], dir);
      assert.strictEqual(r.code, 1, r.stderr);
      const log = JSON.parse(r.stdout);
      assert.strictEqual(log.version, '2.1.0');
      assert.match(log.$schema, /sarif-2\.1\.0/);
      assert.strictEqual(log.runs.length, 1);
      const run = log.runs[0];
      assert.strictEqual(run.columnKind, 'unicodeCodePoints');
      const driver = run.tool.driver;
      assert.strictEqual(driver.name, 'goroutine-guard');
      assert.strictEqual(driver.version, JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')).version);
      // Every rule is described, in registry order, whatever was found: ruleIndex stays stable across runs.
      assert.deepStrictEqual(
        driver.rules.map((x: { id: string }) => x.id),
        ALL_RULES.map((x) => x.id),
      );
      const cleanRun = JSON.parse(cli(['--format', 'sarif', 'c'], dir).stdout).runs[0];
      assert.deepStrictEqual(cleanRun.tool.driver.rules, driver.rules);
      assert.deepStrictEqual(cleanRun.results, []);
      for (const rule of driver.rules) {
        assert.match(rule.name, /^[A-Z][A-Za-z]+$/);
        assert.ok(rule.shortDescription.text && rule.fullDescription.text && rule.help.text && rule.help.markdown, rule.id);
        assert.ok(['error', 'warning', 'note'].includes(rule.defaultConfiguration.level));
        assert.ok(Array.isArray(rule.properties.tags));
      }
      const wgRule = driver.rules.find((x: { id: string }) => x.id === 'wg-add-in-goroutine');
      if (fs.existsSync(path.join(ROOT, 'docs', 'rules', 'wg-add-in-goroutine.md'))) {
        assert.strictEqual(wgRule.help.markdown, fs.readFileSync(path.join(ROOT, 'docs', 'rules', 'wg-add-in-goroutine.md'), 'utf8'));
      }
      assert.strictEqual(run.results.length, 4);
      for (const res of run.results) {
        assert.strictEqual(driver.rules[res.ruleIndex].id, res.ruleId);
        assert.strictEqual(res.level, 'warning');
        assert.ok(res.message.text);
        const loc = res.locations[0].physicalLocation;
        assert.strictEqual(loc.artifactLocation.uriBaseId, '%SRCROOT%');
        assert.match(loc.artifactLocation.uri, /^[ab]\/\w+\.go$/);
        assert.ok(Object.values(res.partialFingerprints).every((v) => typeof v === 'string' && (v as string).length >= 16));
      }
      const loop = run.results.find((x: { ruleId: string }) => x.ruleId === 'loop-var-capture');
      const jsonLoop = json(cli(['--format', 'json', 'b/loop.go'], dir)).diagnostics[0];
      assert.deepStrictEqual(loop.locations[0].physicalLocation.region, {
        startLine: jsonLoop.line,
        startColumn: jsonLoop.column,
        endLine: jsonLoop.endLine,
        endColumn: jsonLoop.endColumn,
      });
    });

    it('SARIF: partialFingerprints survive lines inserted above and tell identical lines apart', () => {
      const d = tmpdir();
      const twice = WG_ADD + WG_ADD.slice(WG_ADD.indexOf('func')).replace('func Run', 'func Run2');
      write(d, { 'p.go': twice });
      const before = JSON.parse(cli(['--format', 'sarif'], d).stdout).runs[0].results;
      write(d, { 'p.go': twice.replace('package p\n', 'package p\n\n// Package p counts.\n// Two more lines.\n') });
      const after = JSON.parse(cli(['--format', 'sarif'], d).stdout).runs[0].results;
      assert.strictEqual(before.length, 2);
      const lines = (rs: { locations: { physicalLocation: { region: { startLine: number } } }[] }[]) => rs.map((x) => x.locations[0].physicalLocation.region.startLine);
      assert.deepStrictEqual(lines(after), lines(before).map((l) => l + 3));
      assert.deepStrictEqual(
        after.map((x: { partialFingerprints: unknown }) => x.partialFingerprints),
        before.map((x: { partialFingerprints: unknown }) => x.partialFingerprints),
      );
      // Same rule, same line text: the occurrence index keeps the two apart.
      assert.notDeepStrictEqual(before[0].partialFingerprints, before[1].partialFingerprints);
    });
  });

  describe('exit codes and options', () => {
    let dir: string;
    before(() => {
      dir = tmpdir();
      write(dir, { 'wg.go': WG_ADD, 'clean/clean.go': CLEAN });
    });

    it('0 without findings, 1 with findings', () => {
      assert.strictEqual(cli(['clean'], dir).code, 0);
      const r = cli([], dir);
      assert.strictEqual(r.code, 1);
      assert.match(r.stdout, /^wg\.go:9:4: /);
    });

    it('--exit-zero reports findings and exits 0', () => {
      const r = cli(['--exit-zero'], dir);
      assert.strictEqual(r.code, 0);
      assert.match(r.stdout, /\(wg-add-in-goroutine\)/);
    });

    for (const [name, args, message] of [
      ['an unknown option', ['--frobnicate'], /frobnicate/],
      ['a bad --format', ['--format', 'xml'], /--format/],
      ['an unknown rule id', ['--rule', 'no-such-rule=off'], /unknown rule "no-such-rule"/],
      ['a bad rule level', ['--rule', 'wg-add-in-goroutine=loud'], /level/],
      ['a --rule without =', ['--rule', 'wg-add-in-goroutine'], /<rule-id>=<level>/],
      ['a bad --go-version', ['--go-version', 'latest'], /--go-version/],
      ['a bad --jobs', ['--jobs', '0'], /--jobs/],
    ] as [string, string[], RegExp][]) {
      it(`2 for ${name}, with a message on stderr and nothing on stdout`, () => {
        const r = cli(args, dir);
        assert.strictEqual(r.code, 2);
        assert.match(r.stderr, message);
        assert.strictEqual(r.stdout, '');
      });
    }

    it('2 for a nonexistent path; the other paths are still linted', () => {
      const r = cli(['missing-dir', 'wg.go'], dir);
      assert.strictEqual(r.code, 2);
      assert.match(r.stderr, /missing-dir: no such file or directory/);
      assert.match(r.stdout, /wg\.go:9:4: .*\(wg-add-in-goroutine\)/);
    });

    it('2 for an unreadable file (a dangling symlink x.go); the rest are still linted', () => {
      const d = tmpdir();
      write(d, { 'wg.go': WG_ADD });
      fs.symlinkSync(path.join(d, 'nowhere.go'), path.join(d, 'x.go'));
      const r = cli(['--format', 'json'], d);
      assert.strictEqual(r.code, 2);
      assert.match(r.stderr, /x\.go: no such file or directory/);
      assert.deepStrictEqual(rulesAt(json(r)), ['wg.go:9:wg-add-in-goroutine']);
      assert.strictEqual(json(r).filesScanned, 1, 'the unreadable file is an error, not a scanned file');
    });

    it('a directory named x.go is walked, not read as a file', () => {
      const d = tmpdir();
      write(d, { 'x.go/inner.go': WG_ADD });
      const r = cli(['--format', 'json', 'x.go'], d);
      assert.strictEqual(r.code, 1, r.stderr);
      assert.deepStrictEqual(rulesAt(json(r)), ['x.go/inner.go:9:wg-add-in-goroutine']);
    });

    it('--help and --version exit 0', () => {
      const h = cli(['--help'], dir);
      assert.strictEqual(h.code, 0);
      assert.match(h.stdout, /Usage: goroutine-guard/);
      assert.match(h.stdout, /--format/);
      const v = cli(['--version'], dir);
      assert.strictEqual(v.code, 0);
      assert.strictEqual(v.stdout.trim(), JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')).version);
    });

    it('--rule <id>=off silences a rule, <id>=error|information changes the severity', () => {
      const off = cli(['--rule', 'wg-add-in-goroutine=off'], dir);
      assert.strictEqual(off.code, 0);
      assert.strictEqual(off.stdout, '');
      const err = json(cli(['--format', 'json', '--rule', 'wg-add-in-goroutine=error'], dir));
      assert.deepStrictEqual(
        err.diagnostics.map((d) => d.severity),
        ['error'],
      );
      const info = json(cli(['--format', 'json', '--rule=wg-add-in-goroutine=information', '--rule', 'close-by-receiver=hint'], dir));
      assert.deepStrictEqual(
        info.diagnostics.map((d) => d.severity),
        ['info'],
      );
      const sarif = JSON.parse(cli(['--format', 'sarif', '--rule', 'wg-add-in-goroutine=info'], dir).stdout);
      assert.strictEqual(sarif.runs[0].results[0].level, 'note');
    });
  });

  describe('Go version', () => {
    it('--go-version decides loop-var-capture when there is no go.mod (default: modern Go, silent)', () => {
      const d = tmpdir();
      write(d, { 'loop.go': LOOP_CAPTURE });
      assert.strictEqual(cli([], d).code, 0);
      assert.deepStrictEqual(rulesAt(json(cli(['--format', 'json', '--go-version', '1.21'], d))), ['loop.go:14:loop-var-capture']);
      assert.deepStrictEqual(rulesAt(json(cli(['--format', 'json', '--go-version', 'go1.21.5'], d))), ['loop.go:14:loop-var-capture']);
      assert.strictEqual(cli(['--go-version', '1.22'], d).code, 0);
    });

    it('the nearest go.mod governs each file (nested modules), and --go-version overrides it', () => {
      const d = tmpdir();
      write(d, {
        'go.mod': GO_MOD('1.21'),
        'a/loop.go': LOOP_CAPTURE,
        'newer/go.mod': GO_MOD('1.22'),
        'newer/b/loop.go': LOOP_CAPTURE,
        'newer/older/go.mod': GO_MOD('1.20.3'),
        'newer/older/loop.go': LOOP_CAPTURE,
      });
      assert.deepStrictEqual(rulesAt(json(cli(['--format', 'json'], d))), ['a/loop.go:14:loop-var-capture', 'newer/older/loop.go:14:loop-var-capture']);
      // Named from inside the nested module, the same files keep their modules' versions.
      assert.deepStrictEqual(rulesAt(json(cli(['--format', 'json', 'b', 'older'], path.join(d, 'newer')))), ['older/loop.go:14:loop-var-capture']);
      assert.strictEqual(cli(['--go-version', '1.22'], d).code, 0);
      assert.strictEqual(json(cli(['--format', 'json', '--go-version', '1.21'], d)).diagnostics.length, 3);
    });

    it('a //go:build go1.22 line lifts a file out of its go 1.21 module', () => {
      const d = tmpdir();
      write(d, { 'go.mod': GO_MOD('1.21'), 'old.go': LOOP_CAPTURE, 'new.go': '//go:build go1.22\n\n' + LOOP_CAPTURE });
      assert.deepStrictEqual(rulesAt(json(cli(['--format', 'json'], d))), ['old.go:14:loop-var-capture']);
    });
  });

  describe('file selection', () => {
    it('skips vendor/, testdata/, node_modules/, .git/ and what .gitignore files ignore; nested ones apply to their subtree', () => {
      const d = tmpdir();
      write(d, {
        '.gitignore': 'gen/\n*_generated.go\n',
        'kept.go': WG_ADD,
        'x_generated.go': WG_ADD,
        'gen/gen.go': WG_ADD,
        'vendor/dep/dep.go': WG_ADD,
        'testdata/bad.go': WG_ADD,
        'node_modules/m/m.go': WG_ADD,
        '.git/hooks/h.go': WG_ADD,
        'sub/.gitignore': 'local.go\n!keep_generated.go\n',
        'sub/local.go': WG_ADD,
        'sub/keep_generated.go': WG_ADD,
        'sub/deeper/local.go': WG_ADD,
        'other/local.go': WG_ADD,
        'notes.txt': 'not go',
      });
      const out = json(cli(['--format', 'json'], d));
      assert.deepStrictEqual(
        out.diagnostics.map((x) => x.file),
        ['kept.go', 'other/local.go', 'sub/keep_generated.go'],
      );
      assert.strictEqual(out.filesScanned, 3);
    });

    it('applies .gitignore files above the named directory up to the repository root', () => {
      const d = tmpdir();
      write(d, { '.git/HEAD': 'ref: refs/heads/main\n', '.gitignore': 'generated/\n', 'svc/api/generated/g.go': WG_ADD, 'svc/api/api.go': WG_ADD });
      assert.deepStrictEqual(rulesAt(json(cli(['--format', 'json', 'api'], path.join(d, 'svc')))), ['api/api.go:9:wg-add-in-goroutine']);
      // Naming the ignored directory itself lints it.
      assert.deepStrictEqual(rulesAt(json(cli(['--format', 'json', 'svc/api/generated'], d))), ['svc/api/generated/g.go:9:wg-add-in-goroutine']);
    });

    it('lints explicitly named files even where a walk would skip them, and accepts ./...', () => {
      const d = tmpdir();
      write(d, { '.gitignore': 'ignored.go\n', 'ignored.go': WG_ADD, 'vendor/v.go': WG_ADD, 'main.go': CLEAN, 'notgo.txt': WG_ADD });
      assert.deepStrictEqual(rulesAt(json(cli(['--format', 'json', 'vendor/v.go', 'ignored.go'], d))), ['ignored.go:9:wg-add-in-goroutine', 'vendor/v.go:9:wg-add-in-goroutine']);
      assert.deepStrictEqual(rulesAt(json(cli(['--format', 'json', 'notgo.txt'], d))), ['notgo.txt:9:wg-add-in-goroutine']);
      const all = json(cli(['--format', 'json', './...'], d));
      assert.deepStrictEqual([all.filesScanned, all.diagnostics.length], [1, 0]);
      // The same file named twice is linted once.
      assert.strictEqual(json(cli(['--format', 'json', 'ignored.go', './ignored.go'], d)).filesScanned, 1);
    });
  });

  describe('hostile input', () => {
    it('empty files, syntax errors and non-UTF-8 bytes neither crash nor hide the sure findings', () => {
      const d = tmpdir();
      const loopBody = LOOP_CAPTURE.slice(LOOP_CAPTURE.indexOf('import'));
      // "naïve" with a Latin-1 ï: a lone 0xEF byte on the finding's own line, before the finding.
      const [head, tail] = LOOP_CAPTURE.split('ï');
      write(d, {
        'go.mod': GO_MOD('1.21'),
        'empty.go': '',
        'syntax.go': 'package p\n\nfunc broken( {\n\tx := \n}\n\n' + loopBody,
        'latin1.go': Buffer.concat([Buffer.from(head), Buffer.from([0xef]), Buffer.from(tail)]),
      });
      const r = cli(['--format', 'json'], d);
      assert.strictEqual(r.code, 1, r.stderr);
      const out = json(r);
      assert.strictEqual(out.filesScanned, 3);
      // syntax.go: LOOP_CAPTURE's line 14, four lines further down; the broken function is skipped.
      assert.deepStrictEqual(rulesAt(out), ['latin1.go:14:loop-var-capture', 'syntax.go:18:loop-var-capture']);
      // The invalid byte decodes to one U+FFFD, one code point like the ï it replaces: same column.
      assert.strictEqual(out.diagnostics[0].column, 29);
      const e = cli(['empty.go'], d);
      assert.deepStrictEqual([e.code, e.stdout], [0, '']);
    });

    it('--fix leaves a file that is not valid UTF-8 byte for byte as it was', () => {
      const d = tmpdir();
      const bytes = Buffer.concat([Buffer.from('package p\n\n// caf\xe9\n', 'latin1'), Buffer.from(WG_ADD.slice(WG_ADD.indexOf('import')))]);
      write(d, { 'latin1.go': bytes });
      const r = cli(['--fix'], d);
      assert.strictEqual(r.code, 1);
      assert.match(r.stderr, /not valid UTF-8: fixes not applied/);
      assert.ok(fs.readFileSync(path.join(d, 'latin1.go')).equals(bytes));
    });
  });

  describe('--fix', () => {
    before(() => initParser());

    /** What applying each finding's first fix, pass after pass, gives (the engine, in-process). */
    function expectedFix(text: string, moduleGoVersion: string): string {
      for (let i = 0; i < 10; i++) {
        const found = analyzeText(text, { moduleGoVersion, rules: OTHER_RULES_OFF });
        const r = applyFirstFixes(text, found);
        if (!r.applied || r.text === text) break;
        text = r.text;
      }
      return text;
    }

    it('rewrites files with the fixes, reports what remains, and a second run finds nothing to fix', () => {
      const d = tmpdir();
      const files = { 'wg.go': WG_ADD, 'send.go': SEND_WITHOUT_CANCEL, 'loop.go': LOOP_CAPTURE, 'close.go': CLOSE_BY_RECEIVER, 'clean.go': CLEAN };
      write(d, { 'go.mod': GO_MOD('1.21'), ...files });
      const cleanStat = fs.statSync(path.join(d, 'clean.go')).mtimeMs;
      const r = cli(['--fix', '--format', 'json'], d);
      assert.match(r.stderr, /fixes applied in 3 files/);
      for (const [name, text] of Object.entries(files)) {
        const now = fs.readFileSync(path.join(d, name), 'utf8');
        assert.strictEqual(now, expectedFix(text, '1.21'), name);
      }
      for (const name of ['wg.go', 'send.go', 'loop.go']) assert.notStrictEqual(fs.readFileSync(path.join(d, name), 'utf8'), files[name as keyof typeof files], `${name} was not fixed`);
      assert.match(fs.readFileSync(path.join(d, 'loop.go'), 'utf8'), /\tfor _, u := range users {\n\t\tu := u\n/);
      assert.match(fs.readFileSync(path.join(d, 'send.go'), 'utf8'), /select {\n\t\t\tcase out <- n:\n\t\t\tcase <-ctx\.Done\(\):\n\t\t\t\treturn\n\t\t\t}/);
      assert.strictEqual(fs.statSync(path.join(d, 'clean.go')).mtimeMs, cleanStat, 'a file without fixes is not rewritten');
      // What remains is what has no certain fix (close-by-receiver here), and the exit code says so.
      assert.strictEqual(r.code, 1);
      assert.deepStrictEqual(rulesAt(json(r)), ['close.go:12:close-by-receiver']);
      const again = cli(['--fix', '--format', 'json'], d);
      assert.match(again.stderr, /0 fixes applied in 0 files/);
      assert.ok(json(again).diagnostics.every((x) => x.fixes.length === 0));
    });
  });

  describe('parallelism', () => {
    it('--jobs 1 and --jobs 2 give identical output', () => {
      const d = tmpdir();
      const files: Record<string, string> = { 'go.mod': GO_MOD('1.21') };
      const snippets = [WG_ADD, CLOSE_BY_RECEIVER, SEND_WITHOUT_CANCEL, LOOP_CAPTURE, CLEAN];
      for (let i = 0; i < 30; i++) files[`pkg${i % 4}/f${i}.go`] = snippets[i % snippets.length];
      write(d, files);
      for (const format of ['text', 'json', 'sarif']) {
        const one = cli(['--format', format, '--jobs', '1'], d);
        const two = cli(['--format', format, '--jobs', '2'], d);
        assert.strictEqual(one.code, 1);
        assert.strictEqual(two.code, 1);
        assert.strictEqual(two.stdout, one.stdout, format);
        assert.strictEqual(two.stderr, one.stderr);
      }
      assert.strictEqual(json(cli(['--format', 'json', '--jobs', '2'], d)).diagnostics.length, 24);
    });
  });

  describe('--lsp', () => {
    it('answers an initialize request over stdio and exits on shutdown/exit', async () => {
      const child = spawn(process.execPath, [CLI, '--lsp'], { stdio: ['pipe', 'pipe', 'pipe'] });
      let stderr = '';
      child.stderr.on('data', (b) => (stderr += b));
      const send = (msg: object) => {
        const body = Buffer.from(JSON.stringify({ jsonrpc: '2.0', ...msg }));
        child.stdin.write(Buffer.concat([Buffer.from(`Content-Length: ${body.length}\r\n\r\n`), body]));
      };
      const responses = new Map<number, { result?: { capabilities?: Record<string, unknown> }; error?: unknown }>();
      let buf = Buffer.alloc(0);
      const waitFor = (id: number) =>
        new Promise<void>((resolve, reject) => {
          const timer = setTimeout(() => reject(new Error(`no response ${id}; stderr: ${stderr}`)), 20_000);
          const check = () => {
            if (responses.has(id)) {
              clearTimeout(timer);
              resolve();
            } else setTimeout(check, 10);
          };
          check();
        });
      child.stdout.on('data', (chunk: Buffer) => {
        buf = Buffer.concat([buf, chunk]);
        for (;;) {
          const sep = buf.indexOf('\r\n\r\n');
          if (sep < 0) return;
          const len = Number(/Content-Length: (\d+)/i.exec(buf.subarray(0, sep).toString())?.[1]);
          if (buf.length < sep + 4 + len) return;
          const msg = JSON.parse(buf.subarray(sep + 4, sep + 4 + len).toString());
          buf = buf.subarray(sep + 4 + len);
          if (msg.id !== undefined && !msg.method) responses.set(msg.id, msg);
        }
      });
      const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));
      try {
        send({ id: 1, method: 'initialize', params: { processId: process.pid, rootUri: null, capabilities: {} } });
        await waitFor(1);
        const init = responses.get(1)!;
        assert.ok(!init.error, JSON.stringify(init.error));
        assert.ok(init.result?.capabilities?.textDocumentSync !== undefined, JSON.stringify(init.result));
        send({ method: 'initialized', params: {} });
        send({ id: 2, method: 'shutdown' });
        await waitFor(2);
        send({ method: 'exit' });
        assert.strictEqual(await exited, 0);
      } finally {
        child.kill();
      }
    });
  });
});
