// `chainlake views`: run the Kafka → Cassandra speed-view consumer (default), or print the
// views' freshness (`chainlake views status`).
import { type Command, InvalidArgumentError } from 'commander';
import type { Config } from '../core/config.js';
import { loadConfig } from '../core/config.js';
import { errorMessage } from '../core/errors.js';
import { createLogger } from '../core/logger.js';
import { createCommon } from '../core/runtime.js';
import { createCassandra } from '../storage/cassandra.js';
import { createViewsQueries } from '../storage/views/queries.js';
import { runViews } from './views/main.js';

const chainIdArg = (v: string): number => {
  const n = Number(v);
  if (!Number.isSafeInteger(n) || n <= 0) throw new InvalidArgumentError('must be a positive integer chain id.');
  return n;
};

/** The chain id from --chain-id, else from the first RPC endpoint (or local anvil). */
async function resolveChainId(cfg: Config, flag: number | undefined): Promise<number> {
  if (flag !== undefined) return flag;
  const url = cfg.ETH_RPC_URLS[0] ?? `http://${cfg.HOST}:${cfg.ANVIL_PORT}`;
  try {
    const r = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'eth_chainId', params: [] }),
      signal: AbortSignal.timeout(cfg.RPC_TIMEOUT_MS),
    });
    const body = (await r.json()) as { result?: string };
    if (!body.result) throw new Error('no result');
    return Number(BigInt(body.result));
  } catch (e) {
    // The URL may carry an API key: never print it.
    throw new Error(`could not ask the RPC endpoint for its chain id (${errorMessage(e)}); pass --chain-id`);
  }
}

export function registerViewsCommands(program: Command): void {
  const views = program.command('views').description('Speed views: consume the block topic into Cassandra/ScyllaDB tables (default), or show their freshness');

  views
    .command('run', { isDefault: true })
    .description('Run the views consumer (Kafka <prefix>.<chainId>.blocks.v1 → Cassandra) with /metrics /health /ready on VIEWS_METRICS_PORT')
    .option('--chain-id <id>', 'chain id of the topic to consume (default: ask the RPC endpoint)', chainIdArg)
    .option('--group <id>', 'consumer group id (default <prefix>.<chainId>.views)')
    .action(async (opts: { chainId?: number; group?: string }) => {
      const common = createCommon('views');
      const chainId = await resolveChainId(common.config, opts.chainId);
      await runViews(common, { chainId, ...(opts.group ? { groupId: opts.group } : {}) });
      // Runs until SIGINT/SIGTERM; common.shutdown stops the consumer after its in-flight batch.
      await new Promise<void>((resolve) => common.shutdown.signal.addEventListener('abort', () => resolve(), { once: true }));
    });

  views
    .command('status')
    .description('Print the freshness of the speed views as JSON: newest block, its chain time, per-partition checkpoints')
    .option('--chain-id <id>', 'chain id (default: ask the RPC endpoint)', chainIdArg)
    .action(async (opts: { chainId?: number }) => {
      const cfg = loadConfig();
      const chainId = await resolveChainId(cfg, opts.chainId);
      // Read-only: no migrations. Missing tables mean the consumer never ran against this keyspace.
      const client = await createCassandra(cfg, createLogger({ level: 'warn', pretty: false }), { connectTimeoutMs: 10_000, migrate: false });
      try {
        const freshness = await createViewsQueries(client, { chainId, ttlSeconds: cfg.VIEWS_TTL_SECONDS })
          .freshness()
          .catch((e: unknown) => {
            if (/unconfigured table|keyspace .* does not exist/i.test(errorMessage(e)))
              throw new Error(`no speed views in keyspace ${cfg.CASSANDRA_KEYSPACE}: start \`chainlake views\` once to create them`);
            throw e;
          });
        process.stdout.write(`${JSON.stringify({ chainId, ...freshness }, null, 2)}\n`);
      } finally {
        await client.shutdown();
      }
    });
}
