// Runs the rules over a file. A DocumentAnalyzer keeps one document's tree (reparsed incrementally with
// tree.edit) and each declaration's findings: after an edit only the declarations whose text — or whose
// dependencies' text — changed are analysed again.
import type { Edit, Parser, Tree } from 'web-tree-sitter';
import { FileFacts, LaunchCache, ScanQuery } from './facts';
import { DeclInfo, FileIndex } from './fileindex';
import { effectiveGoVersion, formatGoVersion, versionLess } from './goversion';
import { getLanguage, newParser } from './parser';
import type { Report, Rule, RuleContext } from './rule';
import { RULES, RULES_BY_ID, UNUSED_IGNORE } from './rules';
import { SourceText } from './source';
import { findDirectives, removeRuleFromDirective, suppressing } from './suppress';
import type { AnalyzeOptions, Finding, GoVersion, Position, RuleSetting, Severity, TextEdit } from './types';

/**
 * A position stored in a cached result: relative to the analysed declaration (`key` undefined), to
 * another declaration (whose text the result then depends on), or — between declarations — absolute
 * (the result is then never reused).
 */
interface Anchor {
  key?: string;
  off: number;
  abs?: boolean;
}

interface RelEdit {
  start: Anchor;
  end: Anchor;
  newText: string;
}

/** A finding in positions that survive edits elsewhere in the file. */
interface RelFinding {
  rule: string;
  start: number;
  end: number;
  message: string;
  fixes: { title: string; edits: RelEdit[] }[];
}

interface DeclResult {
  text: string;
  globalKey: string;
  /** Other declarations the result was computed from, with their text at the time. */
  deps: Map<string, string>;
  /** Scans of the file's declarations the result depends on, with their results at the time. */
  scans: { q: ScanQuery; sig: string }[];
  /** Declarations whose launch sites the result depends on, with who launched them at the time. */
  launchers: Map<string, string>;
  /** Top-level names the result looked up, with what they named at the time. */
  names: Map<string, string>;
  findings: RelFinding[];
  /** Some position lies outside every declaration: never reused. */
  volatile: boolean;
}

export interface AnalyzerStats {
  declsAnalysed: number;
  declsReused: number;
}

export function normalizeSetting(s: string | undefined): RuleSetting | undefined {
  if (s === undefined) return undefined;
  const v = s.toLowerCase();
  if (v === 'information') return 'info';
  if (v === 'off' || v === 'error' || v === 'warning' || v === 'info' || v === 'hint') return v;
  return undefined;
}

/** Enabled rules and their severities for the given options and Go version. */
export function enabledRules(opts: AnalyzeOptions, version: GoVersion): Map<Rule, Severity> {
  const out = new Map<Rule, Severity>();
  for (const r of RULES) {
    const s = normalizeSetting(opts.rules?.[r.id] as string | undefined) ?? r.defaultSeverity;
    if (s === 'off') continue;
    if (r.before && !versionLess(version, r.before)) continue;
    out.set(r, s);
  }
  return out;
}

export class DocumentAnalyzer {
  private parser: Parser;
  private tree: Tree | undefined;
  private text = '';
  private results = new Map<string, DeclResult>();
  private launchCache: LaunchCache = { key: '', entries: new Map() };
  readonly stats: AnalyzerStats = { declsAnalysed: 0, declsReused: 0 };
  /** Called when a rule throws: the other rules' findings are still returned. */
  onRuleError: ((rule: string, err: unknown) => void) | undefined;

  constructor(text: string) {
    this.parser = newParser();
    this.setText(text);
  }

  getText(): string {
    return this.text;
  }

  setText(text: string): void {
    this.text = text;
    const old = this.tree;
    this.tree = this.parser.parse(text) ?? undefined;
    old?.delete();
  }

