// Client for the public chainlake API (/api/v1). Every call resolves to parsed JSON or throws
// an ApiError carrying the API's {error:{code,message,details}}. Listeners hear about rate
// limiting (429, with Retry-After) and an unreachable API so the shell can show a notice.
// Credentials live in sessionStorage: an API key (x-api-key) and a shop session token.

export const API_BASE = '/api/v1';
const KEY_STORE = 'chainlake.apiKey';
const SESSION_STORE = 'chainlake.shopToken';

export class ApiError extends Error {
  /**
   * @param {number} status HTTP status (0 = the API could not be reached)
   * @param {string} code machine-readable code from the API
   * @param {string} message human message from the API
   * @param {unknown} [details] per-field issues ({path, message}[]) for validation errors
   * @param {number | null} [retryAfter] seconds, for 429 and 503
   */
  constructor(status, code, message, details, retryAfter = null) {
    super(message);
    this.name = 'ApiError';
    this.status = status;
    this.code = code;
    this.details = details;
    this.retryAfter = retryAfter;
  }
}

/** Maps validation details ({path:'body.price', message}) to {price: message}. */
export function fieldErrors(err) {
  const out = {};
  if (!(err instanceof ApiError) || !Array.isArray(err.details)) return out;
  for (const d of err.details) {
    if (!d || typeof d.path !== 'string') continue;
    const field = d.path.split('.').filter((p) => p !== 'body' && p !== 'query' && p !== 'params')[0] ?? '';
    if (field && !(field in out)) out[field] = String(d.message);
  }
  return out;
}

function queryString(query) {
  if (!query) return '';
  const p = new URLSearchParams();
  for (const [k, v] of Object.entries(query)) if (v !== undefined && v !== null && v !== '') p.set(k, String(v));
  const s = p.toString();
  return s ? `?${s}` : '';
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/**
 * @param {{ base?: string, fetchImpl?: typeof fetch, storage?: Storage, maxRateLimitRetries?: number }} [opts]
 */
export function createApi(opts = {}) {
  const base = opts.base ?? API_BASE;
  const doFetch = opts.fetchImpl ?? ((...a) => fetch(...a));
  const storage = opts.storage ?? window.sessionStorage;
  const maxRetries = opts.maxRateLimitRetries ?? 2;
  /** @type {Set<(e: {kind: 'rate_limited' | 'down' | 'bad_key' | 'ok', retryAfter?: number, message?: string}) => void>} */
  const listeners = new Set();
  const emit = (e) => listeners.forEach((l) => l(e));

  const credentials = {
    apiKey: () => storage.getItem(KEY_STORE) ?? '',
    setApiKey: (k) => (k ? storage.setItem(KEY_STORE, k) : storage.removeItem(KEY_STORE)),
    sessionToken: () => storage.getItem(SESSION_STORE) ?? '',
    setSessionToken: (t) => (t ? storage.setItem(SESSION_STORE, t) : storage.removeItem(SESSION_STORE)),
  };

  /** Full response: {status, headers, data}. Throws ApiError for any non-2xx. */
  async function raw(method, path, { query, body, headers = {}, signal } = {}) {
    const h = { accept: 'application/json', ...headers };
    const key = credentials.apiKey();
    if (key && !('x-api-key' in h)) h['x-api-key'] = key;
    const token = credentials.sessionToken();
    if (token && !('x-session-token' in h)) h['x-session-token'] = token;
    if (body !== undefined) h['content-type'] = 'application/json';
    for (let attempt = 0; ; attempt++) {
      let res;
      try {
        res = await doFetch(`${base}${path}${queryString(query)}`, { method, headers: h, body: body === undefined ? undefined : JSON.stringify(body), signal });
      } catch (e) {
        if (e && e.name === 'AbortError') throw e;
        const err = new ApiError(0, 'unreachable', 'The chainlake API cannot be reached. Is the server running?');
        emit({ kind: 'down', message: err.message });
        throw err;
      }
      const text = await res.text();
      let data = null;
      if (text) {
        try {
          data = JSON.parse(text);
        } catch {
          data = null;
        }
      }
      if (res.ok) {
        emit({ kind: 'ok' });
        return { status: res.status, headers: res.headers, data };
      }
      const retryAfter = Number(res.headers.get('retry-after')) || null;
      const e = data && typeof data === 'object' && data.error ? data.error : null;
      const err = new ApiError(res.status, e?.code ?? `http_${res.status}`, e?.message ?? `${res.status} ${res.statusText || 'error'}`, e?.details, retryAfter);
      if (res.status === 429) {
        emit({ kind: 'rate_limited', retryAfter: retryAfter ?? 1, message: err.message });
        // Reads are safe to repeat: wait as told (capped) and try again.
        if (method === 'GET' && attempt < maxRetries) {
          await sleep(Math.min(5, retryAfter ?? 1) * 1000);
          continue;
        }
      } else if (res.status === 401 && key && h['x-api-key'] === key && err.code === 'unauthorized') {
        emit({ kind: 'bad_key', message: err.message });
      } else if (res.status === 502 || res.status === 503 || res.status === 504) {
        emit({ kind: 'down', message: err.message });
      } else {
        emit({ kind: 'ok' });
      }
      throw err;
    }
  }

  const call = async (method, path, o) => (await raw(method, path, o)).data;

  /**
   * Server-sent events from /stream. handlers: {block, stats, open, error}. Returns close().
   * EventSource cannot send headers, so the stream relies on PUBLIC_READ (or a cookie-less
   * deployment that allows it); errors are reported and the browser reconnects by itself.
   */
  function stream(handlers) {
    const es = new EventSource(`${base}/stream`);
    es.addEventListener('open', () => handlers.open?.());
    es.addEventListener('error', () => handlers.error?.(es.readyState));
    for (const name of ['block', 'stats']) {
      es.addEventListener(name, (ev) => {
        try {
          handlers[name]?.(JSON.parse(ev.data));
        } catch {
          /* a malformed frame is skipped */
        }
      });
    }
    return () => es.close();
  }

  return {
    raw,
    get: (path, query, o = {}) => call('GET', path, { ...o, query }),
    post: (path, body, o = {}) => call('POST', path, { ...o, body }),
    put: (path, body, o = {}) => call('PUT', path, { ...o, body }),
    patch: (path, body, o = {}) => call('PATCH', path, { ...o, body }),
    del: (path, o = {}) => call('DELETE', path, o),
    stream,
    credentials,
    onStatus(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
}
