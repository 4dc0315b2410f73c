// Wires the serving app to the real stores and listens: Cassandra (speed views, API keys,
// batch runs), the lake through an internal DuckDB instance, the SQL sandbox (its own
// locked-down DuckDB instance), and Kafka for readiness. Used by `chainlake serve` and tests.
import { access, constants } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Common } from '../core/common.js';
import { errorMessage, FatalError } from '../core/errors.js';
import { createApiKeyStore } from '../storage/api-keys.js';
import { detectChainIds } from '../storage/views/queries.js';
import { listRuns, requestRecompute } from '../storage/batch-runs.js';
import { type CassandraClient, cassandraReadyCheck, createCassandra } from '../storage/cassandra.js';
import { topicNames } from '../core/config.js';
import { createKafka } from '../storage/kafka.js';
import { createDuck } from '../storage/lake/duck.js';
import { lakePaths } from '../storage/lake/paths.js';
import { readCurrentVersion } from '../storage/lake/versions.js';
import { registerLakeViews } from '../storage/lake/canonical.js';
import { createApp } from './app.js';
import { createDuckPool } from './duck-pool.js';
import type { ServingPlugin } from './plugin.js';
import { createSqlSandbox } from './sql.js';
import { createBatchSource, createOpsSource, createSpeedSource, lakeViewSetup } from './stores.js';

export type ServingHandle = {
  url: string;
  port: number;
  server: Server;
  cassandra: CassandraClient;
  chainId: number;
  close: () => Promise<void>;
};

export type StartServingOptions = {
  /** Chain to serve; default: the one found in the ingest/views checkpoints (31337 when none). */
  chainId?: number;
  /** Applications mounted next to the chain API (the serve command passes the shop). */
  plugins?: ServingPlugin[];
  cassandra?: CassandraClient;
  authLookupCacheMs?: number;
  streamPollMs?: number;
  dashboardDir?: string;
};

export async function startServing(common: Common, opts: StartServingOptions = {}): Promise<ServingHandle> {
  const cfg = common.config;
  const log = common.logger.child({ component: 'serving' });
  const ownCassandra = !opts.cassandra;
  const cassandra = opts.cassandra ?? (await createCassandra(cfg, common.logger));
  const chainId = opts.chainId ?? (await detectChainIds(cassandra))[0] ?? 31337;
  const paths = lakePaths(cfg.LAKE_DIR);

  const version = () => readCurrentVersion(paths);
  const onRecycleError = (e: unknown) => log.warn({ msg: 'Could not open a fresh DuckDB instance; the current one keeps serving', err: errorMessage(e) });
  const recycled = (pool: string) => (generation: number) => log.debug({ msg: 'Fresh DuckDB instance', pool, generation });
  const pool = await createDuckPool({
    open: () => createDuck({ memoryLimit: cfg.SERVE_DUCKDB_MEMORY_LIMIT, threads: cfg.DUCKDB_THREADS }),
    size: 2,
    setup: lakeViewSetup(paths),
    version,
    recycleMs: cfg.SERVE_DUCKDB_RECYCLE_MS,
    onRecycleError,
    onRecycle: recycled('views'),
  });
  const sql = await createSqlSandbox({
    lakeDir: cfg.LAKE_DIR,
    memoryLimit: cfg.SQL_MEMORY_LIMIT,
    timeoutMs: cfg.SQL_TIMEOUT_MS,
    rowLimit: cfg.SQL_ROW_LIMIT,
    threads: cfg.DUCKDB_THREADS,
    connections: 2,
    registerViews: async (conn) => {
      await registerLakeViews(conn, paths, { chainId });
    },
    currentVersion: version,
    recycleMs: cfg.SERVE_DUCKDB_RECYCLE_MS,
    onRecycleError,
    onRecycle: recycled('sql'),
  });

  const keys = createApiKeyStore(cassandra);
  const kafka = createKafka(cfg, common.logger, 'serving');
  const admin = kafka.admin();
  let adminConnected = false;
  let adminConnecting: Promise<void> | null = null;
  /** One admin connection shared by /ready and /ops, opened on first use. */
  const connectedAdmin = async () => {
    if (!adminConnected) {
      adminConnecting ??= admin.connect().then(
        () => {
          adminConnected = true;
        },
        (e: unknown) => {
          adminConnecting = null;
          throw e;
        },
      );
      await adminConnecting;
    }
    return admin;
  };

  const { app, close: closeApp } = createApp({
    common,
    speed: createSpeedSource(cassandra, { chainId, ttlSeconds: cfg.VIEWS_TTL_SECONDS }),
    batch: createBatchSource({
      paths,
      pool,
      runs: {
        listRuns: (limit) => listRuns(cassandra, { limit }),
        requestRecompute: async (by) => ({ id: await requestRecompute(cassandra, by), requestedBy: by }),
      },
    }),
    sql,
    lookupKey: (k) => keys.lookup(k),
    ops: createOpsSource({
      cassandra,
      admin: connectedAdmin,
      topic: topicNames(cfg, chainId).blocks,
      groups: [`${cfg.KAFKA_TOPIC_PREFIX}.${chainId}.views`, `${cfg.KAFKA_TOPIC_PREFIX}.${chainId}.compact`],
    }),
    readyChecks: {
      kafka: async () => {
        await (await connectedAdmin()).describeCluster();
      },
      cassandra: cassandraReadyCheck(cassandra),
      lake: async () => {
        await access(paths.root, constants.R_OK);
      },
    },
    ...(opts.plugins ? { plugins: opts.plugins } : {}),
    ...(opts.authLookupCacheMs !== undefined ? { authLookupCacheMs: opts.authLookupCacheMs } : {}),
    ...(opts.streamPollMs !== undefined ? { streamPollMs: opts.streamPollMs } : {}),
    ...(opts.dashboardDir ? { dashboardDir: opts.dashboardDir } : {}),
  });

  const server = createServer(app);
  server.keepAliveTimeout = 65_000;
  server.headersTimeout = 66_000;
  server.requestTimeout = 120_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', (e) => reject(new FatalError(`cannot listen on ${cfg.HOST}:${cfg.SERVE_PORT}: ${(e as Error).message}`, { cause: e })));
    server.listen(cfg.SERVE_PORT, cfg.HOST, () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  const url = `http://${cfg.HOST}:${port}`;
  log.info({ msg: 'Serving', url, chainId, publicRead: cfg.PUBLIC_READ });

  let closed = false;
  const close = async () => {
    if (closed) return;
    closed = true;
    closeApp();
    await new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    });
    if (adminConnected) await admin.disconnect().catch(() => {});
    sql.close();
    pool.close();
    if (ownCassandra) await cassandra.shutdown();
  };
  common.shutdown.add('serving', close);
  return { url, port, server, cassandra, chainId, close };
}
