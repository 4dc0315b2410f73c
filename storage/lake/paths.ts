// The lake's directory layout on disk:
//   <LAKE_DIR>/raw/<table>/chain=<id>/date=<YYYY-MM-DD>/<file>.parquet   compacted from Kafka
//   <LAKE_DIR>/views/<version>/<view>.parquet                              batch views
//   <LAKE_DIR>/views/CURRENT                                               name of the visible version
//   <LAKE_DIR>/finality/chain=<id>/p<partition>.json                       node finality seen per partition (finality.ts)
import { join, resolve } from 'node:path';
import type { RawTable } from './schema.js';

export type LakePaths = ReturnType<typeof lakePaths>;

export function lakePaths(root: string) {
  const abs = resolve(root);
  return {
    root: abs,
    raw: join(abs, 'raw'),
    rawTable: (table: RawTable) => join(abs, 'raw', table),
    rawPartition: (table: RawTable, chainId: number, day: string) => join(abs, 'raw', table, `chain=${chainId}`, `date=${day}`),
    /** Glob over every Parquet file of a raw table (hive partitioned). */
    rawGlob: (table: RawTable) => join(abs, 'raw', table, '*', '*', '*.parquet'),
    views: join(abs, 'views'),
    viewVersion: (version: string) => join(abs, 'views', version),
    currentPointer: join(abs, 'views', 'CURRENT'),
    tmp: join(abs, '_tmp'),
    finality: (chainId: number) => join(abs, 'finality', `chain=${chainId}`),
  };
}
