// sse.js — Server-Sent Events read with fetch streaming (EventSource cannot send the Bearer
// header). Parses the text/event-stream format (WHATWG HTML "Server-sent events": fields
// event / data / id / retry, comments, blank line dispatches), and after a dropped connection
// reconnects with `Last-Event-ID` set to the last id seen, so no event is lost or repeated.

import { route, authHeaders, ApiError } from './api.js';

/** Incremental text/event-stream parser: feed() it decoded text, it calls onMessage for every
 *  complete event. Kept separate from the network so it can be driven piece by piece. */
export class EventStreamParser {
  constructor(onMessage) {
    this.onMessage = onMessage;
    this.buffer = '';
    this.reset();
    this.lastEventId = '';
    this.retryMs = null;
  }
  reset() { this.event = ''; this.data = []; this.idSeen = null; }
  feed(text) {
    this.buffer += text;
    for (;;) {
      const m = /\r\n|\r|\n/.exec(this.buffer);
      // A lone trailing '\r' may be the first half of '\r\n': wait for the next chunk.
      if (!m || (m[0] === '\r' && m.index === this.buffer.length - 1)) return;
      const line = this.buffer.slice(0, m.index);
      this.buffer = this.buffer.slice(m.index + m[0].length);
      this.line(line);
    }
  }
  line(line) {
    if (line === '') return this.dispatch();
    if (line.startsWith(':')) return; // comment (keep-alive)
    const colon = line.indexOf(':');
    const field = colon < 0 ? line : line.slice(0, colon);
    let value = colon < 0 ? '' : line.slice(colon + 1);
    if (value.startsWith(' ')) value = value.slice(1);
    if (field === 'event') this.event = value;
    else if (field === 'data') this.data.push(value);
    else if (field === 'id' && !value.includes('\0')) { this.lastEventId = value; this.idSeen = value; }
    else if (field === 'retry' && /^\d+$/.test(value)) this.retryMs = Number(value);
  }
  dispatch() {
    if (this.data.length) {
      this.onMessage({ type: this.event || 'message', data: this.data.join('\n'), id: this.lastEventId });
    }
    this.reset();
  }
}

const TERMINAL = new Set(['run_completed', 'run_failed', 'run_canceled']);

/** The event's type in the stream's lower-case form ("step_started"), from the SSE event name
 *  or, failing that, the RunEvent's own `type` ("RUN_EVENT_TYPE_STEP_STARTED"). */
export function eventType(name, data) {
  if (name && name !== 'message') return name;
  const t = data && data.type;
  if (typeof t === 'string') return t.replace(/^RUN_EVENT_TYPE_/, '').toLowerCase();
  return name;
}

/**
 * Follows one run's events until its terminal event. Callbacks:
 *   onEvent(type, runEvent, id)   every event, once, in order
 *   onStatus(state, detail)       'connecting' | 'live' | 'reconnecting' | 'done' | 'error'
 * Returns {close(), drop()}: close() stops for good; drop() cuts the current connection as a
 * network failure would (the reader then resumes with Last-Event-ID).
 */
export function watchRun(runId, { onEvent, onStatus = () => {} }) {
  const [, path] = route('WatchRun', { runId });
  let closed = false;
  let controller = null;
  let lastId = '';
  let lastSeq = 0;
  let retryMs = 1000;
  let failures = 0;
  const stats = { connects: 0, resumes: 0, events: 0, duplicates: 0 };

  async function connectOnce() {
    controller = new AbortController();
    const headers = authHeaders({ Accept: 'text/event-stream', 'Cache-Control': 'no-cache' });
    if (lastId) { headers['Last-Event-ID'] = lastId; stats.resumes++; }
    stats.connects++;
    onStatus(lastId ? 'reconnecting' : 'connecting', lastId);
    const res = await fetch(path, { headers, signal: controller.signal, cache: 'no-store' });
    if (!res.ok) {
      let message = res.statusText;
      try { const b = await res.json(); message = (b.error || b).message || message; } catch { /* none */ }
      throw new ApiError(res.status, '', message);
    }
    onStatus('live', lastId);
    failures = 0;
    let done = false;
    let streamError = null;
    const parser = new EventStreamParser(({ type, data, id }) => {
      let ev;
      try { ev = JSON.parse(data); } catch { return; } // not a run event (e.g. a ping)
      if (type === 'error') { streamError = ev; return; } // the call behind the stream failed
      const kind = eventType(type, ev);
      const seq = Number(ev.seq ?? id ?? 0);
      if (seq && seq <= lastSeq) { stats.duplicates++; return; } // never shown twice
      if (seq) lastSeq = seq;
      lastId = id || String(seq || lastId);
      stats.events++;
      onEvent(kind, ev, lastId);
      if (TERMINAL.has(kind)) done = true;
    });
    const reader = res.body.getReader();
    const decoder = new TextDecoder();
    for (;;) {
      const { value, done: eof } = await reader.read();
      if (eof) break;
      parser.feed(decoder.decode(value, { stream: true }));
      if (parser.retryMs !== null) retryMs = parser.retryMs;
      if (done) { controller.abort(); break; }
      if (streamError) {
        controller.abort();
        throw new ApiError(400, String(streamError.code ?? ''), streamError.message || 'the stream failed');
      }
    }
    return done;
  }

  (async () => {
    while (!closed) {
      let finished = false;
      try {
        finished = await connectOnce();
      } catch (err) {
        if (closed) return;
        if (err instanceof ApiError && err.httpStatus >= 400 && err.httpStatus < 500) {
          onStatus('error', err.message);
          return; // a refused request does not get better by retrying
        }
        failures++;
      }
      if (finished) { onStatus('done'); return; }
      if (closed) return;
      // The stream ended or broke before the run did: resume after a pause that grows.
      onStatus('reconnecting', lastId);
      await new Promise((r) => setTimeout(r, Math.min(retryMs * 2 ** Math.min(failures, 4), 15000)));
    }
  })();

  return {
    stats,
    close() { closed = true; if (controller) controller.abort(); },
    drop() { if (controller) controller.abort(); },
  };
}
