// Drives strata-server's web UI in a headless Chromium (the system's; no
// browser is downloaded) with puppeteer-core from web/ui/node_modules, and
// prints what the pages showed as one JSON object on stdout. The C++ test
// (ui_browser_test.cc) compares it with the HTTP API.
//
//   node ui_browser.mjs --url http://127.0.0.1:PORT --chromium /usr/bin/chromium
//     --node-modules DIR --artifacts DIR --end "2026-11-25 16:27:44"
//     --expr EXPR --complete PREFIX [--figures]
//
// --figures: only load /graph with EXPR over the hour ending at --end and
// report first paint and the time to the drawn graph (bench/RESULTS.md).
import { mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';

function arg(name, fallback) {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : fallback;
}
const base = arg('--url');
const chromium = arg('--chromium', '/usr/bin/chromium');
const artifacts = arg('--artifacts', '.');
const end = arg('--end');
const expr = arg('--expr', 'node_cpu_seconds_total');
const prefix = arg('--complete', 'node_lo');
const figuresOnly = process.argv.includes('--figures');
const require = createRequire(join(arg('--node-modules'), 'noop.js'));
const puppeteer = require('puppeteer-core');

mkdirSync(artifacts, { recursive: true });
const out = { consoleErrors: [] };
// While true, the page's errors are the ones the test provokes.
let provoking = false;

const browser = await puppeteer.launch({
  executablePath: chromium,
  headless: true,
  args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--no-first-run', '--window-size=1280,900'],
  defaultViewport: { width: 1280, height: 900 },
  timeout: 30000,
});

async function newPage() {
  const page = await browser.newPage();
  page.setDefaultTimeout(20000);
  page.on('console', (m) => {
    if (m.type() === 'error' && !provoking) out.consoleErrors.push(`${page.url()}: ${m.text()}`);
  });
  page.on('pageerror', (e) => out.consoleErrors.push(`${page.url()}: ${e.message}`));
  page.on('requestfailed', (r) => out.consoleErrors.push(`${r.url()}: ${r.failure()?.errorText}`));
  return page;
}

// Replaces the editor's text by typing `text` (the brackets it closes by
// itself are deleted after).
async function selectAllAndType(page, text) {
  await page.click('.cm-content');
  await page.keyboard.down('Control');
  await page.keyboard.press('a');
  await page.keyboard.up('Control');
  await page.keyboard.press('Backspace');
  await page.keyboard.type(text);
  await page.keyboard.down('Shift');
  await page.keyboard.press('End');
  await page.keyboard.up('Shift');
  await page.keyboard.press('Delete');
}

const q = (params) => new URLSearchParams(params).toString();
const shot = (page, name) => page.screenshot({ path: join(artifacts, name + '.png'), fullPage: true });

// The range view of `expression`, loaded from the URL: first paint and the
// time until the chart's canvas is drawn, from navigation start.
async function graphFigures(expression) {
  const page = await newPage();
  await page.goto(`${base}/graph?` + q({ 'g0.expr': expression, 'g0.tab': '0', 'g0.range_input': '1h', 'g0.end_input': end }));
  await page.waitForSelector('.chart[data-drawn-series] canvas', { timeout: 60000 });
  const figures = await page.evaluate(() => {
    const paint = performance.getEntriesByName('first-contentful-paint')[0];
    const chart = document.querySelector('.chart');
    return {
      firstContentfulPaintMs: paint ? paint.startTime : null,
      graphDrawnMs: performance.now(),
      series: Number(chart.dataset.drawnSeries),
      queryMs: Number(document.querySelector('.stats').dataset.fetchMs),
      drawMs: Number(document.querySelector('.stats').dataset.drawMs),
    };
  });
  await shot(page, 'graph-figures');
  await page.close();
  return figures;
}

try {
  if (figuresOnly) {
    out.figures = await graphFigures(expr);
  } else {
    // Query page: type the expression, run it, read the chart.
    const page = await newPage();
    await page.goto(`${base}/graph?` + q({ 'g0.expr': '', 'g0.tab': '0', 'g0.range_input': '1h', 'g0.end_input': end }));
    await page.waitForSelector('.cm-content');
    await page.click('.cm-content');
    await page.keyboard.type(expr);
    await page.keyboard.press('Escape'); // Closes the completion list.
    await page.keyboard.press('Enter');
    await page.waitForSelector('.chart[data-drawn-series] canvas');
    out.graph = await page.evaluate(() => ({
      series: Number(document.querySelector('.chart').dataset.drawnSeries),
      legendItems: document.querySelectorAll('.legend-item').length,
      stats: document.querySelector('.stats').textContent,
      url: location.search,
    }));
    // Legend toggle hides a series.
    await page.click('.legend-item');
    out.graph.legendToggled = await page.$eval('.legend-item', (b) => b.getAttribute('aria-pressed'));
    await shot(page, 'graph');

    // Stacked: the URL keeps it and the chart is drawn again.
    await page.click('.controls input[type=checkbox]');
    await page.waitForFunction(() => location.search.includes('g0.stacked=1') && document.querySelector('.chart[data-drawn-series] canvas'));
    out.graph.stackedSeries = await page.$eval('.chart', (c) => Number(c.dataset.drawnSeries));
    await shot(page, 'graph-stacked');
    // A second panel.
    await page.click('button.add-panel');
    out.panels = await page.$$eval('.panel', (ps) => ps.length);
    await page.click('.panel:nth-child(2) button[aria-label="Remove panel"]');
    out.panelsAfterRemove = await page.$$eval('.panel', (ps) => ps.length);

    // Completion of a metric name.
    await selectAllAndType(page, prefix);
    await page.waitForSelector('.cm-tooltip-autocomplete li');
    out.completions = await page.$$eval('.cm-tooltip-autocomplete li', (lis) => lis.map((li) => li.textContent));
    await shot(page, 'completion');

    // A parse error is shown with its position.
    await page.keyboard.press('Escape');
    provoking = true;
    await selectAllAndType(page, 'sum(up) by (job');
    await page.keyboard.press('Escape');
    await page.keyboard.press('Enter');
    await page.waitForSelector('.error');
    out.error = await page.$eval('.error', (e) => e.textContent);
    provoking = false;
    await shot(page, 'error');
    await page.close();

    // Table view at the end time, from a shareable URL.
    const table = await newPage();
    await table.goto(`${base}/graph?` + q({ 'g0.expr': expr, 'g0.tab': '1', 'g0.moment_input': end }));
    await table.waitForSelector('table.data tbody tr');
    out.table = await table.$$eval('table.data tbody tr', (trs) =>
      trs.map((tr) => ({ labels: JSON.parse(tr.dataset.labels), value: tr.querySelector('td.value').textContent })),
    );
    await shot(table, 'table');
    await table.close();

    // Cardinality explorer over the recorded hour.
    const card = await newPage();
    await card.goto(`${base}/cardinality?` + q({ match: '{__name__=~".+"}', range_input: '1h', end_input: end }));
    await card.waitForSelector('#top-metrics tbody tr');
    out.cardinality = await card.evaluate(() => {
      const cells = document.querySelectorAll('#top-metrics tbody tr:first-child td');
      return {
        total: Number(document.getElementById('total-series').textContent),
        topMetric: cells[0].textContent,
        topCount: Number(cells[1].textContent),
      };
    });
    await card.waitForSelector('#head-stats');
    await shot(card, 'cardinality');
    // Drill down into the top metric.
    await card.click('#top-metrics tbody tr:first-child button');
    await card.waitForFunction((m) => document.querySelector('.summary')?.textContent.includes(m), {}, out.cardinality.topMetric);
    out.cardinality.drillTotal = Number(await card.$eval('#total-series', (e) => e.textContent));
    await card.close();

    // The UI root redirects to its graph page (under any URL prefix).
    const root = await newPage();
    await root.goto(`${base}/`);
    out.rootRedirect = new URL(root.url()).pathname;
    await root.close();

    // Status pages render without errors.
    out.pages = {};
    for (const [name, ready] of [['tsdb-status', '#head'], ['flags', '#flags'], ['status', '#runtime'], ['rules', 'main section'], ['alerts', 'main details']]) {
      const p = await newPage();
      await p.goto(`${base}/${name}`);
      await p.waitForSelector(ready);
      out.pages[name] = await p.evaluate(() => ({
        title: document.querySelector('main h1')?.textContent,
        errors: [...document.querySelectorAll('.error')].map((e) => e.textContent),
        // The TSDB page's first storage figure: blocks loaded.
        blocksLoaded: document.querySelector('#storage tbody tr:first-child td:nth-child(2)')?.textContent,
        // The TSDB page's block list: ULID, series, samples per row.
        blocks: [...document.querySelectorAll('#blocks tbody tr')].map((tr) => {
          const td = tr.querySelectorAll('td');
          return { ulid: td[0].textContent, series: Number(td[3].textContent), samples: Number(td[4].textContent) };
        }),
        // The status page's WAL replay figures.
        walreplay: Object.fromEntries([...document.querySelectorAll('#walreplay tbody tr')].map((tr) => [...tr.querySelectorAll('td')].map((td) => td.textContent))),
        // The rules and alerts pages' group and alert headings.
        headings: [...document.querySelectorAll('main section h2, main details summary')].map((e) => e.textContent),
      }));
      await shot(p, name);
      await p.close();
    }
    // Dark theme toggle.
    const dark = await newPage();
    await dark.goto(`${base}/status`);
    await dark.waitForSelector('#runtime');
    const before = await dark.evaluate(() => document.documentElement.dataset.theme);
    await dark.click('#theme-toggle');
    out.theme = { before, after: await dark.evaluate(() => document.documentElement.dataset.theme) };
    await shot(dark, 'status-theme-toggled');
    await dark.close();
    out.figures = await graphFigures(expr);
  }
} catch (e) {
  out.failure = String(e && e.stack ? e.stack : e);
} finally {
  await browser.close();
}
process.stdout.write(JSON.stringify(out) + '\n');
