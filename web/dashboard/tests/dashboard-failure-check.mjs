// Drives the dashboard in headless Chromium on a study whose run has finished: one recording whose job failed and one
// scored whose face leaves the picture. Opens each recording and reports what the page says of it: the failed one's
// scoring state and error, the scored one's plotted gaps; plus the job table's rows, and keeps a screenshot of each.
// Usage: node tests/dashboard-failure-check.mjs BASE_URL API_KEY STUDY_ID FAILED_FILE SCORED_FILE SCREENSHOT_PREFIX
import { chromium } from 'playwright-core';
import { execSync } from 'node:child_process';

const [baseUrl, key, studyId, failedFile, scoredFile, screenshots] = process.argv.slice(2);
if (!screenshots) {
  console.error('usage: dashboard-failure-check.mjs BASE_URL API_KEY STUDY_ID FAILED_FILE SCORED_FILE SCREENSHOT_PREFIX');
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
  const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
  const errors = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto(`${baseUrl}/dashboard/#key=${encodeURIComponent(key)}`);
  await page.locator(`#studies li[data-id="${studyId}"]`).click();
  await page.waitForFunction(() => document.getElementById('run').dataset.complete === 'true', null, { timeout: 30000 });
  const rows = await page.locator('#jobs tbody tr').evaluateAll((trs) => trs.map((tr) => ({
    participant: tr.cells[0].textContent, file: tr.cells[1].textContent, state: tr.cells[2].textContent, error: tr.cells[5].textContent,
  })));

  await page.locator('#participants li').first().click();
  await page.locator('#recordings li', { hasText: failedFile }).click();
  await page.waitForFunction(() => ['failed', 'cancelled', 'queued', 'running', 'not-scored'].includes(document.getElementById('model').dataset.scoring));
  const failed = await page.locator('#model').evaluate((m) => ({ scoring: m.dataset.scoring, text: m.textContent }));
  await page.screenshot({ path: `${screenshots}-failed.png`, fullPage: true });

  await page.locator('#recordings li', { hasText: scoredFile }).click();
  await page.locator('#chart canvas').waitFor({ timeout: 15000 });
  const chart = await page.locator('#chart').evaluate((c) => ({ gaps: Number(c.dataset.gaps), faceless: Number(c.dataset.facelessWindows) }));
  await page.screenshot({ path: `${screenshots}-gaps.png`, fullPage: true });
  console.log(JSON.stringify({ rows, failed, chart, errors }));
} finally {
  await browser.close();
}
