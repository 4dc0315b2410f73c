// Entry point of `chainlake up`: Kafka and Cassandra (migrated), the chain (anvil + traffic
// unless ETH_RPC_URLS is set), the chain's Kafka topics, the bundled fixture site (unless
// BOOKS_BASE_URL is set), then ingest, views, schedule and serve, each awaited on /health.
import type { Config } from '../core/config.js';
import { createLogger } from '../core/logger.js';
import { rpcChainId } from '../core/rpc-probe.js';
import { waitFor } from '../core/wait.js';
import { createCassandra } from '../storage/cassandra.js';
import { createKafka, ensureChainTopics } from '../storage/kafka.js';
import { logDir } from './procs.js';
import { type Say, startAnvilProc, startChainlakeProc, startInfra, startPrometheus } from './stack.js';

export async function up(cfg: Config, opts: { processes: boolean }, say: Say): Promise<void> {
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
    if (cfg.TRAFFIC_TPS > 0) {
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

  if (!cfg.BOOKS_BASE_URL) {
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
      startChainlakeProc(cfg, name, [name], procEnv);
      await waitFor(`chainlake ${name} (/health on ${cfg.HOST}:${port})`, async () => (await fetch(`http://${cfg.HOST}:${port}/health`)).ok, 60_000);
      say(`chainlake ${name} is up (metrics: http://${cfg.HOST}:${port}/metrics)`);
    }
  }
  startPrometheus(cfg, say);
  say(`Logs: ${logDir(cfg.DATA_DIR)}  ·  stop with: npm run stop`);
  say(`Ready in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
  if (opts.processes) process.stdout.write(`\nchainlake is running: http://${cfg.HOST}:${cfg.SERVE_PORT}/\n`);
  else process.stdout.write(`\nchainlake infrastructure is running (Kafka ${cfg.KAFKA_BROKERS.join(',')}, Cassandra ${cfg.CASSANDRA_CONTACT_POINTS.join(',')}, chain ${rpcUrl})\n`);
}
