// One zod schema over every environment variable chainlake reads. Parsed once at the
// edge (CLI entry, test setup); everything else receives the typed Config object.
import { join } from 'node:path';
import { z } from 'zod';
import { CHAIN_FAMILY_NAMES } from './chains/index.js';
import { FatalError } from './errors.js';

const bool = z
  .enum(['true', 'false', '1', '0', 'yes', 'no'])
  .transform((v) => v === 'true' || v === '1' || v === 'yes');
const port = z.coerce.number().int().min(0).max(65535);
const posInt = z.coerce.number().int().positive();
const nonNegInt = z.coerce.number().int().nonnegative();
const csv = z
  .string()
  .transform((s) =>
    s
      .split(',')
      .map((x) => x.trim())
      .filter((x) => x.length > 0),
  );

/** Each entry: env name → [schema, default, description]. The README table is generated from this. */
export const configSpec = {
  NODE_ENV: [z.enum(['development', 'production', 'test']), 'development', 'Runtime environment'],
  LOG_LEVEL: [z.enum(['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent']), 'info', 'pino log level'],
  DATA_DIR: [z.string().min(1), './data', 'Where local services keep data, logs and pid files'],
  CACHE_DIR: [z.string().min(1), './.cache', 'Download cache (Maven jars); git-ignored'],
  HOST: [z.string().min(1), '127.0.0.1', 'Address every local server binds to'],

  // chain / RPC
  ETH_RPC_URLS: [csv, '', 'Comma-separated JSON-RPC endpoints (API keys inside URLs). Empty: local anvil'],
  ETH_RPC_HEADERS: [
    z.string(),
    '',
    'Extra request headers per endpoint, JSON keyed by 1-based position in ETH_RPC_URLS, hostname or "*": {"1": {"x-api-key": "..."}}. Credentials in a URL (user:secret@) are sent as Authorization: Basic',
  ],
  ETH_WS_URL: [z.string(), '', 'Optional websocket endpoint for newHeads'],
  RPC_LIMITS: [
    z.string(),
    '',
    'Per-provider limits: "host=rps/dailyQuota/weight/method:cost,...;..." e.g. "alchemy.com=10/100000/2/eth_getBlockReceipts:500;infura.io=10/100000/1". With costs the quota counts in the provider\'s units (unlisted methods cost 1)',
  ],
  RPC_DEFAULT_RPS: [posInt, '25', 'Requests/s per endpoint when RPC_LIMITS does not name it'],
  RPC_DEFAULT_DAILY_QUOTA: [nonNegInt, '0', 'Requests per UTC day per endpoint (0 = unlimited)'],
  RPC_TIMEOUT_MS: [posInt, '10000', 'Per-request timeout'],
  CHAIN_FAMILY: [
    z.enum(['auto', ...CHAIN_FAMILY_NAMES]),
    'auto',
    `Chain family whose own tx/receipt/block fields ingest keeps (core/chains: ${CHAIN_FAMILY_NAMES.join(', ')}). "auto": by chain id, unknown ids = ethereum`,
  ],
  ANVIL_PORT: [port, '8545', 'Port of the local anvil chain'],
  ANVIL_BLOCK_TIME: [posInt, '1', 'Seconds between anvil blocks'],
  TRAFFIC_TPS: [z.coerce.number().nonnegative(), '20', 'Transactions/s the local traffic generator sends (0 = off)'],
  TRAFFIC_METRICS_PORT: [port, '9468', 'traffic generator: /metrics, /health, /ready (0 = any free port)'],

  // ingest
  START_BLOCK: [z.union([z.literal('latest'), z.coerce.number().int().nonnegative()]), '0', 'First block to ingest when there is no checkpoint ("latest" = head)'],
  INGEST_CONCURRENCY: [posInt, '8', 'Blocks fetched in parallel during backfill'],
  POLL_INTERVAL_MS: [posInt, '250', 'Head polling interval'],
  REORG_WINDOW: [posInt, '128', 'Block hashes remembered for reorg detection'],
  FINALITY_DEPTH: [nonNegInt, '64', 'Blocks the batch horizon stays behind the lake (behind the newest block of its least advanced Kafka partition) when the node gives no finality (see FINALITY_SOURCE)'],
  FINALITY_SOURCE: [
    z.enum(['auto', 'node', 'depth']),
    'auto',
    'Where finality comes from: "node" = ingest polls eth_getBlockByNumber("finalized") and the batch horizon and reorg check follow it (FINALITY_DEPTH while the node gives none); "depth" = FINALITY_DEPTH only; "auto" = node except on anvil (chain id 31337)',
  ],
  FINALITY_POLL_MS: [posInt, '12000', 'How often ingest asks the node for its finalized block (FINALITY_SOURCE node/auto)'],
  INGEST_METRICS_PORT: [port, '9464', 'ingest: /metrics, /health, /ready'],
  INGEST_ON_INVALID: [
    z.enum(['fail', 'dlq']),
    'fail',
    'A block whose RPC answer stays invalid (same validation failure on every endpoint, receipts missing far behind the head): "fail" stops ingest with a FatalError naming block, endpoint and field; "dlq" writes the provider\'s original answer to the DLQ topic and goes on (reconcile reports the gap)',
  ],

  // kafka
  KAFKA_BROKERS: [csv, '127.0.0.1:9092', 'Kafka bootstrap servers'],
  KAFKA_CLIENT_ID: [z.string().min(1), 'chainlake', 'Kafka client id'],
  KAFKA_TOPIC_PREFIX: [z.string().min(1), 'chainlake', 'Topics are <prefix>.<chainId>.blocks.v1 / .dlq.v1'],
  KAFKA_PARTITIONS: [posInt, '3', 'Partitions of the block topic'],
  KAFKA_REPLICATION_FACTOR: [posInt, '1', 'Replication factor of created topics'],
  KAFKA_RETENTION_MS: [z.coerce.number().int().min(-1), '2592000000', 'Block topic retention (-1 = forever)'],
  KAFKA_MAX_MESSAGE_BYTES: [posInt, '16777216', 'max.message.bytes of the block topic (large blocks)'],
  KAFKA_PORT: [port, '9092', 'Local Kafka broker port'],
  KAFKA_CONTROLLER_PORT: [port, '9093', 'Local KRaft controller port'],
  KAFKA_HEAP: [z.string().regex(/^\d+[mMgG]$/), '512m', 'Local Kafka JVM heap'],

  // cassandra / scylla
  CASSANDRA_CONTACT_POINTS: [csv, '127.0.0.1:9042', 'CQL contact points host:port'],
  CASSANDRA_LOCAL_DC: [z.string().min(1), 'datacenter1', 'Local datacenter for the load-balancing policy'],
  CASSANDRA_KEYSPACE: [z.string().regex(/^[a-z][a-z0-9_]{0,47}$/), 'chainlake', 'Keyspace'],
  CASSANDRA_REPLICATION: [
    z.string().regex(/^(SimpleStrategy:\d+|NetworkTopologyStrategy:[A-Za-z0-9_-]+=\d+(,[A-Za-z0-9_-]+=\d+)*)$/),
    'SimpleStrategy:1',
    'Keyspace replication: "SimpleStrategy:1" or "NetworkTopologyStrategy:dc1=3,dc2=3"',
  ],
  CASSANDRA_CONSISTENCY: [z.enum(['ONE', 'LOCAL_ONE', 'QUORUM', 'LOCAL_QUORUM', 'ALL']), 'ONE', 'Read/write consistency'],
  CASSANDRA_USERNAME: [z.string(), '', 'Optional CQL user'],
  CASSANDRA_PASSWORD: [z.string(), '', 'Optional CQL password'],
  CASSANDRA_PORT: [port, '9042', 'Local Cassandra CQL port'],
  CASSANDRA_STORAGE_PORT: [port, '7000', 'Local Cassandra internode port'],
  CASSANDRA_JMX_PORT: [port, '7199', 'Local Cassandra JMX port (127.0.0.1 only)'],
  CASSANDRA_HEAP: [z.string().regex(/^\d+[mMgG]$/), '1g', 'Local Cassandra JVM heap'],

  // speed views
  VIEWS_TTL_SECONDS: [nonNegInt, '604800', 'TTL of per-tx speed tables (0 = none)'],
  VIEWS_CONCURRENCY: [posInt, '64', 'Concurrent Cassandra writes per consumer'],
  VIEWS_BATCH_STATEMENTS: [posInt, '96', 'Rows per unlogged CQL batch of the views consumer (grouped by partition first; 1 = one statement per row)'],
  VIEWS_METRICS_PORT: [port, '9465', 'views: /metrics, /health, /ready'],

  // batch
  LAKE_DIR: [z.string().min(1), './data/lake', 'Root of the Parquet lake'],
  BATCH_CRON: [z.string().min(1), '*/15 * * * *', 'Recompute schedule (node-cron, 5 or 6 fields)'],
  COMPACT_CRON: [z.string().min(1), '*/1 * * * *', 'Compaction schedule when not running continuously'],
  COMPACT_ROLL_MS: [posInt, '600000', 'Close a Parquet file after this long'],
  COMPACT_ROLL_BYTES: [posInt, '268435456', 'Close a Parquet file after this many input bytes'],
  COMPACT_MERGE_CLOSED_DAYS: [bool, 'true', 'After each roll, merge the files of every closed day (all partitions wrote a later day) into one file per table'],
  COMPACT_MERGE_KEEP_MS: [nonNegInt, '600000', 'Keep files superseded by a merge this long (readers that listed them before the merge still find them)'],
  VIEWS_KEEP_VERSIONS: [posInt, '5', 'Batch view versions kept on disk'],
  BATCH_METRICS_PORT: [port, '9466', 'batch scheduler: /metrics, /health, /ready'],
  COMPACT_METRICS_PORT: [port, '9467', 'continuous `chainlake compact`: /metrics, /health, /ready'],
  BATCH_REQUEST_POLL_MS: [posInt, '3000', 'How often the batch scheduler polls run requests written by serving'],
  DUCKDB_MEMORY_LIMIT: [z.string().regex(/^\d+(\.\d+)?\s*(KB|MB|GB|KiB|MiB|GiB)$/i), '2GB', 'DuckDB memory limit for batch work'],
  DUCKDB_THREADS: [posInt, '2', 'DuckDB threads'],

  // serving
  SERVE_PORT: [port, '8080', 'HTTP port of the API and dashboard'],
  PUBLIC_READ: [bool, 'true', 'Allow read endpoints without an API key (off in prod)'],
  API_RATE_LIMIT_RPS: [posInt, '50', 'Per-key requests/s (token bucket, burst = 2x)'],
  SQL_TIMEOUT_MS: [posInt, '5000', 'Per-query timeout of /api/v1/sql'],
  SQL_ROW_LIMIT: [posInt, '10000', 'Max rows returned by /api/v1/sql'],
  SQL_MEMORY_LIMIT: [z.string().regex(/^\d+(\.\d+)?\s*(KB|MB|GB|KiB|MiB|GiB)$/i), '512MB', 'DuckDB memory limit for the SQL endpoint'],
  SERVE_DUCKDB_MEMORY_LIMIT: [z.string().regex(/^\d+(\.\d+)?\s*(KB|MB|GB|KiB|MiB|GiB)$/i), '256MB', 'DuckDB memory limit (and so its cache) for the batch-view reads of serving'],
  SERVE_DUCKDB_RECYCLE_MS: [nonNegInt, '120000', 'Serving replaces its DuckDB instances this often (ms; 0 = never): an instance keeps native memory per Parquet file it has read until closed'],
  CACHE_TTL_MS: [nonNegInt, '1000', 'Cache lifetime of merged hot endpoints'],
  ADMIN_BOOTSTRAP_KEY: [z.string(), '', 'Optional admin API key accepted at start (prod: from a secret)'],

  // shop
  BOOKS_BASE_URL: [z.string(), '', 'books.toscrape-style site; empty: the bundled fixture site'],
  BOOKS_CRON: [z.string().min(1), '0 3 * * *', 'Books scrape + recommendations schedule of the shop scheduler in `chainlake schedule`, which also runs once at start while the catalogue is empty ("off" disables both)'],
  BOOKS_MAX_PAGES: [posInt, '50', 'Per-run page limit of the scraper'],
  FIXTURE_SITE_PORT: [port, '8090', 'Port of the bundled books fixture site'],
  SHOP_DATA_DIR: [z.string(), '', 'Root of the shop\'s own outputs (recommendation Parquet versions); empty: <DATA_DIR>/shop'],
  SESSION_TTL_SECONDS: [posInt, '86400', 'Shop session token lifetime'],
} as const;

