// Cassandra/ScyllaDB client factory with retry/reconnect, keyspace creation from config,
// and versioned schema migrations applied at start. CQL here must also run on ScyllaDB:
// no counters, no SAI, no materialized views. This is also the driver boundary for errors:
// every error of the client's execute/batch/eachRow/stream is classified here, once
// (classifyCassandraError), so callers only ever see StoreUnavailableError (retry, HTTP 503)
// or CassandraQueryError (fatal).
import cassandra from 'cassandra-driver';
import type { Config } from '../core/config.js';
import { BaseError, FatalError, RetryableError, StoreUnavailableError, errorMessage, sleep } from '../core/errors.js';
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

/** A statement Cassandra refused for a reason retrying cannot fix (syntax, invalid, unauthorized, …). */
export class CassandraQueryError extends FatalError {
  override readonly code: string = 'store_query';
}

const codes = cassandra.types.responseErrorCodes;
/** Server answers that mean "not now": the replicas are down, busy, starting or slow. */
const TRANSIENT_RESPONSES = new Set<number>([codes.unavailableException, codes.overloaded, codes.isBootstrapping, codes.writeTimeout, codes.readTimeout]);
/** Client-side errors of the driver that mean the node cannot be reached now. */
const TRANSIENT_DRIVER_ERRORS = [cassandra.errors.NoHostAvailableError, cassandra.errors.OperationTimedOutError, cassandra.errors.BusyConnectionError];
const TRANSIENT_SOCKET = /ECONNREFUSED|ECONNRESET|ETIMEDOUT|EPIPE|socket was closed|^connection closed|no connection available/i;

/**
 * The one table of Cassandra driver errors (cf. kafkajs's protocol error table): unreachable /
 * timed out / overloaded / unavailable / bootstrapping / read-write timeouts → retryable
 * StoreUnavailableError (503 + Retry-After); anything else the driver or server raises →
 * CassandraQueryError (fatal). Our own typed errors pass through unchanged.
 */
export function classifyCassandraError(e: unknown): BaseError {
  if (e instanceof BaseError) return e;
  const transient =
    TRANSIENT_DRIVER_ERRORS.some((cls) => e instanceof cls) ||
    (e instanceof cassandra.errors.ResponseError && TRANSIENT_RESPONSES.has(e.code)) ||
    (e instanceof Error && !(e instanceof cassandra.errors.ResponseError) && ((e as { isSocketError?: boolean }).isSocketError === true || TRANSIENT_SOCKET.test(e.message)));
  if (transient) return new StoreUnavailableError('Cassandra is unavailable, retry later', { cause: e });
  return new CassandraQueryError(`Cassandra: ${e instanceof Error ? e.message : String(e)}`, { cause: e });
}

type Fn = (...args: unknown[]) => unknown;
type ErrorFirst = (err: unknown, ...rest: unknown[]) => unknown;

/**
 * A result's later pages: `for await` over a ResultSet fetches them through its nextPageAsync,
 * which the driver sets itself and which never passes through execute.
 */
function classifyPages<T>(result: T): T {
  const rs = result as { nextPageAsync?: (pageState: unknown) => Promise<unknown> } | null;
  const next = rs?.nextPageAsync;
  if (rs && typeof next === 'function')
    rs.nextPageAsync = (pageState) =>
      next.call(rs, pageState).then(classifyPages, (err: unknown) => {
        throw classifyCassandraError(err);
      });
  return result;
}

