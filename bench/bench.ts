// `npm run bench` (issue #2 item 9): what analysis costs next to bare tree-sitter parsing on the Go
// standard library, how fast a one-character edit in a 5,000-line file is re-diagnosed, and that a 10 MB
// generated file is analysed without crashing. Not a test: it prints numbers for people to read.
//
//   node out/bench/bench.js [--quick] [--corpus DIR] [--edits N] [--no-big]
//     --quick      about 600 files of the corpus, 100 edits, a 2 MB file instead of 10 MB
//     --corpus DIR lint DIR instead of /usr/share/go-1.19/src
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { analyzeText, DocumentAnalyzer, initParser, RULES } from '../server/src/engine';
import type { Finding } from '../server/src/engine';
import { newParser } from '../server/src/engine/parser';
import { discover } from '../server/src/cli/discover';
import { GoModResolver } from '../server/src/gomod';

const ROOT = path.resolve(__dirname, '..', '..');
const STDLIB = '/usr/share/go-1.19/src';
const STDLIB_PACKAGE = 'golang-1.19-src';

interface Args {
  quick: boolean;
  corpus?: string;
  edits: number;
  big: boolean;
}

function parseArgs(argv: string[]): Args {
  const a: Args = { quick: false, edits: 200, big: true };
  for (let i = 0; i < argv.length; i++) {
    const x = argv[i];
    if (x === '--quick') a.quick = true;
    else if (x === '--corpus') a.corpus = argv[++i];
    else if (x === '--edits') a.edits = Number(argv[++i]);
    else if (x === '--no-big') a.big = false;
    else {
      console.error(`unknown argument ${x}\nusage: node out/bench/bench.js [--quick] [--corpus DIR] [--edits N] [--no-big]`);
      process.exit(2);
    }
  }
  if (a.quick && !argv.includes('--edits')) a.edits = 100;
  return a;
}

/** The Debian package with the Go 1.19 sources, installed when missing (the benchmark's fixed corpus). */
function ensureStdlib(): string {
  if (fs.existsSync(path.join(STDLIB, 'net', 'http'))) return STDLIB;
  const root = process.getuid?.() === 0;
  const sudo = root ? [] : ['sudo'];
  console.log(`${STDLIB} is missing: installing ${STDLIB_PACKAGE} with ${root ? '' : 'sudo '}apt-get…`);
  const run = (args: string[]) => {
    const [cmd, ...rest] = [...sudo, ...args];
    execFileSync(cmd, rest, { stdio: 'inherit', env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } });
  };
  run(['apt-get', 'update']);
  run(['apt-get', 'install', '-y', '--no-install-recommends', STDLIB_PACKAGE]);
  if (!fs.existsSync(STDLIB)) throw new Error(`${STDLIB_PACKAGE} installed but ${STDLIB} does not exist`);
  return STDLIB;
}

function cpuSeconds(since: NodeJS.CpuUsage): number {
  const d = process.cpuUsage(since);
  return (d.user + d.system) / 1e6;
}

function countLines(text: string): number {
  let n = text.length && !text.endsWith('\n') ? 1 : 0;
  for (let i = text.indexOf('\n'); i !== -1; i = text.indexOf('\n', i + 1)) n++;
  return n;
}

function quantile(sorted: number[], q: number): number {
  if (!sorted.length) return NaN;
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1));
  return sorted[i];
}

