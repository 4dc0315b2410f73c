// Serving benchmark: autocannon against 127.0.0.1 only, bounded in time. Seeds a fresh
// keyspace and lake (synthetic chain: lake + speed views split at the batch horizon), starts
// the real serving stack and a bare express hello-world in child processes, then measures:
// hello-world (baseline), latest blocks, 24 h stats (hour buckets, merged), and a small SQL
// aggregate. Prints one JSON document.
// Usage: tsx bench/serving/run.ts [--seconds 5] [--connections 10] [--sql-connections 2]
import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import express from 'express';
import { parseConfig } from '../../core/config.js';
import { createLogger } from '../../core/logger.js';
import { startServing } from '../../serving/server.js';
import { createCassandra } from '../../storage/cassandra.js';
import { generateChain } from '../../test/batch/fixtures.js';
import { CHAIN, makeCommon, seedLake, seedSpeed, tempLakeDir } from '../../test/serving/fixtures.js';

type AutocannonResult = {
  requests: { average: number; total: number };
  latency: { p50: number; p99: number; average: number; max: number };
  non2xx: number;
  errors: number;
  timeouts: number;
};
const autocannon = createRequire(import.meta.url)('autocannon') as (opts: Record<string, unknown>) => Promise<AutocannonResult>;

const arg = (name: string, def: number): number => {
  const i = process.argv.indexOf(`--${name}`);
  const v = i >= 0 ? Number(process.argv[i + 1]) : def;
  if (!Number.isFinite(v) || v <= 0) throw new Error(`--${name} must be a positive number`);
  return v;
};

async function childServe(): Promise<void> {
  const env = JSON.parse(process.env.BENCH_ENV ?? '{}') as Record<string, string>;
  const config = parseConfig({ ...process.env, ...env });
  const common = makeCommon(config);
  const handle = await startServing(common, { chainId: CHAIN });
  process.stdout.write(`${JSON.stringify({ url: handle.url })}\n`);
  process.on('SIGTERM', () => void handle.close().then(() => process.exit(0)));
}

