import * as assert from 'assert';
import * as vscode from 'vscode';
import { RULE_CASES } from './cases';
import { code, createAndShow, fixtureText, ours, parseRange, sleep, updateSetting, waitForDiagnostics, wsUri } from './helpers';

// Fresh copies of three rule fixtures, so this suite does not depend on what the rules suite fixed.
const WG = 'scratch/settings/wg_add.go';
const LOOP = 'scratch/settings/loop_capture.go';
const TIMER = 'scratch/settings/time_after.go';

const rules = (rel: string) => ours(wsUri(rel)).map(code);

describe('settings and go.mod take effect while files are open', () => {
  before(async () => {
    await createAndShow(WG, fixtureText('rules/wg_add.go'));
    await createAndShow(LOOP, fixtureText('rules/loop_capture.go'));
    await createAndShow(TIMER, fixtureText('rules/time_after.go'));
    for (const [rel, rule] of [[WG, 'wg-add-in-goroutine'], [LOOP, 'loop-var-capture'], [TIMER, 'time-after-in-loop']]) {
      await waitForDiagnostics(wsUri(rel), (ds) => ds.length === 1 && code(ds[0]) === rule, rule);
    }
  });

  afterEach(async () => {
    for (const key of ['rules', 'enable', 'goVersion', 'run']) await updateSetting(key, undefined);
  });

  // First: a settings or go.mod change publishes fresh findings in any run mode, and one that arrives
  // late from an earlier test would look like analysis while typing.
  it('goroutineGuard.run onSave analyses only when the file is saved', async () => {
    await updateSetting('run', 'onSave');
    const rel = 'scratch/settings/onsave.go';
    const editor = await createAndShow(rel, fixtureText('rules/wg_add.go'));
    await waitForDiagnostics(wsUri(rel), (ds) => ds.length === 1, 'diagnostics when the file opens');
    // Delete the buggy wg.Add(1) line: the finding is gone from the text, but not yet from the editor.
    const line = parseRange(RULE_CASES.find((c) => c.rule === 'wg-add-in-goroutine')!.range).start.line;
    assert.strictEqual(editor.document.lineAt(line).text.trim(), 'wg.Add(1)');
    await editor.edit((b) => b.delete(new vscode.Range(line, 0, line + 1, 0)));
    await sleep(1500);
    assert.deepStrictEqual(rules(rel), ['wg-add-in-goroutine'], 'not re-analysed while typing');
    assert.ok(await editor.document.save());
    await waitForDiagnostics(wsUri(rel), (ds) => ds.length === 0, 'analysis on save');
  });

  it('goroutineGuard.rules turns one rule off and changes another severity', async () => {
    await updateSetting('rules', { 'wg-add-in-goroutine': 'off', 'loop-var-capture': 'error' });
    await waitForDiagnostics(wsUri(WG), (ds) => ds.length === 0, 'wg-add-in-goroutine to be switched off');
    const [d] = await waitForDiagnostics(wsUri(LOOP), (ds) => ds[0]?.severity === vscode.DiagnosticSeverity.Error, 'loop-var-capture as an error');
    assert.strictEqual(code(d), 'loop-var-capture');
    assert.deepStrictEqual(rules(TIMER), ['time-after-in-loop'], 'an unconfigured rule is untouched');

    await updateSetting('rules', undefined);
    await waitForDiagnostics(wsUri(WG), (ds) => ds.length === 1, 'wg-add-in-goroutine back after the setting is removed');
    await waitForDiagnostics(wsUri(LOOP), (ds) => ds[0]?.severity === vscode.DiagnosticSeverity.Warning, 'loop-var-capture back to its default severity');
  });

  it('goroutineGuard.enable false clears every diagnostic, true brings them back', async () => {
    await updateSetting('enable', false);
    for (const rel of [WG, LOOP, TIMER]) await waitForDiagnostics(wsUri(rel), (ds) => ds.length === 0, 'no diagnostics while disabled');
    await updateSetting('enable', true);
    for (const rel of [WG, LOOP, TIMER]) await waitForDiagnostics(wsUri(rel), (ds) => ds.length === 1, 'diagnostics after re-enabling');
  });

  it('goroutineGuard.goVersion overrides go.mod', async () => {
    await updateSetting('goVersion', '1.22');
    await waitForDiagnostics(wsUri(LOOP), (ds) => ds.length === 0, 'loop-var-capture to go away under 1.22');
    // time-after-in-loop applies before 1.23: the override changed the version, it did not silence everything.
    assert.deepStrictEqual(rules(TIMER), ['time-after-in-loop']);
    await updateSetting('goVersion', '1.23');
    await waitForDiagnostics(wsUri(TIMER), (ds) => ds.length === 0, 'time-after-in-loop to go away under 1.23');
    await updateSetting('goVersion', undefined);
    await waitForDiagnostics(wsUri(LOOP), (ds) => ds.length === 1, 'loop-var-capture back under go.mod 1.21');
  });

  it("changing go.mod's go directive from 1.21 to 1.22 clears loop-var-capture", async () => {
    const goMod = wsUri('go.mod');
    const original = Buffer.from(await vscode.workspace.fs.readFile(goMod)).toString('utf8');
    assert.match(original, /^go 1\.21$/m);
    try {
      await vscode.workspace.fs.writeFile(goMod, Buffer.from(original.replace(/^go 1\.21$/m, 'go 1.22'), 'utf8'));
      await waitForDiagnostics(wsUri(LOOP), (ds) => ds.length === 0, 'loop-var-capture to go away after go.mod says 1.22');
      assert.deepStrictEqual(rules(TIMER), ['time-after-in-loop'], 'still reported: it applies before 1.23');
      assert.deepStrictEqual(rules(WG), ['wg-add-in-goroutine'], 'version-independent rules are unaffected');
    } finally {
      await vscode.workspace.fs.writeFile(goMod, Buffer.from(original, 'utf8'));
    }
    await waitForDiagnostics(wsUri(LOOP), (ds) => ds.length === 1, 'loop-var-capture back after go.mod says 1.21 again');
  });
});
