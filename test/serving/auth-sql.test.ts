// API keys (real Cassandra) and the SQL sandbox (real DuckDB over a real Parquet lake), through
// HTTP against the real serving stack.
import { rm } from 'node:fs/promises';
import { tableFromIPC } from 'apache-arrow';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { type ServingHandle, startServing } from '../../serving/server.js';
import { createApiKeyStore, hashApiKey } from '../../storage/api-keys.js';
import { createCassandra, type CassandraClient } from '../../storage/cassandra.js';
import { generateChain } from '../batch/fixtures.js';
import { testConfig, testLogger } from '../helpers.js';
import { CHAIN, api, makeCommon, seedLake, seedSpeed, tempLakeDir } from './fixtures.js';

const BOOTSTRAP = `cl_bootstrap_${'x'.repeat(30)}`;
let lakeDir: string;
let cassandra: CassandraClient;
let open: ServingHandle; // PUBLIC_READ=true
let closed: ServingHandle; // PUBLIC_READ=false, rate limit 3 rps
let keys: ReturnType<typeof createApiKeyStore>;
let readKey: string;
let adminKey: string;
let http: ReturnType<typeof api>;
let httpClosed: ReturnType<typeof api>;
const bearer = (k: string) => ({ authorization: `Bearer ${k}` });

beforeAll(async () => {
  lakeDir = await tempLakeDir();
  const base = { LAKE_DIR: lakeDir, FINALITY_DEPTH: '2', SQL_TIMEOUT_MS: '800', SQL_ROW_LIMIT: '50', SQL_MEMORY_LIMIT: '256MB', ADMIN_BOOTSTRAP_KEY: BOOTSTRAP };
  const config = testConfig({ ...base, API_RATE_LIMIT_RPS: '10000' });
  const fx = generateChain({ chainId: CHAIN, blocks: 40, startTime: Math.floor(Date.now() / 1000) - 40 * 12, seed: 3 });
  await seedLake(makeCommon(config), fx.records);
  cassandra = await createCassandra(config, testLogger());
  await seedSpeed(cassandra, config, [...fx.canonical.values()]);
  keys = createApiKeyStore(cassandra);
  readKey = (await keys.create('analytics', 'read')).key;
  adminKey = (await keys.create('ops', 'admin')).key;
  open = await startServing(makeCommon(config), { cassandra, chainId: CHAIN, authLookupCacheMs: 0 });
  const closedConfig = testConfig({ ...base, CASSANDRA_KEYSPACE: config.CASSANDRA_KEYSPACE, PUBLIC_READ: 'false', API_RATE_LIMIT_RPS: '3' });
  closed = await startServing(makeCommon(closedConfig), { cassandra, chainId: CHAIN, authLookupCacheMs: 0 });
  http = api(open.url);
  httpClosed = api(closed.url);
});

afterAll(async () => {
  await open?.close();
  await closed?.close();
  await cassandra?.shutdown();
  await rm(lakeDir, { recursive: true, force: true });
});

const errorOf = async (r: Response) => ((await r.json()) as { error: { code: string; message: string } }).error;

describe('API keys', () => {
  test('only the sha256 of a key is stored', async () => {
    const { key, record } = await keys.create('storage-check', 'read');
    expect(key).toMatch(/^cl_[A-Za-z0-9_-]{40,}$/);
    const rows = (await cassandra.execute('SELECT key_hash, id FROM api_keys')).rows;
    expect(rows.some((r) => r.key_hash === hashApiKey(key) && r.id === record.id)).toBe(true);
    expect(rows.some((r) => JSON.stringify(r).includes(key))).toBe(false);
  });

  test('PUBLIC_READ=false: no key → 401, invalid key → 401, read key works via Bearer and x-api-key', async () => {
    const none = await httpClosed.get('/api/v1/blocks/latest');
    expect(none.status).toBe(401);
    expect((await errorOf(none)).code).toBe('unauthorized');
    const invalid = await httpClosed.get('/api/v1/blocks/latest', bearer('cl_notarealkey_notarealkey_notarealkey'));
    expect(invalid.status).toBe(401);
    expect((await errorOf(invalid)).message).not.toContain('notarealkey');
    expect((await httpClosed.get('/api/v1/blocks/latest', bearer(readKey))).status).toBe(200);
    expect((await httpClosed.get('/api/v1/blocks/latest', { 'x-api-key': readKey })).status).toBe(200);
  });

  test('a revoked key is refused', async () => {
    const { key, record } = await keys.create('temp', 'read');
    expect((await http.get('/api/v1/freshness', bearer(key))).status).toBe(200);
    expect(await keys.revoke(record.id)).toBe(true);
    const r = await http.get('/api/v1/freshness', bearer(key));
    expect(r.status).toBe(401);
    expect((await errorOf(r)).message).toMatch(/revoked/);
    expect(await keys.revoke('key_doesnotexist')).toBe(false);
  });

  test('admin routes: 401 without a key even with PUBLIC_READ, 403 with a read key, 200 with admin or bootstrap key', async () => {
    expect((await http.post('/api/v1/batch/recompute', {})).status).toBe(401);
    const asRead = await http.post('/api/v1/batch/recompute', {}, bearer(readKey));
    expect(asRead.status).toBe(403);
    expect((await errorOf(asRead)).code).toBe('forbidden');
    const asAdmin = await http.post('/api/v1/batch/recompute', {}, bearer(adminKey));
    expect(asAdmin.status).toBe(200);
    const body = (await asAdmin.json()) as { requested: boolean; request: { id: string } };
    expect(body.requested).toBe(true);
    const pending = await cassandra.execute("SELECT id, requested_by FROM batch_run_requests WHERE kind = 'recompute'");
    expect(pending.rows.some((r) => String(r.id) === body.request.id && String(r.requested_by).startsWith('ops/'))).toBe(true);
    expect((await http.post('/api/v1/batch/recompute', {}, bearer(BOOTSTRAP))).status).toBe(200);
    expect((await http.get('/api/v1/batch/runs')).status).toBe(200);
  });

  test('per-key rate limit → 429 with Retry-After, other keys unaffected', async () => {
    const statuses: number[] = [];
    let retryAfter: string | null = null;
    for (let i = 0; i < 12; i++) {
      const r = await httpClosed.get('/api/v1/freshness', bearer(readKey));
      statuses.push(r.status);
      if (r.status === 429) retryAfter = r.headers.get('retry-after');
      await r.arrayBuffer();
    }
    expect(statuses).toContain(429);
    expect(Number(retryAfter)).toBeGreaterThanOrEqual(1);
    expect((await httpClosed.get('/api/v1/freshness', bearer(adminKey))).status).toBe(200);
  });
});

