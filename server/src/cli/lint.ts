// Lints one file: read, decode, find its Go version, analyse, optionally fix in place. Runs on the main
// thread or in a worker (worker.ts), so everything it returns is plain, structured-cloneable data with
// positions already converted for output (1-based lines, columns in Unicode code points).
import * as fs from 'fs';
import { isUtf8 } from 'buffer';
import { analyzeText, applyFirstFixes, SourceText } from '../engine';
import type { Finding, RuleSetting, Severity } from '../engine';
import { newParser } from '../engine/parser';
import { GoModResolver } from '../gomod';
import { describeError } from './discover';

export interface LintOptions {
  goVersionOverride?: string;
  rules: Record<string, RuleSetting>;
  fix: boolean;
}

export interface CliEdit {
  line: number;
  column: number;
  endLine: number;
  endColumn: number;
  newText: string;
}

export interface CliFix {
  title: string;
  edits: CliEdit[];
}

export interface CliDiagnostic {
  line: number;
  column: number;
  endLine: number;
  endColumn: number;
  rule: string;
  severity: Severity;
  message: string;
  fixes: CliFix[];
  /** The finding's first line, trimmed: what the SARIF fingerprint hashes so it survives line shifts. */
  lineText: string;
}

export interface FileResult {
  /** Absolute path. */
  file: string;
  diagnostics: CliDiagnostic[];
  /** Set when the file could not be read or written: an I/O error (exit 2). */
  error?: string;
  /** Problems worth a warning that do not make the run fail (a rule crashed, fixes not written). */
  warnings: string[];
  fixesApplied: number;
}

/** Enough for a fix's edit to enable the next one; more passes mean a fix that keeps re-triggering. */
const MAX_FIX_PASSES = 10;
const UTF8_BOM = Buffer.from([0xef, 0xbb, 0xbf]);

/** lintFile that turns an unexpected exception into an error for this file, so the others still get linted. */
export function safeLintFile(file: string, opts: LintOptions, mods: GoModResolver): FileResult {
  try {
    return lintFile(file, opts, mods);
  } catch (err) {
    return { file, diagnostics: [], warnings: [], fixesApplied: 0, error: `internal error while linting: ${(err as Error)?.message ?? String(err)}` };
  }
}

export function lintFile(file: string, opts: LintOptions, mods: GoModResolver): FileResult {
  const result: FileResult = { file, diagnostics: [], warnings: [], fixesApplied: 0 };
  let bytes: Buffer;
  try {
    bytes = fs.readFileSync(file);
  } catch (err) {
    result.error = describeError(err);
    return result;
  }
  const valid = isUtf8(bytes);
  const bom = bytes.subarray(0, 3).equals(UTF8_BOM);
  // Invalid bytes become U+FFFD: the rest of the file is still analysed.
  let text = new TextDecoder('utf-8', { fatal: false, ignoreBOM: false }).decode(bytes);
  const analyseOpts = { moduleGoVersion: mods.goVersionFor(file), goVersionOverride: opts.goVersionOverride, rules: opts.rules };
  const ruleErrors = new Set<string>();
  const analyse = (t: string) =>
    analyzeText(t, analyseOpts, (rule, err) => {
      ruleErrors.add(`rule ${rule} failed (its findings are missing): ${(err as Error)?.message ?? String(err)}`);
    });

  let findings = analyse(text);
  if (opts.fix && findings.some((f) => f.fixes.length)) {
    if (!valid) {
      // Writing the decoded text back would replace the invalid bytes with U+FFFD.
      result.warnings.push('not valid UTF-8: fixes not applied');
    } else {
      const original = text;
      const hadSyntaxErrors = hasSyntaxErrors(original);
      for (let pass = 0; pass < MAX_FIX_PASSES; pass++) {
        const r = applyFirstFixes(text, findings);
        if (!r.applied || r.text === text) break;
        // A fix must never break code that parsed: if one would, keep what we have and stop.
        if (!hadSyntaxErrors && hasSyntaxErrors(r.text)) {
          result.warnings.push('a fix would introduce a syntax error: remaining fixes not applied');
          break;
        }
        text = r.text;
        result.fixesApplied += r.applied;
        findings = analyse(text);
      }
      if (text !== original) {
        try {
          fs.writeFileSync(file, bom ? Buffer.concat([UTF8_BOM, Buffer.from(text, 'utf8')]) : text);
        } catch (err) {
          result.error = `cannot write fixes: ${describeError(err)}`;
          result.fixesApplied = 0;
        }
      }
    }
  }
  result.warnings.push(...ruleErrors);
  const src = new SourceText(text);
  result.diagnostics = findings.map((f) => toCli(f, src));
  return result;
}

function hasSyntaxErrors(text: string): boolean {
  const parser = newParser();
  try {
    const tree = parser.parse(text);
    const bad = tree?.rootNode.hasError ?? true;
    tree?.delete();
    return bad;
  } finally {
    parser.delete();
  }
}

function toCli(f: Finding, src: SourceText): CliDiagnostic {
  const pos = (p: { line: number; character: number }) => ({ line: p.line + 1, column: src.codePointColumn(p) + 1 });
  const start = pos(f.range.start);
  const end = pos(f.range.end);
  return {
    line: start.line,
    column: start.column,
    endLine: end.line,
    endColumn: end.column,
    rule: f.rule,
    severity: f.severity,
    message: f.message,
    fixes: f.fixes.map((x) => ({
      title: x.title,
      edits: x.edits.map((e) => {
        const s = pos(e.range.start);
        const t = pos(e.range.end);
        return { line: s.line, column: s.column, endLine: t.line, endColumn: t.column, newText: e.newText };
      }),
    })),
    lineText: src.lineText(f.range.start.line).trim(),
  };
}
