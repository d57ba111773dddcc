// The study at a glance: one row per participant with their recordings, how many are scored and failed, and the mean
// of each emotion over their scored recordings (the per-recording aggregates of GET /v1/studies/{id}/scores).
import { EMOTIONS } from './scores.generated.js';

// scores: the /scores answer; jobs: the study's jobs, oldest first (a recording's last job is its latest).
export function summarize(scores, jobs) {
  const latest = new Map();
  for (const j of jobs) latest.set(j.recordingId, j);
  const rows = new Map();
  for (const r of scores.recordings) {
    const row = rows.get(r.participantId) ?? { code: r.participantCode, recordings: 0, scored: 0, failed: 0, sums: EMOTIONS.map(() => 0) };
    row.recordings++;
    if (r.aggregate) {
      row.scored++;
      EMOTIONS.forEach((n, i) => { row.sums[i] += r.aggregate[n] ?? 0; });
    } else if (latest.get(r.recordingId)?.state === 'failed') {
      row.failed++;
    }
    rows.set(r.participantId, row);
  }
  return [...rows.values()].map((r) => ({ ...r, means: r.scored ? r.sums.map((s) => s / r.scored) : null }));
}

export function renderSummary(table, rows, trained) {
  table.tHead.replaceChildren(headRow(trained));
  table.tBodies[0].replaceChildren(...rows.map((r) => {
    const tr = document.createElement('tr');
    tr.dataset.participant = r.code;
    const cells = [r.code, r.recordings, r.scored, r.failed, ...(r.means ?? EMOTIONS.map(() => null)).map((m) => (m == null ? '–' : m.toFixed(2)))];
    for (const value of cells) { const td = document.createElement('td'); td.textContent = String(value); tr.append(td); }
    if (r.failed > 0) tr.classList.add('has-failed');
    return tr;
  }));
  if (rows.length === 0) {
    const tr = document.createElement('tr'); const td = document.createElement('td');
    td.colSpan = 4 + EMOTIONS.length; td.textContent = '(no recordings yet)'; tr.append(td);
    table.tBodies[0].append(tr);
  }
}

function headRow(trained) {
  const tr = document.createElement('tr');
  for (const name of ['participant', 'recordings', 'scored', 'failed', ...EMOTIONS.map((n) => `mean ${n.replace('_', ' ')}`)]) {
    const th = document.createElement('th'); th.textContent = name; tr.append(th);
  }
  tr.title = `Means over the scored recordings of the model's intensity output (0–1)${trained === false ? '; the model is UNTRAINED: they mean nothing' : ''}`;
  return tr;
}
