// The search page at / and the GraphQL IDE at /graphql, driven in headless Chromium
// (Debian's package; .ci/run installs it) through playwright-core, against `headlines start`
// on the demo corpus with no network beyond this server. Screenshots go to test/artifacts/.
import assert from 'node:assert/strict';
import { execFileSync, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { ROOT, spawnCli } from './support/run-cli.ts';

// Page functions run in the browser; this file is type-checked without the DOM library.
declare const document: any;
declare const window: any;

const CHROMIUM = '/usr/bin/chromium';
const ARTIFACTS = path.join(ROOT, 'test/artifacts');
const skip = fs.existsSync(CHROMIUM) ? false : `${CHROMIUM} is missing (apt-get install chromium)`;

describe('search page in Chromium', { skip }, () => {
  let child: ChildProcess | undefined;
  let browser: BrowserContext | undefined;
  let url = '';
  let dataDir = '';
  /** Requests the pages made to any other host: there must be none. */
  const foreign: string[] = [];

  before(async () => {
    // The page as the sources are now, not as some earlier build left it.
    execFileSync(process.execPath, ['--import', 'tsx', 'scripts/build-web.ts'], { cwd: ROOT, stdio: 'pipe' });
    fs.mkdirSync(ARTIFACTS, { recursive: true });
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'hs-page-'));
    child = spawnCli(['start'], { DATA_DIR: dataDir, PORT: '0', EMBEDDED_DB_PORT: '0', EMBED_MODEL: 'hash', LOG_LEVEL: 'info' });
    let log = '';
    child.stderr!.on('data', (d: Buffer) => (log += d.toString()));
    const deadline = Date.now() + 180_000;
    while (!/localhost:(\d+)\/graphql/.test(log)) {
      if (Date.now() > deadline || child.exitCode !== null) throw new Error(`start did not serve:\n${log.slice(-2000)}`);
      await new Promise((r) => setTimeout(r, 100));
    }
    url = `http://127.0.0.1:${/localhost:(\d+)\/graphql/.exec(log)![1]}`;
    while ((await fetch(`${url}/readyz`).then((r) => r.status, () => 0)) !== 200) {
      if (Date.now() > deadline) throw new Error(`start never became ready:\n${log.slice(-2000)}`);
      await new Promise((r) => setTimeout(r, 200));
    }
    // A fresh profile every run: nothing cached from an earlier one.
    browser = await chromium.launchPersistentContext(fs.mkdtempSync(path.join(os.tmpdir(), 'hs-chromium-')), {
      executablePath: CHROMIUM,
      headless: true,
      args: ['--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    });
    // Only this server may be reached; anything else is recorded and refused.
    await browser.route('**/*', (route) => {
      const target = route.request().url();
      if (target.startsWith(url)) return route.continue();
      foreign.push(target);
      return route.abort();
    });
  });

  after(async () => {
    await browser?.close();
    if (child && child.exitCode === null) {
      child.kill('SIGTERM');
      await new Promise((r) => child!.once('exit', r));
    }
    if (dataDir) fs.rmSync(dataDir, { recursive: true, force: true });
  });

  async function openPage(width = 1000): Promise<{ page: Page; graphqlRequests: () => number }> {
    const page = await browser!.newPage();
    await page.setViewportSize({ width, height: 900 });
    let requests = 0;
    page.on('request', (request) => {
      if (request.url().endsWith('/graphql') && request.method() === 'POST') requests++;
    });
    await page.goto(`${url}/`);
    return { page, graphqlRequests: () => requests };
  }

  const resultTexts = (page: Page) => page.locator('#results > li .text').allTextContents();
  const resultDates = (page: Page) => page.locator('#results > li time').allTextContents();

  test('type, page, choose a year, more like this, an API error shown as a message; nothing from other hosts', async () => {
    const { page, graphqlRequests } = await openPage();
    const query = 'drought hits farmers';
    await page.getByRole('combobox', { name: 'Search headlines' }).pressSequentially(query, { delay: 40 });
    await page.locator('#results > li').first().waitFor();
    await page.locator('#timeline svg .bar').first().waitFor();
    assert.ok(graphqlRequests() < query.length / 2, `search-as-you-type is debounced: ${graphqlRequests()} requests for ${query.length} keystrokes`);
    assert.equal(await page.locator('#results > li').count(), 10);
    assert.ok((await page.locator('#results mark').allTextContents()).some((m) => ['drought', 'farmers'].includes(m.toLowerCase())), 'matched words are highlighted');
    assert.match((await page.locator('#results > li .meta').first().textContent())!, /\d{4}-\d{2}-\d{2}.*similarity 0\.\d{3}/);
    await page.screenshot({ path: path.join(ARTIFACTS, 'search.png'), fullPage: true });

    const firstPage = await resultTexts(page);
    await page.getByRole('button', { name: 'More results' }).click();
    await page.waitForFunction(() => document.querySelectorAll('#results > li').length === 20);
    const twoPages = await resultTexts(page);
    assert.deepEqual(twoPages.slice(0, 10), firstPage);
    assert.equal(new Set(twoPages).size, 20, 'the second page continues the first, no repeats');

    // The year with most matches: its bar filters the results to it.
    const bars = page.locator('#timeline .bar');
    const labels = await bars.evaluateAll((gs) => gs.map((g) => g.getAttribute('aria-label') ?? ''));
    const counts = labels.map((l) => Number(/: (\d+) matches/.exec(l)?.[1] ?? 0));
    const busiest = counts.indexOf(Math.max(...counts));
    const year = labels[busiest]!.slice(0, 4);
    await bars.nth(busiest).click();
    await page.waitForFunction((y) => document.querySelector('#status')?.textContent?.includes(`from ${y}`), year);
    const dates = await resultDates(page);
    assert.ok(dates.length > 0 && dates.every((d) => d.startsWith(year)), `results from ${year} only: ${dates.join(', ')}`);
    assert.equal(await bars.nth(busiest).getAttribute('aria-pressed'), 'true');
    await page.screenshot({ path: path.join(ARTIFACTS, 'timeline-year.png'), fullPage: true });
    await page.getByLabel("Share of the year's headlines").check();
    assert.match((await page.locator('#timeline .bar').nth(busiest).getAttribute('aria-label'))!, /% of the year's headlines/);

    const seed = (await resultTexts(page))[0]!;
    await page.locator('#results > li').first().getByRole('button', { name: /^More like this/ }).click();
    await page.waitForFunction((t) => document.querySelector('#status')?.textContent?.includes(`like “${t}”`), seed);
    const similar = await resultTexts(page);
    assert.ok(similar.length > 0 && !similar.includes(seed), 'neighbours of the headline, itself excluded');
    await page.screenshot({ path: path.join(ARTIFACTS, 'more-like-this.png'), fullPage: true });

    await page.getByLabel('From', { exact: true }).fill('2015-01-01');
    await page.getByLabel('To', { exact: true }).fill('2010-12-31');
    await page.getByLabel('To', { exact: true }).dispatchEvent('change');
    const alert = page.getByRole('alert');
    await alert.waitFor();
    assert.match((await alert.textContent())!, /`filter\.from` \(2015-01-01\) is after `filter\.to` \(2010-12-31\)/);
    await page.screenshot({ path: path.join(ARTIFACTS, 'api-error.png'), fullPage: true });
    await page.close();
    assert.deepEqual(foreign, []);
  });

  test('keyboard only, at phone width: the search box, a timeline bar by Enter, no sideways scrolling', async () => {
    const { page } = await openPage(375);
    await page.keyboard.type('bushfire threatens homes');
    await page.locator('#results > li').first().waitFor();
    const bar = page.locator('#timeline .bar').first();
    await bar.focus();
    await page.keyboard.press('Enter');
    await page.waitForFunction(() => document.querySelector('#timeline .bar')?.getAttribute('aria-pressed') === 'true');
    assert.ok(await page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth), 'no horizontal overflow at 375 px');
    await page.screenshot({ path: path.join(ARTIFACTS, 'phone.png'), fullPage: true });
    await page.close();
    assert.deepEqual(foreign, []);
  });

  test('suggestions as you type: arrow keys move, Enter takes one, Escape closes; a misspelling says what was searched', async () => {
    const { page } = await openPage();
    const box = page.getByRole('combobox', { name: 'Search headlines' });
    const list = page.getByRole('listbox', { name: 'Suggestions' });
    const options = list.getByRole('option');
    const optionTexts = () => options.evaluateAll((os) => os.map((o) => o.firstChild?.textContent ?? ''));
    await box.pressSequentially('prime mi', { delay: 40 });
    await options.first().waitFor();
    const texts = await optionTexts();
    assert.ok(texts.includes('prime minister'), texts.join(', '));
    assert.ok(texts.every((t) => t.startsWith('prime mi')), texts.join(', '));
    assert.equal(await box.getAttribute('aria-expanded'), 'true');
    assert.match((await options.first().textContent())!, /\d+ headlines?$/);

    await page.keyboard.press('ArrowDown');
    assert.equal(await box.getAttribute('aria-activedescendant'), 'suggestions-0');
    assert.equal(await options.first().getAttribute('aria-selected'), 'true');
    // Up from the first option is the box itself again, then the last option.
    await page.keyboard.press('ArrowUp');
    assert.equal(await box.getAttribute('aria-activedescendant'), null);
    await page.keyboard.press('ArrowUp');
    assert.equal(await options.last().getAttribute('aria-selected'), 'true');
    await page.keyboard.press('ArrowDown');
    await page.keyboard.press('ArrowDown');
    await page.screenshot({ path: path.join(ARTIFACTS, 'suggestions.png'), fullPage: true });
    await page.keyboard.press('Enter');
    assert.equal(await box.inputValue(), texts[0]);
    await list.waitFor({ state: 'hidden' });
    await page.waitForFunction(() => document.querySelector('#results > li mark')?.textContent === 'prime');

    await box.fill('');
    await box.pressSequentially('melb', { delay: 40 });
    await options.first().waitFor();
    assert.equal((await optionTexts())[0], 'melbourne');
    await page.keyboard.press('Escape');
    await list.waitFor({ state: 'hidden' });
    assert.equal(await box.inputValue(), 'melb', 'Escape closes the list and keeps what was typed');
    assert.equal(await box.getAttribute('aria-expanded'), 'false');

    await box.fill('melbourn');
    await page.waitForFunction(() => document.querySelector('#status')?.textContent?.includes('Showing results for melbourne'));
    const marks = await page.locator('#results mark').allTextContents();
    assert.ok(marks.length > 0 && marks.every((m) => m.toLowerCase() === 'melbourne'), `the corpus word matched is highlighted: ${marks.join(', ')}`);
    await page.screenshot({ path: path.join(ARTIFACTS, 'showing-results-for.png'), fullPage: true });
    await page.close();
    assert.deepEqual(foreign, []);
  });

  test('GraphiQL at /graphql works offline: a query typed in runs against this server', async () => {
    const { page } = await openPage();
    await page.goto(`${url}/graphql`);
    await page.locator('.graphiql-container').waitFor();
    await page.locator('.graphiql-execute-button').click();
    await page.waitForFunction(() => document.querySelector('.result-window')?.textContent?.includes('"similarity"'));
    await page.screenshot({ path: path.join(ARTIFACTS, 'graphiql.png') });
    await page.close();
    assert.deepEqual(foreign, []);
  });
});
