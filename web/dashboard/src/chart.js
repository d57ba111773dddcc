import uPlot from 'uplot';
// Written by build.mjs from the platform's column list (ScoreColumns.cs): the windows' JSON property names.
import { DESCRIPTORS, EMOTIONS, EXPRESSIONS, FACE_COVERAGE, SPEECH_COVERAGE, VAD } from './scores.generated.js';

const COLORS = ['#1f77b4', '#ff7f0e', '#2ca02c', '#d62728', '#9467bd', '#e377c2', '#7f7f7f', '#bcbd22', '#17becf', '#8c564b', '#393b79'];

// A null-only or flat series still gets an axis: uPlot's own ranging, or `fallback` when there is nothing to range.
const rangeOr = (fallback) => (u, min, max) => (min == null || max == null ? fallback : uPlot.rangeNum(min, max, 0.1, true));

// What the selector offers. Each group has its own y scale and says its unit; the EMI scores keep their 0..1 axis. The
// descriptors split by unit: head pose is in degrees (its names end in _deg), the others in inter-ocular distances.
export const GROUPS = {
  emi: {
    label: 'EMI scores',
    names: (showVad) => (showVad ? [...EMOTIONS, ...VAD] : EMOTIONS),
    scale: 'intensity', range: [0, 1], axis: 'EMI intensity: model output, 0–1',
    title: (n) => n.replace('_', ' '),
  },
  expressions: {
    label: 'Expressions',
    names: () => EXPRESSIONS,
    scale: 'probability', range: [0, 1], axis: 'expression probability (0–1)',
    title: (n) => n.replace(/^expr_/, ''),
  },
  descriptors: {
    label: 'Face descriptors',
    names: () => DESCRIPTORS.filter((n) => !n.endsWith('_deg')),
    scale: 'iod', range: rangeOr([-1, 1]), axis: 'landmark descriptor (inter-ocular distances), not FACS AU intensity',
    title: (n) => n.replace(/^au(\d+)_/, '≈AU$1 ').replaceAll('_', ' '),
  },
  pose: {
    label: 'Head pose',
    names: () => DESCRIPTORS.filter((n) => n.endsWith('_deg')),
    scale: 'degrees', range: rangeOr([-30, 30]), axis: 'head pose (degrees)',
    title: (n) => n.replace(/_deg$/, '').replace('_', ' '),
  },
};

