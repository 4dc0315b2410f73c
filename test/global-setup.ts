// Starts the real services the integration tests need — Kafka (KRaft) and Cassandra — through
// the project's own ops/ scripts, or reuses them when `chainlake up` already runs them.
// Started services get free ports and a temporary data dir, and are stopped at the end.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';
import cassandra from 'cassandra-driver';
import { type Config, parseConfig } from '../core/config.js';
import { freePortPlain } from './ports.js';
import { cassandraReady, kafkaReady, startInfra, stopAll } from '../ops/stack.js';

const STALE_MS = 6 * 3600_000;
/** Keyspaces of test/helpers.ts uniqueName('t'), the fault stack and benches: <prefix>_<base36 ms>_<6 hex>. */
const TEST_KEYSPACE = /^(?:t([0-9a-f]{4})?|f|bench_\w+?)_([0-9a-z]{6,10})_[0-9a-f]{6}$/;

async function dropTestKeyspaces(cfg: Config, drop: (k: { run: string | undefined; created: number }) => boolean, say: (m: string) => void): Promise<void> {
  const client = new cassandra.Client({ contactPoints: cfg.CASSANDRA_CONTACT_POINTS, localDataCenter: cfg.CASSANDRA_LOCAL_DC });
  try {
    await client.connect();
    const rows = (await client.execute('SELECT keyspace_name FROM system_schema.keyspaces')).rows.map((r) => String(r.keyspace_name));
    const doomed = rows.filter((k) => {
      const m = TEST_KEYSPACE.exec(k);
      return m !== null && drop({ run: m[1], created: Number.parseInt(m[2]!, 36) });
    });
    for (const k of doomed.slice(0, 300)) await client.execute(`DROP KEYSPACE IF EXISTS ${k}`, [], { readTimeout: 60_000 });
    if (doomed.length > 0) say(`Dropped ${Math.min(doomed.length, 300)} test keyspaces`);
  } finally {
    await client.shutdown();
  }
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const say = (m: string) => process.stderr.write(`[test-setup] ${m}\n`);
  const env = parseConfig({ ...process.env, NODE_ENV: 'test' });
  const brokers = env.KAFKA_BROKERS;
  const cps = env.CASSANDRA_CONTACT_POINTS;
  const reuse = process.env.CHAINLAKE_TEST_FRESH_STACK !== '1' && (await kafkaReady(brokers)) && (await cassandraReady(cps, env.CASSANDRA_LOCAL_DC));
  if (reuse) {
    say(`Reusing running Kafka (${brokers.join(',')}) and Cassandra (${cps.join(',')})`);
    project.provide('services', { kafkaBrokers: brokers.join(','), cassandraContactPoints: cps.join(','), anvilUrl: '' });
    // A long-lived dev Cassandra (1 GB heap) runs out of memory after a few hundred test
    // keyspaces: drop this run's keyspaces at the end, and those older runs left behind.
    // Test workers start after this and inherit the tag (test/helpers.ts testConfig).
    const run = randomBytes(2).toString('hex');
    process.env.CHAINLAKE_TEST_RUN = run;
    const stale = Date.now() - STALE_MS;
    await dropTestKeyspaces(env, (k) => k.created < stale, say).catch((e: unknown) => say(`Could not prune old test keyspaces: ${String(e)}`));
    return async () => {
      await dropTestKeyspaces(env, (k) => k.run === run, say).catch((e: unknown) => say(`Could not drop this run's keyspaces: ${String(e)}`));
    };
  }
  const dataDir = mkdtempSync(join(tmpdir(), 'chainlake-test-'));
  const [kafkaPort, controllerPort, cassPort, storagePort, jmxPort] = [
    await freePortPlain(),
    await freePortPlain(),
    await freePortPlain(),
    await freePortPlain(),
    await freePortPlain(),
  ];
  const cfg = parseConfig({
    ...process.env,
    NODE_ENV: 'test',
    DATA_DIR: dataDir,
    KAFKA_PORT: String(kafkaPort),
    KAFKA_CONTROLLER_PORT: String(controllerPort),
    CASSANDRA_PORT: String(cassPort),
    CASSANDRA_STORAGE_PORT: String(storagePort),
    CASSANDRA_JMX_PORT: String(jmxPort),
  });
  const t0 = Date.now();
  try {
    await startInfra(cfg, say);
  } catch (e) {
    await stopAll(dataDir, say);
    throw e;
  }
  say(`Kafka and Cassandra ready in ${((Date.now() - t0) / 1000).toFixed(1)} s (data in ${dataDir})`);
  project.provide('services', {
    kafkaBrokers: `127.0.0.1:${kafkaPort}`,
    cassandraContactPoints: `127.0.0.1:${cassPort}`,
    anvilUrl: '',
  });
  return async () => {
    await stopAll(dataDir, say);
    rmSync(dataDir, { recursive: true, force: true });
  };
}
