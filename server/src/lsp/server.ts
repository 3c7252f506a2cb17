// The Goroutine Guard language server. Each open Go document keeps a DocumentAnalyzer (its tree-sitter
// tree is edited and reparsed incrementally on every change); findings become diagnostics, and code
// actions are built only from the findings of the document's current version, so an edit computed for
// an older text is never offered. The same server runs in VS Code (node IPC) and in other editors over
// stdio (`goroutine-guard --lsp`).
import * as fs from 'fs';
import * as path from 'path';
import { fileURLToPath, pathToFileURL } from 'url';
import {
  ClientCapabilities,
  CodeAction,
  CodeActionKind,
  CodeActionParams,
  Connection,
  Diagnostic,
  DiagnosticSeverity,
  DiagnosticTag,
  DidChangeConfigurationNotification,
  DidChangeWatchedFilesNotification,
  InitializeResult,
  MessageType,
  PublishDiagnosticsParams,
  Range,
  ShowMessageNotification,
  TextDocumentSyncKind,
  TextEdit,
  WorkspaceEdit,
} from 'vscode-languageserver';
import { AnalyzeOptions, DocumentAnalyzer, Finding, initParser, parseGoVersion, RULES_BY_ID, SourceText, UNUSED_IGNORE } from '../engine';
import { editsOverlap } from '../engine/edits';
import type { OffsetEdit } from '../engine/rule';
import { GoModResolver } from '../gomod';

export const SOURCE = 'goroutine-guard';
export const SHOW_DOCUMENTATION_COMMAND = 'goroutine-guard.showDocumentation';
/** Implemented by the VS Code client (client/src/patterns.ts); offered only when the client says it has it. */
export const INSERT_PATTERN_COMMAND = 'goroutineGuard.insertPattern';
export const FIX_ALL_KIND = `${CodeActionKind.SourceFixAll}.${SOURCE}`;
export const IGNORE_REASON_PLACEHOLDER = 'TODO: say why this is safe';

/** A trailing debounce for typing: one analysis per burst of changes, bounded so a long burst still updates. */
const CHANGE_DELAY_MS = 15;
const MAX_DELAY_MS = 150;

export interface ServerSettings {
  enable: boolean;
  rules: Record<string, string>;
  goVersion: string;
  run: 'onType' | 'onSave';
}

export const DEFAULT_SETTINGS: ServerSettings = { enable: true, rules: {}, goVersion: '', run: 'onType' };

export interface StartOptions {
  /** Where docs/rules/<id>.md live; by default found next to (or above) the running bundle. */
  docsDir?: string;
}

interface OpenDoc {
  uri: string;
  version: number;
  analyzer: DocumentAnalyzer;
  /** Findings of the text at `findingsVersion` under `findingsSettings`. */
  findings: Finding[];
  findingsVersion: number | undefined;
  findingsSettings: ServerSettings | undefined;
  /** Publish at the next flush whatever the run mode (open, save, settings or go.mod change). */
  publishDue: boolean;
  /** Edited since diagnostics were last published (published at once only in onType mode). */
  changed: boolean;
}

/** Settings from an untyped source (workspace/configuration, initializationOptions); bad values fall back to defaults. */
export function normalizeSettings(raw: unknown): ServerSettings {
  const o = raw && typeof raw === 'object' ? (raw as Record<string, unknown>) : {};
  const rules: Record<string, string> = {};
  if (o.rules && typeof o.rules === 'object') {
    for (const [k, v] of Object.entries(o.rules as Record<string, unknown>)) if (typeof v === 'string') rules[k] = v;
  }
  const goVersion = typeof o.goVersion === 'string' ? o.goVersion.trim() : '';
  return {
    enable: o.enable !== false,
    rules,
    goVersion: goVersion && parseGoVersion(goVersion) ? goVersion : '',
    run: o.run === 'onSave' ? 'onSave' : 'onType',
  };
}

function findDocsDir(): string | undefined {
  // dist/server.js ships with dist/../docs/rules; compiled tests run from out/server/src/lsp.
  let dir = __dirname;
  for (let i = 0; i < 6; i++) {
    const candidate = path.join(dir, 'docs', 'rules');
    if (fs.existsSync(candidate)) return candidate;
    const up = path.dirname(dir);
    if (up === dir) break;
    dir = up;
  }
  return undefined;
}

const SEVERITY: Record<Finding['severity'], DiagnosticSeverity> = {
  error: DiagnosticSeverity.Error,
  warning: DiagnosticSeverity.Warning,
  info: DiagnosticSeverity.Information,
  hint: DiagnosticSeverity.Hint,
};

