// Stimulus events (docs/results.md, "Events"): labelled spans behind a recording's timeline, and a participant's
// per-event results as a table. Kept apart from chart.js and main.js, which only hand these the data.
import uPlot from 'uplot';
import { EMOTIONS } from './scores.generated.js';

const KIND_COLORS = { baseline: 'rgba(90, 90, 200, 0.10)', stimulus: 'rgba(230, 140, 0, 0.14)' };
const OTHER_COLOR = 'rgba(160, 60, 160, 0.12)';

function label(e) {
  return [e.kind, e.stimulus, e.trial != null ? `trial ${e.trial}` : null, e.condition].filter((x) => x != null && x !== '').join(' · ');
}

// A uPlot plugin: each event a shaded span over the plot's height (colour by kind) with its label along the bottom.
export function eventSpans(events, target) {
  if (target) {
    target.dataset.events = String(events.length);
    target.dataset.eventLabels = events.map(label).join(' | ');
  }
  return {
    hooks: {
      drawClear: [(u) => {
        const { ctx, bbox } = u;
        ctx.save();
        ctx.beginPath();
        ctx.rect(bbox.left, bbox.top, bbox.width, bbox.height);
        ctx.clip();
        ctx.font = `${Math.round(11 * uPlot.pxRatio)}px sans-serif`;
        ctx.textBaseline = 'bottom';
        for (const e of events) {
          const x0 = u.valToPos(e.onset_s, 'x', true);
          const x1 = u.valToPos(e.offset_s, 'x', true);
          ctx.fillStyle = KIND_COLORS[e.kind] ?? OTHER_COLOR;
          ctx.fillRect(x0, bbox.top, x1 - x0, bbox.height);
          ctx.fillStyle = 'rgba(40, 40, 40, 0.85)';
          ctx.fillText(label(e), x0 + 3 * uPlot.pxRatio, bbox.top + bbox.height - 3 * uPlot.pxRatio, Math.max(0, x1 - x0 - 6 * uPlot.pxRatio));
        }
        ctx.restore();
      }],
    },
  };
}

const fmt = (v, digits = 3) => (v == null ? '—' : Number(v).toFixed(digits));

// The per-event table of one participant: one row per event of each scored recording, with each EMI emotion's mean
// and baseline-corrected mean (Δ, empty without a baseline before the event), and the event's coverage.
export function renderEventTable(target, results) {
  const rows = results.events ?? [];
  target.hidden = rows.length === 0;
  const table = target.querySelector('table');
  const head = ['recording', '#', 'kind', 'stimulus', 'trial', 'condition', 'onset–offset s', 'windows', 'face', 'speech',
    ...EMOTIONS.flatMap((n) => [`${n} mean`, `${n} Δ baseline`])];
  const thead = document.createElement('thead');
  const tr = document.createElement('tr');
  tr.append(...head.map((h) => Object.assign(document.createElement('th'), { textContent: h })));
  thead.append(tr);
  const tbody = document.createElement('tbody');
  for (const r of rows) {
    const row = document.createElement('tr');
    row.dataset.kind = r.event_kind;
    const cells = [r.fileName, r.event, r.event_kind, r.event_stimulus ?? '', r.event_trial ?? '', r.event_condition ?? '',
      `${fmt(r.onset_s, 2)}–${fmt(r.offset_s, 2)}`, r.window_count, fmt(r.face_coverage, 2), fmt(r.speech_coverage, 2),
      ...EMOTIONS.flatMap((n) => [fmt(r[`${n}_mean`]), fmt(r[`${n}_mean_bc`])])];
    row.append(...cells.map((c) => Object.assign(document.createElement('td'), { textContent: String(c) })));
    tbody.append(row);
  }
  table.replaceChildren(thead, tbody);
}
