// Shared integration-test helpers. Services come from test/global-setup.ts (started, or
// reused when `chainlake up` already runs them); every test gets its own names.
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { inject } from 'vitest';
import { type Config, parseConfig } from '../core/config.js';
import { createLogger } from '../core/logger.js';
import { freePortPlain } from './ports.js';

export type TestServices = {
  kafkaBrokers: string;
  cassandraContactPoints: string;
  /** RPC URL of the shared anvil with the traffic generator running (may be empty before the chain is up). */
  anvilUrl: string;
};

declare module 'vitest' {
  export interface ProvidedContext {
    services: TestServices;
  }
}

export const services = (): TestServices => inject('services');

/** A lowercase name safe for Kafka topics, consumer groups and CQL keyspaces. */
export const uniqueName = (prefix: string): string => `${prefix}_${Date.now().toString(36)}_${randomBytes(3).toString('hex')}`.toLowerCase();

/** Config for a test: the shared services, a fresh keyspace unless given, plus overrides. */
export function testConfig(overrides: Record<string, string> = {}): Config {
  const s = services();
  return parseConfig({
    NODE_ENV: 'test',
    LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'warn',
    KAFKA_BROKERS: s.kafkaBrokers,
    CASSANDRA_CONTACT_POINTS: s.cassandraContactPoints,
    // t<run tag>_…: test/global-setup.ts drops this run's keyspaces at the end.
    CASSANDRA_KEYSPACE: uniqueName(`t${process.env.CHAINLAKE_TEST_RUN ?? ''}`),
    KAFKA_TOPIC_PREFIX: uniqueName('t'),
    KAFKA_PARTITIONS: '3',
    INGEST_METRICS_PORT: '0',
    VIEWS_METRICS_PORT: '0',
    BATCH_METRICS_PORT: '0',
    SERVE_PORT: '0',
    ...overrides,
  });
}

export const testLogger = () => createLogger({ level: process.env.TEST_LOG_LEVEL ?? 'warn', pretty: false });

export const freePort = freePortPlain;

export type TestAnvil = { url: string; port: number; stop: () => Promise<void> };

/** A private anvil for one test file (starts in ~100 ms). blockTime 0 = automine per tx. */
export async function startAnvil(opts: { blockTime?: number; args?: string[] } = {}): Promise<TestAnvil> {
  const port = await freePort();
  const { anvilBinary } = await import('../ops/anvil.js');
  const args = ['--host', '127.0.0.1', '--port', String(port), '--silent', ...(opts.blockTime ? ['--block-time', String(opts.blockTime)] : []), ...(opts.args ?? [])];
  const child = spawn(anvilBinary(), args, { stdio: 'ignore' });
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 15_000;
  for (;;) {
    try {
      const r = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'eth_chainId', params: [] }) });
      if (r.ok) break;
    } catch {
      /* not up yet */
    }
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`anvil did not start on port ${port}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    url,
    port,
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}