/** Route every error of execute/batch/eachRow/stream (promise, later pages, callback or 'error' event) through classifyCassandraError. */
export function classifyErrors(client: cassandra.Client): CassandraClient {
  const target = client as unknown as Record<'execute' | 'batch' | 'eachRow' | 'stream', Fn>;
  const classifyCallback = (cb: ErrorFirst): ErrorFirst => (err, ...rest) => cb(err ? classifyCassandraError(err) : err, ...rest);
  for (const name of ['execute', 'batch'] as const) {
    const original = target[name].bind(client);
    target[name] = (...args) => {
      const last = args.length - 1;
      if (typeof args[last] === 'function') {
        args[last] = classifyCallback(args[last] as ErrorFirst);
        return original(...args);
      }
      return (original(...args) as Promise<unknown>).then(classifyPages, (err: unknown) => {
        throw classifyCassandraError(err);
      });
    };
  }
  const eachRow = target.eachRow.bind(client);
  // eachRow(query, [params], [options], rowCallback, [callback]): only the final callback takes errors.
  target.eachRow = (...args) => {
    const fns = args.flatMap((a, i) => (typeof a === 'function' ? [i] : []));
    const end = fns.length >= 2 ? fns[fns.length - 1]! : -1;
    if (end >= 0) args[end] = classifyCallback(args[end] as ErrorFirst);
    return eachRow(...args);
  };
  const stream = target.stream.bind(client);
  target.stream = (...args) => {
    const s = stream(...args) as NodeJS.EventEmitter;
    const emit = s.emit.bind(s);
    s.emit = (event: string | symbol, ...rest: unknown[]) => (event === 'error' ? emit('error', classifyCassandraError(rest[0])) : emit(event, ...rest));
    return s;
  };
  return client;
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
  const client = classifyErrors(new cassandra.Client(clientOptions(cfg, keyspace)));
  await client.connect();
  if (opts.migrate !== false) await migrate(client, cfg, log, opts.migrations ?? allMigrations);
  return client;
}

/** Apply migrations newer than the recorded version, in order; each version once. */
const ADD_COLUMN = /^\s*ALTER\s+TABLE\s+(\w+)\s+ADD\s+(\w+)\s+(\w+)\s*$/i;

/**
 * One migration statement. CREATE statements say IF NOT EXISTS; an ALTER TABLE … ADD cannot on
 * ScyllaDB, so a column that already exists with the same type counts as applied: two
 * processes that start together both run a pending migration, and a process killed between
 * the ALTER and its schema_migrations row runs it again. Another type is a fatal mismatch.
 */
async function applyStatement(client: CassandraClient, keyspace: string, stmt: string, logger: Logger): Promise<void> {
  try {
    await client.execute(stmt);
  } catch (e) {
    const add = ADD_COLUMN.exec(stmt);
    if (!add || !/already exists/i.test(errorMessage(e))) throw e;
    const [, table = '', column = '', type = ''] = add;
    const row = (
      await client.execute('SELECT type FROM system_schema.columns WHERE keyspace_name = ? AND table_name = ? AND column_name = ?', [keyspace, table.toLowerCase(), column.toLowerCase()], {
        prepare: true,
      })
    ).first();
    const existing = row ? String(row.get('type')) : null;
    if (existing?.toLowerCase() !== type.toLowerCase()) throw new FatalError(`migration "${stmt}": ${table}.${column} already exists as ${existing ?? 'another column'}`, { cause: e });
    logger.info({ msg: 'Column already added', table, column });
  }
}

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
    for (const stmt of m.cql({ ttlSeconds: cfg.VIEWS_TTL_SECONDS })) await applyStatement(client, cfg.CASSANDRA_KEYSPACE, stmt, logger);
    await client.execute('INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)', [m.version, m.name, new Date()], {
      prepare: true,
    });
    logger.info({ msg: 'Applied migration', version: m.version, name: m.name });
    applied.push(m.version);
  }
  return applied;
}

/**
 * The readiness check of every process that uses Cassandra (core/runtime.ts readiness): the
 * classified client throws StoreUnavailableError while the node is down, so /ready reports a
 * retryable failure exactly when the API answers 503.
 */
export const cassandraReadyCheck = (client: CassandraClient) => async (): Promise<void> => {
  await client.execute('SELECT release_version FROM system.local');
};

export const cassandraTypes = cassandra.types;
