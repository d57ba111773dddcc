import uPlot from 'uplot';

export const EMOTIONS = ['admiration', 'amusement', 'determination', 'empathic_pain', 'excitement', 'joy'];
export const VAD = ['valence', 'arousal', 'dominance'];
const COLORS = ['#1f77b4', '#ff7f0e', '#2ca02c', '#d62728', '#9467bd', '#e377c2', '#7f7f7f', '#bcbd22', '#17becf'];

// uPlot wants columns: x values, then one array per series. Windows are plotted at their centre.
export function toColumns(windows, names) {
  const x = windows.map((w) => (w.start_s + w.end_s) / 2);
  return [x, ...names.map((n) => windows.map((w) => w[n] ?? null))];
}

export function drawTimeline(target, windows, showVad) {
  const names = showVad ? [...EMOTIONS, ...VAD] : EMOTIONS;
  target.replaceChildren();
  const width = Math.max(480, target.clientWidth || 800);
  return new uPlot({
    width,
    height: 320,
    scales: { x: { time: false }, y: { range: [0, 1] } },
    axes: [{ label: 'seconds' }, { label: 'intensity' }],
    series: [
      { label: 't (s)' },
      ...names.map((n, i) => ({ label: n.replace('_', ' '), stroke: COLORS[i], width: 2, dash: i >= EMOTIONS.length ? [6, 4] : undefined })),
    ],
  }, toColumns(windows, names), target);
}
