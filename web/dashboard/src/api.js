// A thin client for the platform's HTTP API; every error is an RFC 9457 problem, surfaced with its title and detail.
export class ApiError extends Error {
  constructor(status, problem) {
    super(problem?.detail || problem?.title || `HTTP ${status}`);
    this.status = status;
    this.problem = problem;
  }
}

export function createApi(key, base = '') {
  async function get(path) {
    const response = await fetch(base + path, { headers: { Authorization: `Bearer ${key}` } });
    if (!response.ok) {
      let problem = null;
      try { problem = await response.json(); } catch { /* not JSON */ }
      throw new ApiError(response.status, problem);
    }
    return response.json();
  }
  return {
    me: () => get('/v1/me'),
    studies: () => get('/v1/studies?pageSize=200'),
    participants: (studyId) => get(`/v1/studies/${studyId}/participants?pageSize=200`),
    recordings: (studyId, participantId) => get(`/v1/studies/${studyId}/participants/${participantId}/recordings`),
    timeline: (recordingId) => get(`/v1/recordings/${recordingId}/timeline`),
    jobs: (studyId) => get(`/v1/studies/${studyId}/jobs`),
    exportUrl: (studyId) => `${base}/v1/studies/${studyId}/export?format=long`,
    key,
  };
}
