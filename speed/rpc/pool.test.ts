import { Writable } from 'node:stream';
import pino from 'pino';
import { Registry } from 'prom-client';
import { describe, expect, test } from 'vitest';
import { makeEndpoint, type RpcEndpoint } from './endpoints.js';
import { FatalError } from '../../core/errors.js';
import {
  BlockBundleInconsistentError,
  BlockNotAvailableError,
  ReceiptsMissingError,
  RpcEndpointsDisabledError,
  RpcInvalidAnswerError,
  RpcResponseError,
  RpcTimeoutError,
} from './errors.js';
import { type Clock, createRpcPool, type RpcPoolOptions } from './pool.js';
import { parseRetryAfter } from './transport.js';
import { hexQuantity } from './schemas.js';

// ---------- fakes: a clock that advances on sleep, and a fetch routing to per-endpoint chains ----------

function fakeClock(start = Date.UTC(2026, 0, 10, 12, 0, 0)): Clock & { sleeps: number[] } {
  let now = start;
  const sleeps: number[] = [];
  return {
    sleeps,
    now: () => now,
    sleep: async (ms, signal) => {
      signal?.throwIfAborted();
      sleeps.push(ms);
      now += ms;
      // yield to macrotasks so timers/IO in the test can run between pool wait slices
      await new Promise((r) => setImmediate(r));
      signal?.throwIfAborted();
    },
  };
}

const h32 = (n: number, salt = 0) => `0x${(n * 1000 + salt).toString(16).padStart(64, '0')}`;
const addr = (n: number) => `0x${n.toString(16).padStart(40, '0')}`;

/** A consistent fake chain: block n has `txs` transactions. */
function chainBlock(n: number, txs = 2, salt = 0) {
  const hash = h32(n, salt);
  const transactions = Array.from({ length: txs }, (_, i) => ({
    hash: h32(n * 100 + i, 7 + salt), blockHash: hash, blockNumber: `0x${n.toString(16)}`, transactionIndex: `0x${i.toString(16)}`,
    from: addr(1), to: addr(2), value: '0x1', nonce: `0x${i.toString(16)}`, type: '0x2', gas: '0x5208', gasPrice: '0x2',
    maxFeePerGas: '0x3', maxPriorityFeePerGas: '0x1', input: '0x',
  }));
  const receipts = transactions.map((t) => ({
    transactionHash: t.hash, transactionIndex: t.transactionIndex, blockHash: hash, blockNumber: t.blockNumber, from: t.from, to: t.to,
    status: '0x1', gasUsed: '0x5208', effectiveGasPrice: '0x2', contractAddress: null, logs: [],
  }));
  const block = {
    number: `0x${n.toString(16)}`, hash, parentHash: h32(n - 1, salt), timestamp: '0x65a0b1c3', miner: addr(9),
    gasUsed: '0x0', gasLimit: '0x1c9c380', baseFeePerGas: '0x1', transactions,
  };
  return { block, receipts };
}

type Reply = { status?: number; headers?: Record<string, string>; body?: unknown; raw?: string; hang?: boolean; throw?: Error };
type Handler = (method: string, params: unknown[], call: number) => Reply | undefined;

/** Default JSON-RPC answers of a healthy node. */
const healthy: Handler = (method, params) => {
  if (method === 'eth_chainId') return { body: '0x1' };
  if (method === 'eth_blockNumber') return { body: '0x64' };
  if (method === 'eth_getBlockByNumber') return { body: chainBlock(Number(BigInt(params[0] as string))).block };
  if (method === 'eth_getBlockReceipts') return { body: chainBlock(Number(BigInt(params[0] as string))).receipts };
  if (method === 'eth_getTransactionReceipt') {
    const hash = params[0] as string;
    const n = Math.floor(Number(BigInt(hash) - 7n) / 1000 / 100);
    return { body: chainBlock(n).receipts.find((r) => r.transactionHash === hash) ?? null };
  }
  return { body: null };
};

