import { describe, expect, test } from 'vitest';
import { SqlRejectedError, checkSqlText, stripLiteralsAndComments } from './sql-guard.js';

describe('checkSqlText', () => {
  test.each([
    'SELECT 1',
    'select count(*) from canonical_blocks;',
    "WITH x AS (SELECT 1 AS n) SELECT * FROM x WHERE 'copy' <> 'set'",
    'FROM stats_minute LIMIT 5',
    '(SELECT 1)',
    '-- read_csv(\'/etc/passwd\')\nSELECT 1',
    'SELECT "updated_at", reset_count FROM t',
  ])('accepts a plain read query: %s', (sql) => {
    expect(() => checkSqlText(sql)).not.toThrow();
  });

  test.each([
    ["SELECT * FROM read_csv('/etc/passwd')", /read_csv/],
    ["SELECT * FROM READ_TEXT('/etc/passwd')", /read_text/i],
    ["SELECT * FROM \"read_blob\"('/etc/passwd')", /read_blob/],
    ["SELECT * FROM glob('/*')", /glob/],
    ["SELECT * FROM read_parquet('/tmp/x.parquet')", /read_parquet/],
    ["SELECT * FROM query('SELECT 1')", /query/],
    ["COPY (SELECT 1) TO '/tmp/x.csv'", /only SELECT/],
    ["ATTACH '/tmp/x.db'", /only SELECT/],
    ['INSTALL httpfs', /only SELECT/],
    ['LOAD httpfs', /only SELECT/],
    ['PRAGMA version', /only SELECT/],
    ["SET memory_limit='10GB'", /only SELECT/],
    ['SELECT 1; SELECT 2', /one statement/],
    ['SELECT 1; DROP TABLE x', /DROP/],
    ["WITH x AS (SELECT 1) SELECT * FROM x; COPY x TO '/tmp/y'", /COPY/],
    ['', /empty/],
  ])('rejects %s', (sql, message) => {
    expect(() => checkSqlText(sql)).toThrow(SqlRejectedError);
    expect(() => checkSqlText(sql)).toThrow(message);
  });

  test('keywords inside literals and comments do not count, but code after them does', () => {
    expect(stripLiteralsAndComments("SELECT 'it''s; copy' /* set */ -- attach\n, 2")).toBe("SELECT ''    \n, 2");
    expect(() => checkSqlText("SELECT 'a'; ATTACH 'b'")).toThrow(SqlRejectedError);
    expect(() => checkSqlText('SELECT $$ copy $$')).not.toThrow();
  });
});
