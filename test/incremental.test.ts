// The language server re-analyses only the declarations an edit touches. That cache must never change
// what is reported: after every edit, incremental results must equal a fresh analysis of the same text.
import * as assert from 'assert';
import { analyzeText, DocumentAnalyzer, Finding, initParser } from '../server/src/engine';
import { loadFixtures } from './support/fixtures';

/** Small deterministic PRNG (mulberry32) so failures reproduce. */
function rng(seed: number): () => number {
  return () => {
    seed |= 0;
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const SNIPPETS = ['x', ' ', '\n', '}', '{', 'go ', 'close(ch)\n', 'wg.Add(1)\n', '//', '"', '<-', 'ctx', '\t'];

function canon(fs: Finding[]): string[] {
  return fs.map((f) => `${f.range.start.line}:${f.range.start.character}-${f.range.end.line}:${f.range.end.character} ${f.rule} ${f.message} ${JSON.stringify(f.fixes)}`);
}

describe('incremental analysis equals full analysis', function () {
  this.timeout(120_000);
  before(() => initParser());

  const fixtures = loadFixtures().filter((f) => f.wants.size > 0);
  for (const fx of fixtures) {
    it(`${fx.rule}/${fx.rel}: 40 random edits`, () => {
      const opts = { moduleGoVersion: '1.21' };
      const rand = rng(fx.text.length);
      const doc = new DocumentAnalyzer(fx.text);
      try {
        assert.deepStrictEqual(canon(doc.analyze(opts)), canon(analyzeText(fx.text, opts)));
        for (let i = 0; i < 40; i++) {
          const text = doc.getText();
          const start = Math.floor(rand() * text.length);
          const del = rand() < 0.5 ? Math.floor(rand() * 12) : 0;
          const ins = rand() < 0.7 ? SNIPPETS[Math.floor(rand() * SNIPPETS.length)] : '';
          const end = Math.min(text.length, start + del);
          doc.applyEdit(start, end, ins);
          const next = text.slice(0, start) + ins + text.slice(end);
          assert.strictEqual(doc.getText(), next);
          assert.deepStrictEqual(canon(doc.analyze(opts)), canon(analyzeText(next, opts)), `after edit ${i} at ${start}: -${del} +${JSON.stringify(ins)}`);
        }
        // Undo everything in one edit: back to the original findings.
        doc.applyEdit(0, doc.getText().length, fx.text);
        assert.deepStrictEqual(canon(doc.analyze(opts)), canon(analyzeText(fx.text, opts)));
      } finally {
        doc.dispose();
      }
    });
  }

  for (const fx of fixtures) {
    it(`${fx.rule}/${fx.rel}: breaking a declaration and restoring it`, () => {
      // Typing a character that breaks a declaration and deleting it again must give back exactly the
      // original findings, also in the declarations that depend on the broken one.
      const opts = { moduleGoVersion: '1.21' };
      const rand = rng(fx.text.length + 7);
      const expected = canon(analyzeText(fx.text, opts));
      const doc = new DocumentAnalyzer(fx.text);
      try {
        doc.analyze(opts);
        for (let i = 0; i < 25; i++) {
          const at = Math.floor(rand() * fx.text.length);
          const ch = ['(', '{', '"', 'x', '}'][i % 5];
          doc.applyEdit(at, at, ch);
          const broken = doc.getText();
          assert.deepStrictEqual(canon(doc.analyze(opts)), canon(analyzeText(broken, opts)), `with ${JSON.stringify(ch)} inserted at ${at}`);
          doc.applyEdit(at, at + 1, '');
          assert.deepStrictEqual(canon(doc.analyze(opts)), expected, `after removing ${JSON.stringify(ch)} at ${at} again`);
        }
      } finally {
        doc.dispose();
      }
    });
  }

  it('reuses the findings of declarations an edit does not touch', () => {
    const fx = fixtures.find((f) => f.rule === 'send-without-cancel')!;
    const doc = new DocumentAnalyzer(fx.text);
    try {
      doc.analyze({});
      const before = { ...doc.stats };
      // Append a comment at the end of the file: no declaration's text changes.
      doc.applyEdit(fx.text.length, fx.text.length, '\n// trailing comment\n');
      doc.analyze({});
      assert.strictEqual(doc.stats.declsAnalysed, before.declsAnalysed, 'no declaration should be re-analysed');
      assert.ok(doc.stats.declsReused > before.declsReused);
    } finally {
      doc.dispose();
    }
  });
});
