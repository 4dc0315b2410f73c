// Two local HTTP proxies in front of a real anvil, one answering 429: the pool fails over,
// no block is lost, and per-endpoint usage lands in real Cassandra under labels (never keys).
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import pino from 'pino';
import { Registry } from 'prom-client';
import { createPublicClient, createWalletClient, http, parseEther } from 'viem';
import { privateKeyToAccount } from 'viem/accounts';
import { foundry } from 'viem/chains';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { createRpcPool, makeEndpoint } from '../../speed/rpc/index.js';
import { type CassandraClient, createCassandra } from '../../storage/cassandra.js';
import { ingestMigrations } from '../../storage/migrations/ingest.js';
import { createRpcUsageStore, usageForDay } from '../../storage/rpc-usage.js';
import { startAnvil, testConfig, testLogger, type TestAnvil } from '../helpers.js';

const dev = privateKeyToAccount('0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80');
const KEY = 'k3yThatMustNeverLeak0123456789';

type Proxy = { url: string; hits: number; server: Server; mode: 'forward' | '429' };

/** A JSON-RPC proxy at http://127.0.0.1:<port>/v2/<KEY> forwarding to anvil, or answering 429. */
async function startProxy(target: string, mode: Proxy['mode']): Promise<Proxy> {
  const proxy = { url: '', hits: 0, mode } as Proxy;
  const read = (req: IncomingMessage) =>
    new Promise<string>((resolve) => {
      let body = '';
      req.on('data', (c) => (body += c));
      req.on('end', () => resolve(body));
    });
  proxy.server = createServer(async (req, res) => {
    proxy.hits += 1;
    const body = await read(req);
    if (req.url !== `/v2/${KEY}`) {
      res.writeHead(401).end();
      return;
    }
    if (proxy.mode === '429') {
      res.writeHead(429, { 'retry-after': '30', 'content-type': 'text/plain' }).end('Too Many Requests');
      return;
    }
    const upstream = await fetch(target, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
    res.writeHead(upstream.status, { 'content-type': 'application/json' }).end(await upstream.text());
  });
  await new Promise<void>((r) => proxy.server.listen(0, '127.0.0.1', r));
  proxy.url = `http://127.0.0.1:${(proxy.server.address() as AddressInfo).port}/v2/${KEY}`;
  return proxy;
}

let anvil: TestAnvil;
let cassandra: CassandraClient;
const proxies: Proxy[] = [];
beforeAll(async () => {
  anvil = await startAnvil();
  cassandra = await createCassandra(testConfig(), testLogger(), { migrations: ingestMigrations });
});
afterAll(async () => {
  for (const p of proxies) await new Promise((r) => p.server.close(r));
  await cassandra?.shutdown();
  await anvil?.stop();
});

test('fails over from a 429 endpoint without losing a block, and records usage per label in Cassandra', async () => {
  const transport = http(anvil.url);
  const wallet = createWalletClient({ chain: foundry, transport, account: dev });
  const publicClient = createPublicClient({ chain: foundry, transport });
  for (let i = 0; i < 4; i++) await wallet.sendTransaction({ to: '0x70997970c51812dc3a010c7d01b50e0d17dc79c8', value: parseEther('0.1') });
  const head = await publicClient.getBlockNumber();

  const limited = await startProxy(anvil.url, '429');
  const good = await startProxy(anvil.url, 'forward');
  proxies.push(limited, good);
  // The limited endpoint has far more weight: it is picked first and must be failed over.
  const epLimited = makeEndpoint(limited.url, { rps: 50, dailyQuota: 0, weight: 100 });
  const epGood = makeEndpoint(good.url, { rps: 50, dailyQuota: 0, weight: 1 });
  const lines: string[] = [];
  const logger = pino({ level: 'debug' }, new Writable({ write: (c, _e, cb) => (lines.push(String(c)), cb()) }));
  const metrics = new Registry();
  const usage = createRpcUsageStore(cassandra, 'proc-a', { flushIntervalMs: 200 });
  const pool = createRpcPool({ endpoints: [epLimited, epGood], logger, metrics, usageStore: usage });

  const numbers: number[] = [];
  for (let n = 1n; n <= head; n++) {
    const bundle = await pool.getBlockBundle(n);
    numbers.push(Number(BigInt(bundle.block.number)));
    expect(bundle.receipts).toHaveLength(1);
  }
  expect(numbers).toEqual(Array.from({ length: Number(head) }, (_, i) => i + 1));
  expect(limited.hits).toBe(1); // then cooling for Retry-After: 30 s
  const st = pool.status().find((s) => s.label === epLimited.label)!;
  expect(st.rateLimited).toBe(1);
  expect(st.coolingUntil).toBeGreaterThan(Date.now() + 25_000);

  await usage.close();
  const day = new Date().toISOString().slice(0, 10);
  const limitedRows = await usage.rows(epLimited.label, day);
  const goodRows = await usage.rows(epGood.label, day);
  expect(limitedRows).toMatchObject([{ processId: 'proc-a', requests: 1, errors: 1, rateLimited: 1 }]);
  expect(goodRows).toMatchObject([{ processId: 'proc-a', requests: good.hits, errors: 0, rateLimited: 0 }]);
  expect(goodRows[0]!.lastUsed).toBeInstanceOf(Date);
  // The 429 put the limited endpoint in cooldown; the pool persisted until when (the ops page shows it).
  const today = await usageForDay(cassandra, day);
  expect(today.find((u) => u.endpoint === epLimited.label)?.coolingUntil).toBeInstanceOf(Date);
  expect(today.find((u) => u.endpoint === epGood.label)?.coolingUntil).toBeNull();

  // Nothing stored or logged carries the key: rows are keyed by label only.
  const all = await cassandra.execute('SELECT endpoint, process_id FROM rpc_usage');
  expect(all.rows.map((r) => r.endpoint as string).sort()).toEqual([epGood.label, epLimited.label].sort());
  const output = [...lines, await metrics.metrics(), JSON.stringify(pool.status())].join('\n');
  expect(output).toContain(epLimited.label);
  expect(output).not.toContain(KEY);
  await pool.close();
});

test('quota use is summed over processes and survives a restart of the same process', async () => {
  const label = 'rpc.example.com#0badc0de';
  const now = Date.now();
  const a = createRpcUsageStore(cassandra, 'proc-1', { flushIntervalMs: 60_000 });
  const b = createRpcUsageStore(cassandra, 'proc-2', { flushIntervalMs: 60_000 });
  a.record(label, { requests: 5 }, now);
  b.record(label, { requests: 7, errors: 2 }, now);
  await Promise.all([a.flush(), b.flush()]);
  expect(await a.usedToday(label, now)).toBe(12);
  a.record(label, { requests: 1 }, now);
  expect(await a.usedToday(label, now)).toBe(13); // own unflushed counts included
  await a.close();
  await b.close();

  // A restarted proc-1 continues its own totals instead of overwriting them.
  const a2 = createRpcUsageStore(cassandra, 'proc-1', { flushIntervalMs: 60_000 });
  a2.record(label, { requests: 4 }, now);
  await a2.close();
  const rows = await a2.rows(label, new Date(now).toISOString().slice(0, 10));
  expect(Object.fromEntries(rows.map((r) => [r.processId, r.requests]))).toEqual({ 'proc-1': 10, 'proc-2': 7 });

  // A pool with a daily quota starts from the stored use of all processes.
  const c = createRpcUsageStore(cassandra, 'proc-3', { flushIntervalMs: 60_000 });
  const ep = makeEndpoint(anvil.url, { rps: 100, dailyQuota: 1_000, weight: 1 });
  c.record(ep.label, { requests: 990 }, now);
  await c.flush();
  const d = createRpcUsageStore(cassandra, 'proc-4', { flushIntervalMs: 60_000 });
  const pool = createRpcPool({ endpoints: [ep], logger: testLogger(), metrics: new Registry(), usageStore: d });
  await pool.blockNumber();
  expect(pool.status()[0]!.usedToday).toBe(991);
  expect(pool.status()[0]!.quotaRemaining).toBe(9);
  await pool.close();
  await c.close();
  await d.close();
});
