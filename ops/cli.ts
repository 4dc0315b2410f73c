// `chainlake <command>`: one CLI for the whole system. Each layer registers its own
// commands; this file owns the local stack (up/down/status) and wires the rest in.
import { Command, CommanderError } from 'commander';
import { resolve } from 'node:path';
import { ConfigError, type Config, loadConfig } from '../core/config.js';
import { errorMessage } from '../core/errors.js';
import { createLogger } from '../core/logger.js';
import { createCassandra } from '../storage/cassandra.js';
import { createKafka, ensureChainTopics } from '../storage/kafka.js';
import { logDir, waitFor } from './procs.js';
import { stackStatus, startAnvilProc, startChainlakeProc, startInfra, startPrometheus, stopAll } from './stack.js';

// `chainlake status | head -3`: a reader that closes the pipe early is not an error.
for (const stream of [process.stdout, process.stderr])
  stream.on('error', (e: NodeJS.ErrnoException) => {
    if (e.code === 'EPIPE') process.exit(0);
    throw e;
  });

const program = new Command();
program
  .name('chainlake')
  .description('Lambda-architecture analytics for EVM chains: speed layer (Kafka → Cassandra), batch layer (Parquet + DuckDB), serving API and dashboard')
  .showHelpAfterError('(run with --help for usage)')
  .exitOverride();

const say = (msg: string) => process.stderr.write(`[chainlake] ${msg}\n`);

async function rpcChainId(url: string): Promise<number> {
  const r = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'eth_chainId', params: [] }) });
  const body = (await r.json()) as { result?: string };
  if (!body.result) throw new Error('the RPC endpoint did not answer eth_chainId');
  return Number(BigInt(body.result));
}

/** Which stack processes exist as commands (layers land one by one). */
const has = (name: string) => program.commands.some((c) => c.name() === name);

