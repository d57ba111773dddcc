// Drives the dashboard in headless Chromium (Debian's, through playwright-core). It opens the study and waits until its
// live progress is connected, prints {"ready":true}, and then follows the run that the caller starts by uploading:
// every job row the page draws is recorded, until the counters say the run completed. Then participant -> recording,
// checks the timeline plot was really drawn (a canvas with ink on it, six emotion series in the legend) and keeps a
// screenshot. Usage: node tests/dashboard-check.mjs BASE_URL API_KEY STUDY_ID SCREENSHOT.png
import { chromium } from 'playwright-core';
import { execSync } from 'node:child_process';

const [baseUrl, key, studyId, screenshot] = process.argv.slice(2);
if (!screenshot) {
  console.error('usage: dashboard-check.mjs BASE_URL API_KEY STUDY_ID SCREENSHOT.png');
  process.exit(2);
}
const executablePath = process.env.CHROMIUM || execSync('command -v chromium || command -v chromium-browser', { shell: '/bin/sh' }).toString().trim();
const browser = await chromium.launch({
  executablePath,
  headless: true,
  // Without the background-networking flags Chromium keeps dialling Google's hosts, which this network refuses.
  args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
    '--disable-component-update', '--disable-sync'],
});
try {
  const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
  const errors = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto(`${baseUrl}/dashboard/#key=${encodeURIComponent(key)}`);
  await page.locator(`#studies li[data-id="${studyId}"]`).click();
  await page.locator('#run[data-connection="live"]').waitFor({ state: 'attached', timeout: 15000 });
  await page.waitForFunction(() => document.getElementById('run-seconds').textContent !== '');
  const before = await page.locator('#run-seconds').textContent();
  // Every row the page draws, batch by batch, so states that were on screen only briefly are seen too.
  await page.evaluate(() => {
    window.seenStates = [];
    new MutationObserver((records) => {
      for (const r of records) for (const n of r.addedNodes) if (n.dataset?.state) window.seenStates.push(n.dataset.state);
    }).observe(document.querySelector('#jobs tbody'), { childList: true });
  });
  console.log(JSON.stringify({ ready: true, before }));

  await page.waitForFunction(() => document.getElementById('run').dataset.complete === 'true', null, { timeout: 180000 });
  const counters = await page.evaluate(() => Object.fromEntries(['queued', 'running', 'succeeded', 'failed', 'cancelled']
    .map((n) => [n, Number(document.getElementById(`run-${n}`).textContent)])));
  const bar = await page.locator('#run-bar').evaluate((p) => p.value);
  const eta = await page.locator('#run-eta').textContent();
  const seen = await page.evaluate(() => window.seenStates);
  const rows = await page.locator('#jobs tbody tr').evaluateAll((trs) => trs.map((tr) => ({ id: tr.dataset.id, state: tr.dataset.state, participant: tr.cells[0].textContent, file: tr.cells[1].textContent, model: tr.cells[4].textContent })));

  await page.locator('#participants li').first().click();
  await page.locator('#recordings li').first().click();
  const canvas = page.locator('#chart canvas');
  await canvas.waitFor({ timeout: 15000 });
  const ink = await canvas.evaluate((c) => {
    const data = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
    let painted = 0;
    for (let i = 3; i < data.length; i += 4) if (data[i] > 0) painted++;
    return { painted, total: data.length / 4 };
  });
  const legend = await page.locator('.u-legend .u-series').allTextContents();
  await page.screenshot({ path: screenshot, fullPage: true });
  const series = legend.filter((t) => /admiration|amusement|determination|empathic pain|excitement|joy/.test(t));
  const faceless = await page.locator('#chart').getAttribute('data-faceless-windows');
  console.log(JSON.stringify({ faceless, painted: ink.painted, pixels: ink.total, series: series.length, counters, bar, eta, seen, rows, errors }));
  if (ink.painted < 500 || series.length !== 6 || faceless === null || errors.length > 0) {
    console.error('dashboard-check: the timeline was not drawn as expected');
    process.exit(1);
  }
} finally {
  await browser.close();
}