function fakeNet(handlers: Record<string, Handler>) {
  const calls: { url: string; method: string }[] = [];
  const fetchFn = (async (input: string | URL | Request, init?: RequestInit) => {
    const url = String(input);
    const { method, params, id } = JSON.parse(String(init?.body)) as { method: string; params: unknown[]; id: number };
    calls.push({ url, method });
    const n = calls.filter((c) => c.url === url).length;
    const reply = handlers[url]?.(method, params, n) ?? healthy(method, params, n)!;
    if (reply.throw) throw reply.throw;
    if (reply.hang)
      return new Promise<Response>((_, reject) => init?.signal?.addEventListener('abort', () => reject(new DOMException('aborted', 'AbortError'))));
    const text = reply.raw ?? JSON.stringify(reply.status && reply.status !== 200 ? { error: 'x' } : reply.body !== undefined && (reply.body as { error?: unknown })?.error ? { jsonrpc: '2.0', id, ...(reply.body as object) } : { jsonrpc: '2.0', id, result: reply.body });
    return new Response(text, { status: reply.status ?? 200, headers: { 'content-type': 'application/json', ...(reply.headers ?? {}) } });
  }) as typeof fetch;
  const count = (url: string, method?: string) => calls.filter((c) => c.url === url && (method === undefined || c.method === method)).length;
  return { fetchFn, calls, count };
}

function capture() {
  const lines: string[] = [];
  const stream = new Writable({ write(chunk, _enc, cb) { lines.push(String(chunk)); cb(); } });
  return { logger: pino({ level: 'trace' }, stream), lines };
}

const A = 'https://a.example.com/v2/keyAAAAAAAAAAAAAAAAAAAA';
const B = 'https://b.example.org/v3/keyBBBBBBBBBBBBBBBBBBBB';

function setup(eps: RpcEndpoint[], handlers: Record<string, Handler>, extra: Partial<RpcPoolOptions> = {}) {
  const clock = fakeClock();
  const net = fakeNet(handlers);
  const log = capture();
  const metrics = new Registry();
  const pool = createRpcPool({ endpoints: eps, logger: log.logger, metrics, clock, fetchFn: net.fetchFn, random: () => 0, timeoutMs: 50, ...extra });
  return { pool, clock, net, log, metrics };
}

const ep = (url: string, o: Partial<{ rps: number; dailyQuota: number; weight: number }> = {}) =>
  makeEndpoint(url, { rps: o.rps ?? 1000, dailyQuota: o.dailyQuota ?? 0, weight: o.weight ?? 1 });

async function metricValue(metrics: Registry, name: string, labels: Record<string, string> = {}): Promise<number> {
  const m = await metrics.getSingleMetric(name)?.get();
  const v = m?.values.find((x) => Object.entries(labels).every(([k, val]) => (x.labels as Record<string, unknown>)[k] === val));
  return v?.value ?? Number.NaN;
}

