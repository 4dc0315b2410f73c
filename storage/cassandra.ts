// Cassandra/ScyllaDB client factory with retry/reconnect, keyspace creation from config,
// and versioned schema migrations applied at start. CQL here must also run on ScyllaDB:
// no counters, no SAI, no materialized views.
import cassandra from 'cassandra-driver';
import type { Config } from '../core/config.js';
import { FatalError, RetryableError, sleep } from '../core/errors.js';
import type { Logger } from '../core/logger.js';
import { allMigrations, type Migration } from './migrations/index.js';

export type CassandraClient = cassandra.Client;
export type CassandraConfig = Pick<
  Config,
  | 'CASSANDRA_CONTACT_POINTS'
  | 'CASSANDRA_LOCAL_DC'
  | 'CASSANDRA_KEYSPACE'
  | 'CASSANDRA_REPLICATION'
  | 'CASSANDRA_CONSISTENCY'
  | 'CASSANDRA_USERNAME'
  | 'CASSANDRA_PASSWORD'
  | 'VIEWS_TTL_SECONDS'
>;

export const consistency = (name: Config['CASSANDRA_CONSISTENCY']): number => cassandra.types.consistencies[
  ({ ONE: 'one', LOCAL_ONE: 'localOne', QUORUM: 'quorum', LOCAL_QUORUM: 'localQuorum', ALL: 'all' } as const)[name]
];

/** "SimpleStrategy:1" | "NetworkTopologyStrategy:dc1=3,dc2=3" → CQL replication map. */
export function replicationCql(spec: string): string {
  const [strategy, rest = ''] = spec.split(':');
  if (strategy === 'SimpleStrategy') return `{'class': 'SimpleStrategy', 'replication_factor': ${Number(rest)}}`;
  if (strategy === 'NetworkTopologyStrategy') {
    const dcs = rest.split(',').map((kv) => {
      const [dc, rf] = kv.split('=');
      return `'${dc}': ${Number(rf)}`;
    });
    return `{'class': 'NetworkTopologyStrategy', ${dcs.join(', ')}}`;
  }
  throw new FatalError(`CASSANDRA_REPLICATION: unknown strategy ${strategy}`);
}

function clientOptions(cfg: CassandraConfig, keyspace?: string): cassandra.ClientOptions {
  return {
    contactPoints: cfg.CASSANDRA_CONTACT_POINTS,
    localDataCenter: cfg.CASSANDRA_LOCAL_DC,
    ...(keyspace ? { keyspace } : {}),
    ...(cfg.CASSANDRA_USERNAME
      ? { credentials: { username: cfg.CASSANDRA_USERNAME, password: cfg.CASSANDRA_PASSWORD } }
      : {}),
    queryOptions: { consistency: consistency(cfg.CASSANDRA_CONSISTENCY), prepare: true },
    policies: {
      reconnection: new cassandra.policies.reconnection.ExponentialReconnectionPolicy(200, 10_000, true),
      retry: new cassandra.policies.retry.RetryPolicy(),
    },
    pooling: { coreConnectionsPerHost: { [cassandra.types.distance.local]: 2 } },
    socketOptions: { connectTimeout: 5_000, readTimeout: 20_000 },
  };
}

/**
 * Connect (retrying while the node starts), create the keyspace, apply pending migrations,
 * and return a client bound to the keyspace.
 */
export async function createCassandra(
  cfg: CassandraConfig,
  logger: Logger,
  opts: { migrate?: boolean; connectTimeoutMs?: number; migrations?: Migration[] } = {},
): Promise<CassandraClient> {
  const log = logger.child({ component: 'cassandra' });
  const deadline = Date.now() + (opts.connectTimeoutMs ?? 60_000);
  const keyspace = cfg.CASSANDRA_KEYSPACE;
  for (let attempt = 0; ; attempt++) {
    const bootstrap = new cassandra.Client(clientOptions(cfg));
    try {
      await bootstrap.connect();
      if (opts.migrate !== false) {
        await bootstrap.execute(
          `CREATE KEYSPACE IF NOT EXISTS ${keyspace} WITH replication = ${replicationCql(cfg.CASSANDRA_REPLICATION)}`,
        );
      }
      await bootstrap.shutdown();
      break;
    } catch (err) {
      await bootstrap.shutdown().catch(() => {});
      if (Date.now() > deadline)
        throw new RetryableError(`Cassandra at ${cfg.CASSANDRA_CONTACT_POINTS.join(',')} not reachable`, { cause: err });
      if (attempt % 10 === 0) log.info({ msg: 'Waiting for Cassandra', attempt });
      await sleep(Math.min(2_000, 200 * (attempt + 1)));
    }
  }
  const client = new cassandra.Client(clientOptions(cfg, keyspace));
  await client.connect();
  if (opts.migrate !== false) await migrate(client, cfg, log, opts.migrations ?? allMigrations);
  return client;
}

/** Apply migrations newer than the recorded version, in order; each version once. */
export async function migrate(client: CassandraClient, cfg: CassandraConfig, logger: Logger, migrations: Migration[]): Promise<number[]> {
  await client.execute(
    'CREATE TABLE IF NOT EXISTS schema_migrations (version int PRIMARY KEY, name text, applied_at timestamp)',
  );
  const done = new Set((await client.execute('SELECT version FROM schema_migrations')).rows.map((r) => r.version as number));
  const applied: number[] = [];
  const ordered = [...migrations].sort((a, b) => a.version - b.version);
  const seen = new Set<number>();
  for (const m of ordered) {
    if (seen.has(m.version)) throw new FatalError(`duplicate migration version ${m.version}`);
    seen.add(m.version);
    if (done.has(m.version)) continue;
    for (const stmt of m.cql({ ttlSeconds: cfg.VIEWS_TTL_SECONDS })) await client.execute(stmt);
    await client.execute('INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)', [m.version, m.name, new Date()], {
      prepare: true,
    });
    logger.info({ msg: 'Applied migration', version: m.version, name: m.name });
    applied.push(m.version);
  }
  return applied;
}

export const cassandraTypes = cassandra.types;
