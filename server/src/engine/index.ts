// The analysis engine's public API. Pure: source text and file facts in, findings with fixes out.
// It imports neither `vscode` nor LSP types; the language server, the CLI and the tests wrap it.
export { analyzeText, DocumentAnalyzer, enabledRules, normalizeSetting } from './analyzer';
export { applyFirstFixes, applyOffsetEdits, applyTextEdits } from './edits';
export { buildLineVersion, DEFAULT_GO_VERSION, effectiveGoVersion, formatGoVersion, goModDirective, parseGoVersion } from './goversion';
export { initParser } from './parser';
export { ALL_RULES, RULES, RULES_BY_ID, UNUSED_IGNORE } from './rules';
export type { Rule } from './rule';
export { SourceText } from './source';
export type { AnalyzeOptions, Finding, Fix, GoVersion, Position, Range, RuleSetting, Severity, TextEdit } from './types';