type Spec = typeof configSpec;
export type Config = { [K in keyof Spec]: z.output<Spec[K][0]> };
export type ConfigKey = keyof Spec;

export class ConfigError extends FatalError {
  override readonly code: string = 'config';
  constructor(readonly issues: { variable: string; message: string; expected: string }[]) {
    super(
      `Invalid configuration:\n${issues.map((i) => `  ${i.variable}: ${i.message} (expected: ${i.expected})`).join('\n')}`,
    );
  }
}

/** Parse a config from an env-like record. Throws ConfigError naming each bad variable. */
export function parseConfig(env: Record<string, string | undefined> = process.env): Config {
  const out: Record<string, unknown> = {};
  const issues: ConfigError['issues'] = [];
  for (const [name, [schema, def, description]] of Object.entries(configSpec)) {
    const raw = env[name];
    const value = raw === undefined || raw === '' ? def : raw;
    const parsed = (schema as z.ZodType).safeParse(value);
    if (parsed.success) out[name] = parsed.data;
    else
      issues.push({
        variable: name,
        message: `got ${JSON.stringify(redactValue(name, value))}: ${parsed.error.issues[0]?.message ?? 'invalid'}`,
        expected: description,
      });
  }
  if (issues.length > 0) throw new ConfigError(issues);
  return out as Config;
}

