// Per-file shop test environment: a fresh keyspace on the shared Cassandra (migrated), the
// shop store, and the bundled fixture site on a free 127.0.0.1 port when asked.
import type { Config } from '../../core/config.js';
import { type CassandraClient, createCassandra } from '../../storage/cassandra.js';
import { openShopStore, type ShopStore } from '../../shop/store.js';
import { testConfig, testLogger } from '../helpers.js';

export type ShopTestEnv = { config: Config; cassandra: CassandraClient; store: ShopStore; logger: ReturnType<typeof testLogger>; close: () => Promise<void> };

export async function shopTestEnv(overrides: Record<string, string> = {}): Promise<ShopTestEnv> {
  const config = testConfig(overrides);
  const logger = testLogger();
  // The shop's own migrations only; not other layers' schema.
  const cassandra = await createCassandra(config, logger, { migrations: [] });
  const store = await openShopStore(cassandra, config, logger);
  return {
    config,
    cassandra,
    store,
    logger,
    close: async () => {
      await cassandra.execute(`DROP KEYSPACE IF EXISTS ${config.CASSANDRA_KEYSPACE}`).catch(() => {});
      await cassandra.shutdown();
    },
  };
}
