import { expect, test } from 'vitest';
import { createTokenBuckets } from './rate-limit.js';

test('allows a burst, then refuses with Retry-After until tokens refill', () => {
  let t = 0;
  const b = createTokenBuckets({ ratePerSecond: 2, burst: 4, now: () => t });
  for (let i = 0; i < 4; i++) expect(b.take('k').ok).toBe(true);
  const refused = b.take('k');
  expect(refused).toEqual({ ok: false, retryAfterSeconds: 1 });
  t += 500; // one token back
  expect(b.take('k').ok).toBe(true);
  expect(b.take('k').ok).toBe(false);
});

test('keeps a separate bucket per caller', () => {
  const t = 0;
  const b = createTokenBuckets({ ratePerSecond: 1, burst: 1, now: () => t });
  expect(b.take('a').ok).toBe(true);
  expect(b.take('a').ok).toBe(false);
  expect(b.take('b').ok).toBe(true);
});

test('never stores more than burst tokens after a long idle time', () => {
  let t = 0;
  const b = createTokenBuckets({ ratePerSecond: 10, burst: 3, now: () => t });
  b.take('k');
  t += 60_000;
  let ok = 0;
  while (b.take('k').ok) ok++;
  expect(ok).toBe(3);
});
