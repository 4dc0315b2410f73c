// The serving API over real Cassandra (speed views) and a real DuckDB/Parquet lake (batch
// version with a horizon). The chain is split: the lake holds blocks 1..240 (horizon 220),
// the speed views hold blocks 150..300; answers must equal aggregating all blocks at once.
import { rm } from 'node:fs/promises';
import { tableFromIPC } from 'apache-arrow';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { z } from 'zod';
import type { BlockRecord } from '../../core/chain.js';
import { flattenRow } from '../../serving/arrow.js';
import { type ServingHandle, startServing } from '../../serving/server.js';
import { createCassandra, type CassandraClient } from '../../storage/cassandra.js';
import { generateChain } from '../batch/fixtures.js';
import { testConfig, testLogger } from '../helpers.js';
import { CHAIN, api, makeCommon, seedLake, seedSpeed, tempLakeDir, truthBuckets } from './fixtures.js';

const N = 300;
const DT = 12;
const LAKE_MAX = 240;
const DEPTH = 20;
const SPEED_FROM = 150;
const ARROW = { accept: 'application/vnd.apache.arrow.stream' };

let lakeDir: string;
let cassandra: CassandraClient;
let serving: ServingHandle;
let canonical: BlockRecord[];
let start: number;
let horizon: number | null;
let http: ReturnType<typeof api>;
const nowS = Math.floor(Date.now() / 1000);

beforeAll(async () => {
  lakeDir = await tempLakeDir();
  const config = testConfig({ LAKE_DIR: lakeDir, FINALITY_DEPTH: String(DEPTH), CACHE_TTL_MS: '2000', API_RATE_LIMIT_RPS: '10000', SQL_TIMEOUT_MS: '3000' });
  const common = makeCommon(config);
  start = nowS - N * DT - 120;
  const fx = generateChain({ chainId: CHAIN, blocks: N, startTime: start, blockSeconds: DT, reorgEvery: 50, reorgDepth: 2, seed: 7, maxTxs: 5, addresses: 8 });
  canonical = [...fx.canonical.values()].sort((a, b) => a.block.number - b.block.number);
  ({ horizon } = await seedLake(common, fx.records.filter((r) => r.block.number <= LAKE_MAX)));
  cassandra = await createCassandra(config, testLogger());
  await seedSpeed(cassandra, config, canonical.filter((b) => b.block.number >= SPEED_FROM));
  serving = await startServing(common, { cassandra, chainId: CHAIN, authLookupCacheMs: 0, streamPollMs: 100 });
  http = api(serving.url);
});

afterAll(async () => {
  await serving?.close();
  await cassandra?.shutdown();
  await rm(lakeDir, { recursive: true, force: true });
});

const stripBucket = (b: Record<string, unknown>) => {
  const { time: _t, source: _s, ...rest } = b;
  return rest;
};

