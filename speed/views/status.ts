// `chainlake views status`: the freshness of the speed views as JSON, read-only (no migrations).
import { loadConfig } from '../../core/config.js';
import { errorMessage } from '../../core/errors.js';
import { createLogger } from '../../core/logger.js';
import { resolveChainId } from '../../core/rpc-probe.js';
import { createCassandra } from '../../storage/cassandra.js';
import { createViewsQueries } from '../../storage/views/queries.js';

export async function printViewsStatus(opts: { chainId?: number }): Promise<void> {
  const cfg = loadConfig();
  const chainId = await resolveChainId(cfg, opts.chainId);
  // Missing tables mean the consumer never ran against this keyspace.
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
}
