// The concurrency pattern snippets: every snippet, expanded with its default placeholder values and given
// the imports the "Insert Concurrency Pattern" command would add, is a Go package that type-checks, passes
// go vet, is gofmt-clean, and on which Goroutine Guard reports nothing — under Go 1.21 and by default.
import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import { addImports, applyEdits, expandSnippet, parseSnippets, Pattern, planInsertion } from '../client/src/imports';
import { ALL_RULES, analyzeText, Finding, initParser } from '../server/src/engine';
import { goCheck, GoFile, requireGo } from './support/go';

const ROOT = path.join(__dirname, '..', '..');
const SNIPPETS_FILE = path.join(ROOT, 'snippets', 'go-concurrency.code-snippets');
const patterns = parseSnippets(fs.readFileSync(SNIPPETS_FILE, 'utf8'));

/** The prefixes rules' `patterns` metadata and the language server's code actions refer to. */
const REQUIRED_PREFIXES = [
  'workerpool', 'workerpool-ctx', 'errgroup', 'errgroup-limit', 'pipeline', 'generator', 'fanout', 'fanin', 'semaphore',
  'semaphore-weighted', 'future', 'ratelimit', 'shutdown', 'once', 'ticker', 'waitgroup', 'timeout',
];

/** Prefixes of the official Go extension's snippets (golang/vscode-go extension/snippets/go.json), plus short forms users know. */
const GO_EXTENSION_PREFIXES = [
  'im', 'ims', 'co', 'cos', 'tyf', 'tyi', 'tys', 'pkgm', 'func', 'fu', 'var', 'vars', 'switch', 'sel', 'cs', 'for', 'forr', 'ch', 'map',
  'in', 'if', 'el', 'ie', 'iferr', 'ir', 'fp', 'ff', 'lp', 'lf', 'lv', 'tl', 'tlf', 'tlv', 'make', 'new', 'pn', 'wr', 'hf', 'hand', 'rd',
  'herr', 'las', 'sv', 'go', 'gf', 'df', 'tf', 'tm', 'bf', 'ef', 'tdt', 'finit', 'fmain', 'meth', 'ms', 'mn', 'helloweb', 'sort',
];

/**
 * What statement snippets assume of the function they are typed into: a ctx, an items slice and a
 * process function (their tab-stop defaults), and an error result.
 */
const STATEMENT_HOST = 'func example(ctx context.Context, items []string, process func(context.Context, string) error) error {';

/** The snippet with every placeholder at its default. The final tab stop's line keeps no trailing whitespace. */
function expanded(p: Pattern): string {
  return expandSnippet(p.body).replace(/[ \t]+$/gm, '');
}

/** The Go file a snippet becomes: alone in a package, statements inside STATEMENT_HOST. */
function snippetFile(p: Pattern): string {
  const code = expanded(p);
  const src = p.topLevel
    ? `package p\n\n${code}\n`
    : `package p\n\n${STATEMENT_HOST}\n${code.replace(/^(?=.)/gm, '\t')}\n\treturn nil\n}\n`;
  // The command's import logic adds the snippet's imports; the host adds "context" for its parameter.
  return addImports(src, p.topLevel ? p.imports : [...p.imports, 'context']).text;
}

function describeFindings(findings: Finding[], text: string): string {
  const lines = text.split('\n');
  return findings.map((f) => `  ${f.range.start.line + 1}: ${f.rule}: ${f.message}\n    ${lines[f.range.start.line]?.trim()}`).join('\n');
}

