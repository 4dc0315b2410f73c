// A Cassandra outage under a running `chainlake serve`: a private Cassandra node (started by
// ops/stack.ts on free ports with a temp data dir, never the shared one) is killed and started
// again. While it is down every route family that reads Cassandra (chain routes, API-key auth,
// shop routes with a session) answers 503 with Retry-After and the {error:{code,message}}
// body, /ready is 503 naming cassandra as a retryable failure, /health stays 200; when the node
// is back the same routes answer 200 again, without restarting serve.
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, test } from 'vitest';
import type { Config } from '../../core/config.js';
import { portOpen, stopProc } from '../../ops/procs.js';
import { startCassandra } from '../../ops/stack.js';
import { createApiKeyStore } from '../../storage/api-keys.js';
import { createCassandra } from '../../storage/cassandra.js';
import { freePort, testConfig, testLogger } from '../helpers.js';
import { waitFor as coreWaitFor } from '../../core/wait.js';

const ADDRESS = `0x${'ab'.repeat(20)}`;

let dataDir: string;
let cfg: Config;
let serve: ChildProcess | undefined;
let stderr = '';
let base = '';
let apiKey = '';
let session = '';
const say = (m: string) => process.stderr.write(`[outage] ${m}\n`);

type Answer = { status: number; headers: Headers; body: any };
async function call(path: string, init: { method?: string; headers?: Record<string, string>; body?: unknown } = {}): Promise<Answer> {
  const r = await fetch(`${base}${path}`, {
    method: init.method ?? 'GET',
    headers: { ...(init.body !== undefined ? { 'content-type': 'application/json' } : {}), ...init.headers },
    ...(init.body !== undefined ? { body: JSON.stringify(init.body) } : {}),
  });
  const text = await r.text();
  let body: unknown = text;
  try {
    body = JSON.parse(text);
  } catch {
    /* not JSON: kept as text for the failure message */
  }
  return { status: r.status, headers: r.headers, body };
}

/** Every route family that reads Cassandra, with the credentials it needs. */
const routes = (): { name: string; path: string; headers: Record<string, string> }[] => {
  const key = { 'x-api-key': apiKey };
  const shop = { 'x-session-token': session };
  const to = Math.floor(Date.now() / 1000);
  return [
    { name: 'latest blocks', path: '/api/v1/blocks/latest?limit=5', headers: key },
    { name: 'stats', path: `/api/v1/stats?granularity=minute&from=${to - 3600}&to=${to}`, headers: key },
    { name: 'freshness', path: '/api/v1/freshness', headers: key },
    { name: 'token transfers', path: `/api/v1/token-transfers?token=${ADDRESS}&limit=5`, headers: key },
    { name: 'address history', path: `/api/v1/addresses/${ADDRESS}/txs?limit=5`, headers: key },
    { name: 'batch runs', path: '/api/v1/batch/runs?limit=5', headers: key },
    { name: 'shop books', path: '/api/v1/books', headers: {} },
    { name: 'shop products', path: '/api/v1/products', headers: {} },
    { name: 'shop session user', path: '/api/v1/users/me', headers: shop },
    { name: 'shop cart', path: '/api/v1/carts/me', headers: shop },
  ];
};

/** core/wait.ts's waitFor, naming the tail of serve's stderr when it times out. */
const waitFor = (what: string, check: () => Promise<boolean>, timeoutMs: number): Promise<void> => coreWaitFor(what, check, timeoutMs, { context: () => `serve stderr: ${stderr.slice(-2000)}` });

