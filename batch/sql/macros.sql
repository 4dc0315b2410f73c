-- Exact uint256 sums in DuckDB. Values are decimal strings of up to 78 digits; each is split
-- into three 26-digit limbs summed as HUGEINT (no overflow below ~1.7e12 rows), then the
-- carries are propagated and the result is printed as a decimal string again.
-- (Most values fit in the low limb: those skip the substring.)
CREATE OR REPLACE TEMP MACRO u256_l0(s) AS CASE WHEN length(s) <= 26 THEN CAST(s AS HUGEINT) ELSE CAST(right(s, 26) AS HUGEINT) END;
CREATE OR REPLACE TEMP MACRO u256_l1(s) AS CASE WHEN length(s) > 26 THEN CAST(right(left(s, length(s) - 26), 26) AS HUGEINT) ELSE CAST(0 AS HUGEINT) END;
CREATE OR REPLACE TEMP MACRO u256_l2(s) AS CASE WHEN length(s) > 52 THEN CAST(left(s, length(s) - 52) AS HUGEINT) ELSE CAST(0 AS HUGEINT) END;
CREATE OR REPLACE TEMP MACRO u256_base() AS CAST('100000000000000000000000000' AS HUGEINT);
CREATE OR REPLACE TEMP MACRO u256_fmt3(r0, r1, top) AS CASE
  WHEN top > 0 THEN CAST(top AS VARCHAR) || lpad(CAST(r1 AS VARCHAR), 26, '0') || lpad(CAST(r0 AS VARCHAR), 26, '0')
  WHEN r1 > 0 THEN CAST(r1 AS VARCHAR) || lpad(CAST(r0 AS VARCHAR), 26, '0')
  ELSE CAST(r0 AS VARCHAR) END;
CREATE OR REPLACE TEMP MACRO u256_fmt(a, b, c) AS u256_fmt3(
  coalesce(a, 0) % u256_base(),
  (coalesce(b, 0) + coalesce(a, 0) // u256_base()) % u256_base(),
  coalesce(c, 0) + (coalesce(b, 0) + coalesce(a, 0) // u256_base()) // u256_base());
-- UTC day (YYYY-MM-DD) of unix seconds, independent of the session time zone.
CREATE OR REPLACE TEMP MACRO utc_day(ts) AS CAST(DATE '1970-01-01' + CAST(ts // 86400 AS INTEGER) AS VARCHAR);
