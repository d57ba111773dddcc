// A thin client for the platform's HTTP API; every error is an RFC 9457 problem, surfaced with its title and detail.
export class ApiError extends Error {
  constructor(status, problem) {
    super(problem?.detail || problem?.title || `HTTP ${status}`);
    this.status = status;
    this.problem = problem;
  }
}

async function ensureOk(response) {
  if (!response.ok) {
    let problem = null;
    try { problem = await response.json(); } catch { /* not JSON */ }
    throw new ApiError(response.status, problem);
  }
  return response;
}

export function createApi(key, base = '') {
  async function get(path) {
    return (await ensureOk(await fetch(base + path, { headers: { Authorization: `Bearer ${key}` } }))).json();
  }
  // A study's Server-Sent Events stream. EventSource cannot send the Authorization header, so this is a plain fetch
  // whose body the caller reads as it arrives; Last-Event-ID lets the server resume after a reconnect.
  async function events(studyId, lastEventId, signal) {
    const headers = { Authorization: `Bearer ${key}`, Accept: 'text/event-stream' };
    if (lastEventId) headers['Last-Event-ID'] = lastEventId;
    return ensureOk(await fetch(`${base}/v1/studies/${studyId}/events`, { headers, signal, cache: 'no-store' }));
  }
  return {
    me: () => get('/v1/me'),
    studies: () => get('/v1/studies?pageSize=200'),
    participants: (studyId) => get(`/v1/studies/${studyId}/participants?pageSize=200`),
    recordings: (studyId, participantId) => get(`/v1/studies/${studyId}/participants/${participantId}/recordings`),
    timeline: (recordingId) => get(`/v1/recordings/${recordingId}/timeline`),
    // The recording's content link (a short-lived read SAS) as data: a media element cannot send the key, and a page
    // cannot read the Location of content's cross-origin redirect.
    contentLink: (recordingId) => get(`/v1/recordings/${recordingId}/content-link`),
    jobs: (studyId) => get(`/v1/studies/${studyId}/jobs?pageSize=200`),
    // Per-recording aggregates of the study (the study view's means).
    scores: (studyId) => get(`/v1/studies/${studyId}/scores`),
    // Oldest first: the last item is the recording's latest job.
    recordingJobs: (studyId, recordingId) => get(`/v1/studies/${studyId}/jobs?recordingId=${recordingId}&pageSize=200`),
    events,
    recordingEvents: (recordingId) => get(`/v1/recordings/${recordingId}/events`),
    eventResults: (studyId, participantId) => get(`/v1/studies/${studyId}/event-results?participantId=${participantId}`),
    exportUrl: (studyId) => `${base}/v1/studies/${studyId}/export?format=long`,
    key,
  };
}
