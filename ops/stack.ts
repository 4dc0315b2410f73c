// The local stack: real Kafka (KRaft), real Cassandra, anvil + traffic (unless ETH_RPC_URLS
// is set), then the chainlake processes. Used by `chainlake up/down/status` and by the test setup.
import cassandra from 'cassandra-driver';
import { spawnSync } from 'node:child_process';
import { Kafka, logLevel } from 'kafkajs';
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Config } from '../core/config.js';
import { rpcChainId } from '../core/rpc-probe.js';
import { waitFor } from '../core/wait.js';
import { anvilBinary } from './anvil.js';
import { prepareCassandra } from './cassandra-local.js';
import { prepareKafka } from './kafka-local.js';
import { type ProcSpec, logFile, portOpen, readPid, startDetached, stopProc } from './procs.js';

export type Say = (msg: string) => void;

export async function kafkaReady(brokers: string[]): Promise<boolean> {
  const kafka = new Kafka({ clientId: 'chainlake-ready', brokers, logLevel: logLevel.NOTHING, retry: { retries: 0 }, connectionTimeout: 1000 });
  const admin = kafka.admin();
  try {
    await admin.connect();
    const c = await admin.describeCluster();
    return c.brokers.length > 0 && c.controller !== null;
  } catch {
    return false;
  } finally {
    await admin.disconnect().catch(() => {});
  }
}

export async function cassandraReady(contactPoints: string[], localDc: string): Promise<boolean> {
  const client = new cassandra.Client({ contactPoints, localDataCenter: localDc, socketOptions: { connectTimeout: 1500 } });
  try {
    await client.connect();
    await client.execute('SELECT release_version FROM system.local');
    return true;
  } catch {
    return false;
  } finally {
    await client.shutdown().catch(() => {});
  }
}

export async function anvilReady(url: string): Promise<boolean> {
  return rpcChainId(url, 2_000).then(
    () => true,
    () => false,
  );
}

type InfraConfig = Pick<
  Config,
  'DATA_DIR' | 'CACHE_DIR' | 'HOST' | 'KAFKA_PORT' | 'KAFKA_CONTROLLER_PORT' | 'KAFKA_HEAP' | 'CASSANDRA_PORT' | 'CASSANDRA_STORAGE_PORT' | 'CASSANDRA_JMX_PORT' | 'CASSANDRA_HEAP' | 'CASSANDRA_LOCAL_DC'
>;

async function ensurePortFree(port: number, host: string, what: string, dataDir: string, name: string): Promise<void> {
  if (readPid(dataDir, name)) return; // ours, already running
  if (await portOpen(port, host)) throw new Error(`Port ${port} is in use by another program: ${what} cannot start (set ${what === 'Kafka' ? 'KAFKA_PORT' : 'CASSANDRA_PORT'} to a free port)`);
}

/** Start (or reuse) Kafka and Cassandra; both start in parallel. Returns when both answer. */
export async function startInfra(cfg: InfraConfig, say: Say): Promise<{ started: string[] }> {
  const dataDir = resolve(cfg.DATA_DIR);
  const started: string[] = [];
  const kafkaUp = async () => {
    if (readPid(dataDir, 'kafka') && (await kafkaReady([`${cfg.HOST}:${cfg.KAFKA_PORT}`]))) return say(`Kafka already running on ${cfg.HOST}:${cfg.KAFKA_PORT}`);
    await ensurePortFree(cfg.KAFKA_PORT, cfg.HOST, 'Kafka', dataDir, 'kafka');
    const spec = prepareKafka({ dataDir, cacheDir: cfg.CACHE_DIR, port: cfg.KAFKA_PORT, controllerPort: cfg.KAFKA_CONTROLLER_PORT, heap: cfg.KAFKA_HEAP, host: cfg.HOST }, say);
    startDetached(dataDir, spec);
    started.push('kafka');
    say(`Starting Kafka (KRaft) on ${cfg.HOST}:${cfg.KAFKA_PORT}...`);
    await waitFor('Kafka', () => kafkaReady([`${cfg.HOST}:${cfg.KAFKA_PORT}`]), 90_000, { onTick: () => failIfDead(dataDir, 'kafka') });
    say('Kafka is ready');
  };
  const cassandraUp = async () => {
    if (await startCassandra(cfg, say)) started.push('cassandra');
  };
  await Promise.all([kafkaUp(), cassandraUp()]);
  return { started };
}

type CassandraInfraConfig = Pick<InfraConfig, 'DATA_DIR' | 'CACHE_DIR' | 'HOST' | 'CASSANDRA_PORT' | 'CASSANDRA_STORAGE_PORT' | 'CASSANDRA_JMX_PORT' | 'CASSANDRA_HEAP' | 'CASSANDRA_LOCAL_DC'>;