  /**
   * Applies one edit, given as the replaced range (UTF-16 offsets of the current text) and the new text,
   * and reparses incrementally.
   */
  applyEdit(start: number, end: number, newText: string): void {
    const oldText = this.text;
    const text = oldText.slice(0, start) + newText + oldText.slice(end);
    const pos = (t: string, off: number) => {
      let row = 0;
      let last = -1;
      for (let i = t.indexOf('\n'); i !== -1 && i < off; i = t.indexOf('\n', i + 1)) {
        row++;
        last = i;
      }
      return { row, column: off - last - 1 };
    };
    if (this.tree) {
      const startPosition = pos(oldText, start);
      const edit = {
        startIndex: start,
        oldEndIndex: end,
        newEndIndex: start + newText.length,
        startPosition,
        oldEndPosition: pos(oldText, end),
        newEndPosition: advance(startPosition, newText),
      } as Edit;
      this.tree.edit(edit);
    }
    this.text = text;
    const old = this.tree;
    this.tree = this.parser.parse(text, old) ?? undefined;
    old?.delete();
  }

  dispose(): void {
    this.tree?.delete();
    this.tree = undefined;
    this.parser.delete();
    this.results.clear();
  }

  analyze(opts: AnalyzeOptions = {}): Finding[] {
    const tree = this.tree;
    if (!tree) return [];
    const src = new SourceText(this.text);
    const lang = getLanguage();
    const index = new FileIndex(tree.rootNode, src, lang);
    const version = effectiveGoVersion(opts, this.text);
    const rules = enabledRules(opts, version);
    // Off for the whole file when its fileTrigger does not match; `rules` is part of the cache key below.
    for (const r of [...rules.keys()]) if (r.fileTrigger && !r.fileTrigger.test(this.text)) rules.delete(r);

    // Stable keys for declarations (a file may hold several `func init`).
    const keys = new Map<DeclInfo, string>();
    const byKey = new Map<string, DeclInfo>();
    for (const d of index.decls) {
      let k = d.key;
      for (let n = 1; byKey.has(k); n++) k = `${d.key}#${n}`;
      keys.set(d, k);
      byKey.set(k, d);
    }

    // What every result depends on: the version, the rules and the imports. Everything else a result
    // reads from other declarations (their text, names they declare, who launches what) is recorded
    // per result, so typing in one function re-analyses only what depends on it.
    const imports = index.decls.filter((d) => d.kind === 'import' || d.kind === 'package').map((d) => d.text);
    const shapeKey = [formatGoVersion(version), [...rules].map(([r, s]) => `${r.id}=${s}`).join(','), ...imports].join('\u0000');
    if (this.launchCache.key !== shapeKey) this.launchCache = { key: shapeKey, entries: new Map() };
    const file = new FileFacts(index, this.launchCache);
    const globalKey = shapeKey;

    const live = new Map<string, DeclResult>();
    const all: Finding[] = [];
    for (const d of index.decls) {
      if ((d.kind !== 'func' && d.kind !== 'method' && d.kind !== 'var') || d.hasError) continue;
      const text = d.text;
      const key = keys.get(d)!;
      let res = this.results.get(key);
      if (!res || res.volatile || res.text !== text || res.globalKey !== globalKey || !depsHold(res, byKey, file)) {
        const applicable = [...rules.keys()].filter((r) => r.trigger.test(text));
        // Declarations no rule looks at are remembered too, so the pre-filter runs once per text.
        res = applicable.length ? this.run(d, applicable, file, src, version, globalKey, keys) : emptyResult(text, globalKey);
        if (applicable.length) this.stats.declsAnalysed++;
      } else this.stats.declsReused++;
      live.set(key, res);
      for (const f of res.findings) all.push(this.toFinding(f, d.start, src, rules.get(RULES_BY_ID.get(f.rule)!)!, byKey));
    }
    this.results = live;
    // Launch callees of texts no longer in the file are dead weight; prune now and then.
    if (this.launchCache.entries.size > 2 * index.decls.length + 64) {
      const texts = new Set(index.decls.map((d) => d.text));
      for (const t of this.launchCache.entries.keys()) if (!texts.has(t)) this.launchCache.entries.delete(t);
    }
    const unused = normalizeSetting(opts.rules?.[UNUSED_IGNORE.id] as string | undefined) ?? UNUSED_IGNORE.defaultSeverity;
    return this.suppress(all, src, rules, tree, unused);
  }