describe('process endpoints and docs', () => {
  test('/health answers and /ready checks Kafka, Cassandra and the lake', async () => {
    expect((await http.get('/health')).status).toBe(200);
    const r = await http.get('/ready');
    const body = (await r.json()) as { ready: boolean; checks: Record<string, { ok: boolean }> };
    expect(r.status).toBe(200);
    expect(Object.keys(body.checks).sort()).toEqual(['cassandra', 'kafka', 'lake']);
    expect(Object.values(body.checks).every((c) => c.ok)).toBe(true);
  });

  test('/openapi.json is OpenAPI 3.1 generated from the request schemas; /docs renders it', async () => {
    const spec = (await (await http.get('/openapi.json')).json()) as { openapi: string; paths: Record<string, Record<string, { parameters: { name: string; schema: { enum?: string[] } }[] }>> };
    expect(spec.openapi).toBe('3.1.0');
    const stats = spec.paths['/api/v1/stats']?.get;
    expect(stats?.parameters.find((p) => p.name === 'granularity')?.schema.enum).toEqual(['minute', 'hour', 'day']);
    expect(spec.paths['/api/v1/sql']).toHaveProperty('post');
    expect(spec.paths['/api/v1/blocks/{id}']).toHaveProperty('get');
    const docs = await http.get('/docs');
    expect(docs.status).toBe(200);
    expect(await docs.text()).toContain('/openapi.json');
  });

  test('every chain route publishes a 200 response schema in /openapi.json and real answers validate against it', async () => {
    type Op = { tags?: string[]; responses: Record<string, { content?: Record<string, { schema?: Record<string, unknown> }> }> };
    const spec = (await (await http.get('/openapi.json')).json()) as { paths: Record<string, Record<string, Op>> };
    const schemas = new Map<string, Record<string, unknown>>();
    for (const [path, ops] of Object.entries(spec.paths))
      for (const [method, op] of Object.entries(ops)) {
        if (op.tags?.includes('shop') || path === '/api/v1/stream') continue; // shop: its own tests; stream: text/event-stream
        const schema = op.responses['200']?.content?.['application/json']?.schema ?? {};
        expect(schema.type === 'object' && typeof schema.properties === 'object', `${method} ${path} has an object response schema`).toBe(true);
        schemas.set(`${method} ${path}`, schema);
      }
    const b = canonical[N - 10]!;
    const tx = canonical.slice(SPEED_FROM).find((x) => x.transactions.length > 0)!.transactions[0]!;
    const token = canonical.slice(SPEED_FROM).find((x) => x.tokenTransfers.length > 0)!.tokenTransfers[0]!.token;
    const day = new Date(canonical[100]!.block.timestamp * 1000).toISOString().slice(0, 10);
    const calls: [string, string, () => Promise<Response>][] = [
      ['get', '/api/v1/stats', () => http.get(`/api/v1/stats?from=${start}&to=${nowS}&granularity=hour`)],
      ['get', '/api/v1/top/senders', () => http.get(`/api/v1/top/senders?day=${day}`)],
      ['get', '/api/v1/top/contracts', () => http.get(`/api/v1/top/contracts?day=${day}`)],
      ['get', '/api/v1/tokens/volume', () => http.get(`/api/v1/tokens/volume?day=${day}`)],
      ['get', '/api/v1/blocks/latest', () => http.get('/api/v1/blocks/latest?limit=5')],
      ['get', '/api/v1/blocks/series', () => http.get(`/api/v1/blocks/series?fromBlock=200&toBlock=${N}`)],
      ['get', '/api/v1/blocks/{id}', () => http.get(`/api/v1/blocks/${b.block.number}`)],
      ['get', '/api/v1/txs/{hash}', () => http.get(`/api/v1/txs/${tx.hash}`)],
      ['get', '/api/v1/addresses/{address}/txs', () => http.get(`/api/v1/addresses/${tx.from}/txs?limit=500`)],
      ['get', '/api/v1/token-transfers', () => http.get(`/api/v1/token-transfers?token=${token}&limit=20`)],
      ['get', '/api/v1/freshness', () => http.get('/api/v1/freshness')],
      ['get', '/api/v1/ops', () => http.get('/api/v1/ops')],
      ['get', '/api/v1/batch/runs', () => http.get('/api/v1/batch/runs')],
      ['post', '/api/v1/sql', () => http.post('/api/v1/sql', { sql: 'SELECT number, hash FROM canonical_blocks ORDER BY number LIMIT 3' })],
      ['get', '/api/v1/sql/views', () => http.get('/api/v1/sql/views')],
    ];
    // Admin-only (needs a key this suite does not create; auth-sql.test.ts calls it).
    const untested = new Set(['post /api/v1/batch/recompute']);
    expect(new Set([...calls.map(([m, p]) => `${m} ${p}`), ...untested])).toEqual(new Set(schemas.keys()));
    for (const [method, path, call] of calls) {
      const res = await call();
      expect(res.status, `${method} ${path}`).toBe(200);
      const body = (await res.json()) as unknown;
      const parsed = z.fromJSONSchema(schemas.get(`${method} ${path}`) as Parameters<typeof z.fromJSONSchema>[0]).safeParse(body);
      expect(parsed.success ? [] : parsed.error.issues.slice(0, 3), `${method} ${path}`).toEqual([]);
    }
  });

  test('/metrics exposes the request-duration histogram by route and status', async () => {
    await http.get('/api/v1/blocks/latest?limit=3');
    const text = await (await http.get('/metrics')).text();
    expect(text).toMatch(/chainlake_http_request_duration_seconds_count\{[^}]*route="\/api\/v1\/blocks\/latest"[^}]*status="200"/);
  });
});

