// api.js — the JSON API (proto3 JSON over HTTP/1.1), with the token from the login page sent
// as `Authorization: Bearer` on every call. Every route the dashboard uses is in ROUTES, the
// one place to change when the server's route table moves.

const TOKEN_KEY = 'spindle.token';

export const token = {
  get: () => sessionStorage.getItem(TOKEN_KEY),
  set: (t) => sessionStorage.setItem(TOKEN_KEY, t),
  clear: () => sessionStorage.removeItem(TOKEN_KEY),
};

/** RPC -> "METHOD /path/{param}". Paths follow the seed documents (/api/v1/workflows/...);
 *  {param} is filled from the call's params (and taken out of the query or body). */
export const ROUTES = {
  ListWorkflows: 'GET /api/v1/workflows',
  GetWorkflow: 'GET /api/v1/workflows/{workflowId}',
  ListVersions: 'GET /api/v1/workflows/{workflowId}/versions',
  GetVersion: 'GET /api/v1/workflows/{workflowId}/versions/{version}',
  DiffVersions: 'GET /api/v1/workflows/{workflowId}/diff',
  StartRun: 'POST /api/v1/workflows/{workflowId}/runs',
  ListRuns: 'GET /api/v1/workflows/runs',
  GetRun: 'GET /api/v1/workflows/runs/{runId}',
  CancelRun: 'POST /api/v1/workflows/runs/{runId}/cancel',
  ListPausedRuns: 'GET /api/v1/workflows/paused_runs',
  ProcessPauseAction: 'POST /api/v1/workflows/runs/{runId}/pause_action',
  ListSchedules: 'GET /api/v1/workflows/schedules',
  PauseSchedule: 'POST /api/v1/workflows/schedules/{scheduleId}/pause',
  DeleteSchedule: 'DELETE /api/v1/workflows/schedules/{scheduleId}',
  WatchRun: 'GET /api/v1/workflows/runs/{runId}/stream',
};

/** [method, path, the params left over] for RPC called with PARAMS. */
export function route(rpc, params = {}) {
  const [method, template] = ROUTES[rpc].split(' ');
  const rest = { ...params };
  const path = template.replace(/\{(\w+)\}/g, (_, k) => {
    delete rest[k];
    return encodeURIComponent(String(params[k] ?? ''));
  });
  return [method, path, rest];
}

/** An error the API answered with: HTTP status, gRPC code name and the server's message. */
export class ApiError extends Error {
  constructor(httpStatus, code, message, details) {
    super(message || `HTTP ${httpStatus}`);
    this.httpStatus = httpStatus;
    this.code = code; // e.g. "UNAUTHENTICATED", or '' when the body said nothing
    this.details = details || [];
  }
  get unauthenticated() { return this.httpStatus === 401 || this.code === 'UNAUTHENTICATED'; }
}

const GRPC_CODES = ['OK', 'CANCELLED', 'UNKNOWN', 'INVALID_ARGUMENT', 'DEADLINE_EXCEEDED', 'NOT_FOUND',
  'ALREADY_EXISTS', 'PERMISSION_DENIED', 'RESOURCE_EXHAUSTED', 'FAILED_PRECONDITION', 'ABORTED',
  'OUT_OF_RANGE', 'UNIMPLEMENTED', 'INTERNAL', 'UNAVAILABLE', 'DATA_LOSS', 'UNAUTHENTICATED'];

/** The error body, in the google.rpc.Status JSON shape, bare or under "error". */
async function errorFrom(res) {
  let body = null;
  try { body = await res.json(); } catch { /* not JSON: the status line is all there is */ }
  const st = (body && (body.error || body)) || {};
  let code = st.status || st.code || '';
  if (typeof code === 'number') code = GRPC_CODES[code] || String(code);
  return new ApiError(res.status, String(code), st.message || res.statusText, st.details);
}

/** Query string from PARAMS (skipping empty values). */
export function query(params) {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params || {})) {
    if (v !== undefined && v !== null && v !== '' && v !== 0) q.set(k, String(v));
  }
  const str = q.toString();
  return str ? `?${str}` : '';
}

/** Headers for an authenticated call. */
export function authHeaders(extra) {
  const headers = { Accept: 'application/json', ...extra };
  const t = token.get();
  if (t) headers.Authorization = `Bearer ${t}`;
  return headers;
}

/** Calls RPC: PATH params fill the path, the rest go in the query (GET/DELETE) or the body. */
export async function call(rpc, params = {}, { signal, tokenOverride } = {}) {
  const [method, path, rest] = route(rpc, params);
  const hasBody = method === 'POST' || method === 'PATCH' || method === 'PUT';
  const headers = authHeaders(hasBody ? { 'Content-Type': 'application/json' } : {});
  if (tokenOverride !== undefined) headers.Authorization = `Bearer ${tokenOverride}`;
  const url = hasBody ? path : path + query(rest);
  let res;
  try {
    res = await fetch(url, { method, headers, body: hasBody ? JSON.stringify(rest) : undefined, signal });
  } catch (err) {
    if (err.name === 'AbortError') throw err;
    throw new ApiError(0, 'UNAVAILABLE', `cannot reach the server (${err.message})`);
  }
  if (!res.ok) throw await errorFrom(res);
  const text = await res.text();
  return text ? JSON.parse(text) : {};
}