// Whether a series has a value to draw in a window: VAD comes from the audio branch alone; the emotions are drawn where
// the visual branch saw the face (or the recording has no face stage / no video: face_coverage null), since where the
// face was not seen (face_coverage 0, has_video false) the visual branch had nothing to see. The perception columns are
// null themselves where nothing was perceived. A null value breaks the curve.
function drawn(w, name) {
  if (VAD.includes(name)) return w.has_audio !== false;
  if (EMOTIONS.includes(name)) return w[FACE_COVERAGE] !== 0 && (w.has_audio !== false || w.has_video !== false);
  return true;
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

// Two bands behind the curves. Face: windows where the participant's face was not seen all the time are shaded grey over
// the whole height, darker the less it was seen; there the visual branch did not score (face_coverage 0) or scored only
// part of the window. Speech: a green lane along the top, stronger the more of the window had speech in it. A null
// coverage (no face or speech stage in the bundle, no video or no audio) draws nothing.
const SPEECH_LANE_PX = 10;
function coverageBands(windows) {
  return {
    hooks: {
      drawClear: [(u) => {
        const { ctx, bbox } = u;
        const lane = Math.round(SPEECH_LANE_PX * uPlot.pxRatio);
        ctx.save();
        ctx.beginPath();
        ctx.rect(bbox.left, bbox.top, bbox.width, bbox.height);
        ctx.clip();
        for (const w of windows) {
          const x0 = u.valToPos(w.start_s, 'x', true);
          const x1 = u.valToPos(w.end_s, 'x', true);
          const face = w[FACE_COVERAGE];
          if (face != null && face < 1) {
            ctx.fillStyle = `rgba(120, 120, 120, ${(0.3 * (1 - face)).toFixed(3)})`;
            ctx.fillRect(x0, bbox.top, x1 - x0, bbox.height);
          }
          const speech = w[SPEECH_COVERAGE];
          if (speech != null && speech > 0) {
            ctx.fillStyle = `rgba(0, 150, 90, ${(0.15 + 0.7 * speech).toFixed(3)})`;
            ctx.fillRect(x0, bbox.top, x1 - x0, lane);
          }
        }
        ctx.restore();
      }],
    },
  };
}

// The media's position as a red line over the plot, moved without redrawing the chart; and, while the pointer is not on
// the plot, uPlot's own cursor follows it too, so the legend reads the values at the playing time.
function playhead(target) {
  let line = null;
  let hovering = false;
  const place = (u, seconds) => {
    const left = u.valToPos(seconds, 'x');
    line.style.left = `${left}px`;
    line.hidden = !(left >= 0 && left <= u.over.clientWidth);
    target.dataset.playheadS = seconds.toFixed(3);
    target.dataset.playheadPx = left.toFixed(1);
    if (!hovering && !line.hidden) u.setCursor({ left, top: u.over.clientHeight / 2 });
  };
  return {
    place,
    plugin: {
      hooks: {
        init: [(u) => {
          line = document.createElement('div');
          line.className = 'playhead';
          line.hidden = true;
          u.over.append(line);
          u.over.addEventListener('mouseenter', () => { hovering = true; });
          u.over.addEventListener('mouseleave', () => { hovering = false; });
        }],
      },
    },
  };
}

// Valence, arousal and dominance (the audio branch's VAD head) beside the EMI scores: their own scale and axis on the
// right, and each its own colour and dash, so neither the axis nor the line style is shared with an emotion.
const VAD_AXIS = 'valence / arousal / dominance: model output, 0–1';
const VAD_STYLE = [{ stroke: '#444444', dash: [10, 4] }, { stroke: '#8c564b', dash: [2, 3] }, { stroke: '#17becf', dash: [12, 3, 2, 3] }];

// Draws `group`'s curves over the windows. Returns the plot and `setTime(seconds)`, which moves the playhead; a click
// on the plot calls `onSeek(seconds)` with the time under the pointer. With the recording's `duration` the x axis spans
// the whole recording, as its player's timeline does. `plugins` are drawn first, behind the bands (events.js's spans).
export function drawTimeline(target, windows, { group = 'emi', showVad = false, duration = null, trained = null, onSeek = () => {}, plugins = [] } = {}) {
  const g = GROUPS[group];
  const names = g.names(showVad);
  const withVad = group === 'emi' && showVad;
  const axis = group === 'emi' && trained === false ? `${g.axis} (untrained model: meaningless)` : g.axis;
  target.replaceChildren();
  target.dataset.group = group;
  // uPlot draws its axes on the canvas: the y axes' labels (the group's unit) are kept here for the checks too.
  target.dataset.axis = axis;
  target.dataset.vadAxis = withVad ? VAD_AXIS : '';
  target.dataset.facelessWindows = String(windows.filter((w) => w[FACE_COVERAGE] === 0).length);
  target.dataset.speechWindows = String(windows.filter((w) => w[SPEECH_COVERAGE] != null && w[SPEECH_COVERAGE] > 0).length);
  const columns = toColumns(windows, names);
  // For the checks: how many plotted points of the group's first series are gaps (null), and how many carry a value.
  target.dataset.gaps = String(columns[1].filter((v) => v === null).length);
  target.dataset.points = String(columns.slice(1).flat().filter((v) => v !== null).length);
  const width = Math.max(480, target.clientWidth || 800);
  const head = playhead(target);
  const plot = new uPlot({
    width,
    height: 320,
    scales: {
      // Time from 0, the recording's start (windows are plotted at their centres, the first at half a window).
      x: { time: false, range: (u, min, max) => [0, Math.max(duration ?? 0, windows.at(-1)?.end_s ?? 0, max ?? 0) || 1] },
      [g.scale]: { range: g.range },
      ...(withVad ? { vad: { range: [0, 1] } } : {}),
    },
    // The playhead drives the cursor across, never up and down: no horizontal crosshair.
    cursor: { y: false },
    axes: [{ label: 'seconds from the recording\'s start' }, { scale: g.scale, label: axis, size: 60 },
      ...(withVad ? [{ scale: 'vad', side: 1, label: VAD_AXIS, size: 60, grid: { show: false } }] : [])],
    // Where the time axis starts, for the checks (uPlot sets its scales on the first draw).
    plugins: [...plugins, coverageBands(windows), head.plugin, { hooks: { setScale: [(u, key) => { if (key === 'x') target.dataset.xMin = String(u.scales.x.min); }] } }],
    series: [
      { label: 't (s)' },
      // spanGaps false: never join across a null, a gap is where there was nothing to draw.
      ...names.map((n, i) => (withVad && i >= EMOTIONS.length
        ? { label: `${n} (VAD, right axis)`, scale: 'vad', width: 2, spanGaps: false, ...VAD_STYLE[(i - EMOTIONS.length) % VAD_STYLE.length] }
        : { label: g.title(n), scale: g.scale, stroke: COLORS[i % COLORS.length], width: 2, spanGaps: false })),
    ],
  }, columns, target);
  // A click, not the end of a drag-to-zoom: uPlot reports a drag as a selection with a width.
  plot.over.addEventListener('click', () => {
    if (plot.select.width > 0 || plot.cursor.left == null || plot.cursor.left < 0) return;
    onSeek(Math.max(0, plot.posToVal(plot.cursor.left, 'x')));
  });
  return { plot, setTime: (seconds) => head.place(plot, seconds) };
}