/** Deterministic PRNG (mulberry32): the same edits on every run. */
function rng(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = seed;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function table(title: string, rows: [string, string][]): void {
  const w = Math.max(...rows.map((r) => r[0].length));
  console.log(`\n${title}`);
  console.log('-'.repeat(Math.max(title.length, w + 24)));
  for (const [k, v] of rows) console.log(`${k.padEnd(w)}  ${v}`);
}

const fmt = (n: number, digits = 2) => n.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
const int = (n: number) => Math.round(n).toLocaleString('en-US');

// ---------------------------------------------------------------------------------------------------
// Realistic concurrent Go for the edit-latency and big-file runs: the bodies of examples/ and the rule
// fixtures, each copy's top-level names suffixed so the result reads like one large package.

interface Chunk {
  imports: Set<string>;
  body: string;
}

function loadChunks(): Chunk[] {
  const files: string[] = [];
  for (const dir of [path.join(ROOT, 'examples'), path.join(ROOT, 'test', 'fixtures')]) {
    if (fs.existsSync(dir)) files.push(...discover([dir], ROOT).files);
  }
  const chunks: Chunk[] = [];
  for (const f of files.sort()) {
    const text = fs.readFileSync(f, 'utf8');
    const imports = new Set<string>();
    for (const m of text.matchAll(/^import\s+(?:\(([^)]*)\)|("[^"]+"))/gm)) {
      const list = m[1] ?? m[2];
      for (const q of list.matchAll(/(?:^|\s)(\w+\s+)?("[^"]+")/g)) imports.add(`${q[1] ?? ''}${q[2]}`.trim());
    }
    const start = text.search(/^(func|type|var|const)\s/m);
    if (start < 0) continue;
    chunks.push({ imports, body: text.slice(start).replace(/[ \t]*\/\/ want .*$/gm, '') });
  }
  return chunks;
}

/** Top-level names a chunk declares, so each copy can rename them consistently. */
function declaredNames(body: string): string[] {
  const names = new Set<string>();
  for (const m of body.matchAll(/^func\s+(\w+)/gm)) names.add(m[1]);
  for (const m of body.matchAll(/^type\s+(\w+)/gm)) names.add(m[1]);
  for (const m of body.matchAll(/^(?:var|const)\s+(\w+)/gm)) names.add(m[1]);
  names.delete('main');
  names.delete('init');
  return [...names];
}

function buildConcurrentFile(minLines: number | undefined, minBytes?: number): { text: string; sources: number; copies: number } {
  const chunks = loadChunks();
  if (!chunks.length) throw new Error('no Go sources under examples/ or test/fixtures/');
  const imports = new Set<string>();
  for (const c of chunks) for (const i of c.imports) imports.add(i);
  const header = `// Generated by bench/bench.ts from examples/ and test/fixtures/.\npackage bench\n\nimport (\n${[...imports].sort().map((i) => `\t${i}`).join('\n')}\n)\n\n`;
  const parts = [header];
  let lines = countLines(header);
  let bytes = header.length;
  let copy = 0;
  while ((minLines !== undefined && lines < minLines) || (minBytes !== undefined && bytes < minBytes)) {
    for (const c of chunks) {
      const names = declaredNames(c.body);
      const re = names.length ? new RegExp(`\\b(${names.join('|')})\\b`, 'g') : undefined;
      const body = (re ? c.body.replace(re, `$1_${copy}`) : c.body).trimEnd() + '\n\n';
      parts.push(body);
      lines += countLines(body);
      bytes += body.length;
      if ((minLines === undefined || lines >= minLines) && (minBytes === undefined || bytes >= minBytes)) break;
    }
    copy++;
  }
  return { text: parts.join(''), sources: chunks.length, copies: copy };
}

/** Offsets where typing happens: inside function bodies, after the indentation of a body line. */
function editablePositions(text: string): number[] {
  const out: number[] = [];
  let inBody = false;
  let offset = 0;
  for (const line of text.split('\n')) {
    if (/^func\b.*\{\s*$/.test(line)) inBody = true;
    else if (line === '}') inBody = false;
    else if (inBody) {
      const indent = /^\s*/.exec(line)![0].length;
      if (line.length > indent + 1) out.push(offset + indent, offset + line.length);
    }
    offset += line.length + 1;
  }
  return out;
}

// ---------------------------------------------------------------------------------------------------

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  const corpus = args.corpus ? path.resolve(args.corpus) : ensureStdlib();
  await initParser();

  // 1. The corpus: read everything first so that both passes time the same in-memory work.
  let files = discover([corpus], corpus).files.sort();
  if (args.quick) files = files.filter((_, i) => i % 7 === 0);
  const mods = new GoModResolver();
  const texts = files.map((f) => fs.readFileSync(f, 'utf8'));
  const moduleVersions = files.map((f) => mods.goVersionFor(f));
  const totalLines = texts.reduce((n, t) => n + countLines(t), 0);
  const totalBytes = files.reduce((n, f) => n + fs.statSync(f).size, 0);
  console.log(`Goroutine Guard benchmark — ${files.length} files under ${corpus}${args.quick ? ' (--quick: every 7th file)' : ''}; Node ${process.version}, one thread`);

  // Warm both code paths on a few files (JIT, wasm tiers) before timing.
  const warm = texts.slice(0, 40);
  {
    const p = newParser();
    for (const t of warm) p.parse(t)?.delete();
    p.delete();
    for (const t of warm) analyzeText(t, {});
  }

  // 2. Bare parse: what tree-sitter alone costs for the same texts.
  const parser = newParser();
  let wall = performance.now();
  let cpu = process.cpuUsage();
  for (const t of texts) parser.parse(t)?.delete();
  const parseWall = (performance.now() - wall) / 1000;
  const parseCpu = cpuSeconds(cpu);
  parser.delete();

  // 3. Analysis: parse + every enabled rule, as the CLI runs it per file.
  const perRule = new Map<string, number>(RULES.map((r) => [r.id, 0]));
  const ruleErrors: string[] = [];
  wall = performance.now();
  cpu = process.cpuUsage();
  for (let i = 0; i < texts.length; i++) {
    const found = analyzeText(texts[i], { moduleGoVersion: moduleVersions[i] }, (rule, err) => ruleErrors.push(`${rule} on ${files[i]}: ${(err as Error)?.message}`));
    for (const f of found) perRule.set(f.rule, (perRule.get(f.rule) ?? 0) + 1);
  }
  const analyseWall = (performance.now() - wall) / 1000;
  const analyseCpu = cpuSeconds(cpu);
  const peakRssMb = process.resourceUsage().maxRSS / 1024;

  const ratio = analyseCpu / parseCpu;
  table('Corpus: analysis vs bare tree-sitter parse (same files, same process, one core)', [
    ['files', int(files.length)],
    ['lines', int(totalLines)],
    ['size', `${fmt(totalBytes / 1e6, 1)} MB`],
    ['', ''],
    ['                         ', 'analysis        parse only'],
    ['wall seconds', `${fmt(analyseWall).padStart(8)}        ${fmt(parseWall).padStart(8)}`],
    ['CPU seconds', `${fmt(analyseCpu).padStart(8)}        ${fmt(parseCpu).padStart(8)}`],
    ['lines/s (wall)', `${int(totalLines / analyseWall).padStart(8)}        ${int(totalLines / parseWall).padStart(8)}`],
    ['lines/s (CPU)', `${int(totalLines / analyseCpu).padStart(8)}        ${int(totalLines / parseCpu).padStart(8)}`],
    ['MB/s (wall)', `${fmt(totalBytes / 1e6 / analyseWall).padStart(8)}        ${fmt(totalBytes / 1e6 / parseWall).padStart(8)}`],
    ['', ''],
    ['analysis / parse CPU', `${fmt(ratio)}×  (target ≤ 2×: ${ratio <= 2 ? 'met' : 'NOT met'})`],
    ['peak RSS', `${int(peakRssMb)} MB (process.resourceUsage().maxRSS)`],
    ['rule errors', ruleErrors.length ? `${ruleErrors.length} (first: ${ruleErrors[0]})` : '0'],
  ]);
  table(
    'Findings per rule on the corpus',
    [...perRule].map(([id, n]) => [id, int(n)]),
  );

  // 4. Incremental: a one-character edit in a 5,000-line file, re-diagnosed as the language server does.
  const built = buildConcurrentFile(5000);
  const positions = editablePositions(built.text);
  const doc = new DocumentAnalyzer(built.text);
  const baseline = doc.analyze({ moduleGoVersion: '1.21' });
  let t0 = performance.now();
  analyzeText(built.text, { moduleGoVersion: '1.21' });
  const fullMs = performance.now() - t0;
  const random = rng(20240229);
  const insertMs: number[] = [];
  const deleteMs: number[] = [];
  // CPU time beside wall time: on a shared machine the wall clock also counts other processes.
  const cpuMs: number[] = [];
  const timed = (into: number[], edit: () => void) => {
    const c = process.cpuUsage();
    const t = performance.now();
    edit();
    doc.analyze({ moduleGoVersion: '1.21' });
    into.push(performance.now() - t);
    const d = process.cpuUsage(c);
    cpuMs.push((d.user + d.system) / 1000);
  };
  for (let i = 0; i < args.edits; i++) {
    const at = positions[Math.floor(random() * positions.length)];
    const ch = 'abcxyz_0( '[Math.floor(random() * 10)];
    timed(insertMs, () => doc.applyEdit(at, at, ch));
    // Delete it again: the next edit starts from the original text.
    timed(deleteMs, () => doc.applyEdit(at, at + 1, ''));
  }
  const after = doc.analyze({ moduleGoVersion: '1.21' });
  // The edits were undone, so the incremental result must equal a fresh analysis of the same text.
  const key = (f: Finding) => `${f.range.start.line + 1}:${f.range.start.character + 1}:${f.rule}`;
  const fresh = analyzeText(doc.getText(), { moduleGoVersion: '1.21' }).map(key).sort();
  const incremental = after.map(key).sort();
  const onlyFresh = fresh.filter((k) => !incremental.includes(k));
  const onlyIncremental = incremental.filter((k) => !fresh.includes(k));
  const consistent = !onlyFresh.length && !onlyIncremental.length && fresh.length === incremental.length;
  const stats = doc.stats;
  doc.dispose();
  const all = [...insertMs, ...deleteMs].sort((a, b) => a - b);
  const median = quantile(all, 0.5);
  table(`Re-diagnosing a ${int(countLines(built.text))}-line file after a one-character edit (DocumentAnalyzer.applyEdit + analyze)`, [
    ['file', `${built.sources} Go files of examples/ and test/fixtures/ concatenated ${built.copies}× with renamed declarations, go 1.21`],
    ['edits', `${args.edits} random insertions of one character inside function bodies, each deleted again (${all.length} re-diagnoses)`],
    ['findings', `${baseline.length} before the edits, ${after.length} after them (text restored)`],
    [
      'same as a fresh analysis',
      consistent ? 'yes' : `NO — missing: ${onlyFresh.slice(0, 5).join(' ') || '-'}; extra: ${onlyIncremental.slice(0, 5).join(' ') || '-'} (line:col:rule)`,
    ],
    ['median', `${fmt(median)} ms  (target < 20 ms: ${median < 20 ? 'met' : 'NOT met'})`],
    ['p90', `${fmt(quantile(all, 0.9))} ms`],
    ['median / p90 CPU time', `${fmt(quantile(cpuMs.sort((a, b) => a - b), 0.5))} / ${fmt(quantile(cpuMs, 0.9))} ms`],
    ['max', `${fmt(all[all.length - 1])} ms`],
    ['insert / delete median', `${fmt(quantile(insertMs.sort((a, b) => a - b), 0.5))} / ${fmt(quantile(deleteMs.sort((a, b) => a - b), 0.5))} ms`],
    ['full analysis, for reference', `${fmt(fullMs)} ms`],
    ['declarations analysed / reused', `${int(stats.declsAnalysed)} / ${int(stats.declsReused)}`],
  ]);

  // 5. A 10 MB generated file: must finish without crashing.
  if (args.big) {
    const mb = args.quick ? 2 : 10;
    const big = buildConcurrentFile(undefined, mb * 1024 * 1024);
    const bigLines = countLines(big.text);
    const p = newParser();
    t0 = performance.now();
    p.parse(big.text)?.delete();
    const bigParse = (performance.now() - t0) / 1000;
    p.delete();
    let outcome: string;
    const bigCpu = process.cpuUsage();
    t0 = performance.now();
    try {
      const found = analyzeText(big.text, { moduleGoVersion: '1.21' });
      outcome = `ok, ${int(found.length)} findings`;
    } catch (err) {
      outcome = `FAILED: ${(err as Error)?.message ?? String(err)}`;
    }
    const bigAnalyse = (performance.now() - t0) / 1000;
    const bigAnalyseCpu = cpuSeconds(bigCpu);
    table(`A ${mb} MB generated file`, [
      ['file', `${fmt(big.text.length / 1024 / 1024, 1)} MB, ${int(bigLines)} lines (the same sources repeated ${big.copies}×)`],
      ['analysis', `${fmt(bigAnalyse)} s wall, ${fmt(bigAnalyseCpu)} s CPU — ${outcome}`],
      ['parse only', `${fmt(bigParse)} s`],
      ['peak RSS so far', `${int(process.resourceUsage().maxRSS / 1024)} MB`],
    ]);
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
