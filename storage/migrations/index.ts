// Versioned CQL migrations, one file per layer. Version ranges: 1-99 ingest, 100-199 speed
// views, 200-299 batch, 300-399 serving/keys; 400-499 are the shop's (shop/migrations.ts,
// applied by the shop's openShopStore). Never edit an applied migration: add a new version.
import { batchMigrations } from './batch.js';
import { ingestMigrations } from './ingest.js';
import { servingMigrations } from './serving.js';
import { viewsMigrations } from './views.js';

export type Migration = {
  version: number;
  name: string;
  cql: (ctx: { ttlSeconds: number }) => string[];
};

export const allMigrations: Migration[] = [...batchMigrations, ...ingestMigrations, ...servingMigrations, ...viewsMigrations];
