// The black-box UI test: the packaged .vsix, installed the way a user installs it
// (code-server --install-extension), driven through the real workbench with keyboard and DOM selectors.
// Screenshots go to artifacts/ui/.
import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import type { BrowserContext, Page } from 'playwright-core';
import { ARTIFACTS, CodeServer, installVsix, launchChromium, makeRunDir, removeRunDir, saveLogs, startCodeServer, WORKSPACE_FIXTURE } from './harness';
import { RULE_CASES } from './suite/cases';
import type { SuiteResults } from './suite/index';

const CASE = RULE_CASES.find((c) => c.rule === 'wg-add-in-goroutine')!;
const FILE = CASE.file;
const FIX_TITLE = CASE.fix!;
const [LINE, COL] = CASE.range.split('-')[0].split(':');
const SNIPPET_FILE = 'snip.go';
const SNIPPET_START = 'package main\n\nimport "sync"\n\nfunc main() {\n\t\n}\n';

async function waitForFile(file: string, pred: (text: string) => boolean, what: string, timeoutMs = 15_000): Promise<string> {
  const end = Date.now() + timeoutMs;
  let text = '';
  while (Date.now() < end) {
    text = fs.readFileSync(file, 'utf8');
    if (pred(text)) return text;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`timed out waiting for ${what}; the file on disk is:\n${text}`);
}

/** Ctrl+. on the finding under the caret; retried, since a key pressed while a widget closes can be lost. */
async function openQuickFixMenu(page: Page): Promise<void> {
  const rows = page.locator('.action-widget .monaco-list-row.action');
  for (let attempt = 1; ; attempt++) {
    await page.locator('.editor-instance .view-lines').first().click();
    // F8 moves the caret onto the next problem; its peek widget is closed before asking for actions.
    await page.keyboard.press('F8');
    await page.locator('.marker-widget').first().waitFor();
    await page.keyboard.press('Escape');
    await page.locator('.marker-widget').first().waitFor({ state: 'hidden' });
    await page.keyboard.press('Control+.');
    try {
      await rows.first().waitFor({ timeout: 10_000 });
      return;
    } catch (err) {
      if (attempt === 3) throw err;
      await page.keyboard.press('Escape');
    }
  }
}

async function openFile(page: Page, name: string, marker: string): Promise<void> {
  await page.keyboard.press('Control+P');
  await page.locator('.quick-input-widget input').fill(name);
  await page.locator('.quick-input-list .monaco-list-row', { hasText: path.basename(name) }).first().waitFor();
  await page.keyboard.press('Enter');
  await page.locator('.editor-instance .view-lines', { hasText: marker }).waitFor();
}