async function up(cfg: Config, opts: { processes: boolean }): Promise<void> {
  const t0 = Date.now();
  await startInfra(cfg, say);
  const logger = createLogger({ level: 'warn', pretty: false });
  const cassandra = await createCassandra(cfg, logger);
  await cassandra.shutdown();
  say(`Cassandra keyspace ${cfg.CASSANDRA_KEYSPACE} migrated`);

  let rpcUrl = cfg.ETH_RPC_URLS[0];
  const procEnv: Record<string, string> = {};
  if (!rpcUrl) {
    rpcUrl = await startAnvilProc(cfg, say);
    procEnv.ETH_RPC_URLS = rpcUrl;
    if (has('traffic') && cfg.TRAFFIC_TPS > 0) {
      startChainlakeProc(cfg, 'traffic', ['traffic', '--rpc', rpcUrl, '--tps', String(cfg.TRAFFIC_TPS)]);
      say(`Traffic generator sending ~${cfg.TRAFFIC_TPS} tx/s`);
    }
  }
  const chainId = await rpcChainId(rpcUrl);
  const kafka = createKafka(cfg, logger, 'up');
  const admin = kafka.admin();
  await admin.connect();
  const topics = await ensureChainTopics(admin, cfg, chainId);
  await admin.disconnect();
  say(`Kafka topics ready: ${topics.blocks}, ${topics.dlq}`);

  if (!cfg.BOOKS_BASE_URL && has('fixture-site')) {
    startChainlakeProc(cfg, 'fixture-site', ['fixture-site']);
    procEnv.BOOKS_BASE_URL = `http://${cfg.HOST}:${cfg.FIXTURE_SITE_PORT}/`;
  }
  if (opts.processes) {
    const procs: [name: 'ingest' | 'views' | 'schedule' | 'serve', port: number][] = [
      ['ingest', cfg.INGEST_METRICS_PORT],
      ['views', cfg.VIEWS_METRICS_PORT],
      ['schedule', cfg.BATCH_METRICS_PORT],
      ['serve', cfg.SERVE_PORT],
    ];
    for (const [name, port] of procs) {
      if (!has(name)) {
        say(`(${name}: not available in this build, skipped)`);
        continue;
      }
      startChainlakeProc(cfg, name, [name], procEnv);
      await waitFor(`chainlake ${name} (/health on ${cfg.HOST}:${port})`, async () => (await fetch(`http://${cfg.HOST}:${port}/health`)).ok, 60_000);
      say(`chainlake ${name} is up (metrics: http://${cfg.HOST}:${port}/metrics)`);
    }
  }
  startPrometheus(cfg, say);
  say(`Logs: ${logDir(cfg.DATA_DIR)}  ·  stop with: npm run stop`);
  say(`Ready in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
  if (opts.processes && has('serve')) process.stdout.write(`\nchainlake is running: http://${cfg.HOST}:${cfg.SERVE_PORT}/\n`);
  else process.stdout.write(`\nchainlake infrastructure is running (Kafka ${cfg.KAFKA_BROKERS.join(',')}, Cassandra ${cfg.CASSANDRA_CONTACT_POINTS.join(',')}, chain ${rpcUrl})\n`);
}

program
  .command('up')
  .description('Start the local stack: Kafka, Cassandra, anvil + traffic (unless ETH_RPC_URLS is set), ingest, views, batch scheduler, serving + dashboard')
  .option('--infra-only', 'start only Kafka, Cassandra and the chain, not the chainlake processes')
  .action(async (opts: { infraOnly?: boolean }) => {
    await up(loadConfig(), { processes: !opts.infraOnly });
  });

program
  .command('down')
  .description('Stop everything `chainlake up` started (by pid file)')
  .action(async () => {
    await stopAll(loadConfig().DATA_DIR, say);
  });

program
  .command('status')
  .description('Show which stack processes run, with pid and log file')
  .option('--json', 'machine-readable output')
  .action((opts: { json?: boolean }) => {
    const rows = stackStatus(loadConfig().DATA_DIR);
    if (opts.json) return void process.stdout.write(`${JSON.stringify(rows)}\n`);
    if (rows.length === 0) return void process.stdout.write('nothing is running (start with: npm start)\n');
    for (const r of rows) process.stdout.write(`${r.name.padEnd(13)} ${r.pid ? `running  pid ${r.pid}` : 'stopped'}  ${r.log}\n`);
  });

// Layers register their commands; a layer that has not landed yet is simply absent.
const layers: [path: string, fn: string][] = [
  ['../speed/cli.js', 'registerSpeedIngestCommands'],
  ['../speed/views-cli.js', 'registerViewsCommands'],
  ['../batch/cli.js', 'registerBatchCommands'],
  ['../batch/jobs/cli.js', 'registerBooksCommands'],
  ['../serving/cli.js', 'registerServingCommands'],
  ['./traffic/cli.js', 'registerTrafficCommands'],
  ['./fixture-site/cli.js', 'registerFixtureSiteCommands'],
  ['./reconcile/cli.js', 'registerReconcileCommands'],
  ['../bench/cli.js', 'registerBenchCommands'],
];
for (const [path, fn] of layers) {
  try {
    const mod = (await import(path)) as Record<string, (p: Command) => void>;
    mod[fn]?.(program);
  } catch (e) {
    const err = e as NodeJS.ErrnoException & { url?: string };
    const missing = err.code === 'ERR_MODULE_NOT_FOUND' && errorMessage(e).includes(resolve('ops', path).replace(/\.js$/, ''));
    if (!missing) throw e;
  }
}

try {
  await program.parseAsync(process.argv);
} catch (e) {
  if (e instanceof CommanderError) process.exit(e.exitCode === 0 ? 0 : 2);
  if (e instanceof ConfigError) {
    process.stderr.write(`${e.message}\n`);
    process.exit(2);
  }
  process.stderr.write(`chainlake: ${errorMessage(e)}\n`);
  process.exit(1);
}