describe('lambda merge end to end', () => {
  test('the batch horizon is below the speed data and above its start (the split is real)', () => {
    expect(horizon).toBe(LAKE_MAX - DEPTH);
    expect(horizon!).toBeGreaterThan(SPEED_FROM);
  });

  test.each([
    ['minute', 60],
    ['hour', 3600],
    ['day', 86400],
  ] as const)('stats per %s over batch + speed equal the stats of all blocks at once', async (granularity, step) => {
    const from = start - 3600;
    const to = nowS + 60;
    const r = await http.get(`/api/v1/stats?from=${from}&to=${to}&granularity=${granularity}`);
    expect(r.status).toBe(200);
    const body = (await r.json()) as { horizon: number; buckets: Record<string, unknown>[]; total: Record<string, unknown> };
    expect(body.horizon).toBe(horizon);
    const expected = truthBuckets(canonical, from, to, step);
    expect(body.buckets.map(stripBucket)).toEqual(expected);
    expect(body.total.blocks).toBe(N);
    if (granularity === 'minute') {
      const sources = new Set(body.buckets.filter((b) => (b.blocks as number) > 0).map((b) => b.source));
      expect(sources.has('batch')).toBe(true);
      expect(sources.has('speed')).toBe(true);
    }
  });

  test('per-block series uses batch up to the horizon and speed after it, without gaps', async () => {
    const r = await http.get('/api/v1/blocks/series?fromBlock=200&toBlock=260');
    const body = (await r.json()) as { items: { number: number; source: string; txs: number; gasUsed: string; fees: string }[] };
    expect(body.items.map((i) => i.number)).toEqual(Array.from({ length: 61 }, (_, i) => 200 + i));
    for (const item of body.items) {
      const b = canonical[item.number - 1]!;
      expect(item.source).toBe(item.number <= horizon! ? 'batch' : 'speed');
      expect(item.txs).toBe(b.transactions.length);
      expect(item.gasUsed).toBe(b.block.gasUsed);
      expect(item.fees).toBe(b.transactions.reduce((s, t) => s + BigInt(t.fee), 0n).toString());
    }
  });

  test('address history pages through speed then the lake: every tx once, newest first', async () => {
    const address = canonical[5]!.transactions[0]?.from ?? '0x0000000000000000000000000000000000001000';
    const expected = new Set<string>();
    for (const b of canonical)
      for (const tx of b.transactions) {
        if (tx.from === address) expected.add(`${tx.hash}:from`);
        if (tx.to === address) expected.add(`${tx.hash}:to`);
        if (tx.contractAddress === address) expected.add(`${tx.hash}:created`);
      }
    const seen: string[] = [];
    const blocks: number[] = [];
    const sources = new Set<string>();
    let cursor: string | null = null;
    for (let page = 0; page < 200; page++) {
      const r = await http.get(`/api/v1/addresses/${address.toUpperCase().replace('0X', '0x')}/txs?limit=7${cursor ? `&cursor=${cursor}` : ''}`);
      expect(r.status).toBe(200);
      const body = (await r.json()) as { items: { txHash: string; side: string; blockNumber: number }[]; nextCursor: string | null; sources: string[] };
      expect(body.items.length).toBeLessThanOrEqual(7);
      for (const s of body.sources) sources.add(s);
      for (const i of body.items) {
        seen.push(`${i.txHash}:${i.side}`);
        blocks.push(i.blockNumber);
      }
      cursor = body.nextCursor;
      if (!cursor) break;
    }
    expect(cursor).toBeNull();
    expect(new Set(seen).size).toBe(seen.length);
    expect(new Set(seen)).toEqual(expected);
    expect([...blocks]).toEqual([...blocks].sort((a, b) => b - a));
    expect(sources).toEqual(new Set(['speed', 'lake']));
  });
});