/** Start (or reuse) the local Cassandra node of DATA_DIR; returns when it answers. True when this call started it. */
export async function startCassandra(cfg: CassandraInfraConfig, say: Say): Promise<boolean> {
  const dataDir = resolve(cfg.DATA_DIR);
  const cp = [`${cfg.HOST}:${cfg.CASSANDRA_PORT}`];
  if (readPid(dataDir, 'cassandra') && (await cassandraReady(cp, cfg.CASSANDRA_LOCAL_DC))) {
    say(`Cassandra already running on ${cp[0]}`);
    return false;
  }
  await ensurePortFree(cfg.CASSANDRA_PORT, cfg.HOST, 'Cassandra', dataDir, 'cassandra');
  const spec = prepareCassandra(
    { dataDir, cacheDir: cfg.CACHE_DIR, port: cfg.CASSANDRA_PORT, storagePort: cfg.CASSANDRA_STORAGE_PORT, jmxPort: cfg.CASSANDRA_JMX_PORT, heap: cfg.CASSANDRA_HEAP, host: cfg.HOST },
    say,
  );
  startDetached(dataDir, spec);
  say(`Starting Cassandra 5.0 on ${cp[0]}...`);
  await waitFor('Cassandra', () => cassandraReady(cp, cfg.CASSANDRA_LOCAL_DC), 180_000, { onTick: () => failIfDead(dataDir, 'cassandra') });
  say('Cassandra is ready');
  return true;
}

function failIfDead(dataDir: string, name: string): void {
  if (!readPid(dataDir, name)) throw new Error(`${name} exited during start-up; see ${logFile(dataDir, name)}`);
}

export async function startAnvilProc(cfg: Pick<Config, 'DATA_DIR' | 'HOST' | 'ANVIL_PORT' | 'ANVIL_BLOCK_TIME'>, say: Say): Promise<string> {
  const dataDir = resolve(cfg.DATA_DIR);
  const url = `http://${cfg.HOST}:${cfg.ANVIL_PORT}`;
  if (readPid(dataDir, 'anvil') && (await anvilReady(url))) {
    say(`anvil already running at ${url}`);
    return url;
  }
  if (await portOpen(cfg.ANVIL_PORT, cfg.HOST)) throw new Error(`Port ${cfg.ANVIL_PORT} is in use: anvil cannot start (set ANVIL_PORT)`);
  const statePath = resolve(dataDir, 'anvil-state.json');
  const spec: ProcSpec = {
    name: 'anvil',
    command: anvilBinary(),
    // --state loads the chain at start and dumps it at exit, so a restart keeps the chain the checkpoints point into.
    args: ['--host', cfg.HOST, '--port', String(cfg.ANVIL_PORT), '--block-time', String(cfg.ANVIL_BLOCK_TIME), '--state', statePath, '--state-interval', '30', '--silent'],
  };
  startDetached(dataDir, spec);
  await waitFor('anvil', () => anvilReady(url), 30_000, { onTick: () => failIfDead(dataDir, 'anvil') });
  say(`anvil is ready at ${url} (block time ${cfg.ANVIL_BLOCK_TIME} s)`);
  return url;
}

/** Everything `up` may start, in start order; `down` stops in reverse. */
export const STACK_PROCS = ['kafka', 'cassandra', 'anvil', 'traffic', 'fixture-site', 'ingest', 'views', 'schedule', 'serve', 'prometheus'] as const;

export async function stopAll(dataDir: string, say: Say): Promise<void> {
  for (const name of [...STACK_PROCS].reverse()) {
    if (await stopProc(resolve(dataDir), name, name === 'cassandra' || name === 'kafka' ? 30_000 : 15_000)) say(`Stopped ${name}`);
  }
}

export function stackStatus(dataDir: string): { name: string; pid: number | null; log: string }[] {
  return STACK_PROCS.map((name) => ({ name, pid: readPid(resolve(dataDir), name), log: logFile(resolve(dataDir), name) })).filter(
    (p) => p.pid !== null || existsSync(p.log),
  );
}

/** Start a chainlake subcommand as a detached process of the stack. */
export function startChainlakeProc(cfg: Pick<Config, 'DATA_DIR'>, name: (typeof STACK_PROCS)[number], args: string[], env: Record<string, string> = {}): number {
  return startDetached(resolve(cfg.DATA_DIR), {
    name,
    command: process.execPath,
    args: [resolve('bin/chainlake.mjs'), ...args],
    env,
  });
}

/** Prometheus scraping every chainlake process, when a `prometheus` binary is installed (Debian: apt-get install prometheus). */
export function startPrometheus(cfg: Pick<Config, 'DATA_DIR' | 'HOST'>, say: Say): boolean {
  const which = spawnSync('sh', ['-c', 'command -v prometheus'], { encoding: 'utf8' });
  const bin = which.stdout.trim();
  if (which.status !== 0 || !bin) {
    say('(prometheus not installed: skipped; `apt-get install prometheus` to scrape every process with ops/prometheus/prometheus.yml)');
    return false;
  }
  const dataDir = resolve(cfg.DATA_DIR);
  startDetached(dataDir, {
    name: 'prometheus',
    command: bin,
    args: [`--config.file=${resolve('ops/prometheus/prometheus.yml')}`, `--storage.tsdb.path=${resolve(dataDir, 'prometheus')}`, `--web.listen-address=${cfg.HOST}:9090`],
  });
  say(`Prometheus on http://${cfg.HOST}:9090/ scraping ops/prometheus/prometheus.yml`);
  return true;
}