describe('rpc pool', () => {
  test('token bucket holds an endpoint to its requests per second', async () => {
    const { pool, clock, net } = setup([ep(A, { rps: 5 })], {});
    const t0 = clock.now();
    for (let i = 0; i < 20; i++) await pool.request('eth_blockNumber', []);
    expect(net.count(A)).toBe(20);
    // burst of 5, then 15 more at 5/s
    const elapsed = clock.now() - t0;
    expect(elapsed).toBeGreaterThanOrEqual(2_990);
    expect(elapsed).toBeLessThan(3_300);
  });

  test('fails over on 429 and honours Retry-After before using the endpoint again', async () => {
    const { pool, clock, net, metrics } = setup([ep(A), ep(B)], {
      [A]: (_m, _p, n) => (n === 1 ? { status: 429, headers: { 'retry-after': '7' } } : undefined),
    });
    const t0 = clock.now();
    expect(await pool.blockNumber()).toBe(100n);
    expect(net.calls.map((c) => c.url)).toEqual([A, B]);
    const a = pool.status().find((s) => s.host === 'a.example.com')!;
    expect(a.coolingUntil).toBe(t0 + 7_000);
    expect(a.rateLimited).toBe(1);
    // while A cools down, B takes everything
    for (let i = 0; i < 3; i++) await pool.blockNumber();
    expect(net.count(A)).toBe(1);
    await clock.sleep(7_000);
    await pool.blockNumber();
    expect(net.count(A)).toBe(2);
    expect(await metricValue(metrics, 'chainlake_rpc_requests_total', { endpoint: a.label, outcome: 'rate_limited' })).toBe(1);
  });

  test('cooldown grows exponentially with consecutive failures and resets on success', async () => {
    const { pool, log } = setup([ep(A)], { [A]: (_m, _p, n) => (n <= 3 || n === 5 ? { status: 503 } : undefined) }, { random: () => 1, cooldownBaseMs: 500 });
    await pool.blockNumber();
    await pool.blockNumber();
    const cooldowns = log.lines.map((l) => JSON.parse(l)).filter((l) => l.msg === 'RPC endpoint failed, cooling down').map((l) => l.cooldownMs);
    expect(cooldowns).toEqual([500, 1_000, 2_000, 500]);
  });

  test('an endpoint out of daily quota is skipped for the others', async () => {
    const { pool, net } = setup([ep(A, { dailyQuota: 3, weight: 100 }), ep(B, { weight: 1 })], {});
    for (let i = 0; i < 6; i++) await pool.blockNumber();
    expect(net.count(A)).toBe(3);
    expect(net.count(B)).toBe(3);
    expect(pool.status()[0]!.quotaRemaining).toBe(0);
  });

  test('when every endpoint is exhausted it waits, logs once, and resumes without skipping a block', async () => {
    let failing = true;
    const fail: Handler = () => (failing ? { status: 429, headers: { 'retry-after': '3' } } : undefined);
    const { pool, clock, net, log, metrics } = setup([ep(A), ep(B)], { [A]: fail, [B]: fail });
    const t0 = clock.now();
    const seen: number[] = [];
    const fetching = (async () => {
      for (let n = 1; n <= 4; n++) seen.push(Number(BigInt((await pool.getBlockBundle(n)).block.number)));
    })();
    // Let the pool spin through several wait slices, then recover.
    while (clock.now() - t0 < 20_000) await new Promise((r) => setImmediate(r));
    expect(await metricValue(metrics, 'chainlake_rpc_all_exhausted')).toBe(1);
    expect(seen).toEqual([]);
    failing = false;
    await fetching;
    expect(seen).toEqual([1, 2, 3, 4]);
    expect(await metricValue(metrics, 'chainlake_rpc_all_exhausted')).toBe(0);
    const waits = log.lines.filter((l) => l.includes('All RPC endpoints cooling down'));
    expect(waits).toHaveLength(1);
    expect(net.calls.length).toBeGreaterThan(8);
  });

  test('detects a missing eth_getBlockReceipts once and falls back to per-transaction receipts', async () => {
    const { pool, net, metrics } = setup([ep(A)], {
      [A]: (m) => (m === 'eth_getBlockReceipts' ? { body: { error: { code: -32601, message: 'the method eth_getBlockReceipts does not exist/is not available' } } } : undefined),
    });
    const first = await pool.getBlockBundle(10);
    expect(first.receipts.map((r) => r.transactionHash)).toEqual(first.block.transactions.map((t) => t.hash));
    expect(first.requests).toBe(1 + 1 + 2);
    const second = await pool.getBlockBundle(11n);
    expect(second.requests).toBe(1 + 2);
    expect(net.count(A, 'eth_getBlockReceipts')).toBe(1);
    expect(pool.status()[0]!.blockReceipts).toBe('unsupported');
    expect(await metricValue(metrics, 'chainlake_rpc_receipt_fallback_total', { endpoint: pool.status()[0]!.label })).toBe(2);
  });

  test('a healthy bundle is exactly two requests', async () => {
    const { pool, net } = setup([ep(A)], {});
    const bundle = await pool.getBlockBundle(5);
    expect(bundle.requests).toBe(2);
    expect(net.calls.map((c) => c.method)).toEqual(['eth_getBlockByNumber', 'eth_getBlockReceipts']);
    expect(pool.status()[0]!.blockReceipts).toBe('supported');
  });

  test('malformed responses are rejected and never become data', async () => {
    const bad: Handler = (m, p) => {
      if (m !== 'eth_getBlockByNumber') return undefined;
      const b = chainBlock(Number(BigInt(p[0] as string))).block;
      return { body: { ...b, transactions: b.transactions.map((t) => t.hash) } }; // hashes only, not full txs
    };
    const { pool, net, metrics } = setup([ep(A, { weight: 10 }), ep(B)], { [A]: bad });
    const bundle = await pool.getBlockBundle(7);
    expect(bundle.block.transactions[0]!.from).toBe(addr(1));
    expect(net.calls[0]!.url).toBe(A);
    // A schema failure is the data's fault, not the endpoint's: no cooldown, just ask another.
    expect(pool.status()[0]!.coolingUntil).toBeNull();
    expect(await metricValue(metrics, 'chainlake_rpc_requests_total', { endpoint: pool.status()[0]!.label, outcome: 'bad_response' })).toBe(1);

    const only = setup([ep(A)], { [A]: () => ({ raw: '<html>502 Bad Gateway</html>' }) });
    await expect(only.pool.request('eth_blockNumber', [], { maxAttempts: 2 })).rejects.toBeInstanceOf(RpcResponseError);
    const wrongType = setup([ep(A)], { [A]: () => ({ body: 12345 }) });
    await expect(wrongType.pool.request('eth_blockNumber', [], { schema: hexQuantity, maxAttempts: 2 })).rejects.toBeInstanceOf(RpcResponseError);
    expect(wrongType.net.calls).toHaveLength(2);
  });

  test('a hanging endpoint times out and the request moves on', async () => {
    const { pool, net } = setup([ep(A, { weight: 10 }), ep(B)], { [A]: () => ({ hang: true }) }, { timeoutMs: 20 });
    expect(await pool.chainId()).toBe(1);
    expect(net.calls.map((c) => c.url)).toEqual([A, B]);
    const only = setup([ep(A)], { [A]: () => ({ hang: true }) }, { timeoutMs: 20 });
    await expect(only.pool.request('eth_blockNumber', [], { maxAttempts: 1 })).rejects.toBeInstanceOf(RpcTimeoutError);
  });

  test('receipts from another block (reorg between the calls) trigger a refetch', async () => {
    const { pool, net } = setup([ep(A)], {
      [A]: (m, p, n) => (m === 'eth_getBlockReceipts' && n === 2 ? { body: chainBlock(Number(BigInt(p[0] as string)), 2, 5).receipts } : undefined),
    });
    const bundle = await pool.getBlockBundle(3);
    expect(bundle.receipts[0]!.blockHash).toBe(bundle.block.hash);
    expect(bundle.requests).toBe(4);
    expect(net.calls.length).toBe(4);

    const always = setup([ep(A)], { [A]: (m, p) => (m === 'eth_getBlockReceipts' ? { body: chainBlock(Number(BigInt(p[0] as string)), 2, 5).receipts } : undefined) });
    await expect(always.pool.getBlockBundle(3)).rejects.toBeInstanceOf(BlockBundleInconsistentError);
  });

  test('a block no endpoint has yet is a retryable BlockNotAvailableError', async () => {
    const { pool } = setup([ep(A)], { [A]: (m) => (m === 'eth_getBlockByNumber' ? { body: null } : undefined) });
    const err = await pool.getBlockBundle(999).catch((e) => e);
    expect(err).toBeInstanceOf(BlockNotAvailableError);
    expect(err.retryable).toBe(true);
  });

  test('abort stops a request that is waiting for an endpoint', async () => {
    const { pool } = setup([ep(A)], { [A]: () => ({ status: 500 }) });
    const ac = new AbortController();
    const p = pool.request('eth_blockNumber', [], { signal: ac.signal });
    await new Promise((r) => setTimeout(r, 10));
    ac.abort(new Error('stop'));
    await expect(p).rejects.toThrow('stop');
  });

  test('traffic splits by weight among available endpoints', async () => {
    let seed = 42;
    const lcg = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
    const { pool, net } = setup([ep(A, { weight: 3 }), ep(B, { weight: 1 })], {}, { random: lcg });
    for (let i = 0; i < 400; i++) await pool.blockNumber();
    expect(net.count(A)).toBeGreaterThan(260);
    expect(net.count(A)).toBeLessThan(340);
    expect(net.count(A) + net.count(B)).toBe(400);
  });

  test('a JSON-RPC rate-limit error (-32005) cools the endpoint like a 429', async () => {
    const { pool, net } = setup([ep(A, { weight: 10 }), ep(B)], {
      [A]: () => ({ body: { error: { code: -32005, message: 'request rate exceeded' } } }),
    });
    await pool.blockNumber();
    expect(net.calls.map((c) => c.url)).toEqual([A, B]);
    expect(pool.status()[0]!.rateLimited).toBe(1);
  });

  test('an exhausted daily quota waits for the next UTC day, then continues', async () => {
    const { pool, clock, net } = setup([ep(A, { dailyQuota: 2 })], {});
    await pool.blockNumber();
    await pool.blockNumber();
    const dayBefore = new Date(clock.now()).toISOString().slice(0, 10);
    await pool.blockNumber();
    expect(net.count(A)).toBe(3);
    expect(new Date(clock.now()).toISOString().slice(0, 10)).not.toBe(dayBefore);
    expect(new Date(clock.now()).getUTCHours()).toBe(0);
    expect(pool.status()[0]!.usedToday).toBe(1);
  });

  test('Retry-After accepts delta seconds and HTTP dates', () => {
    const now = Date.UTC(2026, 0, 1, 0, 0, 0);
    expect(parseRetryAfter('12', now)).toBe(12_000);
    expect(parseRetryAfter(new Date(now + 90_000).toUTCString(), now)).toBe(90_000);
    expect(parseRetryAfter('soon', now)).toBeNull();
    expect(parseRetryAfter(null, now)).toBeNull();
  });

  test('API keys never appear in errors, log lines, status or metrics', async () => {
    const KEY = 'sEcReTkEy1234567890abcdef';
    const urlA = `https://eth.alchemy.example/v2/${KEY}`;
    const urlB = `https://rpc.example.net/?apikey=${KEY}`;
    const errors: string[] = [];
    const handler: Handler = (_m, _p, n) =>
      [
        { throw: new TypeError('fetch failed', { cause: Object.assign(new Error(`connect ECONNREFUSED ${urlA}`), { code: 'ECONNREFUSED' }) }) },
        { status: 500 },
        { status: 429, headers: { 'retry-after': '1' } },
        { raw: `not json ${urlA}` },
        { body: { error: { code: -32000, message: `upstream ${urlB} failed` } } },
        { hang: true },
      ][(n - 1) % 6];
    const { pool, log, metrics } = setup([ep(urlA), ep(urlB)], { [urlA]: handler, [urlB]: handler }, { timeoutMs: 5 });
    for (let i = 0; i < 6; i++) await pool.request('eth_blockNumber', [], { maxAttempts: 1 }).catch((e: Error) => errors.push(`${e.message} ${JSON.stringify(e)} ${String(e.stack)}`));
    expect(errors.length).toBeGreaterThanOrEqual(5);
    const everything = [...errors, ...log.lines, JSON.stringify(pool.status()), JSON.stringify([ep(urlA), ep(urlB)]), await metrics.metrics()].join('\n');
    expect(everything).toContain('eth.alchemy.example#');
    expect(everything).not.toContain(KEY);
    expect(everything.toLowerCase()).not.toContain(KEY.toLowerCase());
  });
});