describe('chain endpoints', () => {
  test('latest blocks: newest first, JSON and Arrow carry the same rows', async () => {
    const r = await http.get('/api/v1/blocks/latest?limit=5');
    const body = (await r.json()) as { items: { number: number; hash: string }[] };
    expect(body.items.map((b) => b.number)).toEqual([300, 299, 298, 297, 296]);
    expect(body.items[0]!.hash).toBe(canonical[299]!.block.hash);
    const a = await http.get('/api/v1/blocks/latest?limit=5', ARROW);
    expect(a.headers.get('content-type')).toBe('application/vnd.apache.arrow.stream');
    const table = tableFromIPC(new Uint8Array(await a.arrayBuffer()));
    expect(table.toArray().map((row) => ({ ...row.toJSON() }))).toEqual(body.items.map((i) => flattenRow(i)));
  });

  test('stats as Arrow decode to the same buckets as JSON', async () => {
    const q = `/api/v1/stats?from=${start}&to=${nowS}&granularity=hour`;
    const json = (await (await http.get(q)).json()) as { buckets: Record<string, unknown>[] };
    const table = tableFromIPC(new Uint8Array(await (await http.get(q, ARROW)).arrayBuffer()));
    expect(table.toArray().map((row) => ({ ...row.toJSON() }))).toEqual(json.buckets.map((b) => flattenRow(b)));
  });

  test('block by number and by hash; 404 when unknown; 400 when malformed', async () => {
    const b = canonical[279]!.block;
    const byNumber = (await (await http.get(`/api/v1/blocks/${b.number}`)).json()) as { hash: string; txCount: number };
    expect(byNumber.hash).toBe(b.hash);
    expect(byNumber.txCount).toBe(b.txCount);
    const byHash = (await (await http.get(`/api/v1/blocks/${b.hash}`)).json()) as { number: number };
    expect(byHash.number).toBe(b.number);
    const missing = await http.get(`/api/v1/blocks/99999`);
    expect(missing.status).toBe(404);
    expect(((await missing.json()) as { error: { code: string } }).error.code).toBe('not_found');
    for (const bad of ['0x1234', 'abc', '-1', `0x${'g'.repeat(64)}`]) {
      const r = await http.get(`/api/v1/blocks/${bad}`);
      expect(r.status).toBe(400);
      expect(((await r.json()) as { error: { message: string } }).error.message).toMatch(/block id/);
    }
  });

  test('tx by hash; 404 unknown; 400 malformed', async () => {
    const tx = canonical.slice(250).find((b) => b.transactions.length > 0)!.transactions[0]!;
    const r = await http.get(`/api/v1/txs/${tx.hash}`);
    expect(r.status).toBe(200);
    const body = (await r.json()) as { from: string; fee: string; blockNumber: number };
    expect(body).toMatchObject({ from: tx.from, fee: tx.fee, blockNumber: tx.blockNumber });
    expect((await http.get(`/api/v1/txs/0x${'0'.repeat(64)}`)).status).toBe(404);
    const bad = await http.get('/api/v1/txs/0xnothex');
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { error: { code: string } }).error.code).toBe('validation');
  });

  test('token transfers of a token page with a cursor and cover the speed window', async () => {
    const token = '0x000000000000000000000000000000000000aa01';
    const expected = canonical.filter((b) => b.block.number >= SPEED_FROM).flatMap((b) => b.tokenTransfers.filter((t) => t.token === token).map((t) => `${t.txHash}:${t.logIndex}`));
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const r = await http.get(`/api/v1/token-transfers?token=${token}&limit=4${cursor ? `&cursor=${cursor}` : ''}`);
      expect(r.status).toBe(200);
      const body = (await r.json()) as { items: { txHash: string; logIndex: number }[]; nextCursor: string | null };
      seen.push(...body.items.map((i) => `${i.txHash}:${i.logIndex}`));
      cursor = body.nextCursor;
    } while (cursor);
    expect(seen.sort()).toEqual(expected.sort());
    expect((await http.get('/api/v1/token-transfers')).status).toBe(400);
  });

  test('top senders, top contracts and token volume come from the batch views', async () => {
    const day = new Date(canonical[100]!.block.timestamp * 1000).toISOString().slice(0, 10);
    const senders = (await (await http.get(`/api/v1/top/senders?day=${day}&limit=3`)).json()) as { items: { rank: number; address: string; txs: number }[] };
    expect(senders.items.length).toBeGreaterThan(0);
    expect(senders.items.map((s) => s.rank)).toEqual(senders.items.map((_, i) => i + 1));
    const contracts = (await (await http.get(`/api/v1/top/contracts?day=${day}`)).json()) as { items: { address: string; calls: number }[] };
    expect(contracts.items.length).toBeGreaterThan(0);
    const volume = (await (await http.get(`/api/v1/tokens/volume?day=${day}`)).json()) as { items: { token: string; transfers: number }[] };
    expect(volume.items.length).toBeGreaterThan(0);
    expect((await http.get('/api/v1/top/senders?day=2026-13-45')).status).toBe(400);
  });

  test('freshness reports chain head, speed lag and batch horizon', async () => {
    const body = (await (await http.get('/api/v1/freshness')).json()) as { chainHead: number; speed: { lastBlock: number; lagBlocks: number; lagSeconds: number }; batch: { horizon: number; lagBlocks: number } };
    expect(body.chainHead).toBe(N);
    expect(body.speed.lastBlock).toBe(N);
    expect(body.speed.lagBlocks).toBe(0);
    expect(body.speed.lagSeconds).toBeGreaterThanOrEqual(100);
    expect(body.batch.horizon).toBe(horizon);
    expect(body.batch.lagBlocks).toBe(N - horizon!);
  });

  test('hot endpoints send an ETag and answer 304 to If-None-Match', async () => {
    const q = `/api/v1/stats?from=${start}&to=${nowS}&granularity=hour`;
    const first = await http.get(q);
    const etag = first.headers.get('etag');
    expect(etag).toMatch(/^".+"$/);
    const again = await http.get(q, { 'if-none-match': etag! });
    expect(again.status).toBe(304);
    expect((await http.get(q, { 'if-none-match': '"other"' })).status).toBe(200);
  });

  test('SSE stream sends new blocks', async () => {
    const ctrl = new AbortController();
    const r = await fetch(`${serving.url}/api/v1/stream`, { signal: ctrl.signal });
    expect(r.headers.get('content-type')).toMatch(/text\/event-stream/);
    const reader = r.body!.getReader();
    let text = '';
    const deadline = Date.now() + 5000;
    while (!/event: block\ndata: (.+)\n/.test(text) && Date.now() < deadline) {
      const { value, done } = await reader.read();
      if (done) break;
      text += new TextDecoder().decode(value);
    }
    ctrl.abort();
    const data = JSON.parse(/event: block\ndata: (.+)\n/.exec(text)![1]!) as { number: number };
    expect(data.number).toBe(N);
  });
});

