import { EventSourceParserStream } from 'eventsource-parser/stream';
import { ApiError } from './api.js';

// The server sends a heartbeat every 15 s; a stream silent for this long is treated as dropped.
const SILENCE_MS = 45_000;
const FIRST_DELAY_MS = 1_000;
const MAX_DELAY_MS = 10_000;

const sleep = (ms, signal) => new Promise((resolve) => {
  const timer = setTimeout(resolve, ms);
  signal.addEventListener('abort', () => { clearTimeout(timer); resolve(); }, { once: true });
});

// Follows a study's event stream until `signal` aborts: onEvent(type, data, id) for each event, onStatus(text, state)
// when the connection comes up, drops or fails for good. After a drop it waits (1 s, doubling up to 10 s) and
// reconnects with Last-Event-ID, so the server replays what was missed or sends a fresh snapshot. A 4xx answer (the
// study is gone, the key was revoked) ends it: retrying would not help.
export async function followStudy(api, studyId, { onEvent, onStatus }, signal) {
  let lastId = null;
  let delay = FIRST_DELAY_MS;
  while (!signal.aborted) {
    const connection = new AbortController();
    const cut = () => connection.abort();
    signal.addEventListener('abort', cut, { once: true });
    let silence = setTimeout(cut, SILENCE_MS);
    let reason = 'the server closed the stream';
    try {
      const response = await api.events(studyId, lastId, connection.signal);
      onStatus('live', 'live');
      const reader = response.body
        .pipeThrough(new TextDecoderStream())
        .pipeThrough(new EventSourceParserStream({ maxBufferSize: 8 * 1024 * 1024, onError: 'terminate' }))
        .getReader();
      for (;;) {
        const { value: message, done } = await reader.read();
        if (done) break;
        clearTimeout(silence);
        silence = setTimeout(cut, SILENCE_MS);
        delay = FIRST_DELAY_MS;
        if (message.id) lastId = message.id;
        onEvent(message.event, JSON.parse(message.data), message.id ?? null);
      }
    } catch (e) {
      if (signal.aborted) return;
      if (e instanceof ApiError && e.status < 500) {
        onStatus(`live progress unavailable: ${e.message}`, 'failed');
        return;
      }
      reason = connection.signal.aborted ? `nothing heard for ${SILENCE_MS / 1000} s` : e.message;
    } finally {
      clearTimeout(silence);
      signal.removeEventListener('abort', cut);
    }
    if (signal.aborted) return;
    onStatus(`connection lost (${reason}); reconnecting in ${delay / 1000} s`, 'reconnecting');
    await sleep(delay, signal);
    delay = Math.min(delay * 2, MAX_DELAY_MS);
  }
}
