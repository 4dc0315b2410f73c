// Entry point of `chainlake serve` (ops/commands/serve.ts parses the flags): the API, the
// dashboard and the plugins the composition root hands in (the shop), until stopped.
import type { Common } from '../core/common.js';
import { createCommon } from '../core/runtime.js';
import { type CassandraClient, createCassandra } from '../storage/cassandra.js';
import type { ServingPlugin } from './plugin.js';
import { startServing } from './server.js';

export async function runServe(opts: { chainId?: number; plugins?: (common: Common, cassandra: CassandraClient) => Promise<ServingPlugin[]> }): Promise<void> {
  const common = createCommon('serving');
  const cassandra = await createCassandra(common.config, common.logger);
  const plugins = (await opts.plugins?.(common, cassandra)) ?? [];
  const handle = await startServing(common, { cassandra, ...(opts.chainId ? { chainId: opts.chainId } : {}), plugins });
  common.shutdown.add('cassandra', () => cassandra.shutdown());
  // shutdown runs steps newest first: serving closes before Cassandra.
  process.stderr.write(`[chainlake] serving ${handle.url} (chain ${handle.chainId}); docs at ${handle.url}/docs\n`);
}
