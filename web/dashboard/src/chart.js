import uPlot from 'uplot';
// Written by build.mjs from the platform's column list (ScoreColumns.cs): the windows' JSON property names.
import { EMOTIONS, VAD } from './scores.generated.js';

const COLORS = ['#1f77b4', '#ff7f0e', '#2ca02c', '#d62728', '#9467bd', '#e377c2', '#7f7f7f', '#bcbd22', '#17becf'];

// uPlot wants columns: x values, then one array per series. Windows are plotted at their centre.
export function toColumns(windows, names) {
  const x = windows.map((w) => (w.start_s + w.end_s) / 2);
  return [x, ...names.map((n) => windows.map((w) => w[n] ?? null))];
}

// Windows where the participant's face was not seen all the time are shaded, darker the less it was seen: there
// the visual branch did not score (face_coverage 0) or scored only part of the window. Null coverage (a bundle
// without a face stage, or no video) is not shaded.
function faceShading(windows) {
  return {
    hooks: {
      drawClear: [(u) => {
        const { ctx, bbox } = u;
        ctx.save();
        for (const w of windows) {
          if (w.face_coverage == null || w.face_coverage >= 1) continue;
          const x0 = u.valToPos(w.start_s, 'x', true);
          const x1 = u.valToPos(w.end_s, 'x', true);
          ctx.fillStyle = `rgba(120, 120, 120, ${(0.3 * (1 - w.face_coverage)).toFixed(3)})`;
          ctx.fillRect(x0, bbox.top, x1 - x0, bbox.height);
        }
        ctx.restore();
      }],
    },
  };
}

export function drawTimeline(target, windows, showVad) {
  const names = showVad ? [...EMOTIONS, ...VAD] : EMOTIONS;
  target.replaceChildren();
  target.dataset.facelessWindows = String(windows.filter((w) => w.face_coverage === 0).length);
  const width = Math.max(480, target.clientWidth || 800);
  return new uPlot({
    width,
    height: 320,
    scales: { x: { time: false }, y: { range: [0, 1] } },
    axes: [{ label: 'seconds' }, { label: 'intensity' }],
    plugins: [faceShading(windows)],
    series: [
      { label: 't (s)' },
      ...names.map((n, i) => ({ label: n.replace('_', ' '), stroke: COLORS[i], width: 2, dash: i >= EMOTIONS.length ? [6, 4] : undefined })),
    ],
  }, toColumns(windows, names), target);
}