describe('SQL sandbox', () => {
  const sql = (q: string, headers: Record<string, string> = {}) => http.post('/api/v1/sql', { sql: q }, headers);

  test('a SELECT over the lake views answers rows; Arrow decodes to the same rows', async () => {
    const q = 'SELECT number, hash, tx_count, gas_used FROM canonical_blocks ORDER BY number LIMIT 10';
    const r = await sql(q);
    expect(r.status).toBe(200);
    const body = (await r.json()) as { columns: { name: string }[]; rows: Record<string, unknown>[]; rowCount: number };
    expect(body.columns.map((c) => c.name)).toEqual(['number', 'hash', 'tx_count', 'gas_used']);
    expect(body.rowCount).toBe(10);
    expect(body.rows[0]).toMatchObject({ number: '1' });
    const arrow = await sql(q, { accept: 'application/vnd.apache.arrow.stream' });
    const table = tableFromIPC(new Uint8Array(await arrow.arrayBuffer()));
    expect(table.toArray().map((row) => ({ ...row.toJSON() }))).toEqual(body.rows);
    const views = (await (await http.get('/api/v1/sql/views')).json()) as { views: string[] };
    expect(views.views).toEqual(expect.arrayContaining(['canonical_blocks', 'transactions', 'stats_hour']));
  });

  test.each([
    ["SELECT * FROM read_csv('/etc/passwd')", 'sql_rejected'],
    ["SELECT * FROM read_text('/etc/passwd')", 'sql_rejected'],
    ["SELECT * FROM read_blob('/etc/hostname')", 'sql_rejected'],
    ["SELECT * FROM glob('/etc/*')", 'sql_rejected'],
    ["SELECT * FROM read_json('/etc/os-release')", 'sql_rejected'],
    ["COPY (SELECT 1) TO '/tmp/chainlake-sql-escape.csv'", 'sql_rejected'],
    ["ATTACH '/tmp/chainlake-escape.db' AS x", 'sql_rejected'],
    ['INSTALL httpfs', 'sql_rejected'],
    ['LOAD httpfs', 'sql_rejected'],
    ['PRAGMA database_list', 'sql_rejected'],
    ["SET memory_limit = '20GB'", 'sql_rejected'],
    ['SELECT 1; SELECT 2', 'sql_rejected'],
    ['CREATE TABLE t AS SELECT 1', 'sql_rejected'],
    ['SELECT * FROM range(1000)', 'row_limit_exceeded'],
    ['SELECT count(*) FROM range(100000000) a, range(1000000) b WHERE a.range + b.range < 0', 'query_timeout'],
    ['SELECT * FROM no_such_view', 'query_failed'],
  ])('%s is refused (%s) and the server keeps serving', async (q, code) => {
    const r = await sql(q);
    expect(r.status).toBe(code === 'query_timeout' ? 504 : 400);
    const err = await errorOf(r);
    expect(err.code).toBe(code);
    expect(err.message.length).toBeGreaterThan(5);
    const ok = await sql('SELECT count(*) AS n FROM canonical_blocks');
    expect(ok.status).toBe(200);
    expect(((await ok.json()) as { rows: { n: string }[] }).rows[0]!.n).toBe('40');
  });

  test('the sandbox itself refuses file access even if the text check were bypassed', async () => {
    // Replacement scans (a file path used as a table) name no function: DuckDB's own lock must refuse them.
    const r = await sql("SELECT * FROM '/etc/passwd'");
    expect(r.status).toBe(400);
    expect((await errorOf(r)).message).toMatch(/disabled by configuration|Permission|does not exist/i);
    const r2 = await sql("SELECT * FROM 'file:///etc/passwd'");
    expect(r2.status).toBe(400);
    expect((await errorOf(r2)).message).toMatch(/disabled|Permission|not allowed|not exist|No files/i);
  });

  test('an empty or non-string sql body is a 400 validation error', async () => {
    expect((await http.post('/api/v1/sql', {})).status).toBe(400);
    expect((await http.post('/api/v1/sql', { sql: 5 })).status).toBe(400);
    expect((await http.post('/api/v1/sql', { sql: 'SELECT 1', extra: true })).status).toBe(400);
  });
});