// ---------- errors that end: terminal failures are bounded, transient ones retried ----------

describe('rpc pool terminal errors', () => {
  const receiptsWith = (patch: Record<string, unknown>): Handler => (m, p) => {
    if (m !== 'eth_getBlockReceipts') return undefined;
    return { body: chainBlock(Number(BigInt(p[0] as string))).receipts.map((r) => ({ ...r, ...patch })) };
  };

  test('the same invalid answer from every endpoint ends with RpcInvalidAnswerError, no endpoint is cooled', async () => {
    const bad = receiptsWith({ gasUsed: 'lots', providerExtra: 'kept' });
    const { pool, net, clock } = setup([ep(A), ep(B)], { [A]: bad, [B]: bad });
    const t0 = clock.now();
    const err = await pool.getBlockBundle(7).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RpcInvalidAnswerError);
    expect(err).toBeInstanceOf(FatalError);
    const e = err as RpcInvalidAnswerError;
    expect(e.field).toBe('0.gasUsed');
    expect(e.message).toContain('0.gasUsed');
    expect(e.message).toContain('a.example.com#');
    expect(e.message).toContain('b.example.org#');
    expect(new Set(e.endpoints).size).toBe(2);
    // The provider's original answer, not the stripped object: unknown fields are still there.
    expect((e.raw as { providerExtra?: string }[])[0]?.providerExtra).toBe('kept');
    expect(net.count(A, 'eth_getBlockReceipts') + net.count(B, 'eth_getBlockReceipts')).toBe(3);
    expect(pool.status().every((x) => x.coolingUntil === null && x.consecutiveFailures === 0)).toBe(true);
    expect(clock.now() - t0).toBeLessThan(1_000);
  });

  test('one endpoint answering invalid data is outvoted by another that answers well', async () => {
    const { pool, net } = setup([ep(A, { weight: 100 }), ep(B)], { [A]: receiptsWith({ gasUsed: 'lots' }) });
    const bundle = await pool.getBlockBundle(7);
    expect(bundle.receipts).toHaveLength(2);
    expect(net.count(B, 'eth_getBlockReceipts')).toBe(1);
  });

  test('HTTP 401/403 disables the endpoint with one log line and a metric; the others carry on', async () => {
    const { pool, net, log, metrics } = setup([ep(A, { weight: 100 }), ep(B)], { [A]: () => ({ status: 401 }) });
    for (let i = 0; i < 5; i++) expect(await pool.blockNumber()).toBe(100n);
    expect(net.count(A)).toBe(1);
    const a = pool.status().find((x) => x.host === 'a.example.com')!;
    expect(a.disabled).toBe('HTTP 401');
    expect(a.coolingUntil).toBeNull();
    expect(log.lines.filter((l) => l.includes('RPC endpoint disabled'))).toHaveLength(1);
    expect(await metricValue(metrics, 'chainlake_rpc_endpoint_disabled', { endpoint: a.label })).toBe(1);
  });

  test('with every endpoint refusing its key, chainId fails at once with a sentence', async () => {
    const { pool, clock } = setup([ep(A), ep(B)], {
      [A]: () => ({ status: 403 }),
      [B]: () => ({ body: { error: { code: -32000, message: 'Invalid API key' } } }),
    });
    const t0 = clock.now();
    const err = await pool.chainId().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RpcEndpointsDisabledError);
    expect(err).toBeInstanceOf(FatalError);
    expect((err as Error).message).toMatch(/every RPC endpoint refused its credentials/);
    expect((err as Error).message).toContain('HTTP 403');
    expect(clock.now() - t0).toBe(0);
  });

  for (const [name, reply] of [
    ['error -32001', { body: { error: { code: -32001, message: 'resource not found' } } }],
    ['null', { body: null }],
    ['[]', { body: [] }],
  ] as const) {
    test(`receipts missing (${name}) far behind the head are terminal within seconds, near the head transient`, async () => {
      const missing: Handler = (m) => (m === 'eth_getBlockReceipts' ? (reply as Reply) : undefined);
      const far = setup([ep(A), ep(B)], { [A]: missing, [B]: missing });
      const t0 = far.clock.now();
      const err = await far.pool.getBlockBundle(10).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(ReceiptsMissingError);
      expect((err as Error).message).toContain('block 10');
      expect(far.clock.now() - t0).toBeLessThan(10_000);
      expect(far.pool.status().every((x) => x.coolingUntil === null)).toBe(true);

      const near = setup([ep(A)], { [A]: missing });
      const e2 = await near.pool.getBlockBundle(99).catch((e: unknown) => e);
      expect(e2).toBeInstanceOf(BlockBundleInconsistentError);
      expect((e2 as BlockBundleInconsistentError).retryable).toBe(true);
    });
  }
});

