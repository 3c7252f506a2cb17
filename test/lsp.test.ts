// The language server over the real protocol: the bundled dist/server.js is spawned with --stdio and
// driven the way VS Code (and a plainer editor) drives it.
import * as assert from 'assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { fileURLToPath, pathToFileURL } from 'url';
import { CodeAction, CodeActionKind, Diagnostic, DiagnosticSeverity, DiagnosticTag, TextDocumentEdit, TextEdit, WorkspaceEdit } from 'vscode-languageserver-protocol/node';
import { analyzeText, applyTextEdits, initParser, SourceText } from '../server/src/engine';
import { ignoreEdit, IGNORE_REASON_PLACEHOLDER } from '../server/src/lsp/server';
import { gofmt, requireGo } from './support/go';
import { LspSession, Published, ROOT } from './support/lsp';

const SOURCE = 'goroutine-guard';
const FIX_ALL = 'source.fixAll.goroutine-guard';

// Reported under every Go version: wg-add-in-goroutine (line 12), send-without-cancel (25),
// close-by-receiver (34, no fix). 0-based lines. items is an array here (and below) so that
// unbounded-goroutines, which flags a goroutine per element of an input of unknown size, stays silent.
const MIXED = `package main

import (
	"context"
	"fmt"
	"sync"
)

func process(items [8]string) {
	var wg sync.WaitGroup
	for _, it := range items {
		go func() {
			wg.Add(1)
			defer wg.Done()
			fmt.Println(it)
		}()
	}
	wg.Wait()
}

func gen(ctx context.Context, n int) <-chan int {
	out := make(chan int)
	go func() {
		defer close(out)
		for i := 0; i < n; i++ {
			out <- i
		}
	}()
	return out
}

func consume(ch chan int) {
	for v := range ch {
		if v > 3 {
			close(ch)
			return
		}
	}
}

func produce() {
	ch := make(chan int)
	go func() {
		for i := 0; i < 10; i++ {
			ch <- i
		}
	}()
	consume(ch)
}
`;

const WG_BAD = `		go func() {
			wg.Add(1)
			defer wg.Done()
`;
const WG_FIXED = `		wg.Add(1)
		go func() {
			defer wg.Done()
`;
const SEND_BAD = `			out <- i
`;
const SEND_FIXED = `			select {
			case out <- i:
			case <-ctx.Done():
				return
			}
`;

// loop-var-capture at line 13 under go < 1.22 only; nothing else.
const LOOP = `package main

import (
	"fmt"
	"sync"
)

func show(items [8]string) {
	var wg sync.WaitGroup
	for _, it := range items {
		wg.Add(1)
		go func() {
			defer wg.Done()
			fmt.Println(it)
		}()
	}
	wg.Wait()
}
`;

const WG_ONLY = `package main

import "sync"

func process(items [8]string) {
	var wg sync.WaitGroup
	for range items {
		go func() {
			wg.Add(1)
			defer wg.Done()
		}()
	}
	wg.Wait()
}
`;

function tmpModule(goVersion: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gg-lsp-'));
  fs.writeFileSync(path.join(dir, 'go.mod'), `module example.com/m\n\ngo ${goVersion}\n`);
  return dir;
}

function uriOf(dir: string, name: string): string {
  return pathToFileURL(path.join(dir, name)).href;
}

function summary(p: Published): string[] {
  return p.diagnostics.map((d) => `${d.range.start.line}:${d.code}`).sort();
}

function byCode(p: Published, code: string): Diagnostic {
  const d = p.diagnostics.find((x) => x.code === code);
  assert.ok(d, `no ${code} diagnostic in ${JSON.stringify(summary(p))}`);
  return d;
}

/** The edits of a workspace edit for one document, and the version it was computed for (null: unversioned). */
function editsOf(edit: WorkspaceEdit | undefined, uri: string): { edits: TextEdit[]; version: number | null } {
  assert.ok(edit, 'action has no edit');
  if (edit.documentChanges) {
    assert.strictEqual(edit.documentChanges.length, 1);
    const dc = edit.documentChanges[0] as TextDocumentEdit;
    assert.strictEqual(dc.textDocument.uri, uri);
    return { edits: dc.edits as TextEdit[], version: dc.textDocument.version };
  }
  return { edits: edit.changes?.[uri] ?? [], version: null };
}