function sameRange(a: Range, b: Range): boolean {
  return a.start.line === b.start.line && a.start.character === b.start.character && a.end.line === b.end.line && a.end.character === b.end.character;
}

function errorText(err: unknown): string {
  return err instanceof Error ? (err.stack ?? err.message) : String(err);
}

export function startServer(connection: Connection, options: StartOptions = {}): void {
  const docs = new Map<string, OpenDoc>();
  const gomod = new GoModResolver();
  const settingsCache = new Map<string, Promise<ServerSettings>>();
  const docFiles = new Map<string, string | undefined>();
  /** Failures already logged: a failure would otherwise repeat on every keystroke. */
  const loggedErrors = new Set<string>();
  const docsDir = options.docsDir ?? findDocsDir();

  let caps: ClientCapabilities = {};
  let parserReady = false;
  let pulledConfig = false;
  /** Settings when the client cannot answer workspace/configuration (initializationOptions, pushed changes). */
  let pushedSettings: ServerSettings = DEFAULT_SETTINGS;
  let patternCommands = false;
  let timer: NodeJS.Timeout | undefined;
  let burstStart = 0;

  const log = (msg: string) => connection.console.log(msg);
  const logError = (msg: string, err: unknown) => connection.console.error(`${msg}: ${errorText(err)}`);
  const publish = (params: PublishDiagnosticsParams) => connection.sendDiagnostics(params).catch((err) => logError(`publishing diagnostics for ${params.uri} failed`, err));
  // A rejected promise nobody awaited would end the process (Node's default): log it and keep serving.
  process.on('unhandledRejection', (reason) => logError('unhandled rejection', reason));

  function docFile(rule: string): string | undefined {
    if (!docFiles.has(rule)) {
      const file = docsDir ? path.join(docsDir, `${rule}.md`) : undefined;
      docFiles.set(rule, file && fs.existsSync(file) ? file : undefined);
    }
    return docFiles.get(rule);
  }

  function settingsFor(uri: string): Promise<ServerSettings> {
    if (!pulledConfig) return Promise.resolve(pushedSettings);
    let p = settingsCache.get(uri);
    if (!p) {
      p = connection.workspace.getConfiguration({ scopeUri: uri, section: 'goroutineGuard' }).then(
        (raw) => normalizeSettings(raw),
        (err) => {
          logError('workspace/configuration failed; using defaults', err);
          return DEFAULT_SETTINGS;
        },
      );
      settingsCache.set(uri, p);
    }
    return p;
  }

  function moduleGoVersion(uri: string): string | undefined {
    if (!uri.startsWith('file:')) return undefined;
    try {
      return gomod.goVersionFor(fileURLToPath(uri));
    } catch (err) {
      logError(`reading go.mod for ${uri}`, err);
      return undefined;
    }
  }

  /** The findings of the document's current text; analyses only when the text or settings changed. */
  function currentFindings(doc: OpenDoc, s: ServerSettings): Finding[] {
    if (doc.findingsVersion === doc.version && doc.findingsSettings === s) return doc.findings;
    let findings: Finding[] = [];
    if (s.enable) {
      try {
        findings = doc.analyzer.analyze({ moduleGoVersion: moduleGoVersion(doc.uri), goVersionOverride: s.goVersion || undefined, rules: s.rules as AnalyzeOptions['rules'] });
      } catch (err) {
        const key = `${doc.uri}\u0000${err instanceof Error ? err.message : String(err)}`;
        if (!loggedErrors.has(key)) logError(`analysing ${doc.uri} failed`, err);
        loggedErrors.add(key);
      }
    }
    doc.findings = findings;
    doc.findingsVersion = doc.version;
    doc.findingsSettings = s;
    return findings;
  }

  function toDiagnostic(f: Finding): Diagnostic {
    const d: Diagnostic = { range: f.range, severity: SEVERITY[f.severity], source: SOURCE, code: f.rule, message: f.message };
    const file = docFile(f.rule);
    if (file) d.codeDescription = { href: pathToFileURL(file).href };
    if (f.rule === UNUSED_IGNORE.id) d.tags = [DiagnosticTag.Unnecessary];
    return d;
  }

  async function refresh(doc: OpenDoc): Promise<void> {
    const s = await settingsFor(doc.uri);
    if (docs.get(doc.uri) !== doc) return; // closed meanwhile
    if (!doc.publishDue && !(doc.changed && s.run === 'onType')) return;
    doc.publishDue = false;
    doc.changed = false;
    const findings = currentFindings(doc, s);
    publish({ uri: doc.uri, version: doc.version, diagnostics: findings.map(toDiagnostic) });
  }

  async function flush(): Promise<void> {
    for (const doc of [...docs.values()]) {
      if (!doc.publishDue && !doc.changed) continue;
      try {
        await refresh(doc);
      } catch (err) {
        logError(`publishing diagnostics for ${doc.uri} failed`, err);
      }
    }
  }

  function schedule(delay: number): void {
    const now = Date.now();
    if (timer) clearTimeout(timer);
    else burstStart = now;
    const due = Math.min(now + delay, burstStart + MAX_DELAY_MS);
    timer = setTimeout(() => {
      timer = undefined;
      void flush();
    }, Math.max(0, due - now));
  }

  function reanalyseAll(): void {
    for (const doc of docs.values()) {
      doc.findingsVersion = undefined;
      doc.publishDue = true;
    }
    schedule(0);
  }

  function newAnalyzer(uri: string, text: string): DocumentAnalyzer {
    const a = new DocumentAnalyzer(text);
    a.onRuleError = (rule, err) => {
      const key = `${rule}\u0000${err instanceof Error ? err.message : String(err)}`;
      if (loggedErrors.has(key)) return;
      loggedErrors.add(key);
      logError(`rule ${rule} failed on ${uri} (its other findings and the other rules are unaffected)`, err);
    };
    return a;
  }

  connection.onInitialize(async (params): Promise<InitializeResult> => {
    caps = params.capabilities;
    pulledConfig = !!caps.workspace?.configuration;
    const init = params.initializationOptions as Record<string, unknown> | undefined;
    if (init && typeof init === 'object') {
      patternCommands = init.insertPatternCommand === true;
      pushedSettings = normalizeSettings(init.goroutineGuard && typeof init.goroutineGuard === 'object' ? init.goroutineGuard : init);
    }
    try {
      await initParser();
      parserReady = true;
    } catch (err) {
      // Keep answering requests (with no findings) rather than dying: the log says what is missing.
      logError('goroutine-guard could not load the Go grammar; no diagnostics will be reported', err);
    }
    return {
      capabilities: {
        textDocumentSync: { openClose: true, change: TextDocumentSyncKind.Incremental, save: { includeText: false } },
        codeActionProvider: { codeActionKinds: [CodeActionKind.QuickFix, FIX_ALL_KIND] },
        executeCommandProvider: { commands: [SHOW_DOCUMENTATION_COMMAND] },
      },
      serverInfo: { name: 'goroutine-guard' },
    };
  });

  connection.onInitialized(() => {
    if (caps.workspace?.didChangeConfiguration?.dynamicRegistration) {
      // Without a registration VS Code's client sends no didChangeConfiguration at all.
      connection.client.register(DidChangeConfigurationNotification.type, { section: 'goroutineGuard' }).catch((err) => logError('registering for configuration changes failed', err));
    }
    if (caps.workspace?.didChangeWatchedFiles?.dynamicRegistration) {
      connection.client.register(DidChangeWatchedFilesNotification.type, { watchers: [{ globPattern: '**/go.mod' }] }).catch((err) => logError('registering the go.mod watcher failed', err));
    }
    if (!docsDir) log('goroutine-guard: docs/rules not found next to the server; diagnostics will carry no documentation links');
  });

  connection.onDidOpenTextDocument((params) => {
    const { uri, version, text, languageId } = params.textDocument;
    if (languageId !== 'go' && !uri.endsWith('.go')) return;
    docs.get(uri)?.analyzer.dispose();
    docs.delete(uri);
    if (!parserReady) return;
    try {
      docs.set(uri, { uri, version, analyzer: newAnalyzer(uri, text), findings: [], findingsVersion: undefined, findingsSettings: undefined, publishDue: true, changed: false });
    } catch (err) {
      logError(`parsing ${uri} failed`, err);
      return;
    }
    schedule(0);
  });

  connection.onDidChangeTextDocument((params) => {
    const doc = docs.get(params.textDocument.uri);
    if (!doc) return;
    for (const change of params.contentChanges) {
      const old = doc.analyzer.getText();
      let start = 0;
      let end = old.length;
      if ('range' in change && change.range) {
        const src = new SourceText(old);
        start = src.offset(change.range.start);
        end = Math.max(start, src.offset(change.range.end));
      }
      try {
        doc.analyzer.applyEdit(start, end, change.text);
      } catch (err) {
        // The analyzer may now be out of step with the editor: start over from the full new text.
        logError(`incremental update of ${doc.uri} failed; reparsing the whole file`, err);
        const text = old.slice(0, start) + change.text + old.slice(end);
        try {
          doc.analyzer.dispose();
        } catch {
          // already unusable
        }
        doc.analyzer = newAnalyzer(doc.uri, text);
      }
    }
    doc.version = params.textDocument.version;
    doc.changed = true;
    schedule(CHANGE_DELAY_MS);
  });

  connection.onDidSaveTextDocument((params) => {
    const doc = docs.get(params.textDocument.uri);
    if (!doc) return;
    doc.publishDue = true;
    schedule(0);
  });

  connection.onDidCloseTextDocument((params) => {
    const uri = params.textDocument.uri;
    const doc = docs.get(uri);
    docs.delete(uri);
    settingsCache.delete(uri);
    if (doc) {
      // Only open documents keep a wasm tree: the wasm heap is capped.
      doc.analyzer.dispose();
      publish({ uri, diagnostics: [] });
    }
  });

  connection.onDidChangeConfiguration((params) => {
    settingsCache.clear();
    if (!pulledConfig) {
      const raw = (params.settings as Record<string, unknown> | null | undefined)?.goroutineGuard;
      if (raw && typeof raw === 'object') pushedSettings = normalizeSettings(raw);
    }
    reanalyseAll();
  });

  connection.onDidChangeWatchedFiles((params) => {
    if (!params.changes.some((c) => /(^|\/)go\.mod$/.test(c.uri))) return;
    gomod.invalidate();
    reanalyseAll();
  });

  connection.onCodeAction(async (params) => {
    try {
      return await codeActions(params);
    } catch (err) {
      logError('computing code actions failed', err);
      return [];
    }
  });

  async function codeActions(params: CodeActionParams): Promise<CodeAction[]> {
    const uri = params.textDocument.uri;
    const doc = docs.get(uri);
    if (!doc) return [];
    const s = await settingsFor(uri);
    if (docs.get(uri) !== doc) return [];
    const only = params.context.only;
    const wants = (kind: string) => !!only?.some((o) => kind === o || kind.startsWith(o + '.'));
    const findings = currentFindings(doc, s);
    const text = doc.analyzer.getText();
    const src = new SourceText(text);
    const version = doc.version;
    const out: CodeAction[] = [];

    if (!only || wants(CodeActionKind.QuickFix)) {
      const seen = new Set<string>();
      const once = (key: string) => !seen.has(key) && !!seen.add(key);
      for (const diag of params.context.diagnostics) {
        if (diag.source !== SOURCE || typeof diag.code !== 'string') continue;
        // Only a diagnostic that is still reported, at the same place, in the current text gets actions.
        for (const f of findings.filter((x) => x.rule === diag.code && sameRange(x.range, diag.range))) {
          f.fixes.forEach((fix, i) => {
            out.push({ title: fix.title, kind: CodeActionKind.QuickFix, diagnostics: [diag], isPreferred: i === 0, edit: workspaceEdit(uri, version, dedupe(fix.edits)) });
          });
          const rule = RULES_BY_ID.get(f.rule);
          if (f.rule !== UNUSED_IGNORE.id && once(`ignore:${f.rule}:${f.range.start.line}`)) {
            out.push({ title: `Ignore ${f.rule} on this line`, kind: CodeActionKind.QuickFix, diagnostics: [diag], edit: workspaceEdit(uri, version, [ignoreEdit(src, f.range.start.line, f.rule)]) });
          }
          if (patternCommands && f.rule !== UNUSED_IGNORE.id) {
            for (const p of rule?.patterns ?? []) {
              if (!once(`pattern:${p}`)) continue;
              const title = `Insert ${p} pattern`;
              out.push({ title, kind: CodeActionKind.QuickFix, diagnostics: [diag], command: { title, command: INSERT_PATTERN_COMMAND, arguments: [p] } });
            }
          }
          if ((docFile(f.rule) || (rule && f.rule !== UNUSED_IGNORE.id)) && once(`doc:${f.rule}`)) {
            const title = `Show documentation for ${f.rule}`;
            out.push({ title, kind: CodeActionKind.QuickFix, diagnostics: [diag], command: { title, command: SHOW_DOCUMENTATION_COMMAND, arguments: [f.rule] } });
          }
        }
      }
    }

    // Source actions only when asked for (editor.codeActionsOnSave, "Source Action…"), never in the lightbulb.
    if (wants(FIX_ALL_KIND)) {
      const edits = fixAllEdits(src, findings);
      if (edits.length) out.push({ title: 'Fix all Goroutine Guard findings', kind: FIX_ALL_KIND, edit: workspaceEdit(uri, version, edits) });
    }
    return out;
  }

  function workspaceEdit(uri: string, version: number, edits: TextEdit[]): WorkspaceEdit {
    // A versioned edit: a client refuses it once the document has moved on.
    if (caps.workspace?.workspaceEdit?.documentChanges) return { documentChanges: [{ textDocument: { uri, version }, edits }] };
    return { changes: { [uri]: edits } };
  }

  connection.onExecuteCommand(async (params) => {
    if (params.command !== SHOW_DOCUMENTATION_COMMAND) return;
    const id = params.arguments?.[0];
    if (typeof id !== 'string') return;
    const file = docFile(id);
    const rule = RULES_BY_ID.get(id);
    try {
      if (file && caps.window?.showDocument?.support) {
        const r = await connection.window.showDocument({ uri: pathToFileURL(file).href, takeFocus: true });
        if (r.success) return;
      }
      const summary = rule ? `${rule.title}: ${rule.summary}` : `Unknown rule ${id}.`;
      // A notification: showInformationMessage is a request that plain clients may not implement.
      await connection.sendNotification(ShowMessageNotification.type, { type: MessageType.Info, message: `${id} — ${summary}${file ? ` Documentation: ${file}` : ''}` });
    } catch (err) {
      logError(`showing the documentation of ${id} failed`, err);
    }
  });

  connection.onShutdown(() => {
    if (timer) clearTimeout(timer);
    timer = undefined;
    for (const doc of docs.values()) doc.analyzer.dispose();
    docs.clear();
  });

  connection.listen();
}

