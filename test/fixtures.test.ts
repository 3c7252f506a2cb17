// Fixture tests in the style of go/analysis's analysistest, plus proof that every fixed file compiles,
// is gofmt-clean and no longer triggers the rule.
import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import { ALL_RULES, analyzeText, applyFirstFixes, Finding, initParser, RULES } from '../server/src/engine';
import { goModDirective } from '../server/src/engine/goversion';
import { Fixture, FIXTURES, loadFixtures } from './support/fixtures';
import { goCheck, GoFile, requireGo } from './support/go';

const fixtures = loadFixtures();

/** The go directive of the nearest go.mod inside the fixture tree (fixtures outside any go.mod use the default). */
function moduleVersion(file: string): string | undefined {
  for (let dir = path.dirname(file); dir.startsWith(FIXTURES); dir = path.dirname(dir)) {
    const mod = path.join(dir, 'go.mod');
    if (fs.existsSync(mod)) return goModDirective(fs.readFileSync(mod, 'utf8'));
  }
  return undefined;
}

function analyze(fx: Fixture, text: string): Finding[] {
  return analyzeText(text, { moduleGoVersion: moduleVersion(fx.file) }, (rule, err) => {
    throw new Error(`rule ${rule} threw on ${fx.rel}: ${(err as Error).stack}`);
  });
}

function keys(findings: Finding[]): Set<string> {
  return new Set(findings.map((f) => `${f.range.start.line + 1}:${f.rule}`));
}

function describeDiff(want: Set<string>, got: Set<string>, findings: Finding[]): string {
  const missing = [...want].filter((k) => !got.has(k));
  const extra = [...got].filter((k) => !want.has(k));
  const msg = (k: string) => findings.find((f) => `${f.range.start.line + 1}:${f.rule}` === k)?.message ?? '';
  return [...missing.map((k) => `  missing ${k}`), ...extra.map((k) => `  unexpected ${k}: ${msg(k)}`)].join('\n');
}

describe('rule fixtures (// want)', function () {
  this.timeout(60_000);
  before(() => initParser());

  for (const fx of fixtures) {
    describe(`${fx.rule}/${fx.rel}`, () => {
      it('reports exactly the lines marked // want', () => {
        const findings = analyze(fx, fx.text);
        const got = keys(findings);
        assert.ok(
          got.size === fx.wants.size && [...got].every((k) => fx.wants.has(k)),
          `findings differ from // want comments in ${fx.rel}:\n${describeDiff(fx.wants, got, findings)}`,
        );
      });

      it('fixes produce the .golden file, which no longer triggers the fixed findings', () => {
        const findings = analyze(fx, fx.text);
        const withFix = findings.filter((f) => f.fixes.length > 0);
        if (!fx.golden) {
          assert.strictEqual(withFix.length, 0, `${fx.rel} has findings with fixes but no ${path.basename(fx.file)}.golden`);
          return;
        }
        assert.ok(withFix.length > 0, `${fx.rel}.golden exists but no finding offers a fix`);
        const fixed = applyFirstFixes(fx.text, findings);
        assert.strictEqual(fixed.skipped, 0, 'fixes overlap');
        assert.strictEqual(fixed.text, fx.golden, `applying the fixes to ${fx.rel} does not give the golden file`);
        const after = analyze(fx, fixed.text);
        for (const rule of new Set(withFix.map((f) => f.rule))) {
          const unfixedBefore = findings.filter((f) => f.rule === rule && f.fixes.length === 0).length;
          const remaining = after.filter((f) => f.rule === rule);
          assert.strictEqual(remaining.length, unfixedBefore, `after the fixes ${rule} still reports:\n${remaining.map((f) => `  ${f.range.start.line + 1}: ${f.message}`).join('\n')}`);
        }
      });
    });
  }
});

describe('fixture coverage', () => {
  for (const rule of RULES) {
    it(`${rule.id} has fixtures with more negative look-alikes than positives, a golden and a doc page`, () => {
      const mine = fixtures.filter((f) => f.rule === rule.id);
      assert.ok(mine.length > 0, `no fixtures in test/fixtures/${rule.id}`);
      let positives = 0;
      let negatives = 0;
      for (const fx of mine) {
        // Count top-level functions: those holding a // want line for this rule are positives, the rest negatives.
        const wantsRule = new RegExp(`//\\s*want\\s.*\\b${rule.id}\\b`);
        const funcs = fx.text.split(/\n(?=func )/).filter((chunk) => chunk.startsWith('func '));
        for (const fn of funcs) if (wantsRule.test(fn)) positives++;
        else negatives++;
      }
      assert.ok(positives > 0, 'no positive fixture');
      assert.ok(negatives > positives, `${negatives} negative functions for ${positives} positive ones`);
      assert.ok(fs.existsSync(path.join(FIXTURES, '..', '..', 'docs', 'rules', `${rule.id}.md`)), 'missing docs/rules page');
    });
  }

  it('every rule doc has the four sections', () => {
    for (const rule of ALL_RULES) {
      const doc = fs.readFileSync(path.join(FIXTURES, '..', '..', 'docs', 'rules', `${rule.id}.md`), 'utf8');
      for (const h of ['## What it finds', '## Why it matters', '## Example', '## Fix']) assert.ok(doc.includes(h), `${rule.id}.md lacks "${h}"`);
    }
  });
});

describe('fixtures and fixed files compile (Go toolchain)', function () {
  this.timeout(600_000);
  before(() => initParser());

  const pkgOf = (fx: Fixture, suffix: string) => `${fx.rule}/${fx.rel.replace(/\.go$/, '').replace(/[^\w/]/g, '_')}${suffix}`;
  // //go:build go1.N lines would exclude a file from an older toolchain's build: they only pin versions here.
  const strip = (t: string) => t.replace(/^\/\/go:build go1\.\d+\n\n?/m, '');

  it('every fixture type-checks (go build)', function () {
    const tools = requireGo(this);
    const files: GoFile[] = fixtures.map((fx) => ({ pkg: pkgOf(fx, ''), name: path.basename(fx.file), text: strip(fx.text) }));
    const r = goCheck(tools, files, 'build');
    assert.deepStrictEqual([...r.errors].map(([p, e]) => `${p}:\n${e.join('\n')}`), []);
    assert.deepStrictEqual(r.unformatted, [], 'fixtures must be gofmt-formatted');
  });

  it('every golden (fixed) file is gofmt-clean and passes go vet', function () {
    const tools = requireGo(this);
    const files: GoFile[] = fixtures.filter((fx) => fx.golden).map((fx) => ({ pkg: pkgOf(fx, '_golden'), name: path.basename(fx.file), text: strip(fx.golden!) }));
    assert.ok(files.length > 0);
    const r = goCheck(tools, files, 'vet');
    assert.deepStrictEqual([...r.errors].map(([p, e]) => `${p}:\n${e.join('\n')}`), []);
    assert.deepStrictEqual(r.unformatted, [], 'fixed files must be gofmt-clean');
  });
});
