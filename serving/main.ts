// Entry point of `chainlake serve` (ops/commands/serve.ts parses the flags): the API, the
// dashboard and, unless disabled, the shop API, until stopped.
import { createCommon } from '../core/runtime.js';
import { createCassandra } from '../storage/cassandra.js';
import { lakePaths } from '../storage/lake.js';
import { type StartServingOptions, startServing } from './server.js';

export async function runServe(opts: { chainId?: number; shop: boolean }): Promise<void> {
  const common = createCommon('serving');
  let shop: StartServingOptions['shop'];
  const cassandra = await createCassandra(common.config, common.logger);
  if (opts.shop) {
    const mod = await import('./routes/shop/index.js');
    shop = {
      router: mod.createShopRouter({ cassandra, config: common.config, logger: common.logger, lakePaths: lakePaths(common.config.LAKE_DIR) }),
      docs: mod.shopRouteDocs,
    };
  }
  const handle = await startServing(common, { cassandra, ...(opts.chainId ? { chainId: opts.chainId } : {}), ...(shop ? { shop } : {}) });
  common.shutdown.add('cassandra', () => cassandra.shutdown());
  // shutdown runs steps newest first: serving closes before Cassandra.
  process.stderr.write(`[chainlake] serving ${handle.url} (chain ${handle.chainId}); docs at ${handle.url}/docs\n`);
}
