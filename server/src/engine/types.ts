// The engine's public data types. Plain data: no vscode or LSP imports, so every front end can use them.

export type Severity = 'error' | 'warning' | 'info' | 'hint';
/** What a user may set per rule; 'information' is accepted as a synonym of 'info'. */
export type RuleSetting = 'off' | Severity;

/** 0-based line, and character in UTF-16 code units (LSP's default encoding). */
export interface Position {
  line: number;
  character: number;
}

export interface Range {
  start: Position;
  end: Position;
}

export interface TextEdit {
  range: Range;
  newText: string;
}

export interface Fix {
  title: string;
  edits: TextEdit[];
}

export interface Finding {
  /** Rule id: the diagnostic code, the SARIF ruleId and the suppression key. */
  rule: string;
  range: Range;
  message: string;
  severity: Severity;
  fixes: Fix[];
}

export interface GoVersion {
  major: number;
  minor: number;
}

export interface AnalyzeOptions {
  /** The `go` directive of the file's go.mod, e.g. "1.21" or "1.21.3" (the front end finds it). */
  moduleGoVersion?: string;
  /** A user override (setting or --go-version); wins over go.mod and //go:build. */
  goVersionOverride?: string;
  /** Per-rule severity or 'off'; unspecified rules use their defaults. */
  rules?: Record<string, RuleSetting | 'information' | undefined>;
}
