import * as assert from 'assert';
import * as vscode from 'vscode';
import { EXTENSION_ID, metrics, show, waitFor, waitForDiagnostics, wsUri } from './helpers';

describe('activation', () => {
  it('stays inactive until a Go file opens, then activates and publishes diagnostics', async () => {
    const ext = vscode.extensions.getExtension(EXTENSION_ID);
    assert.ok(ext, `${EXTENSION_ID} is loaded from the development path`);
    // activationEvents is onLanguage:go: an extension that starts with every window costs everyone.
    assert.strictEqual(ext.isActive, false, 'active before any Go file was opened');
    const uri = wsUri('rules/wg_add.go');
    const t0 = Date.now();
    const editor = await show(uri);
    assert.strictEqual(editor.document.languageId, 'go', "VS Code's built-in Go language");
    await waitFor(() => ext.isActive, 'the extension to activate');
    await waitForDiagnostics(uri, (ds) => ds.length > 0, 'the first diagnostics', 30_000);
    metrics['open to first diagnostics (ms)'] = Date.now() - t0;
    console.log(`    open to first diagnostics, including activation and server start: ${Date.now() - t0} ms`);
  });

  it('registers its commands', async () => {
    const commands = await vscode.commands.getCommands(true);
    for (const c of ['goroutineGuard.insertPattern', 'goroutineGuard.restartServer', 'goroutineGuard.showRuleDoc']) {
      assert.ok(commands.includes(c), `${c} is registered`);
    }
  });
});
