// Shared by the extension-host suites: the workspace, our diagnostics, waiting for the language server.
import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import * as vscode from 'vscode';

export const EXTENSION_ID = 'goroutine-guard.goroutine-guard';
export const SOURCE = 'goroutine-guard';
/** The repository (this file runs from out/test/e2e/suite/). */
export const REPO = path.resolve(__dirname, '..', '..', '..', '..');
/** The pristine fixture; the open workspace is a copy the tests are free to change. */
export const FIXTURE = path.join(REPO, 'test', 'e2e', 'workspace');

/** Numbers worth keeping (e.g. latencies), reported by run.ts and saved with the results. */
export const metrics: Record<string, number> = {};

export function workspaceFolder(): vscode.WorkspaceFolder {
  const ws = vscode.workspace.workspaceFolders?.[0];
  assert.ok(ws, 'the fixture workspace is open');
  return ws;
}

export function wsUri(rel: string): vscode.Uri {
  return vscode.Uri.joinPath(workspaceFolder().uri, ...rel.split('/'));
}

export function fixtureText(rel: string): string {
  return fs.readFileSync(path.join(FIXTURE, rel), 'utf8');
}

export function ours(uri: vscode.Uri, rule?: string): vscode.Diagnostic[] {
  return vscode.languages.getDiagnostics(uri).filter((d) => d.source === SOURCE && (rule === undefined || code(d) === rule));
}

export function code(d: vscode.Diagnostic): string | undefined {
  const c = d.code;
  if (c === undefined) return undefined;
  return typeof c === 'object' ? String(c.value) : String(c);
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Polls until `fn` returns something truthy; the language server answers asynchronously. */
export async function waitFor<T>(fn: () => T | undefined | null | false | Promise<T | undefined | null | false>, what: string | (() => string), timeoutMs = 20_000): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out after ${timeoutMs} ms waiting for ${typeof what === 'function' ? what() : what}`);
    await sleep(25);
  }
}

export function describeDiagnostics(uri: vscode.Uri): string {
  const ds = ours(uri);
  return ds.length ? ds.map((d) => `${code(d)}@${d.range.start.line + 1}:${d.range.start.character + 1}`).join(', ') : 'none';
}

export async function waitForDiagnostics(uri: vscode.Uri, pred: (ds: vscode.Diagnostic[]) => boolean, what: string, timeoutMs?: number): Promise<vscode.Diagnostic[]> {
  return waitFor(() => (pred(ours(uri)) ? ours(uri) : undefined), () => `${what} in ${path.basename(uri.fsPath)} (now: ${describeDiagnostics(uri)})`, timeoutMs);
}

export async function show(uri: vscode.Uri): Promise<vscode.TextEditor> {
  const doc = await vscode.workspace.openTextDocument(uri);
  return vscode.window.showTextDocument(doc, { preview: false });
}

/** Writes `text` to a new workspace file and opens it in an editor. */
export async function createAndShow(rel: string, text: string): Promise<vscode.TextEditor> {
  const uri = wsUri(rel);
  await vscode.workspace.fs.writeFile(uri, Buffer.from(text, 'utf8'));
  return show(uri);
}

/** Parses "line:col-line:col", 1-based as the editor's status bar shows them. */
export function parseRange(at: string): vscode.Range {
  const m = /^(\d+):(\d+)-(\d+):(\d+)$/.exec(at);
  assert.ok(m, `bad range ${at}`);
  const [l1, c1, l2, c2] = m.slice(1).map(Number);
  return new vscode.Range(l1 - 1, c1 - 1, l2 - 1, c2 - 1);
}

export function formatRange(r: vscode.Range): string {
  return `${r.start.line + 1}:${r.start.character + 1}-${r.end.line + 1}:${r.end.character + 1}`;
}

/**
 * The quick fixes VS Code offers for a diagnostic's range. VS Code asks with the diagnostics its own
 * marker service holds there, which receives a published diagnostic a moment after the extension host's
 * diagnostic collection does (and a request can be canceled by the editor meanwhile): wait until the
 * diagnostic has arrived, i.e. until some action is offered for it.
 */
export async function quickFixes(uri: vscode.Uri, range: vscode.Range): Promise<vscode.CodeAction[]> {
  return waitFor(async () => {
    let actions: (vscode.CodeAction | vscode.Command)[] | undefined;
    try {
      actions = await vscode.commands.executeCommand<(vscode.CodeAction | vscode.Command)[]>('vscode.executeCodeActionProvider', uri, range, vscode.CodeActionKind.QuickFix.value);
    } catch (err) {
      if ((err as Error)?.message !== 'Canceled') throw err;
      return undefined;
    }
    // A bare Command has a string `command`; a CodeAction's is an object (or absent).
    const codeActions = (actions ?? []).filter((a): a is vscode.CodeAction => typeof (a as vscode.Command).command !== 'string');
    return codeActions.length ? codeActions : undefined;
  }, `quick fixes at ${formatRange(range)} of ${path.basename(uri.fsPath)}`, 10_000);
}

/** Applies a code action's edit and saves, as the lightbulb followed by Ctrl+S would. */
export async function applyAndSave(action: vscode.CodeAction, uri: vscode.Uri): Promise<string> {
  assert.ok(action.edit, `"${action.title}" carries an edit`);
  assert.ok(await vscode.workspace.applyEdit(action.edit), `VS Code applied "${action.title}"`);
  const doc = await vscode.workspace.openTextDocument(uri);
  assert.ok(await doc.save(), 'saved');
  return fs.readFileSync(uri.fsPath, 'utf8');
}

export async function updateSetting(key: string, value: unknown): Promise<void> {
  await vscode.workspace.getConfiguration('goroutineGuard').update(key, value, vscode.ConfigurationTarget.Workspace);
}
