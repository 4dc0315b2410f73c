// Soak run: the whole stack as child processes (ingest, views, schedule, serve) on a private
// anvil with traffic, plus API load (autocannon: latest blocks, 24 h stats, a small SQL) for
// --minutes. Samples every child's RSS (/proc/<pid>/status VmRSS), the speed-view and batch
// lag behind the chain head every 30 s; prints one JSON document on stdout.
//   npx tsx bench/soak/run.ts --minutes 10 [--tps 20] [--connections 2] [--rate 20]
//                             [--endpoints latest,stats,sql] [--sql 'SELECT …']
// --endpoints picks the API load (comma-separated subset of latest, stats, sql, or none), to
// see which request type drives serve's memory; default all three. --sql replaces the small
// SQL query (default: count and max over the raw blocks view).
// Uses the Kafka and Cassandra of KAFKA_BROKERS / CASSANDRA_CONTACT_POINTS (a fresh keyspace
// and topic prefix); nothing is faulted here — see test/faults for that.
import { benchArgs } from '../util.js';
import { createRequire } from 'node:module';
import { loadConfig } from '../../core/config.js';
import { createLogger } from '../../core/logger.js';
import { createCassandra } from '../../storage/cassandra.js';
import { readBatchVersion } from '../../storage/lake/versions.js';
import { lakePaths } from '../../storage/lake/paths.js';
import { createViewsQueries } from '../../storage/views/queries.js';
import { CHAIN_ID, createTrafficControl, startChildren } from '../../test/faults/scenario.js';
import { CHILD_KINDS, chainHead, createStack, rssKb, sleep, startAnvilPlain, startRpcProxy } from '../../test/faults/stack.js';

const flags = benchArgs(import.meta.url, {
    minutes: { type: 'string', default: '10' },
    tps: { type: 'string', default: '20' },
    connections: { type: 'string', default: '2' },
    rate: { type: 'string', default: '20' },
    'sample-seconds': { type: 'string', default: '30' },
    endpoints: { type: 'string', default: 'latest,stats,sql' },
    sql: { type: 'string', default: 'SELECT count(*) AS n, max(number) AS head FROM blocks' },
  });
const minutes = Number(flags.minutes);
const tps = Number(flags.tps);
const connections = Number(flags.connections);
const rate = Number(flags.rate);
const sampleMs = Number(flags['sample-seconds']) * 1000;
const ENDPOINTS = ['latest', 'stats', 'sql'] as const;
type Endpoint = (typeof ENDPOINTS)[number];
const endpointList = flags.endpoints === 'none' ? [] : flags.endpoints.split(',').map((e) => e.trim());
if (!endpointList.every((e): e is Endpoint => (ENDPOINTS as readonly string[]).includes(e))) {
  process.stderr.write(`soak: --endpoints must be 'none' or a comma-separated subset of ${ENDPOINTS.join(',')}\n`);
  process.exit(2);
}
const endpoints = new Set<Endpoint>(endpointList);
if (!(minutes > 0) || !(tps >= 20) || !(connections >= 1) || !(rate > 0) || !(sampleMs >= 1000)) {
  process.stderr.write('soak: --minutes must be > 0, --tps ≥ 20, --connections ≥ 1, --rate > 0 and --sample-seconds ≥ 1\n');
  process.exit(2);
}
type AutocannonResult = {
  requests: { total: number; average: number };
  latency: { p50: number; p99: number; max: number };
  errors: number;
  timeouts: number;
  non2xx: number;
};
// autocannon ships no types; the fields read here are checked at the call.
const autocannon = createRequire(import.meta.url)('autocannon') as (opts: Record<string, unknown>) => Promise<AutocannonResult>;
const say = (m: string) => process.stderr.write(`[soak] ${m}\n`);

const base = loadConfig();
const logger = createLogger({ level: 'warn', pretty: false });
const anvil = await startAnvilPlain(1);
const proxy = await startRpcProxy(anvil.url);
const stack = await createStack({
  kafkaBrokers: base.KAFKA_BROKERS.join(','),
  cassandraContactPoints: base.CASSANDRA_CONTACT_POINTS.join(','),
  rpcUrl: proxy.url,
  chainId: CHAIN_ID,
  finalityDepth: 4,
  env: { API_RATE_LIMIT_RPS: '100000', BATCH_CRON: '*/10 * * * * *', COMPACT_CRON: '*/5 * * * * *' },
});
const traffic = createTrafficControl(anvil.url, tps, 42);
const cfg = stack.config({ ETH_RPC_URLS: anvil.url });
let cassandra: Awaited<ReturnType<typeof createCassandra>> | null = null;