describe('rpc provider realities', () => {
  test('credentials in a URL become an Authorization: Basic header and leave the URL', async () => {
    const seen: { url: string; auth: string | null; extra: string | null }[] = [];
    const fetchFn = (async (input: string | URL | Request, init?: RequestInit) => {
      const h = new Headers(init?.headers);
      seen.push({ url: String(input), auth: h.get('authorization'), extra: h.get('x-team') });
      const { id } = JSON.parse(String(init?.body)) as { id: number };
      return new Response(JSON.stringify({ jsonrpc: '2.0', id, result: '0x1' }), { status: 200 });
    }) as typeof fetch;
    const e = makeEndpoint('https://proj:s%40cret@a.example.com/v3/x', { rps: 100, dailyQuota: 0, weight: 1 }, { 'X-Team': 'blue' });
    const pool = createRpcPool({ endpoints: [e], logger: capture().logger, metrics: new Registry(), clock: fakeClock(), fetchFn });
    expect(await pool.chainId()).toBe(1);
    expect(seen[0]).toEqual({ url: 'https://a.example.com/v3/x', auth: `Basic ${Buffer.from('proj:s@cret').toString('base64')}`, extra: 'blue' });
    expect(JSON.stringify(e)).not.toContain('cret');
  });

  test('RPC_LIMITS method costs count the daily quota in provider units', async () => {
    const costly = makeEndpoint(A, { rps: 1000, dailyQuota: 1_000, weight: 1, costs: { eth_getBlockReceipts: 500, eth_getBlockByNumber: 16 } });
    const { pool } = setup([costly], {});
    await pool.getBlockBundle(5);
    expect(pool.status()[0]!.usedToday).toBe(516);
    expect(pool.status()[0]!.quotaRemaining).toBe(484);
    await pool.blockNumber();
    expect(pool.status()[0]!.usedToday).toBe(517);
  });

  test('a JSON-RPC error that echoes the URL is scrubbed of the key before any error or log', async () => {
    const KEY = 'kEyEcHoEd0123456789abcdef';
    const url = `https://user:${KEY}p@c.example.com/v2/${KEY}?token=${KEY}`;
    const echo: Handler = () => ({ body: { error: { code: -32000, message: `upstream https://c.example.com/v2/${KEY}?token=${KEY} failed (c.example.com/v2/${KEY})` } } });
    const { pool, log } = setup([ep(url)], { [url.replace(`user:${KEY}p@`, '')]: echo });
    const err = (await pool.request('eth_blockNumber', [], { maxAttempts: 2 }).catch((e: Error) => e)) as Error;
    expect(err.message).toContain('upstream');
    expect(`${err.message}\n${log.lines.join('\n')}`).not.toContain(KEY);
  });
});

