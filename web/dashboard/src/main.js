import { createApi } from './api.js';
import { drawTimeline } from './chart.js';
import { followStudy } from './live.js';
import { eventSpans, renderEventTable } from './events.js';
import { forgetKey, REFUSED, rememberKey, takeKey } from './key.js';
import { renderSummary, summarize } from './study-summary.js';

const $ = (id) => document.getElementById(id);
let api = null;
let current = { study: null, participant: null, recording: null, windows: [], events: [] };
// The drawn plot ({ plot, setTime }) and the recording's media element, linked both ways.
let chart = null;
let media = null;
// The open study's run as its event stream describes it; `models` labels jobs with their bundle (the events do not).
let live = null;

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
  current = { study, participant: null, recording: null, windows: [], events: [] };
  clearRecording();
  $('event-results').hidden = true;
  const page = await api.participants(study.id);
  list($('participants'), page.items, (p) => [p.code, null], openParticipant);
  $('recordings').replaceChildren();
  const link = $('export');
  link.hidden = false;
  link.href = '#';
  link.onclick = (e) => { e.preventDefault(); downloadExport(study).catch((err) => notice(err.message, true)); };
  watch(study);
  showSummary(study).catch((e) => notice(e.message, true));
}

async function showSummary(study) {
  const [scores, jobs] = await Promise.all([api.scores(study.id), api.jobs(study.id)]);
  if (current.study?.id !== study.id) return;
  const trained = scores.recordings.find((r) => r.model)?.model.trained;
  renderSummary($('summary'), summarize(scores, jobs.items ?? jobs), trained);
  $('summary-pane').hidden = false;
}

async function openParticipant(participant) {
  current.participant = participant;
  current.recording = null;
  current.windows = [];
  clearRecording();
  const recordings = await api.recordings(current.study.id, participant.id);
  list($('recordings'), recordings, (r) => [r.originalFileName, `${r.stimulus ?? '—'} · trial ${r.trial ?? '—'} · ${r.durationSeconds.toFixed(1)} s`], openRecording);
  renderEventTable($('event-results'), await api.eventResults(current.study.id, participant.id));
}

async function openRecording(recording) {
  const changed = current.recording?.id !== recording.id;
  current.recording = recording;
  // Without its media the plot is still worth showing: say why the player is missing and go on.
  if (changed) await showMedia(recording).catch((e) => notice(`The recording cannot be played: ${e.message}`, true));
  $('timeline-title').textContent = `Timeline — ${recording.originalFileName}`;
  const model = $('model');
  try {
    const timeline = await api.timeline(recording.id);
    current.windows = timeline.windows;
    current.trained = timeline.model.trained;
    current.events = (await api.recordingEvents(recording.id)).events;
    model.textContent = `model ${timeline.model.name} ${timeline.model.version}` +
      (timeline.model.trained ? '' : ' — UNTRAINED reference model: the values exercise the pipeline and mean nothing');
    model.dataset.scoring = 'scored';
    model.classList.remove('error');
    render();
  } catch (e) {
    current.windows = [];
    chart = null;
    $('chart').replaceChildren();
    if (e.status !== 404) throw e;
    // No result: say what became of the recording's latest job, in the job's own words (they name the lab's file).
    const page = await api.recordingJobs(current.study.id, recording.id);
    const job = (page.items ?? []).at(-1);
    const state = job?.state ?? 'not-scored';
    model.dataset.scoring = state;
    model.classList.toggle('error', state === 'failed');
    model.textContent = {
      failed: `Scoring ${recording.originalFileName} failed after ${job?.attempts} attempt(s): ${job?.error ?? 'no reason given'}`,
      cancelled: `Scoring ${recording.originalFileName} was cancelled.`,
      queued: `${recording.originalFileName} is queued for scoring.`,
      running: `${recording.originalFileName} is being scored (${Math.round((job?.progress ?? 0) * 100)} %).`,
    }[state] ?? `${recording.originalFileName} has not been scored.`;
  }
}

function render() {
  const group = $('group').value;
  $('show-vad').disabled = group !== 'emi';
  if (current.windows.length === 0) return;
  chart = drawTimeline($('chart'), current.windows, { group, showVad: $('show-vad').checked, duration: current.recording?.durationSeconds, trained: current.trained, onSeek: seek,
    plugins: [eventSpans(current.events, $('chart'))] });
  if (media) chart.setTime(media.currentTime);
}

function clearRecording() {
  chart = null;
  media = null;
  $('media').replaceChildren();
  $('chart').replaceChildren();
}

// The recording plays beside its plot from its content link, a read SAS straight to storage that expires after minutes:
// a load that fails then asks for a fresh link once and carries on where it was.
async function showMedia(recording) {
  clearRecording();
  const link = await api.contentLink(recording.id);
  if (current.recording?.id !== recording.id) return;
  const el = document.createElement(recording.hasVideo ? 'video' : 'audio');
  el.controls = true;
  el.preload = 'metadata';
  el.dataset.recordingId = recording.id;
  el.src = link.url;
  let renewed = false;
  el.addEventListener('error', () => {
    if (renewed || media !== el) return;
    renewed = true;
    const at = el.currentTime;
    api.contentLink(recording.id).then((fresh) => {
      if (media !== el) return;
      el.src = fresh.url;
      el.currentTime = at;
    }).catch((e) => notice(e.message, true));
  });
  // timeupdate comes a few times a second; while playing, each frame moves the playhead too.
  const follow = () => chart?.setTime(el.currentTime);
  el.addEventListener('timeupdate', follow);
  el.addEventListener('seeked', follow);
  el.addEventListener('play', () => {
    const step = () => { if (media === el && !el.paused) { follow(); requestAnimationFrame(step); } };
    requestAnimationFrame(step);
  });
  media = el;
  $('media').replaceChildren(el);
}

