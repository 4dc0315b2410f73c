// Secrets never leak: real components run with secrets in use, and every byte they emit is
// searched for them. An RPC URL with keys in its path and query points at a local proxy in
// front of a private anvil that sometimes answers 429/500 (and echoes the URL it was called
// with, as hostile providers do); ingest backfills through it into real Kafka/Cassandra. API
// keys (valid and invalid) go to the real serving app in headers and URLs. Captured: all pino
// output (rpc pool, ingest, serving), /metrics of those registries, every HTTP error body,
// and the CLI's stderr/stdout with the secret RPC URL in its environment.
import { spawn } from 'node:child_process';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { rm } from 'node:fs/promises';
import { Writable } from 'node:stream';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { Common } from '../../core/common.js';
import { createMetricsRegistry } from '../../core/metrics.js';
import { createShutdown } from '../../core/shutdown.js';
import { type ServingHandle, startServing } from '../../serving/server.js';
import { createIngest } from '../../speed/ingest/ingest.js';
import { createApiKeyStore } from '../../storage/api-keys.js';
import { createCassandra, type CassandraClient } from '../../storage/cassandra.js';
import { startAnvil, type TestAnvil, testConfig } from '../helpers.js';
import { tempLakeDir } from '../serving/fixtures.js';

const PATH_KEY = 'SEKRETkey123456789abcdef';
const QUERY_KEY = 'SEKRETquery987654321';
const INVALID_API_KEY = 'cl_SEKRETinvalidKey_0123456789abcdefXYZ';
const secrets: string[] = [PATH_KEY, QUERY_KEY, INVALID_API_KEY, 'SEKRET'];

let anvil: TestAnvil;
let proxy: Server;
let proxyCalls = { total: 0, limited: 0, failed: 0 };
let rpcUrl: string;
let cassandra: CassandraClient;
let serving: ServingHandle;
let lakeDir: string;
let validApiKey: string;
let keyspace = '';
const captured: { what: string; text: string }[] = [];
const logLines: string[] = [];

function memLogger() {
  const stream = new Writable({
    write(chunk, _e, cb) {
      logLines.push(String(chunk));
      cb();
    },
  });
  return pino({ level: 'trace', name: 'chainlake' }, stream);
}

const headerText = (h: Headers) => {
  const lines: string[] = [];
  h.forEach((v, k) => lines.push(`${k}: ${v}`));
  return lines.join('\n');
};

async function rpc(method: string, params: unknown[] = []) {
  const r = await fetch(anvil.url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ jsonrpc: '2.0', id: 1, method, params }) });
  return ((await r.json()) as { result: unknown }).result;
}

beforeAll(async () => {
  anvil = await startAnvil();
  await rpc('anvil_mine', ['0x8']);
  // The proxy: every 3rd call 429, every 5th 500; error bodies echo the URL with the keys.
  proxy = createServer((req, res) => {
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', async () => {
      const n = ++proxyCalls.total;
      if (n % 3 === 0) {
        proxyCalls.limited++;
        res.writeHead(429, { 'retry-after': '0', 'content-type': 'application/json' }).end(JSON.stringify({ error: `rate limited for ${req.url}` }));
        return;
      }
      if (n % 5 === 0) {
        proxyCalls.failed++;
        res.writeHead(500, { 'content-type': 'text/plain' }).end(`internal error serving ${req.url}`);
        return;
      }
      const up = await fetch(anvil.url, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
      res.writeHead(up.status, { 'content-type': 'application/json' }).end(await up.text());
    });
  });
  await new Promise<void>((r) => proxy.listen(0, '127.0.0.1', () => r()));
  rpcUrl = `http://127.0.0.1:${(proxy.address() as AddressInfo).port}/v2/${PATH_KEY}?apikey=${QUERY_KEY}`;
  lakeDir = await tempLakeDir();
}, 60_000);

afterAll(async () => {
  await serving?.close();
  if (keyspace) await cassandra?.execute(`DROP KEYSPACE IF EXISTS ${keyspace}`).catch(() => {});
  await cassandra?.shutdown();
  await new Promise<void>((r) => (proxy ? proxy.close(() => r()) : r()));
  await anvil?.stop();
  if (lakeDir) await rm(lakeDir, { recursive: true, force: true });
});