describe('pattern snippets', function () {
  this.timeout(120_000);
  before(() => initParser());

  it('the snippets file lists the patterns with the required prefixes', () => {
    assert.deepStrictEqual(patterns.map((p) => p.prefix).sort(), [...REQUIRED_PREFIXES].sort());
  });

  it('prefixes are unique and do not collide with the Go extension', () => {
    const seen = new Set<string>();
    for (const p of patterns) {
      assert.ok(!seen.has(p.prefix), `duplicate prefix ${p.prefix}`);
      seen.add(p.prefix);
      assert.ok(!GO_EXTENSION_PREFIXES.includes(p.prefix), `${p.prefix} collides with a Go extension snippet`);
      assert.ok(/^[a-z]+(-[a-z]+)*$/.test(p.prefix), `${p.prefix}: lower-case words joined by hyphens`);
    }
  });

  it('every snippet has a description that says whether it inserts a function or statements', () => {
    for (const p of patterns) {
      assert.ok(p.description.trim().length > 40, `${p.name}: description too short`);
      const kind = /^(Function|Declarations|Statements)\b/.exec(p.description)?.[1];
      assert.ok(kind, `${p.name}: description should start with Function:, Declarations: or Statements`);
      assert.strictEqual(kind === 'Statements', !p.topLevel, `${p.name}: description says ${kind} but the body is ${p.topLevel ? 'top-level' : 'statements'}`);
    }
  });

  it("every rule's patterns name an existing snippet prefix", () => {
    const prefixes = new Set(patterns.map((p) => p.prefix));
    for (const r of ALL_RULES) {
      for (const name of r.patterns ?? []) assert.ok(prefixes.has(name), `rule ${r.id} refers to pattern "${name}", which is no snippet prefix`);
    }
  });

  it('imports are derived from the package qualifiers the snippets use', () => {
    const byPrefix = new Map(patterns.map((p) => [p.prefix, p.imports]));
    assert.deepStrictEqual(byPrefix.get('shutdown'), ['context', 'errors', 'net/http', 'os', 'os/signal', 'sync', 'syscall', 'time']);
    assert.deepStrictEqual(byPrefix.get('ratelimit'), ['golang.org/x/sync/errgroup', 'golang.org/x/time/rate']);
    assert.deepStrictEqual(byPrefix.get('semaphore-weighted'), ['context', 'golang.org/x/sync/semaphore']);
    assert.deepStrictEqual(byPrefix.get('waitgroup'), ['sync']);
  });

  for (const version of ['1.21', undefined]) {
    it(`Goroutine Guard reports nothing on any snippet (${version ? `go ${version}` : 'default Go version'})`, () => {
      const problems: string[] = [];
      for (const p of patterns) {
        const text = snippetFile(p);
        const findings = analyzeText(text, { moduleGoVersion: version }, (rule, err) => {
          throw new Error(`rule ${rule} threw on snippet ${p.prefix}: ${(err as Error).stack}`);
        });
        if (findings.length) problems.push(`${p.prefix}:\n${describeFindings(findings, text)}`);
      }
      assert.strictEqual(problems.join('\n'), '');
    });
  }

  it('every snippet, expanded with its defaults, type-checks, passes go vet and is gofmt-clean (Go 1.19)', function () {
    const tools = requireGo(this);
    const files: GoFile[] = patterns.map((p) => ({ pkg: `snippets/${p.prefix}`, name: 'snippet.go', text: snippetFile(p) }));
    const res = goCheck(tools, files, 'vet');
    const errors = [...res.errors].map(([pkg, msgs]) => `${pkg}:\n  ${msgs.join('\n  ')}`).join('\n');
    assert.strictEqual(errors, '', `go vet failed:\n${errors}\n\n${files.map((f) => `--- ${f.pkg}\n${f.text}`).join('\n')}`);
    assert.deepStrictEqual(res.unformatted, [], `not gofmt-clean: ${res.unformatted.join(', ')}`);
  });

  describe('inserting into an existing file, as the command does', () => {
    const existing = [
      '// Package jobs runs background jobs.',
      'package jobs',
      '',
      'import (',
      '\t"fmt"',
      '\tstdsync "sync"',
      '',
      '\t"golang.org/x/sync/errgroup"',
      ')',
      '',
      'var mu stdsync.Mutex',
      '',
      '// Run runs every job.',
      'func Run(ctx context.Context, items []string, process func(context.Context, string) error) error {',
      '\tmu.Lock()',
      '\tdefer mu.Unlock()',
      '\t',
      '\treturn fmt.Errorf("not done")',
      '}',
      '',
      'func helper() {}',
      '',
    ].join('\n');
    // "context" is missing on purpose: the first insertion that needs it adds it.
    const cursor = existing.indexOf('\t\n\treturn fmt') + 1;

    /** Applies a plan the way VS Code does: import edits, then the snippet, its lines indented like the cursor's line. */
    function insert(text: string, at: number, p: Pattern): string {
      const plan = planInsertion(text, at, p);
      if ('error' in plan) throw new Error(plan.error);
      const after = applyEdits(text, plan.importEdits);
      const lineStart = after.lastIndexOf('\n', plan.offset - 1) + 1;
      const indent = /^[ \t]*/.exec(after.slice(lineStart, plan.offset))![0];
      const code = expandSnippet(plan.snippet).replace(/\n(?=.)/g, `\n${indent}`).replace(/[ \t]+$/gm, '');
      return after.slice(0, plan.offset) + code + after.slice(plan.offset);
    }

    it('statements go at the cursor, top-level patterns after the enclosing function; imports honour aliases and are not duplicated', function () {
      const byPrefix = new Map(patterns.map((p) => [p.prefix, p]));
      let text = insert(existing, cursor, byPrefix.get('errgroup-limit')!);
      assert.ok(text.includes('\tg, gctx := errgroup.WithContext(ctx)\n\tg.SetLimit(8)\n'), text);
      assert.strictEqual(text.match(/golang\.org\/x\/sync\/errgroup/g)?.length, 1, 'errgroup imported twice');

      // The fan-in goes after Run (the cursor is still inside it); its sync qualifier becomes the alias.
      const inRun = text.indexOf('defer mu.Unlock()');
      text = insert(text, inRun, byPrefix.get('fanin')!);
      assert.ok(/return fmt\.Errorf\("not done"\)\n}\n\n\/\/ merge forwards/.test(text), text);
      assert.ok(text.includes('\tvar wg stdsync.WaitGroup\n'), text);
      assert.ok(!/^\t"sync"$/m.test(text), 'sync imported again despite the stdsync alias');
      assert.ok(/import \(\n\t"context"\n\t"fmt"\n\tstdsync "sync"\n\n\t"golang.org\/x\/sync\/errgroup"\n\)/.test(text), text);

      // A statement snippet with the cursor outside any function is refused.
      const plan = planInsertion(text, text.indexOf('var mu'), byPrefix.get('waitgroup')!);
      assert.ok('error' in plan && /inside a function body/.test(plan.error));

      const tools = requireGo(this);
      const res = goCheck(tools, [{ pkg: 'inserted', name: 'jobs.go', text }], 'vet');
      assert.deepStrictEqual([...res.errors], [], text);
      assert.deepStrictEqual(res.unformatted, [], `not gofmt-clean:\n${text}`);
      assert.deepStrictEqual(analyzeText(text, { moduleGoVersion: '1.21' }), []);
    });
  });
});

