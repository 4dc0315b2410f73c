import fc from 'fast-check';
import { expect, test } from 'vitest';
import { formatCents, lineTotalCents, parseCurrencyToCents, parseMoneyToCents } from './model.js';

test('parses decimal strings to exact minor units', () => {
  expect(parseMoneyToCents('19.99')).toBe(1999);
  expect(parseMoneyToCents('19.9')).toBe(1990);
  expect(parseMoneyToCents('19')).toBe(1900);
  expect(parseMoneyToCents('0.05')).toBe(5);
  expect(parseCurrencyToCents('Â£51.77')).toBe(5177);
  expect(parseCurrencyToCents('£0.10')).toBe(10);
  for (const bad of ['19.999', '-1', '1e3', '', '.5', '1,00', 'abc']) expect(() => parseMoneyToCents(bad), bad).toThrow(RangeError);
});

test('sums that go wrong in floating point are exact in cents', () => {
  expect(0.1 + 0.2).not.toBe(0.3);
  expect(formatCents(parseMoneyToCents('0.1') + parseMoneyToCents('0.2'))).toBe('0.30');
  expect(formatCents(lineTotalCents(parseMoneyToCents('19.99'), 3))).toBe('59.97');
  expect(formatCents(lineTotalCents(parseMoneyToCents('1.15'), 100))).toBe('115.00');
});

test('format and parse round-trip for every amount', () => {
  fc.assert(fc.property(fc.integer({ min: 0, max: 9_999_999_999 }), (cents) => parseMoneyToCents(formatCents(cents)) === cents));
});

test('refuses non-integer or unsafe amounts', () => {
  expect(() => formatCents(1.5)).toThrow(RangeError);
  expect(() => formatCents(-1)).toThrow(RangeError);
  expect(() => lineTotalCents(Number.MAX_SAFE_INTEGER, 2)).toThrow(RangeError);
});