/** Values of secret-bearing variables never appear in errors. */
function redactValue(name: string, value: string): string {
  return /URL|KEY|PASSWORD|SECRET/.test(name) ? '<redacted>' : value;
}

let cached: Config | undefined;
/** The process-wide config, parsed once from process.env. */
export function loadConfig(): Config {
  cached ??= parseConfig(process.env);
  return cached;
}

/** anvil answers "finalized" too (genesis, or head − 64), which says nothing about finality: FINALITY_SOURCE=auto keeps the fixed depth there. */
export const ANVIL_CHAIN_ID = 31337;

/** Whether finality comes from the node (ingest polls it, the batch horizon follows it) rather than FINALITY_DEPTH alone. */
export const nodeFinalityWanted = (cfg: Pick<Config, 'FINALITY_SOURCE'>, chainId: number): boolean =>
  cfg.FINALITY_SOURCE === 'node' || (cfg.FINALITY_SOURCE === 'auto' && chainId !== ANVIL_CHAIN_ID);

/** SHOP_DATA_DIR, or <DATA_DIR>/shop when empty: the shop's outputs never go under LAKE_DIR. */
export const shopDataDir = (cfg: Pick<Config, 'SHOP_DATA_DIR' | 'DATA_DIR'>): string => cfg.SHOP_DATA_DIR || join(cfg.DATA_DIR, 'shop');

export const topicNames = (cfg: Pick<Config, 'KAFKA_TOPIC_PREFIX'>, chainId: number) => ({
  blocks: `${cfg.KAFKA_TOPIC_PREFIX}.${chainId}.blocks.v1`,
  dlq: `${cfg.KAFKA_TOPIC_PREFIX}.${chainId}.dlq.v1`,
});