function withEdits(actions: CodeAction[]): CodeAction[] {
  return actions.filter((a) => a.edit);
}

/** The LSP content change that performs `edit` on the client's copy. */
function asChange(e: TextEdit) {
  return { range: e.range, text: e.newText };
}

describe('language server (LSP over stdio)', function () {
  describe('with a VS Code-like client', function () {
    let s: LspSession;
    let dir: string;
    let dir121: string;
    /** workspace/configuration answers, by document URI ('*' for every other scope). */
    const settings = new Map<string, unknown>();

    before(async function () {
      dir = tmpModule('1.22');
      dir121 = tmpModule('1.21');
      s = await LspSession.start({
        initializationOptions: { insertPatternCommand: true },
        settings: (scope) => settings.get(scope ?? '') ?? settings.get('*') ?? {},
      });
    });

    after(async function () {
      if (s) await s.shutdown();
      fs.rmSync(dir, { recursive: true, force: true });
      fs.rmSync(dir121, { recursive: true, force: true });
    });

    async function setSettings(uri: string, value: unknown): Promise<number> {
      settings.set(uri, value);
      const mark = s.mark();
      await s.configurationChanged();
      return mark;
    }

    it('advertises incremental sync, code actions, fixAll and its command, and registers for settings and go.mod changes', async function () {
      const caps = s.initializeResult.capabilities;
      assert.deepStrictEqual(caps.textDocumentSync, { openClose: true, change: 2, save: { includeText: false } });
      assert.deepStrictEqual(caps.codeActionProvider, { codeActionKinds: [CodeActionKind.QuickFix, FIX_ALL] });
      assert.deepStrictEqual(caps.executeCommandProvider?.commands, ['goroutine-guard.showDocumentation']);
      await s.waitFor('dynamic registrations', () => (s.registrations.length >= 2 ? true : undefined));
      const config = s.registrations.find((r) => r.method === 'workspace/didChangeConfiguration');
      assert.deepStrictEqual(config?.registerOptions, { section: 'goroutineGuard' });
      const watch = s.registrations.find((r) => r.method === 'workspace/didChangeWatchedFiles');
      assert.deepStrictEqual(watch?.registerOptions, { watchers: [{ globPattern: '**/go.mod' }] });
    });

    it('publishes diagnostics on open with code, source, doc link, severity, range and version', async function () {
      const uri = uriOf(dir, 'open.go');
      await s.open(uri, MIXED, 7);
      const p = await s.diagnostics(uri);
      assert.strictEqual(p.version, 7);
      assert.deepStrictEqual(summary(p), ['12:wg-add-in-goroutine', '25:send-without-cancel', '34:close-by-receiver']);
      for (const d of p.diagnostics) {
        assert.strictEqual(d.source, SOURCE);
        assert.strictEqual(d.severity, DiagnosticSeverity.Warning);
        assert.ok(typeof d.message === 'string' && d.message.length > 20, String(d.message));
        assert.ok(d.codeDescription, `${d.code} has no documentation link`);
        const file = fileURLToPath(d.codeDescription.href);
        assert.strictEqual(path.basename(file), `${d.code}.md`);
        assert.strictEqual(path.basename(path.dirname(file)), 'rules');
        assert.ok(fs.existsSync(file), `${file} does not exist`);
        assert.strictEqual(d.tags, undefined);
      }
      const wg = byCode(p, 'wg-add-in-goroutine');
      assert.deepStrictEqual(wg.range, { start: { line: 12, character: 3 }, end: { line: 12, character: 12 } });
      assert.match(String(wg.message), /wg\.Add/);
      const send = byCode(p, 'send-without-cancel');
      assert.deepStrictEqual(send.range, { start: { line: 25, character: 3 }, end: { line: 25, character: 11 } });
      await s.close(uri);
    });

    it('offers the rule fix as the preferred, versioned quick fix, then ignore, pattern and documentation actions', async function () {
      const uri = uriOf(dir, 'fix.go');
      await s.open(uri, MIXED, 3);
      const p = await s.diagnostics(uri, { version: 3 });
      const wg = byCode(p, 'wg-add-in-goroutine');
      const actions = await s.codeActions(uri, wg.range, [wg]);
      assert.deepStrictEqual(
        actions.map((a) => a.title),
        [actions[0].title, 'Ignore wg-add-in-goroutine on this line', 'Insert waitgroup pattern', 'Show documentation for wg-add-in-goroutine'],
      );
      const [fix, ignore, pattern, doc] = actions;
      assert.strictEqual(fix.kind, CodeActionKind.QuickFix);
      assert.strictEqual(fix.isPreferred, true);
      assert.deepStrictEqual(fix.diagnostics, [wg]);
      const { edits, version } = editsOf(fix.edit, uri);
      assert.strictEqual(version, 3);
      assert.strictEqual(applyTextEdits(MIXED, edits), MIXED.replace(WG_BAD, WG_FIXED));
      assert.notStrictEqual(ignore.isPreferred, true);
      assert.strictEqual(editsOf(ignore.edit, uri).version, 3);
      assert.deepStrictEqual(pattern.command, { title: 'Insert waitgroup pattern', command: 'goroutineGuard.insertPattern', arguments: ['waitgroup'] });
      assert.strictEqual(pattern.edit, undefined);
      assert.deepStrictEqual(doc.command, { title: 'Show documentation for wg-add-in-goroutine', command: 'goroutine-guard.showDocumentation', arguments: ['wg-add-in-goroutine'] });

      // The send fix wraps the send in a select on ctx.Done().
      const send = byCode(p, 'send-without-cancel');
      const sendFix = (await s.codeActions(uri, send.range, [send]))[0];
      assert.strictEqual(sendFix.isPreferred, true);
      assert.strictEqual(applyTextEdits(MIXED, editsOf(sendFix.edit, uri).edits), MIXED.replace(SEND_BAD, SEND_FIXED));

      // close-by-receiver has no certain fix: no edit, but still ignore and documentation.
      const close = byCode(p, 'close-by-receiver');
      const closeActions = await s.codeActions(uri, close.range, [close]);
      assert.deepStrictEqual(withEdits(closeActions).map((a) => a.title), ['Ignore close-by-receiver on this line']);
      assert.ok(closeActions.some((a) => a.command?.command === 'goroutine-guard.showDocumentation'));

      // Lightbulb requests never carry the fixAll source action.
      assert.ok(!actions.some((a) => a.kind === FIX_ALL));
      await s.close(uri);
    });

    it('gives no edit for a diagnostic from an older document version', async function () {
      const uri = uriOf(dir, 'stale.go');
      await s.open(uri, MIXED, 1);
      const old = byCode(await s.diagnostics(uri, { version: 1 }), 'wg-add-in-goroutine');
      const header = '// Package main shows goroutines.\n';
      await s.change(uri, 2, [{ range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } }, text: header }]);
      const current = byCode(await s.diagnostics(uri, { version: 2 }), 'wg-add-in-goroutine');
      assert.strictEqual(current.range.start.line, old.range.start.line + 1);

      const stale = await s.codeActions(uri, old.range, [old]);
      assert.deepStrictEqual(withEdits(stale), []);

      const fresh = await s.codeActions(uri, current.range, [current]);
      const fix = editsOf(fresh[0].edit, uri);
      assert.strictEqual(fix.version, 2);
      assert.strictEqual(applyTextEdits(header + MIXED, fix.edits), header + MIXED.replace(WG_BAD, WG_FIXED));
      await s.close(uri);
    });

    it('"Ignore on this line" writes a gofmt-shaped directive that suppresses the finding and is not unused', async function () {
      const uri = uriOf(dir, 'ignore.go');
      await s.open(uri, MIXED, 1);
      const wg = byCode(await s.diagnostics(uri, { version: 1 }), 'wg-add-in-goroutine');
      const ignore = (await s.codeActions(uri, wg.range, [wg])).find((a) => a.title === 'Ignore wg-add-in-goroutine on this line');
      const { edits } = editsOf(ignore?.edit, uri);
      const text = applyTextEdits(MIXED, edits);
      assert.strictEqual(text, MIXED.replace('\t\t\twg.Add(1)\n', `\t\t\t//goroutine-guard:ignore wg-add-in-goroutine ${IGNORE_REASON_PLACEHOLDER}\n\t\t\twg.Add(1)\n`));
      await s.change(uri, 2, edits.map(asChange));
      const after = await s.diagnostics(uri, { version: 2 });
      assert.deepStrictEqual(summary(after), ['26:send-without-cancel', '35:close-by-receiver']);
      await s.close(uri);
    });

    it('reports a directive that suppresses nothing as an Unnecessary hint, with a fix removing it', async function () {
      const uri = uriOf(dir, 'unused.go');
      const text = WG_ONLY.replace('\t\tgo func() {\n\t\t\twg.Add(1)\n', '\t\twg.Add(1)\n\t\t//goroutine-guard:ignore wg-add-in-goroutine Add is before go\n\t\tgo func() {\n');
      await s.open(uri, text, 1);
      const p = await s.diagnostics(uri, { version: 1 });
      assert.deepStrictEqual(summary(p), ['8:unused-ignore']);
      const d = p.diagnostics[0];
      assert.strictEqual(d.severity, DiagnosticSeverity.Hint);
      assert.deepStrictEqual(d.tags, [DiagnosticTag.Unnecessary]);
      const actions = await s.codeActions(uri, d.range, [d]);
      assert.ok(!actions.some((a) => /^Ignore /.test(a.title)), 'no "ignore the unused-ignore" action');
      const removal = actions.find((a) => a.isPreferred);
      assert.strictEqual(applyTextEdits(text, editsOf(removal?.edit, uri).edits), text.replace(/\t\t\/\/goroutine-guard:ignore[^\n]*\n/, ''));
      await s.close(uri);
    });

    it('source.fixAll applies the first fix of every finding, versioned', async function () {
      const uri = uriOf(dir121, 'fixall.go');
      await s.open(uri, MIXED, 4);
      const p = await s.diagnostics(uri, { version: 4 });
      // Under go 1.21 the loop capture fix inserts at the same point as the moved wg.Add: both apply.
      assert.deepStrictEqual(summary(p), ['12:wg-add-in-goroutine', '14:loop-var-capture', '25:send-without-cancel', '34:close-by-receiver']);
      const whole = { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } };
      for (const only of [['source.fixAll'], [FIX_ALL], ['source']]) {
        const actions = await s.codeActions(uri, whole, [], only);
        assert.deepStrictEqual(actions.map((a) => a.kind), [FIX_ALL], `only=${only}`);
      }
      const quickOnly = await s.codeActions(uri, whole, p.diagnostics, [CodeActionKind.QuickFix]);
      assert.ok(quickOnly.length > 0 && quickOnly.every((a) => a.kind === CodeActionKind.QuickFix));

      const [fixAll] = await s.codeActions(uri, whole, [], ['source.fixAll']);
      const { edits, version } = editsOf(fixAll.edit, uri);
      assert.strictEqual(version, 4);
      const fixed = applyTextEdits(MIXED, edits);
      assert.strictEqual(fixed, MIXED.replace(WG_BAD, `\t\twg.Add(1)\n\t\tit := it\n\t\tgo func() {\n\t\t\tdefer wg.Done()\n`).replace(SEND_BAD, SEND_FIXED));
      await s.change(uri, 5, [{ text: fixed }]);
      const after = await s.diagnostics(uri, { version: 5 });
      assert.deepStrictEqual(summary(after), ['39:close-by-receiver']);
      assert.deepStrictEqual(await s.codeActions(uri, whole, [], ['source.fixAll']), [], 'nothing left to fix');
      await s.close(uri);
    });

    it('follows incremental changes, including several in one notification, like a fresh open of the same text', async function () {
      const uri = uriOf(dir, 'incremental.go');
      await s.open(uri, MIXED, 1);
      await s.diagnostics(uri, { version: 1 });
      // Delete the wg.Add line inside the goroutine: that finding goes away.
      await s.change(uri, 2, [{ range: { start: { line: 12, character: 0 }, end: { line: 13, character: 0 } }, text: '' }]);
      let p = await s.diagnostics(uri, { version: 2 });
      assert.deepStrictEqual(summary(p), ['24:send-without-cancel', '33:close-by-receiver']);
      // Put it back one character at a time, then (one notification) add a context and rename a variable.
      let version = 2;
      const line = '\t\t\twg.Add(1)\n';
      for (let i = 0; i < line.length; i++) {
        await s.change(uri, ++version, [{ range: { start: { line: 12, character: i }, end: { line: 12, character: i } }, text: line[i] }]);
      }
      p = await s.diagnostics(uri, { version });
      assert.deepStrictEqual(summary(p), ['12:wg-add-in-goroutine', '25:send-without-cancel', '34:close-by-receiver']);
      await s.change(uri, ++version, [
        { range: { start: { line: 8, character: 13 }, end: { line: 8, character: 13 } }, text: 'ctx context.Context, ' },
        { range: { start: { line: 8, character: 0 }, end: { line: 8, character: 0 } }, text: '// process prints items.\n' },
        { range: { start: { line: 35, character: 3 }, end: { line: 35, character: 12 } }, text: 'break' },
      ]);
      p = await s.diagnostics(uri, { version });
      assert.deepStrictEqual(summary(p), ['13:wg-add-in-goroutine', '26:send-without-cancel']);
      const finalText = applyIncremental(MIXED);
      assert.ok(finalText.includes('// process prints items.\nfunc process(ctx context.Context, items [8]string) {\n'));
      assert.ok(finalText.includes('\t\tif v > 3 {\n\t\t\tbreak\n'));
      const fresh = uriOf(dir, 'incremental-fresh.go');
      await s.open(fresh, finalText, 1);
      const q = await s.diagnostics(fresh, { version: 1 });
      assert.deepStrictEqual(p.diagnostics, q.diagnostics);
      await s.close(uri);
      await s.close(fresh);
    });

    it('pulls settings per document and applies changes live: rule off, severity, goVersion, enable', async function () {
      const uri = uriOf(dir, 'settings.go');
      await s.open(uri, MIXED, 1);
      const initial = await s.diagnostics(uri, { version: 1 });
      assert.ok(s.configurationRequests.some((r) => r.items.some((i) => i.scopeUri === uri && i.section === 'goroutineGuard')));
      assert.strictEqual(initial.diagnostics.length, 3);
      try {
        let mark = await setSettings(uri, { rules: { 'wg-add-in-goroutine': 'off', 'send-without-cancel': 'error', 'close-by-receiver': 'information' } });
        let p = await s.diagnostics(uri, { after: mark });
        assert.strictEqual(p.version, 1);
        assert.deepStrictEqual(summary(p), ['25:send-without-cancel', '34:close-by-receiver']);
        assert.strictEqual(byCode(p, 'send-without-cancel').severity, DiagnosticSeverity.Error);
        assert.strictEqual(byCode(p, 'close-by-receiver').severity, DiagnosticSeverity.Information);

        mark = await setSettings(uri, { goVersion: '1.21' });
        p = await s.diagnostics(uri, { after: mark });
        assert.deepStrictEqual(summary(p), ['12:wg-add-in-goroutine', '14:loop-var-capture', '25:send-without-cancel', '34:close-by-receiver']);

        mark = await setSettings(uri, { enable: false, goVersion: '1.21' });
        p = await s.diagnostics(uri, { after: mark });
        assert.deepStrictEqual(p.diagnostics, []);
        const wg = byCode(initial, 'wg-add-in-goroutine');
        assert.deepStrictEqual(await s.codeActions(uri, wg.range, [wg]), [], 'no actions while disabled');

        // A setting for another document leaves this one alone.
        settings.set(uri, {});
        settings.set(uriOf(dir, 'other.go'), { enable: false });
        mark = s.mark();
        await s.configurationChanged();
        p = await s.diagnostics(uri, { after: mark });
        assert.strictEqual(p.diagnostics.length, 3);
      } finally {
        settings.clear();
        await s.configurationChanged();
        await s.close(uri);
      }
    });

    it('run=onSave analyses on open and save only; code actions still follow the current text', async function () {
      const uri = uriOf(dir, 'onsave.go');
      settings.set(uri, { run: 'onSave' });
      try {
        await s.open(uri, MIXED, 1);
        const opened = await s.diagnostics(uri, { version: 1 });
        assert.strictEqual(opened.diagnostics.length, 3);
        const mark = s.mark();
        await s.change(uri, 2, [{ range: { start: { line: 12, character: 0 }, end: { line: 13, character: 0 } }, text: '' }]);
        assert.deepStrictEqual(await s.publishesWithin(uri, mark, 300), [], 'no diagnostics while typing');

        // The old wg diagnostic no longer matches the text: no edit for it.
        const wg = byCode(opened, 'wg-add-in-goroutine');
        assert.deepStrictEqual(withEdits(await s.codeActions(uri, wg.range, [wg])), []);
        // The send finding moved up a line; the fix for its current place carries version 2.
        const send = byCode(opened, 'send-without-cancel');
        const moved = { ...send, range: { start: { line: 24, character: 3 }, end: { line: 24, character: 11 } } };
        const fix = (await s.codeActions(uri, moved.range, [moved]))[0];
        assert.strictEqual(editsOf(fix.edit, uri).version, 2);

        await s.save(uri);
        const saved = await s.diagnostics(uri, { after: mark });
        assert.strictEqual(saved.version, 2);
        assert.deepStrictEqual(summary(saved), ['24:send-without-cancel', '33:close-by-receiver']);
      } finally {
        settings.delete(uri);
        await s.configurationChanged();
        await s.close(uri);
      }
    });

    it('re-reads go.mod on didChangeWatchedFiles: going to go 1.22 clears loop-var-capture', async function () {
      const mod = tmpModule('1.21');
      try {
        const uri = uriOf(mod, 'loop.go');
        await s.open(uri, LOOP, 1);
        let p = await s.diagnostics(uri, { version: 1 });
        assert.deepStrictEqual(summary(p), ['13:loop-var-capture']);
        fs.writeFileSync(path.join(mod, 'go.mod'), 'module example.com/m\n\ngo 1.22\n');
        const mark = s.mark();
        await s.watchedFileChanged(uriOf(mod, 'go.mod'));
        p = await s.diagnostics(uri, { after: mark });
        assert.deepStrictEqual(p.diagnostics, []);
        await s.close(uri);
      } finally {
        fs.rmSync(mod, { recursive: true, force: true });
      }
    });

    it('reports intact functions of a file with syntax errors', async function () {
      const uri = uriOf(dir, 'broken.go');
      const text = WG_ONLY.replace('func process', 'func broken( {\n\tx :=\n}\n\nfunc process');
      await s.open(uri, text, 1);
      const p = await s.diagnostics(uri, { version: 1 });
      assert.deepStrictEqual(summary(p), ['12:wg-add-in-goroutine']);
      await s.close(uri);
    });

    it('handles an empty file and clears diagnostics on close', async function () {
      const empty = uriOf(dir, 'empty.go');
      await s.open(empty, '', 1);
      assert.deepStrictEqual((await s.diagnostics(empty, { version: 1 })).diagnostics, []);
      await s.change(empty, 2, [{ range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } }, text: WG_ONLY }]);
      assert.deepStrictEqual(summary(await s.diagnostics(empty, { version: 2 })), ['8:wg-add-in-goroutine']);
      const mark = s.mark();
      await s.close(empty);
      const cleared = await s.diagnostics(empty, { after: mark });
      assert.deepStrictEqual(cleared.diagnostics, []);
      const range = { start: { line: 8, character: 3 }, end: { line: 8, character: 12 } };
      assert.deepStrictEqual(await s.codeActions(empty, range, [{ range, message: 'x', source: SOURCE, code: 'wg-add-in-goroutine' }]), []);
    });

    it('survives binary garbage and a large generated file, and keeps serving', async function () {
      this.timeout(120000);
      let seed = 42;
      const rand = () => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff);
      let garbage = '';
      for (let i = 0; i < 20000; i++) garbage += String.fromCharCode(Math.floor(rand() * 256));
      garbage += '\u0000\uffff\ud800 func go { <- chan ( close(';
      const junk = uriOf(dir, 'junk.go');
      await s.open(junk, garbage, 1);
      const j = await s.diagnostics(junk, { version: 1 });
      assert.ok(Array.isArray(j.diagnostics));
      await s.change(junk, 2, [{ range: { start: { line: 0, character: 5 }, end: { line: 3, character: 0 } }, text: '\ud83d' }]);
      await s.diagnostics(junk, { version: 2 });
      await s.close(junk);

      // ~3 MB: a generated table, many small functions and one real finding at the end.
      const parts = ['package main\n\nimport "sync"\n\n// Code generated by gen.go. DO NOT EDIT.\n\nvar table = []uint32{\n'];
      for (let i = 0; i < 45000; i++) parts.push(`\t0x${((i * 2654435761) >>> 0).toString(16).padStart(8, '0')}, 0x${((i * 40503) >>> 0).toString(16).padStart(8, '0')}, 0x${((i * 7) >>> 0).toString(16).padStart(8, '0')},\n`);
      parts.push('}\n\n');
      for (let k = 0; k < 3000; k++) parts.push(`func lookup${k}(x uint32) uint32 {\n\tif int(x) < len(table) {\n\t\treturn table[x] + ${k}\n\t}\n\treturn 0\n}\n\n`);
      const prefix = parts.join('');
      const big = uriOf(dir, 'big.go');
      await s.open(big, prefix + WG_ONLY.slice(WG_ONLY.indexOf('func process')), 1);
      const b = await s.diagnostics(big, { version: 1 });
      const line = new SourceText(prefix).lineCount - 1;
      assert.deepStrictEqual(summary(b), [`${line + 4}:wg-add-in-goroutine`]);
      await s.close(big);

      const after = uriOf(dir, 'after.go');
      await s.open(after, WG_ONLY, 1);
      assert.deepStrictEqual(summary(await s.diagnostics(after, { version: 1 })), ['8:wg-add-in-goroutine']);
      await s.close(after);
      assert.ok(s.alive);
    });

    it('"Show documentation" opens the rule page with window/showDocument', async function () {
      const before = s.shownDocuments.length;
      await s.executeCommand('goroutine-guard.showDocumentation', ['send-without-cancel']);
      const shown = await s.waitFor('showDocument', () => s.shownDocuments[before]);
      assert.strictEqual(path.basename(fileURLToPath(shown.uri)), 'send-without-cancel.md');
      assert.ok(fs.existsSync(fileURLToPath(shown.uri)));
      assert.strictEqual(shown.takeFocus, true);
    });
  });

  describe('with a plain client (no workspace/configuration, no versioned edits)', function () {
    let s: LspSession;
    let dir: string;

    before(async function () {
      dir = tmpModule('1.22');
      s = await LspSession.start({
        capabilities: { textDocument: { codeAction: { codeActionLiteralSupport: { codeActionKind: { valueSet: [CodeActionKind.QuickFix] } } } } },
        initializationOptions: { rules: { 'send-without-cancel': 'off', 'wg-add-in-goroutine': 'hint' } },
      });
    });

    after(async function () {
      if (s) await s.shutdown();
      fs.rmSync(dir, { recursive: true, force: true });
    });

    it('reads settings from initializationOptions and from pushed configuration', async function () {
      const uri = uriOf(dir, 'plain.go');
      await s.open(uri, MIXED, 1);
      const p = await s.diagnostics(uri, { version: 1 });
      assert.deepStrictEqual(summary(p), ['12:wg-add-in-goroutine', '34:close-by-receiver']);
      assert.strictEqual(byCode(p, 'wg-add-in-goroutine').severity, DiagnosticSeverity.Hint);
      assert.deepStrictEqual(s.configurationRequests, []);
      assert.deepStrictEqual(s.registrations, [], 'no dynamic registration without client support');

      const mark = s.mark();
      await s.configurationChanged({ goroutineGuard: { goVersion: '1.21' } });
      const q = await s.diagnostics(uri, { after: mark });
      assert.deepStrictEqual(summary(q), ['12:wg-add-in-goroutine', '14:loop-var-capture', '25:send-without-cancel', '34:close-by-receiver']);
      await s.close(uri);
    });

    it('falls back to unversioned edits and offers no pattern command', async function () {
      const uri = uriOf(dir, 'plain-actions.go');
      await s.open(uri, WG_ONLY, 1);
      const p = await s.diagnostics(uri, { version: 1 });
      const d = byCode(p, 'wg-add-in-goroutine');
      const actions = await s.codeActions(uri, d.range, [d]);
      assert.ok(!actions.some((a) => a.command?.command === 'goroutineGuard.insertPattern'));
      const { edits, version } = editsOf(actions[0].edit, uri);
      assert.strictEqual(version, null);
      assert.strictEqual(applyTextEdits(WG_ONLY, edits), WG_ONLY.replace('\t\tgo func() {\n\t\t\twg.Add(1)\n', '\t\twg.Add(1)\n\t\tgo func() {\n'));
      // Without window/showDocument the documentation command answers with a message.
      const before = s.messages.length;
      await s.executeCommand('goroutine-guard.showDocumentation', ['wg-add-in-goroutine']);
      const msg = await s.waitFor('showMessage', () => s.messages.slice(before).find((m) => m.startsWith('wg-add-in-goroutine')));
      assert.match(msg, /wg-add-in-goroutine\.md/);
      await s.close(uri);
    });

    it('exits with 0 after shutdown and exit', async function () {
      assert.strictEqual(await s.shutdown(), 0);
    });
  });

  it('exits with 1 on exit without shutdown', async function () {
    const s = await LspSession.start();
    await s.conn.sendNotification('exit');
    await s.waitFor('exit', () => (s.alive ? undefined : true));
    assert.strictEqual(s.exitCode, 1);
    s.conn.dispose();
  });
});

