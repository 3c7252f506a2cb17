// The "Insert Concurrency Pattern" command: inserts one of the snippets of
// snippets/go-concurrency.code-snippets and adds the imports it needs. The language server's
// "Insert <pattern> pattern" code actions call it with the snippet's prefix.
import * as fs from 'fs';
import * as vscode from 'vscode';
import { parseSnippets, Pattern, planInsertion } from './imports';

export const INSERT_PATTERN_COMMAND = 'goroutineGuard.insertPattern';
const SNIPPETS_FILE = 'snippets/go-concurrency.code-snippets';

interface PatternItem extends vscode.QuickPickItem {
  pattern: Pattern;
}

export function registerPatternCommands(context: vscode.ExtensionContext): void {
  let patterns: Pattern[] | undefined;
  const load = (): Pattern[] => (patterns ??= parseSnippets(fs.readFileSync(context.asAbsolutePath(SNIPPETS_FILE), 'utf8')));

  context.subscriptions.push(
    // From the editor context menu the argument is the document's URI, from code actions a prefix.
    vscode.commands.registerCommand(INSERT_PATTERN_COMMAND, async (arg?: unknown) => {
      const editor = vscode.window.activeTextEditor;
      if (!editor || editor.document.languageId !== 'go') {
        void vscode.window.showWarningMessage('Goroutine Guard: open a Go file to insert a concurrency pattern.');
        return;
      }
      let all: Pattern[];
      try {
        all = load();
      } catch (err) {
        void vscode.window.showErrorMessage(`Goroutine Guard: cannot read the pattern snippets: ${(err as Error).message}`);
        return;
      }
      let pattern: Pattern | undefined;
      if (typeof arg === 'string') {
        pattern = all.find((p) => p.prefix === arg);
        if (!pattern) {
          void vscode.window.showErrorMessage(`Goroutine Guard: no concurrency pattern named "${arg}".`);
          return;
        }
      } else {
        const picked = await vscode.window.showQuickPick<PatternItem>(
          all.map((p) => ({
            label: p.name,
            description: `${p.prefix} · ${p.topLevel ? 'inserts a function or declarations' : 'inserts statements'}`,
            detail: p.description,
            pattern: p,
          })),
          { title: 'Insert Concurrency Pattern', placeHolder: 'Pick a pattern to insert', matchOnDescription: true, matchOnDetail: true },
        );
        pattern = picked?.pattern;
      }
      if (pattern) await insertPattern(editor, pattern);
    }),
  );
}

async function insertPattern(editor: vscode.TextEditor, pattern: Pattern): Promise<void> {
  const doc = editor.document;
  const version = doc.version;
  const plan = planInsertion(doc.getText(), doc.offsetAt(editor.selection.active), pattern);
  if ('error' in plan) {
    void vscode.window.showWarningMessage(`Goroutine Guard: ${plan.error}`);
    return;
  }
  if (plan.importsSkipped) {
    void vscode.window.showWarningMessage(`Goroutine Guard: could not read the file's package clause and imports; add ${pattern.imports.join(', ')} yourself.`);
  }
  if (plan.importEdits.length) {
    const ok = await editor.edit(
      (b) => {
        for (const e of plan.importEdits) b.replace(new vscode.Range(doc.positionAt(e.start), doc.positionAt(e.end)), e.newText);
      },
      { undoStopBefore: true, undoStopAfter: false },
    );
    // The plan's snippet offset is valid only for exactly the text these edits produce.
    if (!ok || doc.version !== version + 1) {
      void vscode.window.showErrorMessage('Goroutine Guard: the document changed while the pattern was being inserted; try again.');
      return;
    }
  }
  await editor.insertSnippet(new vscode.SnippetString(plan.snippet), doc.positionAt(plan.offset), {
    undoStopBefore: !plan.importEdits.length,
    undoStopAfter: true,
  });
}
