// `chainlake serve` and `chainlake keys create|list|revoke`.
import { type Command, InvalidArgumentError } from 'commander';
import { loadConfig } from '../core/config.js';
import { createLogger } from '../core/logger.js';
import { createCommon } from '../core/runtime.js';
import { API_ROLES, type ApiRole, createApiKeyStore } from '../storage/api-keys.js';
import { createCassandra } from '../storage/cassandra.js';
import { lakePaths } from '../storage/lake/paths.js';
import { type StartServingOptions, startServing } from './server.js';

const chainIdArg = (v: string): number => {
  const n = Number(v);
  if (!Number.isInteger(n) || n <= 0) throw new InvalidArgumentError('expected a positive integer chain id.');
  return n;
};
const roleArg = (v: string): ApiRole => {
  if (!(API_ROLES as readonly string[]).includes(v)) throw new InvalidArgumentError(`expected one of ${API_ROLES.join(', ')}.`);
  return v as ApiRole;
};
const teamArg = (v: string): string => {
  if (!/^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/.test(v)) throw new InvalidArgumentError('expected 1-64 letters, digits, "_", "." or "-".');
  return v;
};

/** A short-lived Cassandra client for admin commands (quiet logs). */
async function withKeyStore<T>(fn: (store: ReturnType<typeof createApiKeyStore>) => Promise<T>): Promise<T> {
  const cfg = loadConfig();
  const client = await createCassandra(cfg, createLogger({ level: 'warn', pretty: false }), { connectTimeoutMs: 15_000 });
  try {
    return await fn(createApiKeyStore(client));
  } finally {
    await client.shutdown();
  }
}

export function registerServingCommands(program: Command): void {
  program
    .command('serve')
    .description('Serve the HTTP API (/api/v1, OpenAPI at /openapi.json, docs at /docs), the dashboard, /metrics, /health and /ready on SERVE_PORT')
    .option('--chain-id <id>', 'chain to serve (default: the chain found in the ingest/views checkpoints)', chainIdArg)
    .option('--no-shop', 'do not mount the shop API')
    .action(async (opts: { chainId?: number; shop: boolean }) => {
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
    });

  const keys = program.command('keys').description('Manage API keys (stored as sha256 hashes in Cassandra)');
  keys
    .command('create')
    .description('Create an API key and print it once (it cannot be shown again)')
    .requiredOption('--team <name>', 'team that owns the key', teamArg)
    .requiredOption('--role <role>', `role: ${API_ROLES.join(' | ')}`, roleArg)
    .option('--json', 'print {id, key, team, role} as JSON')
    .action(async (opts: { team: string; role: ApiRole; json?: boolean }) => {
      const { key, record } = await withKeyStore((s) => s.create(opts.team, opts.role));
      if (opts.json) process.stdout.write(`${JSON.stringify({ id: record.id, key, team: record.team, role: record.role })}\n`);
      else {
        process.stdout.write(`${key}\n`);
        process.stderr.write(`[chainlake] created ${record.role} key ${record.id} for team ${record.team}; store it now, it is not shown again\n`);
      }
    });
  keys
    .command('list')
    .description('List API keys (id, team, role, created, revoked); never the keys themselves')
    .option('--json', 'print JSON lines')
    .action(async (opts: { json?: boolean }) => {
      const list = await withKeyStore((s) => s.list());
      for (const k of list) {
        if (opts.json) process.stdout.write(`${JSON.stringify(k)}\n`);
        else process.stdout.write(`${k.id}\t${k.team}\t${k.role}\t${k.createdAt.toISOString()}\t${k.revokedAt ? `revoked ${k.revokedAt.toISOString()}` : 'active'}\n`);
      }
      if (list.length === 0 && !opts.json) process.stderr.write('[chainlake] no API keys\n');
    });
  keys
    .command('revoke')
    .description('Revoke an API key by id (serving processes stop accepting it within 5 s)')
    .argument('<id>', 'key id, as printed by keys create / keys list')
    .action(async (id: string) => {
      const ok = await withKeyStore((s) => s.revoke(id));
      if (!ok) {
        process.stderr.write(`[chainlake] no API key with id ${id}\n`);
        process.exitCode = 1;
        return;
      }
      process.stderr.write(`[chainlake] revoked ${id}\n`);
    });
}
