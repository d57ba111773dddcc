// Drives the dashboard in headless Chromium (Debian's, through playwright-core): study -> participant -> recording,
// then checks the timeline plot was really drawn (a canvas with ink on it, six emotion series in the legend) and
// keeps a screenshot. Usage: node tests/dashboard-check.mjs BASE_URL API_KEY RECORDING_ID SCREENSHOT.png
import { chromium } from 'playwright-core';
import { execSync } from 'node:child_process';

const [baseUrl, key, recordingId, screenshot] = process.argv.slice(2);
if (!screenshot) {
  console.error('usage: dashboard-check.mjs BASE_URL API_KEY RECORDING_ID SCREENSHOT.png');
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
  const page = await browser.newPage({ viewport: { width: 1400, height: 800 } });
  const errors = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto(`${baseUrl}/dashboard/#key=${encodeURIComponent(key)}`);
  await page.locator('#studies li').first().click();
  await page.locator('#participants li').first().click();
  await page.locator(`#recordings li[data-id="${recordingId}"]`).click();
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
  const jobs = await page.locator('#jobs tbody tr').count();
  console.log(JSON.stringify({ painted: ink.painted, pixels: ink.total, series: series.length, jobs, errors }));
  if (ink.painted < 500 || series.length !== 6 || errors.length > 0) {
    console.error('dashboard-check: the timeline was not drawn as expected');
    process.exit(1);
  }
} finally {
  await browser.close();
}