describe('VS Code client bundle', function () {
  it('loads with only the vscode API external and exports activate/deactivate', function () {
    // No VS Code here: a stand-in where every member is callable and constructible is enough to load it.
    const stub = (): unknown => new Proxy(function () {}, { get: (t, k) => (k === 'prototype' ? t.prototype : k === 'then' || typeof k === 'symbol' ? undefined : stub()), construct: () => ({}), apply: () => stub() });
    const Module = require('module') as { _load: (req: string, ...rest: unknown[]) => unknown };
    const load = Module._load;
    Module._load = function (this: unknown, req: string, ...rest: unknown[]) {
      return req === 'vscode' ? stub() : load.call(this, req, ...rest);
    };
    try {
      const bundle = path.join(ROOT, 'dist', 'client.js');
      delete require.cache[bundle];
      const client = require(bundle) as Record<string, unknown>;
      assert.strictEqual(typeof client.activate, 'function');
      assert.strictEqual(typeof client.deactivate, 'function');
    } finally {
      Module._load = load;
    }
  });
});

describe('ignore directive edits', function () {
  before(() => initParser());

  it('adds the rule to an ignore directive alone on the line above instead of unhooking it', function () {
    const text = WG_ONLY.replace('\t\t\twg.Add(1)\n', '\t\t\t//goroutine-guard:ignore close-by-receiver reviewed\n\t\t\twg.Add(1)\n');
    const src = new SourceText(text);
    const e = ignoreEdit(src, 9, 'wg-add-in-goroutine');
    const fixed = applyTextEdits(text, [e]);
    assert.ok(fixed.includes('\t\t\t//goroutine-guard:ignore close-by-receiver,wg-add-in-goroutine reviewed\n\t\t\twg.Add(1)\n'));
    assert.deepStrictEqual(analyzeText(fixed).map((f) => f.rule), ['unused-ignore'], 'wg suppressed; only the unused close-by-receiver id is left');
  });

  it('keeps CRLF line endings and uses the spaced form at column 0 (gofmt would rewrite a doc comment)', function () {
    const crlf = WG_ONLY.replace(/\n/g, '\r\n');
    const e = ignoreEdit(new SourceText(crlf), 8, 'wg-add-in-goroutine');
    assert.strictEqual(e.newText, `\t\t\t//goroutine-guard:ignore wg-add-in-goroutine ${IGNORE_REASON_PLACEHOLDER}\r\n`);
    const top = ignoreEdit(new SourceText(WG_ONLY), 4, 'wg-add-in-goroutine');
    assert.strictEqual(top.newText, `// goroutine-guard:ignore wg-add-in-goroutine ${IGNORE_REASON_PLACEHOLDER}\n`);
  });

  it('produces gofmt-clean code inside and outside functions', function () {
    const go = requireGo(this);
    for (const line of [4, 8]) {
      const fixed = applyTextEdits(WG_ONLY, [ignoreEdit(new SourceText(WG_ONLY), line, 'wg-add-in-goroutine')]);
      assert.strictEqual(gofmt(go, fixed), fixed, `line ${line}`);
    }
  });
});

/** The edits of the incremental test above, applied to the original text. */
function applyIncremental(text: string): string {
  const edits: { line: number; character: number; endLine: number; endCharacter: number; text: string }[][] = [
    [{ line: 12, character: 0, endLine: 13, endCharacter: 0, text: '' }],
    [{ line: 12, character: 0, endLine: 12, endCharacter: 0, text: '\t\t\twg.Add(1)\n' }],
    [
      { line: 8, character: 13, endLine: 8, endCharacter: 13, text: 'ctx context.Context, ' },
      { line: 8, character: 0, endLine: 8, endCharacter: 0, text: '// process prints items.\n' },
      { line: 35, character: 3, endLine: 35, endCharacter: 12, text: 'break' },
    ],
  ];
  for (const group of edits)
    for (const e of group) text = applyTextEdits(text, [{ range: { start: { line: e.line, character: e.character }, end: { line: e.endLine, character: e.endCharacter } }, newText: e.text }]);
  return text;
}