  private run(d: DeclInfo, rules: Rule[], file: FileFacts, src: SourceText, version: GoVersion, globalKey: string, keys: Map<DeclInfo, string>): DeclResult {
    const depDecls = new Set<DeclInfo>();
    const scans: { q: ScanQuery; sig: string }[] = [];
    file.onDependency = (o) => {
      if (o !== d) depDecls.add(o);
    };
    file.onScan = (q, sig) => scans.push({ q, sig });
    const launchKeys = new Set<string>();
    file.onLaunchQuery = (k) => launchKeys.add(k);
    const nameKeys = new Set<string>();
    file.onNameQuery = (q) => nameKeys.add(q);
    const findings: RelFinding[] = [];
    let volatile = false;
    const anchor = (off: number): Anchor => {
      if (off >= d.start && off <= d.end) return { off: off - d.start };
      let o = file.index.declAt(off);
      if (!o && off > 0) {
        const before = file.index.declAt(off - 1);
        if (before && before.end === off) o = before;
      }
      if (!o) {
        volatile = true;
        return { off, abs: true };
      }
      depDecls.add(o);
      return { key: keys.get(o), off: off - o.start };
    };
    const facts = file.facts(d);
    for (const rule of rules) {
      const ctx: RuleContext = {
        decl: d,
        node: d.node,
        facts,
        file,
        src,
        goVersion: version,
        lineRef: (at) => `line ${LINE_MARK}${typeof at === 'number' ? at : at.start}${LINE_END}`,
        report: (r: Report) => {
          const start = r.start ?? r.node?.start;
          const end = r.end ?? r.node?.end;
          if (start === undefined || end === undefined || start < d.start || end > d.end) return; // a rule reports only in its declaration
          const fixes = (r.fixes ?? []).filter((f) => f.edits.length > 0);
          const message = r.message.replace(LINE_RE, (_, off: string) => encodeAnchor(anchor(Number(off))));
          findings.push({
            rule: rule.id,
            start: start - d.start,
            end: end - d.start,
            message,
            fixes: fixes.map((f) => ({ title: f.title, edits: f.edits.map((e) => ({ start: anchor(e.start), end: anchor(e.end), newText: e.newText })) })),
          });
        },
      };
      try {
        rule.check(ctx);
      } catch (err) {
        // One failing rule must not take the others (or the server) down.
        this.onRuleError?.(rule.id, err);
      }
    }
    file.onDependency = undefined;
    file.onScan = undefined;
    file.onLaunchQuery = undefined;
    file.onNameQuery = undefined;
    // Facts used here (this declaration's and others') may have been computed from further declarations.
    const queue = [d, ...depDecls];
    while (queue.length) {
      const facts = file.peek(queue.pop()!);
      for (const k of facts?.launchQueries ?? []) launchKeys.add(k);
      for (const q of facts?.nameQueries ?? []) nameKeys.add(q);
      for (const c of facts?.consulted ?? []) {
        if (c === d || depDecls.has(c)) continue;
        depDecls.add(c);
        queue.push(c);
      }
    }
    const deps = new Map<string, string>();
    for (const o of depDecls) deps.set(keys.get(o)!, o.text);
    const launchers = new Map<string, string>();
    for (const k of launchKeys) launchers.set(k, file.launchersSignature(k));
    const names = new Map<string, string>();
    for (const q of nameKeys) names.set(q, file.nameSignature(q));
    findings.sort((a, b) => a.start - b.start || a.rule.localeCompare(b.rule));
    return { text: d.text, globalKey, deps, scans, launchers, names, findings, volatile };
  }

  private toFinding(f: RelFinding, base: number, src: SourceText, severity: Severity, byKey: Map<string, DeclInfo>): Finding {
    const at = (a: Anchor) => (a.abs ? a.off : (a.key === undefined ? base : byKey.get(a.key)!.start) + a.off);
    const message = f.message.includes(LINE_END) ? f.message.replace(ANCHOR_RE, (m) => String(src.lineOf(at(decodeAnchor(m))) + 1)) : f.message;
    return {
      rule: f.rule,
      range: src.range(base + f.start, base + f.end),
      message,
      severity,
      fixes: f.fixes.map((x) => ({ title: x.title, edits: x.edits.map((e): TextEdit => ({ range: src.range(at(e.start), at(e.end)), newText: e.newText })) })),
    };
  }

