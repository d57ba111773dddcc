// Drives the dashboard in headless Chromium (Debian's, through playwright-core) on a scored recording with a face: the
// recording's media must load beside the plot from its content link, a click on the plot must seek it, its time must move
// the plot's playhead (a seek, then real playback), and the selector must swap the EMI curves for the expression
// probabilities and the landmark descriptors. Keeps a screenshot.
// Usage: node tests/dashboard-media-check.mjs BASE_URL API_KEY STUDY_ID FILE_NAME SCREENSHOT.png
import { chromium } from 'playwright-core';
import { execSync } from 'node:child_process';

const [baseUrl, key, studyId, fileName, screenshot] = process.argv.slice(2);
if (!screenshot) {
  console.error('usage: dashboard-media-check.mjs BASE_URL API_KEY STUDY_ID FILE_NAME SCREENSHOT.png');
  process.exit(2);
}
const executablePath = process.env.CHROMIUM || execSync('command -v chromium || command -v chromium-browser', { shell: '/bin/sh' }).toString().trim();
const browser = await chromium.launch({
  executablePath,
  headless: true,
  // Without the background-networking flags Chromium keeps dialling Google's hosts, which this network refuses. Media
  // may start without a gesture: the check plays it itself.
  args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
    '--disable-component-update', '--disable-sync', '--autoplay-policy=no-user-gesture-required'],
});
const failures = [];
const expect = (ok, what) => { if (!ok) failures.push(what); };
try {
  const page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
  const errors = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto(`${baseUrl}/dashboard/#key=${encodeURIComponent(key)}`);
  await page.locator(`#studies li[data-id="${studyId}"]`).click();
  await page.locator('#participants li').first().click();
  await page.locator('#recordings li', { hasText: fileName }).click();
  await page.locator('#chart canvas').waitFor({ timeout: 15000 });
  const video = page.locator('#media video');
  await video.waitFor({ timeout: 15000 });
  // The media is really loaded from the link, not just pointed at it.
  await page.waitForFunction(() => document.querySelector('#media video').readyState >= 1 || document.querySelector('#media video').error,
    null, { timeout: 15000 });
  const media = await video.evaluate((v) => ({ src: v.currentSrc, duration: v.duration, readyState: v.readyState, error: v.error?.message ?? v.error?.code ?? null }));
  const chartData = () => page.locator('#chart').evaluate((c) => ({ ...c.dataset }));
  const time = () => video.evaluate((v) => v.currentTime);

  // A click three quarters along the plot seeks the media there, and the playhead follows.
  const over = page.locator('#chart .u-over');
  const box = await over.boundingBox();
  await over.click({ position: { x: box.width * 0.75, y: box.height / 2 } });
  await page.waitForFunction(() => document.querySelector('#media video').currentTime > 0, null, { timeout: 5000 }).catch(() => {});
  const clicked = { currentTime: await time(), ...(await chartData()), overWidth: box.width };
  expect(clicked.currentTime > 0, 'a click on the plot did not seek the media');

  // The media's time moves the playhead: a seek made on the media itself (its timeupdate), away from the pointer.
  await page.mouse.move(5, 5);
  await video.evaluate((v) => { v.currentTime = 0.5; });
  await page.waitForFunction(() => Math.abs(Number(document.getElementById('chart').dataset.playheadS) - 0.5) < 0.05, null, { timeout: 5000 }).catch(() => {});
  const seeked = { currentTime: await time(), ...(await chartData()) };
  expect(Math.abs(Number(seeked.playheadS) - 0.5) < 0.05, 'a seek on the media did not move the playhead');
  expect(Number(seeked.playheadPx) < Number(clicked.playheadPx), 'the playhead did not move left with the earlier time');

  // And real playback (muted) carries it along.
  const played = await video.evaluate(async (v) => {
    v.muted = true;
    const from = v.currentTime;
    try { await v.play(); } catch (e) { return { from, error: String(e) }; }
    await new Promise((resolve) => {
      const t0 = performance.now();
      const tick = () => (v.currentTime > from + 0.6 || performance.now() - t0 > 8000 ? resolve() : setTimeout(tick, 50));
      tick();
    });
    v.pause();
    await new Promise((resolve) => setTimeout(resolve, 100));
    return { from, to: v.currentTime, playheadS: Number(document.getElementById('chart').dataset.playheadS) };
  });
  expect(!played.error && played.to > played.from + 0.5 && Math.abs(played.playheadS - played.to) < 0.1, 'playing did not move the playhead along');

  const legend = async () => (await page.locator('.u-legend .u-series').allTextContents()).slice(1);
  const axis = () => page.locator('#chart').getAttribute('data-axis');
  const emi = { series: await legend(), axis: await axis() };
  await page.selectOption('#group', 'descriptors');
  await page.locator('#chart[data-group="descriptors"] canvas').waitFor();
  const descriptors = { series: await legend(), axis: await axis(), ...(await chartData()) };
  await page.selectOption('#group', 'pose');
  await page.locator('#chart[data-group="pose"] canvas').waitFor();
  const pose = { series: await legend(), axis: await axis(), ...(await chartData()) };
  await page.selectOption('#group', 'expressions');
  await page.locator('#chart[data-group="expressions"] canvas').waitFor();
  // The screenshot shows the face at a second in, the playhead there and the expression curves.
  await video.evaluate((v) => { v.currentTime = 1; });
  await page.waitForFunction(() => Math.abs(Number(document.getElementById('chart').dataset.playheadS) - 1) < 0.05, null, { timeout: 5000 }).catch(() => {});
  await page.waitForFunction(() => document.querySelector('#media video').readyState >= 2, null, { timeout: 5000 }).catch(() => {});
  const expressions = { series: await legend(), axis: await axis(), ...(await chartData()) };
  await page.screenshot({ path: screenshot, fullPage: true });

  expect(media.readyState >= 1 && !media.error, `the media did not load: ${media.error}`);
  expect(expressions.series.length === 7 && Number(expressions.points) > 0, 'the expression curves are not drawn');
  expect(descriptors.series.length === 8 && Number(descriptors.points) > 0, 'the descriptor curves are not drawn');
  expect(errors.length === 0, 'the page threw');
  console.log(JSON.stringify({ media, clicked, seeked, played, emi, descriptors, pose, expressions, errors, failures }));
  if (failures.length > 0) {
    console.error(`dashboard-media-check: ${failures.join('; ')}`);
    process.exit(1);
  }
} finally {
  await browser.close();
}