/** Identical edits (two findings offering the same change) must reach the client once. */
function dedupe(edits: TextEdit[]): TextEdit[] {
  const seen = new Set<string>();
  return edits.filter((e) => {
    const k = `${e.range.start.line}:${e.range.start.character}:${e.range.end.line}:${e.range.end.character}:${e.newText}`;
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}

/** The first fix of every finding, skipping one that overlaps a fix already taken (as `--fix` does). */
export function fixAllEdits(src: SourceText, findings: Finding[]): TextEdit[] {
  const taken: OffsetEdit[][] = [];
  for (const f of findings) {
    const fix = f.fixes[0];
    if (!fix) continue;
    const edits = fix.edits.map((e) => ({ start: src.offset(e.range.start), end: src.offset(e.range.end), newText: e.newText }));
    if (taken.some((t) => editsOverlap(t, edits))) continue;
    taken.push(edits);
  }
  const seen = new Set<string>();
  const flat = taken.flat().filter((e) => {
    const k = `${e.start}:${e.end}:${e.newText}`;
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
  // Stable: insertions at one point keep their order, which LSP clients preserve.
  return flat
    .map((e, i) => ({ e, i }))
    .sort((a, b) => a.e.start - b.e.start || a.e.end - b.e.end || a.i - b.i)
    .map(({ e }) => ({ range: src.range(e.start, e.end), newText: e.newText }));
}

const OWN_LINE_IGNORE = /^([ \t]*\/\/[ \t]?goroutine-guard:ignore[ \t]+)(\S+)/;

/**
 * Suppresses `rule` on `line`: adds the id to an ignore directive alone on the line above, or inserts
 * one there with the line's indentation (a new line between that directive and its line would unhook it).
 */
export function ignoreEdit(src: SourceText, line: number, rule: string): TextEdit {
  if (line > 0) {
    const m = OWN_LINE_IGNORE.exec(src.lineText(line - 1));
    if (m && !m[2].split(',').includes(rule)) {
      const at = { line: line - 1, character: m[1].length + m[2].length };
      return { range: { start: at, end: at }, newText: `,${rule}` };
    }
  }
  const indent = /^[ \t]*/.exec(src.lineText(line))![0];
  const eol = lineEnding(src, line);
  // Unindented, the comment would be a declaration's doc comment, which gofmt rewrites to `// text`.
  const directive = indent ? '//goroutine-guard:ignore' : '// goroutine-guard:ignore';
  const at = { line, character: 0 };
  return { range: { start: at, end: at }, newText: `${indent}${directive} ${rule} ${IGNORE_REASON_PLACEHOLDER}${eol}` };
}

/** The line's own terminator, or the file's convention for a last line without one. */
function lineEnding(src: SourceText, line: number): string {
  if (line + 1 < src.lineCount) return src.text[src.lineStart(line + 1) - 2] === '\r' ? '\r\n' : '\n';
  return src.text.includes('\r\n') ? '\r\n' : '\n';
}
