// Freshness benchmark: a private anvil (block time 1 s) + traffic (≥ 50 tx/s) + ingest + views
// consumer; for each block, the time from "the RPC reports it" to "storage/views queries return
// it" (p50/p95/p99 over ≥ 300 blocks). Progress on stderr, JSON on stdout.
//   npx tsx bench/freshness/run.ts [--blocks 300] [--tps 60]
import { spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { parseConfig } from '../../core/config.js';
import { createCommon } from '../../core/runtime.js';
import { anvilBinary } from '../../ops/anvil.js';
import { createCassandra } from '../../storage/cassandra.js';
import { createKafka } from '../../storage/kafka.js';
import { createViewsQueries } from '../../storage/views/queries.js';
import { machine, round, benchArgs } from '../util.js';

const args = benchArgs(import.meta.url, { blocks: { type: 'string', default: '300' }, tps: { type: 'string', default: '60' } });
const targetBlocks = Number(args.blocks);
const say = (m: string) => process.stderr.write(`[bench:freshness] ${m}\n`);

let ingestModule: typeof import('../../speed/ingest/ingest.js');
let trafficModule: typeof import('../../ops/traffic/generator.js');
try {
  ingestModule = await import('../../speed/ingest/ingest.js');
  trafficModule = await import('../../ops/traffic/generator.js');
} catch (e) {
  process.stdout.write(`${JSON.stringify({ suite: 'freshness', skipped: `ingest or traffic generator not available: ${(e as Error).message}` })}\n`);
  process.exit(0);
}
const { runViews } = await import('../../speed/views/main.js');

const port = await new Promise<number>((resolve, reject) => {
  const srv = createServer();
  srv.once('error', reject);
  srv.listen(0, '127.0.0.1', () => {
    const p = (srv.address() as { port: number }).port;
    srv.close(() => resolve(p));
  });
});
const rpcUrl = `http://127.0.0.1:${port}`;
const anvil = spawn(anvilBinary(), ['--host', '127.0.0.1', '--port', String(port), '--block-time', '1', '--silent'], { stdio: 'ignore' });
const rpc = async (method: string, params: unknown[] = []) => {
  const r = await fetch(rpcUrl, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ jsonrpc: '2.0', id: 1, method, params }) });
  return ((await r.json()) as { result: unknown }).result;
};
for (let i = 0; ; i++) {
  try {
    await rpc('eth_chainId');
    break;
  } catch {
    if (i > 150) throw new Error('anvil did not start');
    await new Promise((r) => setTimeout(r, 100));
  }
}

const stamp = Date.now().toString(36);
const cfg = parseConfig({
  ...process.env,
  ETH_RPC_URLS: rpcUrl,
  CASSANDRA_KEYSPACE: `bench_fresh_${stamp}`,
  KAFKA_TOPIC_PREFIX: `bench-fresh-${stamp}`,
  LOG_LEVEL: process.env.LOG_LEVEL ?? 'error',
  INGEST_METRICS_PORT: '0',
  VIEWS_METRICS_PORT: '0',
  START_BLOCK: '0',
});
const chainId = Number(BigInt(String(await rpc('eth_chainId'))));
const ingestCommon = createCommon('bench-ingest', { config: cfg, installSignalHandlers: false });
const viewsCommon = createCommon('bench-views', { config: cfg, installSignalHandlers: false });
const traffic = await trafficModule.startTraffic({ rpcUrl, tps: Number(args.tps), logger: ingestCommon.logger });
say(`traffic running at ~${args.tps} tx/s`);
const ingest = await ingestModule.createIngest(ingestCommon);
void ingest.run().catch((e: unknown) => say(`ingest stopped: ${(e as Error).message}`));
await runViews(viewsCommon, { chainId, metricsPort: 0 });
const client = await createCassandra(cfg, viewsCommon.logger, { migrate: false });
const queries = createViewsQueries(client, { chainId, ttlSeconds: cfg.VIEWS_TTL_SECONDS });

// Blocks mined from now on are measured; earlier ones (setup, warm-up) are not.
const first = Number(BigInt(String(await rpc('eth_blockNumber')))) + 3;
const seenAtRpc = new Map<number, number>();
const visible = new Map<number, number>();
const txCounts: number[] = [];
const stopAt = first + targetBlocks;
const pollRpc = (async () => {
  while (visible.size < targetBlocks) {
    const n = Number(BigInt(String(await rpc('eth_blockNumber'))));
    const t = Date.now();
    for (let b = first; b <= Math.min(n, stopAt - 1); b++) if (!seenAtRpc.has(b)) seenAtRpc.set(b, t);
    await new Promise((r) => setTimeout(r, 20));
  }
})();
let lastLog = 0;
const deadline = Date.now() + (targetBlocks + 120) * 1_000 * 2;
while (visible.size < targetBlocks && Date.now() < deadline) {
  const latest = await queries.latestBlocks(20);
  const t = Date.now();
  for (const b of latest)
    if (b.number >= first && b.number < stopAt && !visible.has(b.number)) {
      visible.set(b.number, t);
      txCounts.push(b.txCount);
    }
  if (t - lastLog > 10_000) {
    lastLog = t;
    say(`${visible.size}/${targetBlocks} blocks measured`);
  }
  await new Promise((r) => setTimeout(r, 20));
}
await pollRpc.catch(() => {});
const latencies = [...visible].filter(([n]) => seenAtRpc.has(n)).map(([n, t]) => t - (seenAtRpc.get(n) as number)).sort((a, b) => a - b);
const pct = (p: number) => latencies[Math.min(latencies.length - 1, Math.floor((p / 100) * latencies.length))] ?? null;
const stats = traffic.stats();
process.stdout.write(
  `${JSON.stringify(
    {
      suite: 'freshness',
      date: new Date().toISOString(),
      machine: machine(),
      blocks: latencies.length,
      txPerBlockMean: round(txCounts.reduce((s, x) => s + x, 0) / Math.max(1, txCounts.length), 1),
      trafficSent: stats.sent,
      rpcToViewsMs: { p50: pct(50), p95: pct(95), p99: pct(99), max: latencies.at(-1) ?? null },
      note: 'RPC head polled every 20 ms; views polled every 20 ms via storage/views latestBlocks',
    },
    null,
    2,
  )}\n`,
);
await traffic.stop();
await viewsCommon.shutdown.run('bench done');
await ingestCommon.shutdown.run('bench done');
await client.execute(`DROP KEYSPACE ${cfg.CASSANDRA_KEYSPACE}`).catch(() => {});
const admin = createKafka(cfg, viewsCommon.logger, 'bench-fresh').admin();
await admin.connect();
await admin.deleteTopics({ topics: [`${cfg.KAFKA_TOPIC_PREFIX}.${chainId}.blocks.v1`, `${cfg.KAFKA_TOPIC_PREFIX}.${chainId}.dlq.v1`] }).catch(() => {});
await admin.disconnect();
await client.shutdown();
anvil.kill('SIGTERM');
process.exit(0);
