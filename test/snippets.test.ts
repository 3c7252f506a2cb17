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
      // VS Code offers a snippet when the typed word is a prefix of its prefix: "go" must not offer ours.
      assert.ok(/^[a-z][a-z-]*$/.test(p.prefix), `${p.prefix}: lower-case words only`);
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
