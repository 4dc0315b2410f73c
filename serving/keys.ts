// Entry points of `chainlake keys create | list | revoke`: API key administration through a
// short-lived, quiet Cassandra client (keys are stored as sha256 hashes, see storage/api-keys.ts).
import { loadConfig } from '../core/config.js';
import { createLogger } from '../core/logger.js';
import { type ApiRole, createApiKeyStore } from '../storage/api-keys.js';
import { createCassandra } from '../storage/cassandra.js';

async function withKeyStore<T>(fn: (store: ReturnType<typeof createApiKeyStore>) => Promise<T>): Promise<T> {
  const cfg = loadConfig();
  const client = await createCassandra(cfg, createLogger({ level: 'warn', pretty: false }), { connectTimeoutMs: 15_000 });
  try {
    return await fn(createApiKeyStore(client));
  } finally {
    await client.shutdown();
  }
}

/** Print the new key once (or {id, key, team, role} as JSON). */
export async function createKey(opts: { team: string; role: ApiRole; json: boolean }): Promise<void> {
  const { key, record } = await withKeyStore((s) => s.create(opts.team, opts.role));
  if (opts.json) process.stdout.write(`${JSON.stringify({ id: record.id, key, team: record.team, role: record.role })}\n`);
  else {
    process.stdout.write(`${key}\n`);
    process.stderr.write(`[chainlake] created ${record.role} key ${record.id} for team ${record.team}; store it now, it is not shown again\n`);
  }
}

export async function listKeys(opts: { json: boolean }): Promise<void> {
  const list = await withKeyStore((s) => s.list());
  for (const k of list) {
    if (opts.json) process.stdout.write(`${JSON.stringify(k)}\n`);
    else process.stdout.write(`${k.id}\t${k.team}\t${k.role}\t${k.createdAt.toISOString()}\t${k.revokedAt ? `revoked ${k.revokedAt.toISOString()}` : 'active'}\n`);
  }
  if (list.length === 0 && !opts.json) process.stderr.write('[chainlake] no API keys\n');
}

/** Exit code 1 when no key has that id. */
export async function revokeKey(id: string): Promise<void> {
  const ok = await withKeyStore((s) => s.revoke(id));
  if (!ok) {
    process.stderr.write(`[chainlake] no API key with id ${id}\n`);
    process.exitCode = 1;
    return;
  }
  process.stderr.write(`[chainlake] revoked ${id}\n`);
}
