// The goroutine-guard command: find files, lint them (on worker threads for large inputs), print text,
// JSON or SARIF, and exit 0 (no findings), 1 (findings) or 2 (usage or I/O error).
import * as os from 'os';
import * as path from 'path';
import { initParser } from '../engine';
import { GoModResolver } from '../gomod';
import { CliOptions, parseCli, USAGE, UsageError } from './args';
import { discover } from './discover';
import { safeLintFile, type FileResult, type LintOptions } from './lint';
import { toolVersion } from './meta';
import { lintInWorkers } from './pool';
import { toSarif } from './sarif';

export interface CliIO {
  cwd: string;
  stdout: (s: string) => void;
  stderr: (s: string) => void;
}

const defaultIO = (): CliIO => ({ cwd: process.cwd(), stdout: (s) => process.stdout.write(s), stderr: (s) => process.stderr.write(s) });

/** Below this many files, starting workers (each loads the grammar) costs more than it saves. */
const FILES_PER_WORKER = 32;

export async function run(argv: string[], io: CliIO = defaultIO()): Promise<number> {
  let opts: CliOptions;
  try {
    opts = parseCli(argv);
  } catch (err) {
    if (!(err instanceof UsageError)) throw err;
    io.stderr(`goroutine-guard: ${err.message}\nRun goroutine-guard --help for usage.\n`);
    return 2;
  }
  if (opts.help) {
    io.stdout(USAGE + '\n');
    return 0;
  }
  if (opts.version) {
    io.stdout(toolVersion() + '\n');
    return 0;
  }
  if (opts.lsp) return runLsp();

  const found = discover(opts.paths, io.cwd);
  const lintOpts: LintOptions = { goVersionOverride: opts.goVersion, rules: opts.rules, fix: opts.fix };
  const jobs = opts.jobs ?? Math.min(os.availableParallelism(), Math.ceil(found.files.length / FILES_PER_WORKER));
  let results: FileResult[];
  if (jobs > 1 && found.files.length > 1) {
    results = await lintInWorkers(found.files, jobs, lintOpts);
  } else {
    await initParser();
    const mods = new GoModResolver();
    results = found.files.map((f) => safeLintFile(f, lintOpts, mods));
  }
  for (const e of found.errors) results.push({ file: path.resolve(io.cwd, e.path), diagnostics: [], warnings: [], fixesApplied: 0, error: e.message });

  const display = (f: string) => displayPath(f, io.cwd);
  results.sort((a, b) => compare(display(a.file), display(b.file)));
  for (const r of results) r.diagnostics.sort((a, b) => a.line - b.line || a.column - b.column || a.endLine - b.endLine || a.endColumn - b.endColumn || compare(a.rule, b.rule));

  // Files that could be read and analysed; unreadable ones are counted as errors.
  const scanned = results.filter((r) => !r.error).length;
  const findings = results.reduce((n, r) => n + r.diagnostics.length, 0);
  const failed = results.filter((r) => r.error);
  for (const r of results) {
    if (r.error) io.stderr(`goroutine-guard: ${display(r.file)}: ${r.error}\n`);
    for (const w of r.warnings) io.stderr(`goroutine-guard: ${display(r.file)}: warning: ${w}\n`);
  }

  if (opts.format === 'json') io.stdout(JSON.stringify(toJson(results, scanned, display)) + '\n');
  else if (opts.format === 'sarif') io.stdout(JSON.stringify(toSarif(results, io.cwd), null, 2) + '\n');
  else for (const r of results) for (const d of r.diagnostics) io.stdout(`${display(r.file)}:${d.line}:${d.column}: ${d.message} (${d.rule})\n`);

  const fixed = results.reduce((n, r) => n + r.fixesApplied, 0);
  const fixedFiles = results.filter((r) => r.fixesApplied > 0).length;
  const parts = [`${scanned} ${scanned === 1 ? 'file' : 'files'} scanned`, `${findings} ${findings === 1 ? 'finding' : 'findings'}`];
  if (opts.fix) parts.push(`${fixed} ${fixed === 1 ? 'fix' : 'fixes'} applied in ${fixedFiles} ${fixedFiles === 1 ? 'file' : 'files'}`);
  if (failed.length) parts.push(`${failed.length} ${failed.length === 1 ? 'error' : 'errors'}`);
  io.stderr(`goroutine-guard: ${parts.join(', ')}\n`);

  if (failed.length) return 2;
  return findings && !opts.exitZero ? 1 : 0;
}

/** Relative to cwd when under it (what editors and CI annotations resolve), absolute otherwise. */
export function displayPath(file: string, cwd: string): string {
  const rel = path.relative(cwd, file);
  if (!rel) return path.basename(file);
  return rel.startsWith('..') || path.isAbsolute(rel) ? file : rel;
}

/** Code-unit order: the same on every machine, unlike localeCompare. */
function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Built key by key: the documented JSON shape is a contract, including its key order. */
function toJson(results: FileResult[], filesScanned: number, display: (f: string) => string) {
  const diagnostics = [];
  for (const r of results) {
    for (const d of r.diagnostics) {
      diagnostics.push({
        file: display(r.file),
        line: d.line,
        column: d.column,
        endLine: d.endLine,
        endColumn: d.endColumn,
        rule: d.rule,
        severity: d.severity,
        message: d.message,
        fixes: d.fixes.map((f) => ({
          title: f.title,
          edits: f.edits.map((e) => ({ line: e.line, column: e.column, endLine: e.endLine, endColumn: e.endColumn, newText: e.newText })),
        })),
      });
    }
  }
  return { diagnostics, filesScanned };
}

async function runLsp(): Promise<number> {
  // Loaded only here: a lint run should not pay for the language server's modules.
  // (require, not import(): under node16 module rules import() stays a real ESM import in the tsc output.)
  const { createConnection, ProposedFeatures, StreamMessageReader, StreamMessageWriter } = require('vscode-languageserver/node') as typeof import('vscode-languageserver/node');
  const { startServer } = require('../lsp/server') as typeof import('../lsp/server');
  startServer(createConnection(ProposedFeatures.all, new StreamMessageReader(process.stdin), new StreamMessageWriter(process.stdout)));
  // The server runs until the client sends exit; the connection ends the process.
  return new Promise<number>(() => undefined);
}