describe('secrets stay out of logs, metrics, error bodies and CLI output', () => {
  test('ingest backfills through a flaky keyed RPC URL; logs and metrics never contain the key', async () => {
    const config = testConfig({ ETH_RPC_URLS: rpcUrl, RPC_DEFAULT_RPS: '1000', RPC_TIMEOUT_MS: '3000', LAKE_DIR: lakeDir, LOG_LEVEL: 'trace' });
    const logger = memLogger();
    const metrics = createMetricsRegistry({ process: 'leak-test-ingest' });
    const common: Common = { config, logger, metrics, shutdown: createShutdown(logger, { installSignalHandlers: false }) };
    keyspace = config.CASSANDRA_KEYSPACE;
    cassandra = await createCassandra(config, logger);
    const ingest = await createIngest(common, { cassandra, mode: { kind: 'backfill', from: 1, to: 8 } });
    await ingest.run();
    await ingest.close();
    captured.push({ what: 'ingest /metrics', text: await metrics.metrics() });
    // the test exercised the failure paths that tend to leak
    expect(proxyCalls.limited).toBeGreaterThan(0);
    expect(proxyCalls.failed).toBeGreaterThan(0);
    expect(logLines.join('')).toMatch(/127\.0\.0\.1#[0-9a-f]{8}/); // endpoints are named by label
    expect(captured.at(-1)!.text).toMatch(/chainlake_rpc_requests_total\{[^}]*outcome="rate_limited"/);
  });

  test('the serving app with valid and invalid API keys in headers and URLs', async () => {
    const config = testConfig({ CASSANDRA_KEYSPACE: keyspace, LAKE_DIR: lakeDir, PUBLIC_READ: 'false', LOG_LEVEL: 'trace', ETH_RPC_URLS: rpcUrl });
    const logger = memLogger();
    const metrics = createMetricsRegistry({ process: 'leak-test-serving' });
    validApiKey = (await createApiKeyStore(cassandra).create('leak', 'read')).key;
    secrets.push(validApiKey);
    serving = await startServing({ config, logger, metrics, shutdown: createShutdown(logger, { installSignalHandlers: false }) }, { cassandra, chainId: 31337, authLookupCacheMs: 0 });
    const base = `${serving.url}/api/v1`;
    const attempts: [string, RequestInit][] = [
      [`${base}/blocks/latest`, { headers: { authorization: `Bearer ${INVALID_API_KEY}` } }],
      [`${base}/blocks/latest`, { headers: { 'x-api-key': INVALID_API_KEY } }],
      [`${base}/blocks/latest?api_key=${INVALID_API_KEY}&apikey=${QUERY_KEY}`, {}],
      [`${base}/${PATH_KEY}/blocks`, { headers: { authorization: `Bearer ${validApiKey}` } }],
      [`${base}/blocks/${INVALID_API_KEY}`, { headers: { authorization: `Bearer ${validApiKey}` } }],
      [`${base}/txs/${PATH_KEY}`, { headers: { authorization: `Bearer ${validApiKey}` } }],
      [`${base}/batch/recompute`, { method: 'POST', headers: { authorization: `Bearer ${validApiKey}` } }],
      [`${base}/sql`, { method: 'POST', headers: { authorization: `Bearer ${validApiKey}`, 'content-type': 'application/json' }, body: JSON.stringify({ sql: `SELECT * FROM read_text('${PATH_KEY}')` }) }],
      [`${base}/sql`, { method: 'POST', headers: { authorization: `Bearer ${validApiKey}`, 'content-type': 'application/json' }, body: `{"sql": "${QUERY_KEY}` }],
      [`${base}/sql`, { method: 'POST', headers: { authorization: `Bearer ${validApiKey}`, 'content-type': 'application/json' }, body: JSON.stringify({ sql: `SELECT ${PATH_KEY} FROM nowhere` }) }],
      [`${serving.url}/${PATH_KEY}?k=${QUERY_KEY}`, {}],
    ];
    let errors = 0;
    for (const [url, init] of attempts) {
      const res = await fetch(url, init);
      const text = await res.text();
      if (res.status >= 400) errors++;
      // A 404 names the path the caller itself sent ("no route GET /api/v1/<path>"): an echo to the
      // same client, not a leak. Everything else (query string, headers, bodies) must not come back.
      const ownPath = new URL(url).pathname;
      captured.push({ what: `HTTP ${init.method ?? 'GET'} ${url.replace(serving.url, '')} → ${res.status}`, text: `${res.status === 404 ? text.replaceAll(ownPath, '<own path>') : text}\n${headerText(res.headers)}` });
    }
    expect(errors).toBe(attempts.length);
    // a valid key works (so the invalid ones were refused for the right reason)
    expect((await fetch(`${base}/freshness`, { headers: { authorization: `Bearer ${validApiKey}` } })).status).toBe(200);
    captured.push({ what: 'serving /metrics', text: await (await fetch(`${serving.url}/metrics`)).text() });
    captured.push({ what: 'serving /ready', text: await (await fetch(`${serving.url}/ready`)).text() });
  });

  test('the CLI with the keyed RPC URL in its environment and an invalid value in another variable', async () => {
    const run = (env: Record<string, string>) =>
      new Promise<{ code: number | null; out: string }>((resolve) => {
        const child = spawn(process.execPath, ['bin/chainlake.mjs', 'status'], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
        let out = '';
        child.stdout.on('data', (c) => (out += c));
        child.stderr.on('data', (c) => (out += c));
        child.on('exit', (code) => resolve({ code, out }));
      });
    const bad = await run({ ETH_RPC_URLS: rpcUrl, KAFKA_PARTITIONS: 'lots' });
    captured.push({ what: 'CLI status (invalid KAFKA_PARTITIONS)', text: bad.out });
    expect(bad.code).not.toBe(0);
    expect(bad.out).toMatch(/KAFKA_PARTITIONS/);
    const badLimits = await run({ ETH_RPC_URLS: rpcUrl, RPC_LIMITS: '127.0.0.1=fast/forever' });
    captured.push({ what: 'CLI status (invalid RPC_LIMITS)', text: badLimits.out });
    const badUrl = await run({ ETH_RPC_URLS: `${rpcUrl},ftp://user:${PATH_KEY}@host/x`, LOG_LEVEL: 'shouting' });
    captured.push({ what: 'CLI status (invalid URL list + LOG_LEVEL)', text: badUrl.out });
  }, 60_000);

  test('no secret substring appears anywhere in what was captured', () => {
    captured.push({ what: 'pino log output', text: logLines.join('') });
    expect(logLines.length).toBeGreaterThan(10);
    const leaks: string[] = [];
    for (const c of captured) for (const s of secrets) if (c.text.includes(s)) leaks.push(`${c.what} contains ${s.slice(0, 12)}…: ${c.text.slice(Math.max(0, c.text.indexOf(s) - 120), c.text.indexOf(s) + s.length + 40)}`);
    expect(leaks).toEqual([]);
  });
});
