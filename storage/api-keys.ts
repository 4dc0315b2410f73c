// API keys in Cassandra. A key is `cl_<43 base64url chars>`; only its sha256 is stored,
// so a leaked table cannot be used to call the API. The key itself is returned once.
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { CassandraClient } from './cassandra.js';

export const API_ROLES = ['read', 'admin'] as const;
export type ApiRole = (typeof API_ROLES)[number];

export type ApiKeyRecord = {
  id: string;
  team: string;
  role: ApiRole;
  createdAt: Date;
  revokedAt: Date | null;
};

export const API_KEY_PATTERN = /^cl_[A-Za-z0-9_-]{20,100}$/;

export const hashApiKey = (key: string): string => createHash('sha256').update(key).digest('hex');

/** Constant-time comparison of two keys (for the bootstrap key, which is not in the table). */
export function sameKey(a: string, b: string): boolean {
  const ha = Buffer.from(hashApiKey(a), 'hex');
  const hb = Buffer.from(hashApiKey(b), 'hex');
  return timingSafeEqual(ha, hb);
}

export function generateApiKey(): { key: string; id: string } {
  return { key: `cl_${randomBytes(32).toString('base64url')}`, id: `key_${randomBytes(6).toString('hex')}` };
}

export type ApiKeyStore = ReturnType<typeof createApiKeyStore>;

export function createApiKeyStore(client: CassandraClient) {
  const rowToRecord = (r: Record<string, unknown>): ApiKeyRecord => ({
    id: String(r.id),
    team: String(r.team),
    role: (r.role === 'admin' ? 'admin' : 'read') as ApiRole,
    createdAt: r.created_at as Date,
    revokedAt: (r.revoked_at as Date | null) ?? null,
  });

  return {
    /** Create a key; returns the plain key once together with its record. */
    async create(team: string, role: ApiRole, now = new Date()): Promise<{ key: string; record: ApiKeyRecord }> {
      const { key, id } = generateApiKey();
      const hash = hashApiKey(key);
      await client.execute(
        'INSERT INTO api_keys (key_hash, id, team, role, created_at, revoked_at) VALUES (?, ?, ?, ?, ?, null)',
        [hash, id, team, role, now],
        { prepare: true },
      );
      await client.execute('INSERT INTO api_keys_by_id (id, key_hash) VALUES (?, ?)', [id, hash], { prepare: true });
      return { key, record: { id, team, role, createdAt: now, revokedAt: null } };
    },

    /** The record of a presented key, or null when unknown. Revoked keys are returned with revokedAt set. */
    async lookup(key: string): Promise<ApiKeyRecord | null> {
      if (!API_KEY_PATTERN.test(key)) return null;
      const rs = await client.execute('SELECT id, team, role, created_at, revoked_at FROM api_keys WHERE key_hash = ?', [hashApiKey(key)], {
        prepare: true,
      });
      const row = rs.first();
      return row ? rowToRecord(row as unknown as Record<string, unknown>) : null;
    },

    async list(): Promise<ApiKeyRecord[]> {
      const rs = await client.execute('SELECT id, team, role, created_at, revoked_at FROM api_keys');
      return rs.rows.map((r) => rowToRecord(r as unknown as Record<string, unknown>)).sort((a, b) => a.createdAt.getTime() - b.createdAt.getTime());
    },

    /** Revoke by id; false when no such key. Idempotent. */
    async revoke(id: string, now = new Date()): Promise<boolean> {
      const rs = await client.execute('SELECT key_hash FROM api_keys_by_id WHERE id = ?', [id], { prepare: true });
      const hash = rs.first()?.key_hash as string | undefined;
      if (!hash) return false;
      await client.execute('UPDATE api_keys SET revoked_at = ? WHERE key_hash = ?', [now, hash], { prepare: true });
      return true;
    },
  };
}
