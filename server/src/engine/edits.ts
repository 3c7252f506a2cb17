// Applying fixes to text, and small helpers rules use to build gofmt-shaped edits.
import type { Node } from './ast';
import type { OffsetEdit } from './rule';
import { SourceText } from './source';
import type { Finding, TextEdit } from './types';

/**
 * Applies edits given in offsets of `text`. Identical edits (two findings offering the same change,
 * e.g. the same `v := v`) are applied once; insertions at one point keep their order. Overlapping
 * different edits are an error: the caller applies one fix and re-analyses for the other.
 */
export function applyOffsetEdits(text: string, edits: OffsetEdit[]): string {
  const uniq: OffsetEdit[] = [];
  const seen = new Set<string>();
  for (const e of edits) {
    const k = `${e.start}:${e.end}:${e.newText}`;
    if (seen.has(k)) continue;
    seen.add(k);
    uniq.push(e);
  }
  const sorted = uniq.map((e, i) => ({ e, i })).sort((a, b) => a.e.start - b.e.start || a.e.end - b.e.end || a.i - b.i);
  let out = '';
  let pos = 0;
  for (const { e } of sorted) {
    if (e.start < pos) throw new OverlapError(`overlapping edits at offset ${e.start}`);
    out += text.slice(pos, e.start) + e.newText;
    pos = e.end;
  }
  return out + text.slice(pos);
}

export class OverlapError extends Error {}

/** Whether two edit lists touch overlapping text (insertions at the same point do not overlap). */
export function editsOverlap(a: OffsetEdit[], b: OffsetEdit[]): boolean {
  for (const x of a)
    for (const y of b) {
      if (x.start === y.start && x.end === y.end && x.newText === y.newText) continue;
      if (x.start < y.end && y.start < x.end) return true;
      if (x.start === x.end && y.start < x.start && x.start < y.end) return true;
      if (y.start === y.end && x.start < y.start && y.start < x.end) return true;
    }
  return false;
}

/** The whole lines a statement occupies (with its trailing comment), when no other code shares them. */
export function ownLines(stmt: Node, src: SourceText): { start: number; end: number } | undefined {
  const text = src.text;
  let ls = stmt.start;
  while (ls > 0 && text[ls - 1] !== '\n') {
    if (text[ls - 1] !== ' ' && text[ls - 1] !== '\t') return undefined;
    ls--;
  }
  let le = stmt.end;
  while (le < text.length && (text[le] === ' ' || text[le] === '\t' || text[le] === '\r')) le++;
  // A trailing line comment belongs to the statement.
  if (text.startsWith('//', le)) while (le < text.length && text[le] !== '\n') le++;
  if (le < text.length && text[le] !== '\n') return undefined;
  return { start: ls, end: Math.min(le + 1, text.length) };
}

/** Edit deleting a statement together with its line(s). */
export function deleteStatement(stmt: Node, src: SourceText): OffsetEdit | undefined {
  const l = ownLines(stmt, src);
  return l ? { start: l.start, end: l.end, newText: '' } : undefined;
}

/** Edit inserting whole lines right before the line holding `stmt`, with its indentation. */
export function insertLinesBefore(stmt: Node, src: SourceText, lines: string[]): OffsetEdit | undefined {
  const l = ownLines(stmt, src);
  if (!l) return undefined;
  const indent = src.indentAt(stmt.start);
  return { start: l.start, end: l.start, newText: lines.map((x) => (x ? indent + x : '') + '\n').join('') };
}

/** Edit inserting whole lines right after the line(s) holding `stmt`. */
export function insertLinesAfter(stmt: Node, src: SourceText, lines: string[]): OffsetEdit | undefined {
  const l = ownLines(stmt, src);
  if (!l) return undefined;
  const indent = src.indentAt(stmt.start);
  const atEof = l.end === src.text.length && !src.text.endsWith('\n');
  return { start: l.end, end: l.end, newText: (atEof ? '\n' : '') + lines.map((x) => (x ? indent + x : '') + '\n').join('') };
}

/** Re-indents a multi-line snippet whose lines are relative to `indent`. */
export function indentLines(lines: string[], indent: string): string {
  return lines.map((x) => (x ? indent + x : '')).join('\n');
}

/** Applies LSP-style edits (UTF-16 line/character ranges). */
export function applyTextEdits(text: string, edits: TextEdit[]): string {
  const src = new SourceText(text);
  return applyOffsetEdits(
    text,
    edits.map((e) => ({ start: src.offset(e.range.start), end: src.offset(e.range.end), newText: e.newText })),
  );
}

/**
 * Applies the first fix of each finding, skipping a fix that overlaps one already taken (a second run
 * picks it up). Returns the new text and how many fixes were applied and skipped.
 */
export function applyFirstFixes(text: string, findings: Finding[]): { text: string; applied: number; skipped: number } {
  const src = new SourceText(text);
  const taken: OffsetEdit[][] = [];
  let skipped = 0;
  for (const f of findings) {
    const fix = f.fixes[0];
    if (!fix) continue;
    const edits = fix.edits.map((e) => ({ start: src.offset(e.range.start), end: src.offset(e.range.end), newText: e.newText }));
    if (taken.some((t) => editsOverlap(t, edits))) {
      skipped++;
      continue;
    }
    taken.push(edits);
  }
  return { text: applyOffsetEdits(text, taken.flat()), applied: taken.length, skipped };
}
