import type { Migration } from './index.js';

export const batchMigrations: Migration[] = [
  {
    version: 200,
    name: 'batch run history and run requests',
    cql: () => [
      // One partition per run kind, newest first; rows expire after 90 days.
      `CREATE TABLE IF NOT EXISTS batch_runs (kind text, id timeuuid, trigger text, started timestamp, finished timestamp, status text, rows_in bigint, rows_out bigint, horizon bigint, version text, error text, PRIMARY KEY (kind, id)) WITH CLUSTERING ORDER BY (id DESC) AND default_time_to_live = 7776000`,
      // Run requests written by serving (it never calls batch code); the scheduler claims each with an LWT delete.
      `CREATE TABLE IF NOT EXISTS batch_run_requests (kind text, id timeuuid, requested_by text, requested_at timestamp, PRIMARY KEY (kind, id)) WITH CLUSTERING ORDER BY (id ASC)`,
    ],
  },
];
