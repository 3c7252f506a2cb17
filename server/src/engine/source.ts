// Offsets are JS string indices (UTF-16 code units), as tree-sitter reports them for a JS string input.
import type { Position, Range } from './types';

export class SourceText {
  private lineStarts: number[] | undefined;

  constructor(readonly text: string) {}

  private starts(): number[] {
    if (!this.lineStarts) {
      const s = [0];
      const t = this.text;
      for (let i = t.indexOf('\n'); i !== -1; i = t.indexOf('\n', i + 1)) s.push(i + 1);
      this.lineStarts = s;
    }
    return this.lineStarts;
  }

  get lineCount(): number {
    return this.starts().length;
  }

  lineOf(offset: number): number {
    const s = this.starts();
    let lo = 0;
    let hi = s.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (s[mid] <= offset) lo = mid;
      else hi = mid - 1;
    }
    return lo;
  }

  position(offset: number): Position {
    const line = this.lineOf(offset);
    return { line, character: offset - this.starts()[line] };
  }

  range(start: number, end: number): Range {
    return { start: this.position(start), end: this.position(end) };
  }

  offset(pos: Position): number {
    const s = this.starts();
    if (pos.line >= s.length) return this.text.length;
    const lineEnd = pos.line + 1 < s.length ? s[pos.line + 1] - 1 : this.text.length;
    return Math.min(s[pos.line] + pos.character, lineEnd);
  }

  lineStart(line: number): number {
    const s = this.starts();
    return line < s.length ? s[line] : this.text.length;
  }

  lineText(line: number): string {
    const s = this.starts();
    const end = line + 1 < s.length ? s[line + 1] - 1 : this.text.length;
    let t = this.text.slice(s[line], end);
    if (t.endsWith('\r')) t = t.slice(0, -1);
    return t;
  }

  /** Leading whitespace of the line holding `offset`. */
  indentAt(offset: number): string {
    const line = this.lineText(this.lineOf(offset));
    return /^[ \t]*/.exec(line)![0];
  }

  /** Column in Unicode code points (what the CLI prints), from a UTF-16 position. */
  codePointColumn(pos: Position): number {
    const prefix = this.lineText(pos.line).slice(0, pos.character);
    let n = 0;
    for (const _ of prefix) n++;
    return n;
  }
}
