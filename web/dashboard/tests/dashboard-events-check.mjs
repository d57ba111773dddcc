// Drives the dashboard in headless Chromium on a scored recording with events: opens the participant and the
// recording, and reports the event spans the plot was given and the per-event table's rows; keeps a screenshot.
// Usage: node tests/dashboard-events-check.mjs BASE_URL API_KEY STUDY_ID FILE SCREENSHOT
import { chromium } from 'playwright-core';
import { execSync } from 'node:child_process';

const [baseUrl, key, studyId, file, screenshot] = process.argv.slice(2);
if (!screenshot) {
  console.error('usage: dashboard-events-check.mjs BASE_URL API_KEY STUDY_ID FILE SCREENSHOT');
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
  await page.locator(`#studies li[data-id="${studyId}"]`).click();
  await page.locator('#participants li').first().click();
  await page.locator('#event-results tbody tr').first().waitFor({ timeout: 15000 });
  const table = await page.locator('#event-results').evaluate((t) => ({
    hidden: t.hidden,
    head: [...t.querySelectorAll('thead th')].map((th) => th.textContent),
    rows: [...t.querySelectorAll('tbody tr')].map((tr) => [...tr.cells].map((td) => td.textContent)),
  }));
  await page.locator('#recordings li', { hasText: file }).click();
  await page.locator('#chart canvas').waitFor({ timeout: 15000 });
  const chart = await page.locator('#chart').evaluate((c) => ({ events: Number(c.dataset.events), labels: c.dataset.eventLabels }));
  await page.screenshot({ path: screenshot, fullPage: true });
  console.log(JSON.stringify({ table, chart, errors }));
} finally {
  await browser.close();
}