async function childHello(): Promise<void> {
  const app = express();
  app.get('/hello', (_req, res) => {
    res.json({ hello: 'world' });
  });
  const server = app.listen(0, '127.0.0.1', () => {
    const addr = server.address() as { port: number };
    process.stdout.write(`${JSON.stringify({ url: `http://127.0.0.1:${addr.port}` })}\n`);
  });
  server.keepAliveTimeout = 65_000;
  process.on('SIGTERM', () => server.close(() => process.exit(0)));
}

function spawnChild(mode: string, env: Record<string, string>): Promise<{ url: string; child: ChildProcess }> {
  const self = fileURLToPath(import.meta.url);
  const child = spawn(process.execPath, ['--import', 'tsx', self, mode], { env: { ...process.env, BENCH_ENV: JSON.stringify(env) }, stdio: ['ignore', 'pipe', 'inherit'] });
  return new Promise((resolve, reject) => {
    let buf = '';
    const timer = setTimeout(() => reject(new Error(`${mode} child did not start`)), 120_000);
    child.stdout!.on('data', (d: Buffer) => {
      buf += d.toString();
      const line = buf.split('\n').find((l) => l.startsWith('{'));
      if (line) {
        clearTimeout(timer);
        resolve({ url: (JSON.parse(line) as { url: string }).url, child });
      }
    });
    child.once('exit', (code) => reject(new Error(`${mode} child exited with ${code}`)));
  });
}

async function main(): Promise<void> {
  const seconds = arg('seconds', 5);
  const connections = arg('connections', 10);
  const sqlConnections = arg('sql-connections', 2);
  const keyspace = `bench_serving_${randomBytes(4).toString('hex')}`;
  const lakeDir = await tempLakeDir();
  const env = { CASSANDRA_KEYSPACE: keyspace, LAKE_DIR: lakeDir, SERVE_PORT: '0', API_RATE_LIMIT_RPS: '1000000', LOG_LEVEL: 'warn', FINALITY_DEPTH: '64', CACHE_TTL_MS: '1000' };
  const config = parseConfig({ ...process.env, ...env });
  const logger = createLogger({ level: 'warn', pretty: false });
  const now = Math.floor(Date.now() / 1000);
  const blocks = 1200;
  const fx = generateChain({ chainId: CHAIN, blocks, startTime: now - blocks * 12, blockSeconds: 12, seed: 11, maxTxs: 20 });
  process.stderr.write(`[bench] seeding ${blocks} blocks into ${keyspace} and ${lakeDir}\n`);
  await seedLake(makeCommon(config), fx.records);
  const cassandra = await createCassandra(config, logger);
  await seedSpeed(cassandra, config, [...fx.canonical.values()].filter((b) => b.block.number > blocks - 300));
  const children: ChildProcess[] = [];
  try {
    const serving = await spawnChild('--serve', env);
    const hello = await spawnChild('--hello', {});
    children.push(serving.child, hello.child);
    const run = async (name: string, url: string, opts: Record<string, unknown> = {}) => {
      // Warm up (JIT, caches, DuckDB) for 1 s, then measure.
      await autocannon({ url, connections, duration: 1, ...opts });
      const r = await autocannon({ url, connections, duration: seconds, ...opts });
      const out = { name, reqPerSec: Math.round(r.requests.average), total: r.requests.total, p50Ms: r.latency.p50, p99Ms: r.latency.p99, maxMs: r.latency.max, non2xx: r.non2xx, errors: r.errors, timeouts: r.timeouts };
      process.stderr.write(`[bench] ${JSON.stringify(out)}\n`);
      return out;
    };
    const helloR = await run('hello-world', `${hello.url}/hello`);
    const latest = await run('latest-blocks (cached)', `${serving.url}/api/v1/blocks/latest?limit=20`);
    const stats = await run('stats 24h hourly (cached, merged)', `${serving.url}/api/v1/stats?from=${now - 86400}&to=${now}&granularity=hour`);
    // SQL is an analyst endpoint: measured at --sql-connections concurrent clients (default 2, one per DuckDB connection).
    const sqlPost = (q: string) => ({ method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ sql: q }), connections: sqlConnections });
    const sql = await run('sql small aggregate (batch view)', `${serving.url}/api/v1/sql`, sqlPost('SELECT sum(txs) AS txs, sum(blocks) AS blocks, max(bucket_start) AS last FROM stats_hour'));
    const sqlRaw = await run('sql aggregate over raw canonical_transactions', `${serving.url}/api/v1/sql`, sqlPost('SELECT tx_class, count(*) AS n, sum(fee) AS fees FROM canonical_transactions GROUP BY tx_class ORDER BY tx_class'));
    const ratio = (x: { reqPerSec: number }) => Math.round((x.reqPerSec / helloR.reqPerSec) * 100) / 100;
    const result = {
      seconds,
      connections,
      sqlConnections,
      results: [helloR, latest, stats, sql, sqlRaw],
      targets: {
        cachedReqPerSecAtLeast2000: latest.reqPerSec >= 2000 && stats.reqPerSec >= 2000,
        cachedP99AtMost50ms: latest.p99Ms <= 50 && stats.p99Ms <= 50,
        sqlP99AtMost150ms: sql.p99Ms <= 150,
        cachedAtLeast40PctOfHello: ratio(latest) >= 0.4 && ratio(stats) >= 0.4,
        latestVsHello: ratio(latest),
        statsVsHello: ratio(stats),
      },
    };
    process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
  } finally {
    for (const c of children) c.kill('SIGTERM');
    await cassandra.execute(`DROP KEYSPACE IF EXISTS ${keyspace}`).catch(() => {});
    await cassandra.shutdown();
    await rm(lakeDir, { recursive: true, force: true });
  }
}

const mode = process.argv[2];
if (mode === '--serve') await childServe();
else if (mode === '--hello') await childHello();
else await main();
