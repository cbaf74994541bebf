/**
 * The conversation viewer in a real browser: headless Chromium (Debian's package, driven by
 * playwright-core) against `pnpm dev`'s stack started in process, after real questions asked
 * through its webhook and Slack channels. Lists, filters, opens a conversation, expands a SQL
 * step, probes for XSS, draws the overview and saves a screenshot of each page.
 * With CI=true these run always; elsewhere they skip, saying how to enable them.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { type RevbotLocal, startRevbotLocal } from '@revbot/cli';
import {
  CHROMIUM_MISSING,
  chromiumInstalled,
  type HeadlessChromium,
  launchChromium,
} from '@revbot/testing/headless-chromium';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OVERVIEW_CHARTS } from '../../cli/src/viewer/overview-page';
import { runCli } from '../../cli/tests/support/run-cli';

const XSS = `<script>alert("xss")</script><img src=x onerror="alert('img')"> <@U0BOSS> *not bold*`;
const runInBrowser = process.env.CI === 'true' || chromiumInstalled();
if (!runInBrowser) console.warn(CHROMIUM_MISSING);

describe.runIf(runInBrowser)('the conversation viewer in headless Chromium', () => {
  let stack: RevbotLocal;
  let dataDir: string;
  let shots: string;
  let browser: HeadlessChromium;
  let page: Page;
  const dialogs: string[] = [];

  const ask = (query: string, source: string) =>
    fetch(`${stack.url}/webhook`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-api-key': 'e2e-key' },
      body: JSON.stringify({ query, source_system: source }),
    }).then((response) => expect(response.status).toBe(202));

  beforeAll(async () => {
    dataDir = mkdtempSync(path.join(tmpdir(), 'revbot-viewer-e2e-'));
    shots = mkdtempSync(path.join(tmpdir(), 'revbot-viewer-shots-'));
    stack = await startRevbotLocal({
      PORT: '0',
      REVBOT_DATA_DIR: dataDir,
      REVBOT_API_KEYS: 'e2e-key',
      REVBOT_DATA_AS_OF: '2026-11-23',
    });
    await ask("What's the status of the IXIS deal?", 'crm');
    await ask('What is our pipeline this quarter?', 'crm');
    await ask(XSS, 'probe');
    const sent = await runCli(
      ['slack', 'Which deals are at risk this quarter?', '--url', stack.url, '--user', 'U0VIEWER'],
      { env: {} },
    );
    expect(sent.code).toBe(0);
    await stack.server.drained(60_000);
    browser = await launchChromium();
    page = await browser.context.newPage();
    page.on('dialog', (dialog) => {
      dialogs.push(dialog.message());
      void dialog.dismiss();
    });
  }, 120_000);
  afterAll(async () => {
    await browser?.close();
    await stack?.close();
    rmSync(dataDir, { recursive: true, force: true });
    rmSync(shots, { recursive: true, force: true });
  });

  const records = () =>
    readdirSync(dataDir, { recursive: true, encoding: 'utf8' })
      .filter((file) => file.endsWith('conversation.json'))
      .map(
        (file) =>
          JSON.parse(readFileSync(path.join(dataDir, file), 'utf8')) as {
            user_query: string;
            final_response: { text: string | null };
          },
      );
  const rows = () => page.locator('table.conversations tbody tr td time');
  const screenshot = async (name: string) => {
    const file = path.join(shots, `${name}.png`);
    await page.screenshot({ path: file, fullPage: true });
    expect(statSync(file).size).toBeGreaterThan(10_000);
  };

  it('lists every question asked, newest first', async () => {
    await page.goto(stack.viewerUrl);
    await expect.poll(() => page.getAttribute('html', 'data-ready')).toBe('true');
    expect(await page.locator('h1').textContent()).toBe('Conversations');
    expect(await rows().count()).toBe(4);
    expect(await page.locator('#result-count').textContent()).toBe('4 conversations');
    await screenshot('list');
  });

  it('filters by channel from its menu and by text from the search box', async () => {
    await page.goto(stack.viewerUrl);
    await page.getByLabel('Channel').selectOption('slack');
    await page.waitForURL(/channel=slack/);
    expect(await rows().count()).toBe(1);
    expect(await page.locator('td.question').textContent()).toBe(
      'Which deals are at risk this quarter?',
    );

    // The search looks through questions and answers: the expected rows, read from the records.
    const expected = records()
      .filter((r) => `${r.user_query}\n${r.final_response.text}`.toLowerCase().includes('ixis'))
      .map((r) => r.user_query)
      .sort();
    expect(expected.length).toBeGreaterThan(0);
    await page.goto(stack.viewerUrl);
    await page.keyboard.press('/');
    await page.keyboard.type('IXIS');
    await page.keyboard.press('Enter');
    await page.waitForURL(/q=IXIS/);
    expect((await page.locator('td.question').allTextContents()).sort()).toEqual(expected);
  });

  it('opens a conversation and expands a SQL step to the query sent and the rows returned', async () => {
    await page.goto(stack.viewerUrl);
    await page.getByRole('link', { name: 'What is our pipeline this quarter?' }).click();
    await page.waitForURL(/\/conversations\/c\//);
    expect(await page.locator('.question-text').textContent()).toBe(
      'What is our pipeline this quarter?',
    );
    expect(await page.locator('.slack b').first().textContent()).toMatch(/pipeline/i);

    const sqlStep = page.locator('li.row[data-kind="tool"]').first();
    const sql = sqlStep.locator('pre.sql').first();
    expect(await sql.isVisible()).toBe(false);
    await sqlStep.locator('summary').focus();
    await page.keyboard.press('Enter');
    expect(await sql.isVisible()).toBe(true);
    expect(await sql.textContent()).toMatch(/^\s*SELECT\b/i);
    expect(await sqlStep.locator('table.rows caption').textContent()).toMatch(
      /^\d+ rows? returned$/,
    );

    await page.getByRole('button', { name: 'Expand all' }).click();
    const open = await page.locator('.waterfall details[open]').count();
    expect(open).toBe(await page.locator('.waterfall details').count());
    await screenshot('conversation');
  });

  it('shows a question holding HTML and Slack markup as text, and no script runs', async () => {
    await page.goto(`${stack.viewerUrl}?q=xss`);
    expect(await page.locator('td.question').textContent()).toBe(XSS);
    await page.locator('td.question a').click();
    await page.waitForURL(/\/conversations\/c\//);
    expect(await page.locator('.question-text').textContent()).toBe(XSS);
    expect(await page.locator('main img').count()).toBe(0);
    expect(await page.locator('main script').count()).toBe(0);
    expect(await page.title()).toContain('<script>');
    expect(dialogs).toEqual([]);
    await screenshot('xss-probe');
  });

  it('draws the overview charts from the records', async () => {
    await page.goto(`${stack.viewerUrl}/overview`);
    expect(await page.locator('h1').textContent()).toBe('Overview');
    for (const id of OVERVIEW_CHARTS) {
      expect(await page.locator(`#${id} svg`).isVisible()).toBe(true);
    }
    // One day of conversations: one bar holding all four.
    expect(await page.locator('#chart-per-day rect.s-count').count()).toBe(1);
    expect(await page.locator('#chart-per-day rect.s-count title').textContent()).toMatch(/: 4$/);
    expect(await page.locator('#chart-agents rect').count()).toBeGreaterThan(0);
    expect(await page.locator('table.sql-patterns tbody tr').count()).toBeGreaterThan(0);
    await screenshot('overview');
    expect(dialogs).toEqual([]);
  });
});