function seek(seconds) {
  if (!media) return;
  media.currentTime = Number.isFinite(media.duration) ? Math.min(seconds, media.duration) : seconds;
  chart?.setTime(media.currentTime);
}

function watch(study) {
  live?.controller.abort();
  live = { studyId: study.id, controller: new AbortController(), counters: null, jobs: new Map(), models: new Map(), loadingModels: false };
  const mine = live;
  renderRun();
  followStudy(api, study.id, {
    onEvent: (type, data) => { if (live === mine) apply(type, data); },
    onStatus: (text, state) => {
      if (live !== mine) return;
      $('run-status').textContent = text;
      $('run').dataset.connection = state;
    },
  }, mine.controller.signal);
}

// snapshot: the whole run; job / progress: one job changed; completed, heartbeat: counters only. Every event carries
// the run's counters, and a run id that changes means a new run began.
function apply(type, data) {
  const runChanged = live.counters && data.progress.runId && data.progress.runId !== live.counters.runId;
  if (type === 'snapshot' || runChanged) live.jobs.clear();
  live.counters = data.progress;
  for (const job of type === 'snapshot' ? data.jobs : data.job ? [data.job] : []) {
    const before = live.jobs.get(job.id);
    live.jobs.set(job.id, job);
    if (!live.models.has(job.id)) loadModels();
    // The open recording's job just finished: draw its score, or say why there is none.
    if (['succeeded', 'failed', 'cancelled'].includes(job.state) && before?.state !== job.state && current.recording?.id === job.recordingId) {
      openRecording(current.recording).catch((e) => notice(e.message, true));
    }
  }
  renderRun();
}

// Model names come from the jobs list, read once per job the stream shows that the list did not have yet.
async function loadModels() {
  if (live.loadingModels) return;
  const mine = live;
  mine.loadingModels = true;
  try {
    const page = await api.jobs(mine.studyId);
    for (const j of page.items ?? page) if (j.bundle) mine.models.set(j.id, `${j.bundle.name} ${j.bundle.version}`);
    for (const id of mine.jobs.keys()) if (!mine.models.has(id)) mine.models.set(id, '');
  } catch { /* the label is optional */ } finally {
    mine.loadingModels = false;
  }
  if (live === mine) renderRun();
}

function duration(seconds) {
  const s = Math.round(seconds);
  if (s < 60) return `${s} s`;
  const m = Math.floor(s / 60);
  return m < 60 ? `${m} min ${String(s % 60).padStart(2, '0')} s` : `${Math.floor(m / 60)} h ${String(m % 60).padStart(2, '0')} min`;
}

function renderRun() {
  const c = live?.counters;
  const run = $('run');
  run.hidden = !live;
  for (const name of ['queued', 'running', 'succeeded', 'failed', 'cancelled']) $(`run-${name}`).textContent = c ? c[name] : '–';
  const complete = !!c && c.completedAt !== null && c.queued + c.running === 0;
  run.dataset.complete = String(complete);
  const fraction = c && c.recordingSecondsTotal > 0 ? Math.min(1, c.recordingSecondsDone / c.recordingSecondsTotal) : complete ? 1 : 0;
  $('run-bar').value = fraction;
  $('run-seconds').textContent = !c ? '' : c.runId === null ? 'no scoring run yet'
    : `${c.recordingSecondsDone.toFixed(1)} of ${c.recordingSecondsTotal.toFixed(1)} recording-s (${Math.round(fraction * 100)} %)`;
  $('run-eta').textContent = !c || c.runId === null ? '' : complete ? 'done' : c.etaSeconds === null ? 'ETA after the first score' : `ETA ${duration(c.etaSeconds)}`;
  const rows = [...(live?.jobs.values() ?? [])].map((j) => {
    const tr = document.createElement('tr');
    for (const value of [j.participantCode, j.fileName, j.state, `${Math.round((j.progress ?? 0) * 100)} %`, live.models.get(j.id) ?? '', j.error ?? '']) {
      const td = document.createElement('td'); td.textContent = value ?? ''; tr.append(td);
    }
    tr.dataset.id = j.id;
    tr.dataset.state = j.state;
    return tr;
  });
  $('jobs').tBodies[0].replaceChildren(...rows);
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
  let me;
  try {
    me = await api.me();
  } catch (e) {
    if (e.status !== 401) throw e;
    forgetKey();
    $('who').textContent = '';
    throw new Error(REFUSED);
  }
  rememberKey(key);
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
$('group').addEventListener('change', render);

// The key may come from the URL fragment (never sent to the server; removed from the address bar once read) or this
// tab's session.
const saved = takeKey();
if (saved) {
  $('key').value = saved;
  open(saved).catch((err) => notice(err.message, true));
}
