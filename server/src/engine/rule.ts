// What a rule is: metadata plus a check over one top-level declaration and the file's shared facts.
import type { Node } from './ast';
import type { DeclFacts, FileFacts } from './facts';
import type { DeclInfo } from './fileindex';
import type { SourceText } from './source';
import type { GoVersion, Severity } from './types';

/** An edit in string offsets (UTF-16 code units) of the analysed text. */
export interface OffsetEdit {
  start: number;
  end: number;
  newText: string;
}

export interface OffsetFix {
  title: string;
  edits: OffsetEdit[];
}

export interface Report {
  /** Where the finding is; `start`/`end` override it. */
  node?: Node;
  start?: number;
  end?: number;
  message: string;
  fixes?: OffsetFix[];
}

export interface RuleContext {
  readonly decl: DeclInfo;
  /** The declaration's mirrored syntax tree. */
  readonly node: Node;
  readonly facts: DeclFacts;
  readonly file: FileFacts;
  readonly src: SourceText;
  readonly goVersion: GoVersion;
  report(r: Report): void;
  /**
   * "line N" of a node or offset, for messages. Use this instead of computing the number: findings are
   * cached per declaration and moved when lines are inserted above, and the reference moves with them.
   */
  lineRef(at: Node | number): string;
}

export interface Rule {
  /** Kebab-case and stable: the diagnostic code, the SARIF ruleId and the suppression key. */
  id: string;
  title: string;
  defaultSeverity: Severity;
  /** One sentence: what it finds (SARIF shortDescription, README table). */
  summary: string;
  /** The check runs only on declarations whose text matches (a cheap pre-filter, not the logic). */
  trigger: RegExp;
  /**
   * The rule runs only in files whose whole text matches: a necessary condition for any finding (e.g. the
   * name of a type a finding needs). Lets a rule with a broad `trigger` skip most files cheaply.
   */
  fileTrigger?: RegExp;
  /** The rule applies only to files whose Go version is lower than this. */
  before?: GoVersion;
  /** Names of the snippets (snippets/go-concurrency.code-snippets) that show the correct pattern. */
  patterns?: string[];
  check(ctx: RuleContext): void;
}
