import type { Migration } from './index.js';

// Serving layer tables (versions 300-399).
export const servingMigrations: Migration[] = [
  {
    version: 300,
    name: 'api keys',
    cql: () => [
      // Only the sha256 of a key is stored; the key itself is shown once by `chainlake keys create`.
      `CREATE TABLE IF NOT EXISTS api_keys (key_hash text PRIMARY KEY, id text, team text, role text, created_at timestamp, revoked_at timestamp)`,
      `CREATE TABLE IF NOT EXISTS api_keys_by_id (id text PRIMARY KEY, key_hash text)`,
    ],
  },
];
