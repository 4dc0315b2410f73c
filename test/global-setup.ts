// Starts the real services the integration tests need — Kafka (KRaft) and Cassandra — through
// the project's own ops/ scripts, or reuses them when `chainlake up` already runs them.
// Started services get free ports and a temporary data dir, and are stopped at the end.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';
import { parseConfig } from '../core/config.js';
import { freePortPlain } from './ports.js';
import { cassandraReady, kafkaReady, startInfra, stopAll } from '../ops/stack.js';

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const say = (m: string) => process.stderr.write(`[test-setup] ${m}\n`);
  const env = parseConfig({ ...process.env, NODE_ENV: 'test' });
  const brokers = env.KAFKA_BROKERS;
  const cps = env.CASSANDRA_CONTACT_POINTS;
  const reuse = process.env.CHAINLAKE_TEST_FRESH_STACK !== '1' && (await kafkaReady(brokers)) && (await cassandraReady(cps, env.CASSANDRA_LOCAL_DC));
  if (reuse) {
    say(`Reusing running Kafka (${brokers.join(',')}) and Cassandra (${cps.join(',')})`);
    project.provide('services', { kafkaBrokers: brokers.join(','), cassandraContactPoints: cps.join(','), anvilUrl: '' });
    return async () => {};
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