describe('bad input', () => {
  test.each([
    ['/api/v1/stats?granularity=week', /granularity/],
    ['/api/v1/stats?from=2000&to=1000', /from/],
    ['/api/v1/stats?from=0&to=1000000000&granularity=minute', /buckets/],
    ['/api/v1/stats?from=yesterday', /from/],
    ['/api/v1/stats?bogus=1', /bogus|unrecognized/i],
    ['/api/v1/blocks/latest?limit=100000', /limit/],
    ['/api/v1/addresses/0x1234/txs', /address/],
    ['/api/v1/addresses/0x0000000000000000000000000000000000001000/txs?limit=100000', /limit/],
    ['/api/v1/addresses/0x0000000000000000000000000000000000001000/txs?cursor=bm90LWEtY3Vyc29y', /cursor/],
    ['/api/v1/blocks/series?fromBlock=10&toBlock=5', /fromBlock/],
    ['/api/v1/blocks/series?fromBlock=0&toBlock=50000', /blocks per request/],
  ])('%s → 400 with a message', async (path, message) => {
    const r = await http.get(path);
    expect(r.status).toBe(400);
    const body = (await r.json()) as { error: { code: string; message: string; details?: unknown } };
    expect(body.error.message).toMatch(message);
  });

  test('bad JSON → 400, oversized body → 413, unknown route → 404, all in the error shape', async () => {
    const bad = await http.post('/api/v1/sql', '{"sql": ');
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { error: { code: string } }).error.code).toBe('bad_json');
    const big = await http.post('/api/v1/sql', { sql: `SELECT '${'x'.repeat(200_000)}'` });
    expect(big.status).toBe(413);
    expect(((await big.json()) as { error: { code: string } }).error.code).toBe('payload_too_large');
    const missing = await http.get('/api/v1/nope');
    expect(missing.status).toBe(404);
    expect(await missing.json()).toMatchObject({ error: { code: 'not_found' } });
  });
});