/** Every route answers `status`; returns the answers once they all do. */
async function allAnswer(status: number, timeoutMs: number): Promise<Map<string, Answer>> {
  const answers = new Map<string, Answer>();
  await waitFor(
    `every route to answer ${status}`,
    async () => {
      for (const r of routes()) answers.set(r.name, await call(r.path, { headers: r.headers }));
      return [...answers.values()].every((a) => a.status === status);
    },
    timeoutMs,
  ).catch((e: unknown) => {
    const got = [...answers].map(([name, a]) => `${name}: ${a.status} ${JSON.stringify(a.body).slice(0, 200)}`).join('\n');
    throw new Error(`${(e as Error).message}\n${got}`);
  });
  return answers;
}

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'chainlake-outage-'));
  const [cassPort, storagePort, jmxPort, servePort] = [await freePort(), await freePort(), await freePort(), await freePort()];
  cfg = testConfig({
    DATA_DIR: dataDir,
    LAKE_DIR: join(dataDir, 'lake'),
    CASSANDRA_CONTACT_POINTS: `127.0.0.1:${cassPort}`,
    CASSANDRA_PORT: String(cassPort),
    CASSANDRA_STORAGE_PORT: String(storagePort),
    CASSANDRA_JMX_PORT: String(jmxPort),
    CASSANDRA_HEAP: '512m',
    SERVE_PORT: String(servePort),
  });
  await mkdir(cfg.LAKE_DIR, { recursive: true });
  await startCassandra(cfg, say);

  // Schema and one read key, through the project's own storage modules.
  const client = await createCassandra(cfg, testLogger());
  try {
    apiKey = (await createApiKeyStore(client).create('outage', 'read')).key;
  } finally {
    await client.shutdown();
  }

  serve = spawn(process.execPath, ['--import', 'tsx', 'ops/cli.ts', 'serve', '--chain-id', '31337'], {
    env: {
      ...process.env,
      NODE_ENV: 'test',
      LOG_LEVEL: 'warn',
      DATA_DIR: dataDir,
      LAKE_DIR: cfg.LAKE_DIR,
      KAFKA_BROKERS: cfg.KAFKA_BROKERS.join(','),
      KAFKA_TOPIC_PREFIX: cfg.KAFKA_TOPIC_PREFIX,
      CASSANDRA_CONTACT_POINTS: cfg.CASSANDRA_CONTACT_POINTS.join(','),
      CASSANDRA_KEYSPACE: cfg.CASSANDRA_KEYSPACE,
      SERVE_PORT: String(servePort),
      PUBLIC_READ: 'false',
      CACHE_TTL_MS: '0',
      API_RATE_LIMIT_RPS: '10000',
      BOOKS_CRON: 'off',
    },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  serve.stderr?.on('data', (d) => (stderr = (stderr + String(d)).slice(-20_000)));
  base = `http://127.0.0.1:${servePort}`;
  let lastReady: Answer | undefined;
  await waitFor('serve /ready', async () => (lastReady = await call('/ready')).status === 200, 90_000).catch((e: unknown) => {
    throw new Error(`${(e as Error).message}\nlast /ready: ${JSON.stringify(lastReady?.body)}`);
  });

  const email = 'outage@shop.test';
  const password = 'outage-password';
  expect((await call('/api/v1/users/register', { method: 'POST', body: { email, password } })).status).toBe(201);
  const login = await call('/api/v1/users/login', { method: 'POST', body: { email, password } });
  expect(login.status).toBe(200);
  session = login.body.token as string;
}, 300_000);

afterAll(async () => {
  if (serve && serve.exitCode === null) {
    const exited = new Promise((r) => serve!.once('exit', r));
    serve.kill('SIGTERM');
    await exited;
  }
  if (dataDir) {
    await stopProc(dataDir, 'cassandra', 30_000);
    await rm(dataDir, { recursive: true, force: true });
  }
}, 60_000);

test('Cassandra stops under a running serve: 503 + Retry-After everywhere, /ready not ready; it starts again: 200s', async () => {
  await allAnswer(200, 30_000);
  expect((await call('/health')).status).toBe(200);

  // Outage: kill the node (SIGKILL at once: a crash, not a drain).
  await stopProc(dataDir, 'cassandra', 0);
  await waitFor('the Cassandra port to close', async () => !(await portOpen(cfg.CASSANDRA_PORT)), 30_000);
  const down = await allAnswer(503, 60_000);
  for (const [name, a] of down) {
    expect(a.headers.get('retry-after'), name).toMatch(/^\d+$/);
    expect(a.body, name).toEqual({ error: { code: 'unavailable', message: expect.any(String) } });
    expect(a.body.error.message, name).not.toMatch(/127\.0\.0\.1|All host|ECONN/); // the driver's text stays in the logs
  }
  const ready = await call('/ready');
  expect(ready.status).toBe(503);
  expect(ready.body.ready).toBe(false);
  expect(ready.body.checks.cassandra).toMatchObject({ ok: false, retryable: true });
  expect(ready.body.checks.lake).toMatchObject({ ok: true });
  expect((await call('/health')).status).toBe(200);

  // Recovery: the same node (same data dir, same port) comes back; serve keeps running.
  await startCassandra(cfg, say);
  await allAnswer(200, 60_000);
  await waitFor('serve /ready after the outage', async () => (await call('/ready')).status === 200, 30_000);
  expect(serve?.exitCode).toBeNull();
}, 300_000);