export async function runUiTest(vsix: string): Promise<SuiteResults> {
  const t0 = Date.now();
  const run = makeRunDir('ui');
  const shots = path.join(ARTIFACTS, 'ui');
  fs.rmSync(shots, { recursive: true, force: true });
  fs.mkdirSync(shots, { recursive: true });
  const ws = path.join(run, 'ws');
  fs.cpSync(WORKSPACE_FIXTURE, ws, { recursive: true });
  fs.writeFileSync(path.join(ws, SNIPPET_FILE), SNIPPET_START);
  const results: SuiteResults = { passed: [], failed: [], metrics: {} };
  const steps: [string, (page: Page) => Promise<void>][] = [];
  const step = (title: string, fn: (page: Page) => Promise<void>) => steps.push([title, fn]);

  step('the workbench opens the workspace', async (page) => {
    await page.locator('.monaco-workbench').waitFor({ timeout: 60_000 });
    await page.locator('.explorer-folders-view .monaco-list-row', { hasText: 'go.mod' }).waitFor({ timeout: 60_000 });
  });

  step('a squiggle marks the finding', async (page) => {
    await openFile(page, FILE, 'package rules');
    await page.locator('.editor-instance .squiggly-warning').first().waitFor({ timeout: 60_000 });
    const label = await page.locator('[id="status.problems"]').first().getAttribute('aria-label');
    assert.match(label ?? '', /Warnings: 1\b/, `status bar: ${label}`);
  });

  step('Ctrl+. on the finding shows the quick fix first', async (page) => {
    // The code and the menu are what the screenshot (the README's) is about: hide the side bar.
    await page.keyboard.press('Control+B');
    await page.locator('.part.sidebar').waitFor({ state: 'hidden' });
    await openQuickFixMenu(page);
    const rows = page.locator('.action-widget .monaco-list-row.action');
    await page.screenshot({ path: path.join(shots, 'quickfix.png') });
    const titles = (await rows.allInnerTexts()).map((t) => t.trim());
    assert.strictEqual(titles[0], FIX_TITLE, `menu: ${titles.join(' | ')}`);
    assert.ok(titles.includes('Ignore wg-add-in-goroutine on this line'), `menu: ${titles.join(' | ')}`);
    await page.keyboard.press('Escape');
  });

  step('the Problems panel lists the finding with its code', async (page) => {
    await page.keyboard.press('Control+Shift+M');
    const row = page.locator('.markers-panel .monaco-list-row', { hasText: CASE.rule });
    await row.first().waitFor();
    const text = (await row.first().innerText()).replace(/\s+/g, ' ');
    // The source, then the code (a link to the rule's page when it has one).
    assert.match(text, new RegExp(`goroutine-guard\\W+${CASE.rule}\\b`), text);
    assert.ok(text.includes(`[Ln ${LINE}, Col ${COL}]`), text);
    await page.screenshot({ path: path.join(shots, 'problems.png') });
  });

  step('applying the quick fix changes the file on disk and clears the squiggle', async (page) => {
    await openQuickFixMenu(page);
    await page.locator('.action-widget .monaco-list-row.action', { hasText: FIX_TITLE }).first().click();
    await page.keyboard.press('Control+S');
    const golden = fs.readFileSync(path.join(WORKSPACE_FIXTURE, `${FILE}.golden`), 'utf8');
    await waitForFile(path.join(ws, FILE), (t) => t === golden, 'the fixed file');
    await page.locator('.editor-instance .squiggly-warning').first().waitFor({ state: 'detached' });
    await page.screenshot({ path: path.join(shots, 'fixed.png') });
  });

  step('typing a snippet prefix shows the pattern in the suggest widget', async (page) => {
    await openFile(page, SNIPPET_FILE, 'func main()');
    await page.keyboard.press('Control+G');
    await page.locator('.quick-input-widget input').fill(':6');
    await page.keyboard.press('Enter');
    await page.keyboard.press('End');
    await page.keyboard.type('waitgroup', { delay: 40 });
    const row = page.locator('.suggest-widget.visible .monaco-list-row', { hasText: 'waitgroup' });
    await row.first().waitFor();
    await page.screenshot({ path: path.join(shots, 'suggest.png') });
    await page.keyboard.press('Enter');
    await page.keyboard.press('Escape');
    await page.keyboard.press('Control+S');
    const text = await waitForFile(path.join(ws, SNIPPET_FILE), (t) => t.includes('sync.WaitGroup'), 'the snippet to be saved');
    assert.ok(text.includes('\tvar wg sync.WaitGroup\n\tfor i := 0; i < 4; i++ {\n\t\twg.Add(1)'), text);
    assert.ok(!text.includes('waitgroup'), 'the prefix was replaced');
  });

  let cs: CodeServer | undefined;
  let browser: BrowserContext | undefined;
  let failed = false;
  try {
    console.log(`[ui] ${installVsix(run, vsix).trim().split('\n').pop()}`);
    // The expected files are for the checks, not for the screenshots.
    cs = await startCodeServer(run, { 'files.exclude': { '**/*.golden': true } });
    browser = await launchChromium(run);
    const page = browser.pages()[0] ?? (await browser.newPage());
    await page.goto(`${cs.base}/?folder=${encodeURIComponent(ws)}`);
    for (const [title, fn] of steps) {
      if (failed) {
        results.failed.push({ title: `ui: ${title}`, error: 'not run: an earlier step failed' });
        continue;
      }
      try {
        await fn(page);
        results.passed.push(`ui: ${title}`);
        console.log(`  ✔ ${title} (+${((Date.now() - t0) / 1000).toFixed(1)} s)`);
      } catch (err) {
        failed = true;
        results.failed.push({ title: `ui: ${title}`, error: String((err as Error)?.stack ?? err) });
        console.log(`  ✘ ${title}: ${(err as Error)?.message ?? err}`);
        await page.screenshot({ path: path.join(shots, 'failure.png') }).catch(() => undefined);
      }
    }
  } catch (err) {
    failed = true;
    results.failed.push({ title: 'ui: start', error: String((err as Error)?.stack ?? err) });
  } finally {
    await browser?.close().catch(() => undefined);
    await cs?.stop();
    if (failed) console.log(`[ui] logs in ${saveLogs(run, 'ui')}`);
    removeRunDir(run);
    console.log(`[ui] ${results.passed.length} passed, ${results.failed.length} failed, ${((Date.now() - t0) / 1000).toFixed(1)} s; screenshots in ${shots}`);
  }
  return results;
}
