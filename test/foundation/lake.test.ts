import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, test } from 'vitest';
import { lakePaths } from '../../storage/lake/paths.js';
import { readCurrentVersion, switchCurrentVersion } from '../../storage/lake/versions.js';
import { createDuck, queryRows, sqlString } from '../../storage/lake/duck.js';

const dir = mkdtempSync(join(tmpdir(), 'lake-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

test('DuckDB writes and reads a ZSTD Parquet file with exact uint256 values', async () => {
  const duck = await createDuck({ memoryLimit: '256MB', threads: 1 });
  const conn = await duck.connect();
  const file = join(dir, 'tx.parquet');
  const max = (2n ** 256n - 1n).toString();
  await conn.run(`CREATE TABLE t AS SELECT range AS n, CAST(range AS DECIMAL(38,0)) * CAST(1000000000000000000 AS DECIMAL(38,0)) AS fee, ${sqlString(max)} AS value FROM range(1000)`);
  await conn.run(`COPY t TO ${sqlString(file)} (FORMAT parquet, COMPRESSION zstd)`);
  const meta = await queryRows(conn, `SELECT DISTINCT compression FROM parquet_metadata(${sqlString(file)})`);
  expect(meta.map((m) => m.compression)).toEqual(['ZSTD']);
  const types = await queryRows(conn, `SELECT name, type, logical_type FROM parquet_schema(${sqlString(file)}) WHERE name IN ('fee','value')`);
  expect(types.find((t) => t.name === 'fee')?.type).not.toBe('DOUBLE');
  const rows = await queryRows(conn, `SELECT count(*) AS c, sum(fee) AS s, max(value) AS v FROM read_parquet(${sqlString(file)})`);
  expect(rows[0]).toEqual({ c: '1000', s: (999n * 1000n / 2n * 10n ** 18n).toString(), v: max });
  duck.close();
});

test('the CURRENT pointer switches atomically and reads back', async () => {
  const paths = lakePaths(dir);
  expect(await readCurrentVersion(paths)).toBeNull();
  await switchCurrentVersion(paths, 'v1');
  expect(await readCurrentVersion(paths)).toBe('v1');
  await switchCurrentVersion(paths, 'v2');
  expect(await readCurrentVersion(paths)).toBe('v2');
  expect(paths.rawPartition('transactions', 1, '2024-01-02')).toBe(join(dir, 'raw', 'transactions', 'chain=1', 'date=2024-01-02'));
});