/**
 * Just enough of the vscode API for client/src/patterns.ts: one Go document in one editor, a QuickPick that
 * answers with a chosen label, and insertSnippet behaving as VS Code does (placeholders at their defaults,
 * later lines indented like the line the snippet starts on).
 */
class FakeVscode {
  text: string;
  version = 1;
  active: number;
  messages: string[] = [];
  picks: { label: string; description?: string; detail?: string }[][] = [];
  answer: string | undefined;
  commands = new Map<string, (...args: unknown[]) => unknown>();
  languageId = 'go';

  constructor(text: string, cursor: number) {
    this.text = text;
    this.active = cursor;
  }

  positionAt(offset: number) {
    const before = this.text.slice(0, offset);
    const line = before.split('\n').length - 1;
    return { line, character: offset - (before.lastIndexOf('\n') + 1) };
  }

  offsetAt(pos: { line: number; character: number }): number {
    let off = 0;
    for (let l = 0; l < pos.line; l++) off = this.text.indexOf('\n', off) + 1;
    return off + pos.character;
  }

  module() {
    const doc = {
      get languageId() {
        return self.languageId;
      },
      get version() {
        return self.version;
      },
      getText: () => self.text,
      offsetAt: (p: { line: number; character: number }) => self.offsetAt(p),
      positionAt: (o: number) => self.positionAt(o),
    };
    const self = this;
    const editor = {
      document: doc,
      get selection() {
        return { active: self.positionAt(self.active) };
      },
      edit: async (cb: (b: { replace(r: { start: unknown; end: unknown }, t: string): void }) => void) => {
        const edits: { start: number; end: number; text: string }[] = [];
        cb({ replace: (r, t) => edits.push({ start: self.offsetAt(r.start as never), end: self.offsetAt(r.end as never), text: t }) });
        for (const e of edits.sort((a, b) => b.start - a.start)) {
          self.text = self.text.slice(0, e.start) + e.text + self.text.slice(e.end);
          if (e.end <= self.active) self.active += e.text.length - (e.end - e.start);
        }
        self.version++;
        return true;
      },
      insertSnippet: async (s: { value: string }, pos: { line: number; character: number }) => {
        const at = self.offsetAt(pos);
        const lineStart = self.text.lastIndexOf('\n', at - 1) + 1;
        const indent = /^[ \t]*/.exec(self.text.slice(lineStart, at))![0];
        const code = expandSnippet(s.value).replace(/\n(?=.)/g, `\n${indent}`).replace(/[ \t]+$/gm, '');
        self.text = self.text.slice(0, at) + code + self.text.slice(at);
        self.version++;
        return true;
      },
    };
    return {
      window: {
        activeTextEditor: editor,
        showWarningMessage: async (m: string) => void self.messages.push(m),
        showErrorMessage: async (m: string) => void self.messages.push(m),
        showQuickPick: async <T extends { label: string }>(items: T[]) => {
          self.picks.push(items);
          return items.find((i) => i.label === self.answer);
        },
      },
      commands: {
        registerCommand: (id: string, fn: (...args: unknown[]) => unknown) => {
          self.commands.set(id, fn);
          return { dispose: () => self.commands.delete(id) };
        },
      },
      Range: class {
        constructor(
          public start: unknown,
          public end: unknown,
        ) {}
      },
      SnippetString: class {
        constructor(public value: string) {}
      },
    };
  }
}

