import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import * as vscode from 'vscode';
import { createAndShow, REPO, sleep, waitFor } from './helpers';

interface Snippet {
  prefix: string;
  body: string[];
  description?: string;
}

const SNIPPETS: Record<string, Snippet> = JSON.parse(fs.readFileSync(path.join(REPO, 'snippets', 'go-concurrency.code-snippets'), 'utf8'));

const MAIN = ['package main', '', 'import "fmt"', '', 'func main() {', '\tfmt.Println("start")', '\t', '}', ''].join('\n');
const label = (i: vscode.CompletionItem) => (typeof i.label === 'string' ? i.label : i.label.label);

describe('pattern snippets and the Insert Concurrency Pattern command', () => {
  it('the snippets file has patterns to test', () => {
    assert.ok(Object.keys(SNIPPETS).length >= 10, `${Object.keys(SNIPPETS).length} snippets`);
  });

  for (const [name, s] of Object.entries(SNIPPETS)) {
    it(`completion offers "${name}" for the prefix ${s.prefix}`, async () => {
      const editor = await createAndShow(`scratch/snippets/${s.prefix}.go`, MAIN);
      const line = 6;
      await editor.edit((b) => b.insert(new vscode.Position(line, 1), s.prefix));
      const list = await vscode.commands.executeCommand<vscode.CompletionList>('vscode.executeCompletionItemProvider', editor.document.uri, new vscode.Position(line, 1 + s.prefix.length));
      const item = list.items.find((i) => label(i) === s.prefix && i.kind === vscode.CompletionItemKind.Snippet);
      assert.ok(item, `snippet item for ${s.prefix}; offered: ${list.items.filter((i) => i.kind === vscode.CompletionItemKind.Snippet).map(label).join(', ')}`);
      const insert = item.insertText;
      assert.ok(insert instanceof vscode.SnippetString, 'inserted as a snippet (tab stops)');
      assert.strictEqual(insert.value, s.body.join('\n'));
    });
  }

  it('accepting the suggestion replaces the prefix with the body, indented', async () => {
    const editor = await createAndShow('scratch/snippets/accept.go', MAIN);
    const doc = editor.document;
    editor.selection = new vscode.Selection(6, 1, 6, 1);
    await vscode.commands.executeCommand('type', { text: 'waitgroup' });
    await vscode.commands.executeCommand('editor.action.triggerSuggest');
    // The suggest widget has no API to observe; its first row is the exact-prefix snippet (snippetSuggestions: top).
    await sleep(1500);
    await vscode.commands.executeCommand('acceptSelectedSuggestion');
    await waitFor(() => doc.getText().includes('var wg sync.WaitGroup'), () => `the snippet body in:\n${doc.getText()}`, 10_000);
    const text = doc.getText();
    assert.ok(text.includes('\tvar wg sync.WaitGroup\n\tfor i := 0; i < 4; i++ {\n\t\twg.Add(1)'), text);
    assert.ok(!text.includes('waitgroup'), 'the prefix was replaced');
  });

  it('Insert Concurrency Pattern inserts statements at the cursor and adds the import', async () => {
    const editor = await createAndShow('scratch/patterns/statements.go', MAIN);
    editor.selection = new vscode.Selection(6, 1, 6, 1);
    await vscode.commands.executeCommand('goroutineGuard.insertPattern', 'waitgroup');
    const expected = [
      'package main',
      '',
      'import (',
      '\t"fmt"',
      '\t"sync"',
      ')',
      '',
      'func main() {',
      '\tfmt.Println("start")',
      '\tvar wg sync.WaitGroup',
      '\tfor i := 0; i < 4; i++ {',
      '\t\twg.Add(1) // before go, so Wait cannot return before this goroutine is counted',
      '\t\tgo func(id int) {',
      '\t\t\tdefer wg.Done()',
      '\t\t\t',
      '\t\t}(i)',
      '\t}',
      '\twg.Wait()',
      '}',
      '',
    ].join('\n');
    assert.strictEqual(editor.document.getText(), expected);
  });

  it('Insert Concurrency Pattern puts a function pattern after the current declaration and adds the import', async () => {
    const editor = await createAndShow('scratch/patterns/toplevel.go', MAIN);
    editor.selection = new vscode.Selection(6, 1, 6, 1);
    await vscode.commands.executeCommand('goroutineGuard.insertPattern', 'generator');
    const text = editor.document.getText();
    assert.ok(text.startsWith('package main\n\nimport (\n\t"context"\n\t"fmt"\n)\n\nfunc main() {\n\tfmt.Println("start")\n\t\n}\n\n'), text);
    assert.ok(text.includes('\nfunc generate(ctx context.Context, values ...int) <-chan int {\n\tout := make(chan int)\n'), text);
    assert.ok(text.endsWith('\treturn out\n}\n'), text);
  });
});
