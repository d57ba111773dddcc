// Drives the dashboard in headless Chromium on a finished study (seeded results, no scoring): the key leaves the
// address bar once read and the tab keeps it across a reload; a wrong key gets a plain sentence; the study view has one
// row per participant; the plot's axes state their scale, VAD sits on its own axis with its own legend entries, and time
// starts at 0. Prints one JSON line and keeps screenshots SCREENSHOT_PREFIX-study.png, -vad.png, -wrong-key.png.
// Usage: node tests/dashboard-key-check.mjs BASE_URL API_KEY STUDY_ID SCREENSHOT_PREFIX
import { chromium } from 'playwright-core';
import { execSync } from 'node:child_process';

const [baseUrl, key, studyId, screenshots] = process.argv.slice(2);
if (!screenshots) {
  console.error('usage: dashboard-key-check.mjs BASE_URL API_KEY STUDY_ID SCREENSHOT_PREFIX');
  process.exit(2);
}
const executablePath = process.env.CHROMIUM || execSync('command -v chromium || command -v chromium-browser', { shell: '/bin/sh' }).toString().trim();
const browser = await chromium.launch({
  executablePath,
  headless: true,
  args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
    '--disable-component-update', '--disable-sync'],
});
try {
  const page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
  const errors = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto(`${baseUrl}/dashboard/#key=${encodeURIComponent(key)}`);
  await page.locator(`#studies li[data-id="${studyId}"]`).waitFor({ timeout: 15000 });
  const address = page.url();
  const stored = await page.evaluate(() => sessionStorage.getItem('emi-key'));
  await page.reload();
  await page.locator(`#studies li[data-id="${studyId}"]`).waitFor({ timeout: 15000 });
  const afterReload = { address: page.url(), who: await page.locator('#who').textContent() };

  await page.locator(`#studies li[data-id="${studyId}"]`).click();
  await page.locator('#summary tbody tr[data-participant]').first().waitFor({ timeout: 15000 });
  const summary = await page.locator('#summary tbody tr[data-participant]').evaluateAll((trs) => trs.map((tr) => [...tr.cells].map((td) => td.textContent)));
  const summaryHead = await page.locator('#summary thead th').allTextContents();
  await page.locator('#participants li').first().click();
  await page.locator('#recordings li').first().click();
  await page.locator('#chart canvas').waitFor({ timeout: 15000 });
  await page.screenshot({ path: `${screenshots}-study.png`, fullPage: true });
  const emi = await page.locator('#chart').evaluate((c) => ({ axis: c.dataset.axis, vadAxis: c.dataset.vadAxis, xMin: c.dataset.xMin }));
  await page.locator('#show-vad').check();
  await page.waitForFunction(() => document.getElementById('chart').dataset.vadAxis !== '');
  const vad = await page.locator('#chart').evaluate((c) => ({ axis: c.dataset.axis, vadAxis: c.dataset.vadAxis, xMin: c.dataset.xMin }));
  const legend = await page.locator('.u-legend .u-series').allTextContents();
  await page.screenshot({ path: `${screenshots}-vad.png`, fullPage: true });

  const wrong = await browser.newPage({ viewport: { width: 1000, height: 400 } });
  wrong.on('pageerror', (e) => errors.push(e.message));
  await wrong.goto(`${baseUrl}/dashboard/#key=emi_wrong_key`);
  await wrong.locator('#notice:not([hidden])').waitFor({ timeout: 15000 });
  const refused = { notice: await wrong.locator('#notice').textContent(), address: wrong.url(), stored: await wrong.evaluate(() => sessionStorage.getItem('emi-key')) };
  await wrong.screenshot({ path: `${screenshots}-wrong-key.png`, fullPage: true });

  console.log(JSON.stringify({ address, stored, afterReload, summary, summaryHead, emi, vad, legend, refused, errors }));
} finally {
  await browser.close();
}