describe('the Insert Concurrency Pattern command (client/src/patterns.ts, with a stand-in vscode API)', () => {
  const Module = require('module') as { _load: (request: string, ...rest: unknown[]) => unknown };
  let fake: FakeVscode;
  let run: (arg?: unknown) => Promise<void>;

  function setup(text: string, cursor: number): void {
    fake = new FakeVscode(text, cursor);
    const vscodeModule = fake.module();
    const load = Module._load;
    Module._load = function (request: string, ...rest: unknown[]) {
      return request === 'vscode' ? vscodeModule : load.call(this, request, ...rest);
    };
    try {
      const modPath = require.resolve('../client/src/patterns');
      delete require.cache[modPath];
          const { registerPatternCommands } = require(modPath) as typeof import('../client/src/patterns');
      const subscriptions: unknown[] = [];
      registerPatternCommands({ subscriptions, asAbsolutePath: (p: string) => path.join(ROOT, p) } as never);
      assert.strictEqual(subscriptions.length, 1);
    } finally {
      Module._load = load;
    }
    const fn = fake.commands.get('goroutineGuard.insertPattern');
    assert.ok(fn, 'goroutineGuard.insertPattern is not registered');
    run = async (arg?: unknown) => void (await fn(arg));
  }

  const source = ['package svc', '', 'import "fmt"', '', 'func Run() {', '\t', '\tfmt.Println("done")', '}', ''].join('\n');
  const inRun = source.indexOf('\t\n') + 1;

  it('with a prefix (as code actions call it) inserts that pattern at the cursor and adds its import', async () => {
    setup(source, inRun);
    await run('waitgroup');
    assert.deepStrictEqual(fake.messages, []);
    assert.strictEqual(
      fake.text,
      [
        'package svc',
        '',
        'import (',
        '\t"fmt"',
        '\t"sync"',
        ')',
        '',
        'func Run() {',
        '\tvar wg sync.WaitGroup',
        '\tfor i := 0; i < 4; i++ {',
        '\t\twg.Add(1) // before go, so Wait cannot return before this goroutine is counted',
        '\t\tgo func(id int) {',
        '\t\t\tdefer wg.Done()',
        '',
        '\t\t}(i)',
        '\t}',
        '\twg.Wait()',
        '\tfmt.Println("done")',
        '}',
        '',
      ].join('\n'),
    );
  });

  it('without a prefix (palette, or the context menu passing a URI) offers every pattern in a quick pick', async () => {
    setup(source, inRun);
    fake.answer = 'Fan-in (generic merge)';
    await run({ scheme: 'file', path: '/x/svc.go' });
    assert.strictEqual(fake.picks.length, 1);
    const items = fake.picks[0];
    assert.deepStrictEqual(items.map((i) => i.label).sort(), patterns.map((p) => p.name).sort());
    for (const i of items) {
      const p = patterns.find((x) => x.name === i.label)!;
      assert.ok(i.description?.startsWith(`${p.prefix} · inserts ${p.topLevel ? 'a function' : 'statements'}`), i.description);
      assert.strictEqual(i.detail, p.description);
    }
    // A top-level pattern goes after the function holding the cursor, with the imports it needs.
    assert.ok(fake.text.includes('import (\n\t"context"\n\t"fmt"\n\t"sync"\n)\n'), fake.text);
    assert.ok(fake.text.includes('\tfmt.Println("done")\n}\n\n// merge forwards the values'), fake.text);
    assert.ok(fake.text.endsWith('\treturn out\n}\n'), fake.text);
  });

  it('dismissing the quick pick changes nothing', async () => {
    setup(source, inRun);
    fake.answer = undefined;
    await run();
    assert.strictEqual(fake.text, source);
    assert.strictEqual(fake.version, 1);
  });

  it('refuses unknown prefixes, statements outside a function, and non-Go editors, saying why', async () => {
    setup(source, inRun);
    await run('no-such-pattern');
    assert.match(fake.messages.pop() ?? '', /no concurrency pattern named "no-such-pattern"/);

    setup(source, source.indexOf('import'));
    await run('errgroup');
    assert.match(fake.messages.pop() ?? '', /inserts statements: place the cursor inside a function body/);

    setup(source, inRun);
    fake.languageId = 'plaintext';
    await run('waitgroup');
    assert.match(fake.messages.pop() ?? '', /open a Go file/);
    assert.strictEqual(fake.text, source);
  });
});
