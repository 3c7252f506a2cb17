// Suppression directives:
//   //goroutine-guard:ignore <rule-id>[,<rule-id>] <reason>   (on the finding's line, or alone on the line above)
//   //goroutine-guard:file-ignore <rule-id>[,<rule-id>] <reason>
import type { OffsetEdit } from './rule';
import type { SourceText } from './source';

export const DIRECTIVE_PREFIX = 'goroutine-guard:';

export interface Directive {
  kind: 'ignore' | 'file-ignore';
  rules: string[];
  reason: string;
  /** Extent of the comment. */
  start: number;
  end: number;
  line: number;
  /** True when the comment is alone on its line (it then covers the next line). */
  ownLine: boolean;
  /** Rule ids this directive suppressed at least one finding of. */
  used: Set<string>;
}

const DIRECTIVE_RE = /\/\/[ \t]?goroutine-guard:(ignore|file-ignore)\b[ \t]*([^\n]*)/g;

export function findDirectives(src: SourceText, isComment: (offset: number) => boolean): Directive[] {
  const text = src.text;
  if (!text.includes(DIRECTIVE_PREFIX)) return [];
  const out: Directive[] = [];
  for (const m of text.matchAll(DIRECTIVE_RE)) {
    const start = m.index!;
    if (!isComment(start)) continue;
    const rest = m[2].replace(/\r$/, '').trim();
    const sp = rest.search(/\s/);
    const ids = (sp === -1 ? rest : rest.slice(0, sp)).split(',').map((s) => s.trim()).filter(Boolean);
    const reason = sp === -1 ? '' : rest.slice(sp).trim();
    const line = src.lineOf(start);
    const before = text.slice(src.lineStart(line), start);
    out.push({ kind: m[1] as Directive['kind'], rules: ids, reason, start, end: start + m[0].replace(/\r$/, '').length, line, ownLine: /^[ \t]*$/.test(before), used: new Set() });
  }
  return out;
}

/** The directive (if any) that suppresses a finding of `rule` starting on `line`; marks it used. */
export function suppressing(directives: Directive[], rule: string, line: number): Directive | undefined {
  for (const d of directives) {
    if (!d.rules.includes(rule)) continue;
    const covers = d.kind === 'file-ignore' || d.line === line || (d.ownLine && d.line + 1 === line);
    if (covers) {
      d.used.add(rule);
      return d;
    }
  }
  return undefined;
}

/** Edit that removes one rule id from a directive, or the whole comment when it was the only one. */
export function removeRuleFromDirective(d: Directive, rule: string, src: SourceText): OffsetEdit {
  const remaining = d.rules.filter((r) => r !== rule);
  if (remaining.length) {
    const text = `//goroutine-guard:${d.kind} ${remaining.join(',')}${d.reason ? ' ' + d.reason : ''}`;
    return { start: d.start, end: d.end, newText: text };
  }
  const t = src.text;
  if (d.ownLine) {
    const ls = src.lineStart(d.line);
    let le = d.end;
    if (t[le] === '\r') le++;
    if (t[le] === '\n') le++;
    return { start: ls, end: le, newText: '' };
  }
  let s = d.start;
  while (s > 0 && (t[s - 1] === ' ' || t[s - 1] === '\t')) s--;
  return { start: s, end: d.end, newText: '' };
}