type Sample = { t: number; rssKb: Record<string, number | null>; serveHeapMb: { used: number; external: number } | null; head: number; speedLagBlocks: number | null; speedAgeSeconds: number | null; batchLagBlocks: number | null };
const samples: Sample[] = [];
let t0 = Date.now();
async function sample(): Promise<void> {
  const head = await chainHead(anvil.url);
  const rss = Object.fromEntries(CHILD_KINDS.map((k) => [k, rssKb(stack.children[k].pid())]));
  rss.anvil = rssKb(anvil.pid);
  rss.harness = rssKb(process.pid);
  let speedLagBlocks: number | null = null;
  let speedAgeSeconds: number | null = null;
  if (cassandra) {
    const f = await createViewsQueries(cassandra, { chainId: CHAIN_ID, ttlSeconds: cfg.VIEWS_TTL_SECONDS }).freshness().catch(() => null);
    if (f?.lastBlock) {
      speedLagBlocks = head - f.lastBlock.number;
      speedAgeSeconds = Number((f.ageSeconds ?? 0).toFixed(1));
    }
  }
  // serve's JS heap vs native: RSS growth with a flat heap is native (DuckDB, buffers).
  const serveHeapMb = await fetch(`http://127.0.0.1:${stack.children.serve.port}/metrics`)
    .then(async (r) => {
      const text = await r.text();
      const metric = (name: string) => Math.round(Number(new RegExp(`^chainlake_${name}(?:\\{[^}]*\\})? (\\S+)$`, 'm').exec(text)?.[1] ?? Number.NaN) / 1_048_576);
      return { used: metric('nodejs_heap_size_used_bytes'), external: metric('nodejs_external_memory_bytes') };
    })
    .catch(() => null);
  const v = await readBatchVersion(lakePaths(cfg.LAKE_DIR)).catch(() => null);
  const batchLagBlocks = v?.horizon === null || v?.horizon === undefined ? null : head - v.horizon;
  samples.push({ t: Math.round((Date.now() - t0) / 1000), rssKb: rss, serveHeapMb, head, speedLagBlocks, speedAgeSeconds, batchLagBlocks });
  say(`t=${samples.at(-1)!.t}s head=${head} speedLag=${speedLagBlocks} batchLag=${batchLagBlocks} rssMB=${JSON.stringify(Object.fromEntries(Object.entries(rss).map(([k, x]) => [k, x === null ? null : Math.round(x / 1024)])))} serveHeapMB=${JSON.stringify(serveHeapMb)}`);
}

type LoadResult = { requests: number; errors: number; timeouts: number; non2xx: number; p50: number; p99: number; max: number; rps: number };
async function load(name: string, url: string, opts: { method?: 'GET' | 'POST'; body?: string }, durationS: number): Promise<[string, LoadResult]> {
  const r = await autocannon({
    url,
    connections,
    overallRate: rate,
    duration: durationS,
    timeout: 10,
    method: opts.method ?? 'GET',
    ...(opts.body ? { body: opts.body, headers: { 'content-type': 'application/json' } } : {}),
  });
  return [name, { requests: r.requests.total, errors: r.errors, timeouts: r.timeouts, non2xx: r.non2xx, p50: r.latency.p50, p99: r.latency.p99, max: r.latency.max, rps: r.requests.average }];
}

const maxOrNull = (xs: (number | null)[]): number | null => (xs.length === 0 || xs.some((x) => x === null) ? null : Math.max(...(xs as number[])));

let exitCode = 0;
try {
  await traffic.start();
  await startChildren(stack);
  // After ingest: it created the keyspace this client reads.
  cassandra = await createCassandra(cfg, logger, { migrate: false });
  say(`stack up (work dir ${stack.dir}); soaking ${minutes} min at ${tps} tx/s with API load`);
  t0 = Date.now();
  await sample();
  const timer = setInterval(() => void sample().catch((e: unknown) => say(`sample failed: ${String(e)}`)), sampleMs);
  const api = `http://127.0.0.1:${stack.children.serve.port}/api/v1`;
  const durationS = Math.max(10, Math.round(minutes * 60));
  const loads = await Promise.all([
    endpoints.has('latest') ? load('blocks_latest', `${api}/blocks/latest?limit=20`, {}, durationS) : null,
    endpoints.has('stats') ? load('stats_24h', `${api}/stats?granularity=hour`, {}, durationS) : null,
    endpoints.has('sql') ? load('sql_small', `${api}/sql`, { method: 'POST', body: JSON.stringify({ sql: flags.sql }) }, durationS) : null,
    // No API load: still soak for the same time.
    endpoints.size === 0 ? sleep(durationS * 1000).then(() => null) : null,
  ]);
  clearInterval(timer);
  await sample();
  // The SQL answer is checked once, so a soak whose SQL always fails is visible beyond non2xx.
  const sqlProbe = await fetch(`${api}/sql`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ sql: 'SELECT count(*) AS n FROM blocks' }) });
  const first = samples[0]!;
  const last = samples.at(-1)!;
  const report = {
    minutes,
    targetTps: tps,
    txsSent: traffic.sent(),
    chainBlocks: last.head - first.head,
    endpoints: [...endpoints],
    sql: flags.sql,
    api: Object.fromEntries(loads.filter((l) => l !== null)),
    sqlProbeStatus: sqlProbe.status,
    rssKb: {
      start: first.rssKb,
      end: last.rssKb,
      max: Object.fromEntries(Object.keys(first.rssKb).map((k) => [k, Math.max(...samples.map((s) => s.rssKb[k] ?? 0))])),
    },
    // null = not measurable in some sample (no checkpoint / no batch version yet).
    speedLagBlocks: { max: maxOrNull(samples.map((s) => s.speedLagBlocks)), end: last.speedLagBlocks },
    speedAgeSeconds: { max: maxOrNull(samples.map((s) => s.speedAgeSeconds)), end: last.speedAgeSeconds },
    batchLagBlocks: { max: maxOrNull(samples.slice(1).map((s) => s.batchLagBlocks)), end: last.batchLagBlocks },
    processExits: stack.crashes,
    restarts: Object.fromEntries(CHILD_KINDS.map((k) => [k, stack.children[k].starts - 1])),
    samples,
  };
  process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
  if (stack.crashes.length > 0) exitCode = 1;
} catch (e) {
  say(`failed: ${String(e)}`);
  for (const k of CHILD_KINDS) say(`${k} log tail:\n${stack.logTail(k, 10)}`);
  exitCode = 1;
} finally {
  await traffic.stop().catch(() => {});
  await stack.stopAll();
  await cassandra?.shutdown();
  await proxy.close();
  await anvil.stop();
  stack.cleanup();
}
process.exit(exitCode);