  private suppress(findings: Finding[], src: SourceText, rules: Map<Rule, Severity>, tree: Tree, unusedSeverity: RuleSetting): Finding[] {
    const root = tree.rootNode;
    const directives = findDirectives(src, (off) => root.descendantForIndex(off, off)?.type === 'comment');
    if (!directives.length) return findings;
    const kept = findings.filter((f) => !suppressing(directives, f.rule, f.range.start.line));
    if (unusedSeverity === 'off') return kept;
    const enabledIds = new Set([...rules.keys()].map((r) => r.id));
    for (const d of directives) {
      for (const id of d.rules) {
        const known = RULES_BY_ID.has(id);
        if (known && (!enabledIds.has(id) || d.used.has(id))) continue;
        const edit = removeRuleFromDirective(d, id, src);
        kept.push({
          rule: UNUSED_IGNORE.id,
          range: src.range(d.start, d.end),
          message: known ? `This goroutine-guard:${d.kind} directive suppresses nothing for ${id}: remove it.` : `Unknown rule "${id}" in goroutine-guard:${d.kind} directive.`,
          severity: unusedSeverity,
          fixes: [{ title: `Remove the unused directive for ${id}`, edits: [{ range: src.range(edit.start, edit.end), newText: edit.newText }] }],
        });
      }
      if (!d.rules.length) {
        kept.push({ rule: UNUSED_IGNORE.id, range: src.range(d.start, d.end), message: `goroutine-guard:${d.kind} needs a rule id: //goroutine-guard:${d.kind} <rule-id> <reason>`, severity: unusedSeverity, fixes: [] });
      }
    }
    return kept.sort((a, b) => a.range.start.line - b.range.start.line || a.range.start.character - b.range.start.character);
  }
}

// Private-use characters delimit line references in cached messages: never valid in rule text.
const LINE_MARK = '\uE000';
const LINE_END = '\uE002';
const LINE_RE = /\uE000(\d+)\uE002/g;
const ANCHOR_RE = /\uE001[^\uE002]*\uE002/g;

function encodeAnchor(a: Anchor): string {
  return `\uE001${JSON.stringify(a).replace(/[\uE001\uE002]/g, '')}\uE002`;
}

function decodeAnchor(m: string): Anchor {
  return JSON.parse(m.slice(1, -1)) as Anchor;
}

function emptyResult(text: string, globalKey: string): DeclResult {
  return { text, globalKey, deps: new Map(), scans: [], launchers: new Map(), names: new Map(), findings: [], volatile: false };
}

function depsHold(res: DeclResult, byKey: Map<string, DeclInfo>, file: FileFacts): boolean {
  for (const [k, text] of res.deps) if (byKey.get(k)?.text !== text) return false;
  for (const s of res.scans) if (file.scanSignature(s.q) !== s.sig) return false;
  for (const [k, sig] of res.launchers) if (file.launchersSignature(k) !== sig) return false;
  for (const [q, sig] of res.names) if (file.nameSignature(q) !== sig) return false;
  return true;
}

function advance(p: { row: number; column: number }, text: string): { row: number; column: number } {
  const nl = text.lastIndexOf('\n');
  if (nl === -1) return { row: p.row, column: p.column + text.length };
  let rows = 0;
  for (let i = text.indexOf('\n'); i !== -1; i = text.indexOf('\n', i + 1)) rows++;
  return { row: p.row + rows, column: text.length - nl - 1 };
}

/** One-shot analysis of a text (CLI, tests). */
export function analyzeText(text: string, opts: AnalyzeOptions = {}, onRuleError?: (rule: string, err: unknown) => void): Finding[] {
  const a = new DocumentAnalyzer(text);
  a.onRuleError = onRuleError;
  try {
    return a.analyze(opts);
  } finally {
    a.dispose();
  }
}

export type { Position };
