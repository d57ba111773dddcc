import { createApi } from './api.js';
import { drawTimeline } from './chart.js';

const $ = (id) => document.getElementById(id);
let api = null;
let current = { study: null, participant: null, recording: null, windows: [] };

function notice(text, isError = false) {
  const el = $('notice');
  el.hidden = !text;
  el.textContent = text || '';
  el.classList.toggle('error', isError);
}

function list(target, items, label, onPick) {
  target.replaceChildren(...items.map((item) => {
    const li = document.createElement('li');
    const [title, sub] = label(item);
    li.textContent = title;
    if (sub) { const small = document.createElement('small'); small.textContent = sub; li.append(small); }
    li.dataset.id = item.id;
    li.addEventListener('click', () => {
      target.querySelectorAll('li').forEach((x) => x.classList.toggle('selected', x === li));
      onPick(item).catch((e) => notice(e.message, true));
    });
    return li;
  }));
  if (items.length === 0) {
    const li = document.createElement('li'); li.textContent = '(none)'; target.append(li);
  }
}

async function openStudy(study) {
  current = { study, participant: null, recording: null, windows: [] };
  const page = await api.participants(study.id);
  list($('participants'), page.items, (p) => [p.code, null], openParticipant);
  $('recordings').replaceChildren();
  const link = $('export');
  link.hidden = false;
  link.href = '#';
  link.onclick = (e) => { e.preventDefault(); downloadExport(study).catch((err) => notice(err.message, true)); };
  await refreshJobs();
}

async function openParticipant(participant) {
  current.participant = participant;
  const recordings = await api.recordings(current.study.id, participant.id);
  list($('recordings'), recordings, (r) => [r.originalFileName, `${r.stimulus ?? '—'} · trial ${r.trial ?? '—'} · ${r.durationSeconds.toFixed(1)} s`], openRecording);
}

async function openRecording(recording) {
  current.recording = recording;
  $('timeline-title').textContent = `Timeline — ${recording.originalFileName}`;
  try {
    const timeline = await api.timeline(recording.id);
    current.windows = timeline.windows;
    $('model').textContent = `model ${timeline.model.name} ${timeline.model.version}` +
      (timeline.model.trained ? '' : ' — UNTRAINED reference model: the values exercise the pipeline and mean nothing');
    render();
  } catch (e) {
    current.windows = [];
    $('chart').replaceChildren();
    $('model').textContent = e.status === 404 ? 'Not scored yet.' : e.message;
  }
}

function render() {
  if (current.windows.length > 0) drawTimeline($('chart'), current.windows, $('show-vad').checked);
}

async function refreshJobs() {
  if (!current.study) return;
  try {
    const jobs = await api.jobs(current.study.id);
    const rows = (jobs.items ?? jobs).map((j) => {
      const tr = document.createElement('tr');
      for (const value of [j.recordingId, j.state, `${Math.round((j.progress ?? 0) * 100)} %`, j.bundle ? `${j.bundle.name} ${j.bundle.version}` : '', j.error ?? '']) {
        const td = document.createElement('td'); td.textContent = value ?? ''; tr.append(td);
      }
      tr.dataset.state = j.state;
      return tr;
    });
    $('jobs').tBodies[0].replaceChildren(...rows);
  } catch (e) {
    $('jobs').tBodies[0].replaceChildren();
  }
}

// The export needs the key in a header, so fetch it and hand the browser a blob to save.
async function downloadExport(study) {
  const response = await fetch(api.exportUrl(study.id), { headers: { Authorization: `Bearer ${api.key}` } });
  if (!response.ok) throw new Error(`export failed: HTTP ${response.status}`);
  const url = URL.createObjectURL(await response.blob());
  const a = document.createElement('a');
  a.href = url; a.download = `${study.name}.csv`; a.click();
  URL.revokeObjectURL(url);
}

async function open(key) {
  api = createApi(key);
  const me = await api.me();
  sessionStorage.setItem('emi-key', key);
  $('who').textContent = me.tenant ? `${me.tenant.name} (${me.role})` : me.role;
  const page = await api.studies();
  list($('studies'), page.items, (s) => [s.name, s.description], openStudy);
  notice('');
}

$('login').addEventListener('submit', (e) => {
  e.preventDefault();
  open($('key').value.trim()).catch((err) => notice(err.message, true));
});
$('show-vad').addEventListener('change', render);
setInterval(refreshJobs, 5000);

// The key may come from the URL fragment (never sent to the server) or this tab's session.
const fromHash = new URLSearchParams(location.hash.slice(1)).get('key');
const saved = fromHash || sessionStorage.getItem('emi-key');
if (saved) {
  $('key').value = saved;
  open(saved).catch((err) => notice(err.message, true));
}
