// Adding a table is one declaration: a copy of VIEW_TABLES with two extra tables (one retracted
// by manifest, one derived) goes through the same row → manifest → retraction path as the
// consumer, and every row of an orphaned block disappears from the extra tables too.
import { describe, expect, test } from 'vitest';
import type { ChainRecord } from '../../core/chain.js';
import { type RowKey, type TableDecl, VIEW_TABLES, type ViewRow } from '../../storage/views/tables.js';
import { EXTENDED_TABLES, type Extended, extendedRows } from '../../test/views/extended-tables.js';
import { generateStream } from '../../test/views/fixtures.js';
import { decodeManifest, encodeManifest, manifestKeys, retractionKeys } from './rows.js';

const id = (k: RowKey<string>) => `${k.table}|${JSON.stringify(Object.entries(k.key).sort())}`;

/** Applies records in order to an in-memory store the way the consumer does (manifest per block, derived + manifest keys per retraction). */
function apply(records: ChainRecord[], tables: Record<Extended, TableDecl> | undefined): Map<string, RowKey<string>> {
  const live = new Map<string, RowKey<string>>();
  const manifests = new Map<string, Buffer>();
  for (const r of records) {
    if (r.kind === 'block') {
      const rows = extendedRows(r);
      for (const row of rows) live.set(id(row), { table: row.table, key: row.key });
      manifests.set(r.block.hash, encodeManifest(tables ? manifestKeys(rows, tables) : manifestKeys(rows.filter((x): x is ViewRow => x.table in VIEW_TABLES))));
    } else {
      const m = manifests.get(r.block.hash);
      const keys: RowKey<string>[] = [...(tables ? retractionKeys(r, tables) : retractionKeys(r)), ...(m ? decodeManifest<string>(m) : [])];
      for (const k of keys) live.delete(id(k));
      manifests.delete(r.block.hash);
    }
  }
  return live;
}

describe('a table added to a copy of the declaration', () => {
  const stream = generateStream({ chainId: 9, seed: 5, blocks: 30, startTime: 1_760_000_000, reorgAfter: 24, reorgDepth: 3 });
  const orphanHashes = new Set(stream.orphaned.map((b) => b.block.hash));
  const expected = new Set(stream.canonical.flatMap((b) => extendedRows(b)).map(id));

  test('is retracted on a reorg: the live rows are exactly the canonical blocks\' rows, extra tables included', () => {
    expect(stream.orphaned.length).toBe(3);
    expect(stream.orphaned.some((b) => b.transactions.length > 0)).toBe(true);
    const live = apply(stream.records, EXTENDED_TABLES);
    expect(new Set(live.keys())).toEqual(expected);
    const extra = [...live.values()].filter((k) => k.table.startsWith('views_test_'));
    expect(extra.some((k) => orphanHashes.has(String(k.key.block_hash)))).toBe(false);
    expect(extra.length).toBeGreaterThan(stream.canonical.length);
  });

  test('without its declaration the same rows would survive the reorg (the test can fail)', () => {
    const live = apply(stream.records, undefined);
    const leaked = [...live.values()].filter((k) => k.table.startsWith('views_test_') && orphanHashes.has(String(k.key.block_hash)));
    expect(leaked.length).toBeGreaterThan(0);
  });
});
