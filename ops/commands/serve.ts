// `chainlake serve` and `chainlake keys create | list | revoke` (serving/main.ts, serving/keys.ts).
import type { Command } from 'commander';
import type { Common } from '../../core/common.js';
import type { ServingPlugin } from '../../serving/plugin.js';
import type { CassandraClient } from '../../storage/cassandra.js';
import { API_ROLES } from '../../storage/api-keys.js';
import { chainIdFlag, oneOfFlag, patternFlag } from './flags.js';

/** The applications `serve` mounts beside the chain API (the shop, see ops/cli.ts), built on serve's Cassandra. */
export type ServePlugins = (common: Common, cassandra: CassandraClient) => Promise<ServingPlugin[]>;

export function registerServeCommands(program: Command, plugins?: ServePlugins): void {
  program
    .command('serve')
    .description('Serve the HTTP API (/api/v1, OpenAPI at /openapi.json, docs at /docs), the dashboard, /metrics, /health and /ready on SERVE_PORT')
    .option('--chain-id <id>', 'chain to serve (default: the chain found in the ingest/views checkpoints)', chainIdFlag())
    .option('--no-shop', 'do not mount the shop API')
    .action(async (opts: { chainId?: number; shop: boolean }) =>
      (await import('../../serving/main.js')).runServe({ ...(opts.chainId ? { chainId: opts.chainId } : {}), ...(opts.shop && plugins ? { plugins } : {}) }),
    );

  const keys = program.command('keys').description('Manage API keys (stored as sha256 hashes in Cassandra)');
  keys
    .command('create')
    .description('Create an API key and print it once (it cannot be shown again)')
    .requiredOption('--team <name>', 'team that owns the key', patternFlag('--team', /^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/, '1-64 letters, digits, "_", "." or "-"'))
    .requiredOption('--role <role>', `role: ${API_ROLES.join(' | ')}`, oneOfFlag('--role', API_ROLES, `one of ${API_ROLES.join(', ')}`))
    .option('--json', 'print {id, key, team, role} as JSON')
    .action(async (opts: { team: string; role: (typeof API_ROLES)[number]; json?: boolean }) => (await import('../../serving/keys.js')).createKey({ ...opts, json: opts.json === true }));
  keys
    .command('list')
    .description('List API keys (id, team, role, created, revoked); never the keys themselves')
    .option('--json', 'print JSON lines')
    .action(async (opts: { json?: boolean }) => (await import('../../serving/keys.js')).listKeys({ json: opts.json === true }));
  keys
    .command('revoke')
    .description('Revoke an API key by id (serving processes stop accepting it within 5 s)')
    .argument('<id>', 'key id, as printed by keys create / keys list')
    .action(async (id: string) => (await import('../../serving/keys.js')).revokeKey(id));
}
