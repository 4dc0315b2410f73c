// Unit tests of the dashboard's browser modules that need no DOM: the API client (errors,
// 429 retry, unreachable API, credentials), validation-detail mapping, amount formatting
// and CSV export. The modules are plain browser JS, loaded here through dynamic import.
import { describe, expect, test } from 'vitest';

type Listener = (e: { kind: string; retryAfter?: number; message?: string }) => void;
type Api = {
  get: (path: string, query?: Record<string, unknown>) => Promise<any>;
  post: (path: string, body: unknown) => Promise<any>;
  onStatus: (l: Listener) => () => void;
};
type ApiModule = {
  createApi: (o: { fetchImpl: typeof fetch; storage: Storage; base?: string }) => Api;
  ApiError: new (...a: unknown[]) => Error & { status: number; code: string; details: unknown; retryAfter: number | null };
  fieldErrors: (e: unknown) => Record<string, string>;
};
const load = async <T>(path: string): Promise<T> => (await import(/* @vite-ignore */ path)) as T;
const apiModule = () => load<ApiModule>('./api.js');

function memoryStorage(init: Record<string, string> = {}): Storage {
  const m = new Map(Object.entries(init));
  return {
    get length() {
      return m.size;
    },
    clear: () => m.clear(),
    getItem: (k) => m.get(k) ?? null,
    key: (i) => [...m.keys()][i] ?? null,
    removeItem: (k) => void m.delete(k),
    setItem: (k, v) => void m.set(k, String(v)),
  };
}

type Call = { url: string; init: RequestInit };
function fakeFetch(responses: (Response | Error)[]) {
  const calls: Call[] = [];
  const impl = (async (url: string, init: RequestInit) => {
    calls.push({ url, init });
    const next = responses.shift();
    if (!next) throw new Error('no more responses');
    if (next instanceof Error) throw next;
    return next;
  }) as unknown as typeof fetch;
  return { impl, calls };
}
const json = (status: number, body: unknown, headers: Record<string, string> = {}) =>
  new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json', ...headers } });

describe('api client', () => {
  test('returns parsed JSON and builds the query string without empty values', async () => {
    const { createApi } = await apiModule();
    const f = fakeFetch([json(200, { items: [1, 2] })]);
    const api = createApi({ fetchImpl: f.impl, storage: memoryStorage() });
    expect(await api.get('/blocks/latest', { limit: 5, cursor: '', q: undefined })).toEqual({ items: [1, 2] });
    expect(f.calls[0]!.url).toBe('/api/v1/blocks/latest?limit=5');
  });

  test('an API error becomes an ApiError with code, message and per-field details', async () => {
    const { createApi, ApiError, fieldErrors } = await apiModule();
    const details = [{ path: 'body.price', message: 'too large' }, { path: 'body.name', message: 'required' }];
    const f = fakeFetch([json(400, { error: { code: 'validation', message: 'invalid body', details } })]);
    const api = createApi({ fetchImpl: f.impl, storage: memoryStorage() });
    const err = await api.post('/products', { price: '-1' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ApiError);
    expect(err).toMatchObject({ status: 400, code: 'validation', message: 'invalid body', details });
    expect(fieldErrors(err)).toEqual({ price: 'too large', name: 'required' });
    expect(JSON.parse(String(f.calls[0]!.init.body))).toEqual({ price: '-1' });
  });

  test('a 429 on a read is announced, waited out (Retry-After) and retried', async () => {
    const { createApi } = await apiModule();
    const f = fakeFetch([json(429, { error: { code: 'rate_limited', message: 'slow down' } }, { 'retry-after': '1' }), json(200, { ok: true })]);
    const api = createApi({ fetchImpl: f.impl, storage: memoryStorage() });
    const events: string[] = [];
    api.onStatus((e) => events.push(`${e.kind}:${e.retryAfter ?? ''}`));
    const t0 = Date.now();
    expect(await api.get('/stats')).toEqual({ ok: true });
    expect(Date.now() - t0).toBeGreaterThanOrEqual(950);
    expect(f.calls).toHaveLength(2);
    expect(events).toEqual(['rate_limited:1', 'ok:']);
  });

  test('a 429 on a write is not repeated: it fails with the retry delay', async () => {
    const { createApi } = await apiModule();
    const f = fakeFetch([json(429, { error: { code: 'rate_limited', message: 'slow down' } }, { 'retry-after': '7' })]);
    const api = createApi({ fetchImpl: f.impl, storage: memoryStorage() });
    await expect(api.post('/sql', { sql: 'SELECT 1' })).rejects.toMatchObject({ status: 429, code: 'rate_limited', retryAfter: 7 });
    expect(f.calls).toHaveLength(1);
  });

  test('an unreachable API is reported as status 0 and a "down" event', async () => {
    const { createApi } = await apiModule();
    const f = fakeFetch([new TypeError('Failed to fetch')]);
    const api = createApi({ fetchImpl: f.impl, storage: memoryStorage() });
    const events: string[] = [];
    api.onStatus((e) => events.push(e.kind));
    await expect(api.get('/freshness')).rejects.toMatchObject({ status: 0, code: 'unreachable' });
    expect(events).toEqual(['down']);
  });

  test('sends the stored API key and shop session; a rejected stored key is announced', async () => {
    const { createApi } = await apiModule();
    const f = fakeFetch([json(401, { error: { code: 'unauthorized', message: 'unknown API key' } })]);
    const storage = memoryStorage({ 'chainlake.apiKey': 'cl_abc', 'chainlake.shopToken': 'shop_xyz' });
    const api = createApi({ fetchImpl: f.impl, storage });
    const events: string[] = [];
    api.onStatus((e) => events.push(e.kind));
    await expect(api.get('/blocks/latest')).rejects.toMatchObject({ status: 401 });
    const headers = f.calls[0]!.init.headers as Record<string, string>;
    expect(headers['x-api-key']).toBe('cl_abc');
    expect(headers['x-session-token']).toBe('shop_xyz');
    expect(events).toEqual(['bad_key']);
  });
});

describe('formatting and CSV', () => {
  test('formatUnits is exact for uint256 amounts', async () => {
    const { formatUnits } = await load<{ formatUnits: (v: string, d?: number, f?: number) => string }>('./ui.js');
    expect(formatUnits('115792089237316195423570985008687907853269984665640564039457584007913129639935', 18, 4)).toBe(
      '115,792,089,237,316,195,423,570,985,008,687,907,853,269,984,665,640,564,039,457.584',
    );
    expect(formatUnits('1500000000', 9, 3)).toBe('1.5');
    expect(formatUnits('0', 18)).toBe('0');
  });

  test('toCsv quotes commas, quotes and newlines and keeps nulls empty', async () => {
    const { toCsv } = await load<{ toCsv: (c: string[], r: Record<string, unknown>[]) => string }>('./pages/sql.js');
    expect(toCsv(['a', 'b'], [{ a: 'x,y', b: null }, { a: 'say "hi"', b: 'line\nbreak' }])).toBe('a,b\r\n"x,y",\r\n"say ""hi""","line\nbreak"\r\n');
  });
});
