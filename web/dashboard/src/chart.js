import uPlot from 'uplot';
// Written by build.mjs from the platform's column list (ScoreColumns.cs): the windows' JSON property names.
import { EMOTIONS, VAD } from './scores.generated.js';

const COLORS = ['#1f77b4', '#ff7f0e', '#2ca02c', '#d62728', '#9467bd', '#e377c2', '#7f7f7f', '#bcbd22', '#17becf'];

// Whether a series has a value to draw in a window: VAD comes from the audio branch alone; the emotions are drawn where
// the visual branch saw the face (or the recording has no face stage / no video: face_coverage null), since where the
// face was not seen (face_coverage 0, has_video false) the visual branch had nothing to see. A null value breaks the curve.
function drawn(w, name) {
  if (VAD.includes(name)) return w.has_audio !== false;
  return w.face_coverage !== 0 && (w.has_audio !== false || w.has_video !== false);
}

// uPlot wants columns: x values, then one array per series. Windows are plotted at their centre. Windows no branch
// scored are absent from a timeline; a null point in the hole keeps uPlot from drawing a line straight across it.
export function toColumns(windows, names) {
  const steps = windows.slice(1).map((w, i) => w.start_s - windows[i].start_s).filter((d) => d > 0);
  const hop = steps.length > 0 ? Math.min(...steps) : Infinity;
  const rows = [];
  windows.forEach((w, i) => {
    if (i > 0 && w.start_s - windows[i - 1].start_s > 1.5 * hop) rows.push({ x: (windows[i - 1].end_s + w.start_s) / 2, w: null });
    rows.push({ x: (w.start_s + w.end_s) / 2, w });
  });
  return [rows.map((r) => r.x), ...names.map((n) => rows.map((r) => (r.w && drawn(r.w, n) ? r.w[n] ?? null : null)))];
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
  const columns = toColumns(windows, names);
  // For the checks: how many plotted points of the first emotion are gaps (null).
  target.dataset.gaps = String(columns[1].filter((v) => v === null).length);
  const width = Math.max(480, target.clientWidth || 800);
  return new uPlot({
    width,
    height: 320,
    scales: { x: { time: false }, y: { range: [0, 1] } },
    axes: [{ label: 'seconds' }, { label: 'intensity' }],
    plugins: [faceShading(windows)],
    series: [
      { label: 't (s)' },
      // spanGaps false: never join across a null, a gap is where there was nothing to draw.
      ...names.map((n, i) => ({ label: n.replace('_', ' '), stroke: COLORS[i], width: 2, spanGaps: false, dash: i >= EMOTIONS.length ? [6, 4] : undefined })),
    ],
  }, columns, target);
}
