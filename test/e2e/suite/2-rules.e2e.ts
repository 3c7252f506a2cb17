import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import * as vscode from 'vscode';
import { RULES } from '../../../server/src/engine/rules';
import { FIX_ALL_FILE, FIX_ALL_RULES, RULE_CASES } from './cases';
import { applyAndSave, code, createAndShow, fixtureText, formatRange, parseRange, quickFixes, REPO, show, SOURCE, waitFor, waitForDiagnostics, wsUri } from './helpers';

describe('every rule in a real editor', () => {
  it('has an end-to-end case for each rule the engine registers', () => {
    assert.deepStrictEqual(RULE_CASES.map((c) => c.rule).sort(), RULES.map((r) => r.id).sort());
  });

  for (const c of RULE_CASES) {
    describe(c.rule, () => {
      const uri = () => wsUri(c.file);

      it(`reports ${c.range} "${c.text.split('\n')[0]}" as a ${c.severity} with code ${c.rule}`, async () => {
        const editor = await show(uri());
        const [d, ...extra] = await waitForDiagnostics(uri(), (ds) => ds.length > 0, 'a diagnostic');
        assert.deepStrictEqual(extra.map(code), [], 'exactly one finding in the file');
        assert.strictEqual(d.source, SOURCE);
        assert.strictEqual(code(d), c.rule);
        assert.strictEqual(d.severity, vscode.DiagnosticSeverity[c.severity], `severity ${vscode.DiagnosticSeverity[d.severity]}`);
        assert.strictEqual(formatRange(d.range), formatRange(parseRange(c.range)));
        assert.strictEqual(editor.document.getText(d.range), c.text);
        assert.ok(d.message.length > 40, `an explanation, not just a name: "${d.message}"`);
        // The code links to the rule's page, which the .vsix ships.
        const target = typeof d.code === 'object' ? d.code.target : undefined;
        assert.ok(target, 'the code carries a link to the rule documentation');
        assert.strictEqual(path.relative(REPO, target.fsPath), path.join('docs', 'rules', `${c.rule}.md`));
        assert.ok(fs.existsSync(target.fsPath), `${target.fsPath} exists`);
      });

      it(c.fix ? `quick fix "${c.fix}" rewrites the file and clears the finding` : 'offers no rewrite, only suppression and documentation', async () => {
        const [d] = await waitForDiagnostics(uri(), (ds) => ds.length === 1, 'the diagnostic');
        const actions = await quickFixes(uri(), d.range);
        const titles = actions.map((a) => a.title);
        assert.ok(titles.includes(`Ignore ${c.rule} on this line`), `Ignore offered: ${titles.join(' | ')}`);
        assert.ok(titles.includes(`Show documentation for ${c.rule}`), `documentation offered: ${titles.join(' | ')}`);
        const rewrites = actions.filter((a) => a.edit && !a.title.startsWith('Ignore '));
        if (!c.fix) {
          assert.deepStrictEqual(rewrites.map((a) => a.title), []);
          return;
        }
        assert.strictEqual(actions[0].title, c.fix, `the rule's fix comes first: ${titles.join(' | ')}`);
        assert.strictEqual(actions[0].isPreferred, true, 'the fix is preferred (what Ctrl+. / autoFix apply)');
        assert.deepStrictEqual(actions.filter((a) => a.isPreferred).map((a) => a.title), [c.fix]);
        const onDisk = await applyAndSave(actions[0], uri());
        assert.strictEqual(onDisk, fixtureText(`${c.file}.golden`));
        await waitForDiagnostics(uri(), (ds) => ds.length === 0, 'no findings after the fix');
      });

      it('"Ignore on this line" writes the directive and clears the finding', async () => {
        // A fresh copy: the file above may already be fixed.
        const original = fixtureText(c.file);
        const rel = `scratch/ignore/${path.basename(c.file)}`;
        await createAndShow(rel, original);
        const [d] = await waitForDiagnostics(wsUri(rel), (ds) => ds.length === 1, 'the diagnostic');
        const ignore = (await quickFixes(wsUri(rel), d.range)).find((a) => a.title === `Ignore ${c.rule} on this line`);
        assert.ok(ignore, 'Ignore offered');
        const onDisk = await applyAndSave(ignore, wsUri(rel));
        const lines = original.split('\n');
        const line = d.range.start.line;
        const indent = /^\s*/.exec(lines[line])![0];
        const got = onDisk.split('\n');
        // At column 0 the directive would be read as a doc comment, which gofmt writes as "// text".
        const directive = indent ? '//goroutine-guard:ignore' : '// goroutine-guard:ignore';
        assert.match(got[line], new RegExp(`^${indent}${directive} ${c.rule} \\S`), 'directive above the finding, with its indentation and room for a reason');
        assert.deepStrictEqual([...got.slice(0, line), ...got.slice(line + 1)], lines, 'nothing else changed');
        // Cleared, and not replaced by an "unused directive" hint.
        await waitForDiagnostics(wsUri(rel), (ds) => ds.length === 0, 'no diagnostics after the directive');
      });
    });
  }

  it('"Show documentation" opens the rule\'s page in a Markdown preview', async () => {
    const rel = 'scratch/docs/close_receiver.go';
    await createAndShow(rel, fixtureText('rules/close_receiver.go'));
    const [d] = await waitForDiagnostics(wsUri(rel), (ds) => ds.length === 1, 'the diagnostic');
    const action = (await quickFixes(wsUri(rel), d.range)).find((a) => a.title === 'Show documentation for close-by-receiver');
    assert.ok(action?.command, 'a documentation action with a command');
    // The language server asks the client to show the page (window/showDocument); the client previews it.
    await vscode.commands.executeCommand(action.command.command, ...(action.command.arguments ?? []));
    const tabs = () => vscode.window.tabGroups.all.flatMap((g) => g.tabs).map((t) => t.label);
    await waitFor(() => tabs().some((l) => l.includes('close-by-receiver.md') && l.includes('Preview')), () => `a preview tab; tabs: ${tabs().join(', ')}`);
    await vscode.commands.executeCommand('workbench.action.closeActiveEditor');
  });

  it('source.fixAll applies every fix in the file at once', async () => {
    const uri = wsUri(FIX_ALL_FILE);
    await show(uri);
    const ds = await waitForDiagnostics(uri, (ds) => ds.length >= FIX_ALL_RULES.length, 'the findings');
    assert.deepStrictEqual(ds.map(code).sort(), [...FIX_ALL_RULES].sort());
    const doc = await vscode.workspace.openTextDocument(uri);
    const whole = new vscode.Range(0, 0, doc.lineCount, 0);
    const actions = (await vscode.commands.executeCommand<vscode.CodeAction[]>('vscode.executeCodeActionProvider', uri, whole, vscode.CodeActionKind.SourceFixAll.value)) ?? [];
    const fixAll = actions.filter((a) => a.kind?.value === `source.fixAll.${SOURCE}`);
    assert.strictEqual(fixAll.length, 1, `one fix-all action: ${actions.map((a) => `${a.title} (${a.kind?.value})`).join(' | ')}`);
    const onDisk = await applyAndSave(fixAll[0], uri);
    assert.strictEqual(onDisk, fixtureText(`${FIX_ALL_FILE}.golden`));
    await waitForDiagnostics(uri, (ds) => ds.length === 0, 'no findings after fix-all');
  });

  it('source.fixAll.goroutine-guard in editor.codeActionsOnSave fixes the file when it is saved', async () => {
    const rel = 'scratch/onsave/service.go';
    const editor = await createAndShow(rel, fixtureText(FIX_ALL_FILE));
    await waitForDiagnostics(wsUri(rel), (ds) => ds.length >= FIX_ALL_RULES.length, 'the findings');
    const config = vscode.workspace.getConfiguration('editor', { languageId: 'go' });
    await config.update('codeActionsOnSave', { [`source.fixAll.${SOURCE}`]: 'explicit' }, vscode.ConfigurationTarget.Workspace, true);
    try {
      // Only a dirty document is saved; the edit is a blank line at the end that the fixes do not touch.
      await editor.edit((b) => b.insert(new vscode.Position(editor.document.lineCount, 0), '\n'));
      assert.ok(await editor.document.save(), 'saved');
      const expected = fixtureText(`${FIX_ALL_FILE}.golden`) + '\n';
      assert.strictEqual(fs.readFileSync(wsUri(rel).fsPath, 'utf8'), expected);
      await waitForDiagnostics(wsUri(rel), (ds) => ds.length === 0, 'no findings after saving');
    } finally {
      await config.update('codeActionsOnSave', undefined, vscode.ConfigurationTarget.Workspace, true);
    }
  });
});
