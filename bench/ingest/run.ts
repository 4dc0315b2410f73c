// Ingest benchmark: prefill a private anvil with history (ops/traffic prefillChain), then
//   (a) raw read ceiling: the same 2 RPC calls per block, same concurrency, no decode, no Kafka;
//   (b) full backfill: RPC → decode → Kafka (acks=all, gzip), as `chainlake backfill` runs it.
// Prints progress on stderr and the results as JSON on stdout.
//   npx tsx bench/ingest/run.ts [--blocks 2000] [--txs-per-block 100] [--concurrency 16]
import { benchArgs } from '../util.js';
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { createServer } from 'node:net';
import { parseConfig } from '../../core/config.js';
import { createLogger } from '../../core/logger.js';
import { createCommon } from '../../core/runtime.js';
import { anvilBinary } from '../../ops/anvil.js';
import { prefillChain } from '../../ops/traffic/prefill.js';
import { createIngest } from '../../speed/ingest/ingest.js';
import { orderedFetch } from '../../speed/ingest/ordered.js';
import { createRpcPool, parseRpcEndpoints } from '../../speed/rpc/index.js';
import { createMetricsRegistry } from '../../core/metrics.js';

const args = benchArgs(import.meta.url, {
    blocks: { type: 'string', default: '2000' },
    'txs-per-block': { type: 'string', default: '100' },
    concurrency: { type: 'string', default: '16' },
    'prefill-only': { type: 'string' },
  });
const blocks = Number(args.blocks);
const txsPerBlock = Number(args['txs-per-block']);
const concurrency = Number(args.concurrency);
const say = (m: string) => process.stderr.write(`[bench:ingest] ${m}\n`);
const logger = createLogger({ level: 'warn', pretty: false });

const vmHwmMb = (): number | null => {
  try {
    const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync('/proc/self/status', 'utf8'));
    return m ? Math.round(Number(m[1]) / 1024) : null;
  } catch {
    return null;
  }
};

if (args['prefill-only']) {
  // Child mode: prefill in its own process so its memory does not count against ingest's peak RSS.
  let last = 0;
  await prefillChain({
    rpcUrl: args['prefill-only'],
    blocks,
    txsPerBlock,
    logger,
    onProgress: (p) => {
      if (Date.now() - last > 5_000) {
        last = Date.now();
        say(`prefill ${p.blocksDone}/${p.blocks} blocks, ${p.txs} txs, ${(p.elapsedMs / 1000).toFixed(0)} s`);
      }
    },
  });
  process.exit(0);
}

const freePort = () =>
  new Promise<number>((resolve) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });

const port = await freePort();
const rpcUrl = `http://127.0.0.1:${port}`;
// Prefilling 200k signed txs takes minutes: the chain is cached as an anvil state dump
// (blocks and receipts included) under CACHE_DIR and loaded by later runs.
const stateFile = resolve(parseConfig(process.env).CACHE_DIR, 'bench-ingest', `anvil-${blocks}x${txsPerBlock}.json`);
const cached = existsSync(stateFile);
mkdirSync(dirname(stateFile), { recursive: true });
const anvil = spawn(
  anvilBinary(),
  ['--host', '127.0.0.1', '--port', String(port), '--silent', '--gas-limit', '100000000', ...(cached ? ['--load-state', stateFile] : ['--dump-state', stateFile])],
  { stdio: 'ignore' },
);
const anvilExited = new Promise<void>((r) => anvil.once('exit', () => r()));
try {
  for (let i = 0; ; i++) {
    try {
      await fetch(rpcUrl, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"jsonrpc":"2.0","id":1,"method":"eth_chainId","params":[]}' });
      break;
    } catch {
      if (i > 150) throw new Error('anvil did not start');
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  const t0 = Date.now();
  if (cached) say(`loaded the prefilled chain from ${stateFile}`);
  else await new Promise<void>((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', process.argv[1] as string, '--prefill-only', rpcUrl, '--blocks', String(blocks), '--txs-per-block', String(txsPerBlock)], { stdio: ['ignore', 'ignore', 'inherit'] });
    child.once('exit', (code) => (code === 0 ? resolve() : reject(new Error(`prefill exited with ${code}`))));
  });
  const prefillSeconds = (Date.now() - t0) / 1000;
  say(`prefilled ${blocks} blocks × ${txsPerBlock} txs in ${prefillSeconds.toFixed(1)} s`);
  const head = Number.parseInt(((await (await fetch(rpcUrl, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"jsonrpc":"2.0","id":1,"method":"eth_blockNumber","params":[]}' })).json()) as { result: string }).result, 16);
  if (head < blocks) throw new Error(`chain has ${head} blocks, expected ${blocks} (stale cache ${stateFile}? delete it)`);
  const from = 1;
  const to = blocks;

  const suffix = `${Date.now().toString(36)}`;
  const config = parseConfig({
    ...process.env,
    LOG_LEVEL: 'warn',
    ETH_RPC_URLS: rpcUrl,
    RPC_DEFAULT_RPS: '1000000',
    INGEST_CONCURRENCY: String(concurrency),
    KAFKA_TOPIC_PREFIX: `bench_${suffix}`,
    CASSANDRA_KEYSPACE: `bench_${suffix}`,
  });

  // (a) raw read ceiling.
  const pool = createRpcPool({ endpoints: parseRpcEndpoints(config), logger, metrics: createMetricsRegistry({ process: 'bench-raw' }), timeoutMs: config.RPC_TIMEOUT_MS });
  let rawTxs = 0;
  let rawRequests = 0;
  const rawStart = performance.now();
  const fetcher = orderedFetch({ from, to, concurrency, fetch: (n) => pool.getBlockBundle(n) });
  while (!fetcher.done()) {
    for (const b of await fetcher.take(64)) {
      rawTxs += b.block.transactions.length;
      rawRequests += b.requests;
    }
  }
  const rawSeconds = (performance.now() - rawStart) / 1000;
  await pool.close();
  const raw = { seconds: round(rawSeconds), blocksPerSecond: round(blocks / rawSeconds), txPerSecond: Math.round(rawTxs / rawSeconds), requestsPerBlock: round(rawRequests / blocks, 3), txs: rawTxs };
  say(`raw ceiling: ${JSON.stringify(raw)}`);

  // (b) full backfill through Kafka.
  const common = createCommon('bench-backfill', { config, installSignalHandlers: false });
  let txs = 0;
  let peakRss = 0;
  const sampler = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage().rss)), 200);
  const ingest = await createIngest(common, { mode: { kind: 'backfill', from, to }, observer: { published: (p) => void (txs += p.txs) } });
  const fullStart = performance.now();
  await ingest.run();
  const fullSeconds = (performance.now() - fullStart) / 1000;
  clearInterval(sampler);
  peakRss = Math.max(peakRss, process.memoryUsage().rss);
  const stats = ingest.source.stats();
  await common.shutdown.run('bench done');
  const full = {
    seconds: round(fullSeconds),
    blocksPerSecond: round(blocks / fullSeconds),
    txPerSecond: Math.round(txs / fullSeconds),
    requestsPerBlock: round(stats.blockRequests / stats.blocks, 3),
    txs,
    ofRawCeiling: round(fullSeconds > 0 ? rawSeconds / fullSeconds : 0, 3),
  };
  const result = {
    bench: 'ingest',
    chain: { blocks, txsPerBlock, txs: rawTxs },
    concurrency,
    prefillSeconds: cached ? null : round(prefillSeconds),
    raw,
    full,
    memory: { peakRssMb: Math.round(peakRss / 1024 / 1024), vmHwmMb: vmHwmMb() },
    targets: { txPerSecond: 5000, ofRawCeiling: 0.7, requestsPerBlock: 2.05, rssMb: 1024 },
    pass: {
      txPerSecond: full.txPerSecond >= 5000,
      ofRawCeiling: full.ofRawCeiling >= 0.7,
      requestsPerBlock: full.requestsPerBlock <= 2.05,
      rss: (vmHwmMb() ?? Math.round(peakRss / 1024 / 1024)) <= 1024,
    },
  };
  process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
} finally {
  anvil.kill('SIGTERM'); // with --dump-state, anvil writes the cache as it exits
  await anvilExited;
}
process.exit(0);

function round(x: number, digits = 2): number {
  const f = 10 ** digits;
  return Math.round(x * f) / f;
}
