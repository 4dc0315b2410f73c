// storage/ingest-state.ts against real Cassandra: window pruning, reorg overwrite, load
// bounded by the checkpoint.
import { afterAll, beforeAll, expect, test } from 'vitest';
import { createCassandra, type CassandraClient } from '../../storage/cassandra.js';
import { type BlockRef, createIngestStateStore } from '../../storage/ingest-state.js';
import { ingestMigrations } from '../../storage/migrations/ingest.js';
import { testConfig, testLogger } from '../helpers.js';

let cass: CassandraClient;
beforeAll(async () => {
  cass = await createCassandra(testConfig(), testLogger(), { migrations: ingestMigrations });
});
afterAll(async () => {
  await cass?.shutdown();
});

const ref = (n: number, tag = 'a'): BlockRef => ({
  number: n,
  hash: `0x${tag.repeat(1)}${n.toString(16).padStart(63, '0')}`,
  parentHash: `0x${tag}${Math.max(0, n - 1).toString(16).padStart(63, '0')}`,
  timestamp: 1_700_000_000 + n,
});

test('commits keep exactly the last REORG_WINDOW blocks and the checkpoint at the tip', async () => {
  const store = createIngestStateStore(cass);
  expect(await store.load(7)).toEqual({ checkpoint: null, window: [], inflight: [] });
  for (let from = 0; from < 300; from += 37) {
    const batch = Array.from({ length: Math.min(37, 300 - from) }, (_, i) => ref(from + i));
    await store.commit(7, batch, 16);
  }
  const state = await store.load(7);
  expect(state.checkpoint).toEqual({ number: 299, hash: ref(299).hash });
  expect(state.window.map((b) => b.number)).toEqual(Array.from({ length: 16 }, (_, i) => 284 + i));
  expect(state.window[15]).toEqual(ref(299));
  // Another chain is untouched.
  expect((await store.load(8)).checkpoint).toBeNull();
});

test('a reorg commit overwrites the orphaned heights and moves the checkpoint', async () => {
  const store = createIngestStateStore(cass);
  await store.commit(9, Array.from({ length: 20 }, (_, i) => ref(i)), 32);
  await store.commit(9, [ref(15, 'b'), ref(16, 'b'), ref(17, 'b'), ref(18, 'b'), ref(19, 'b'), ref(20, 'b'), ref(21, 'b')], 32);
  const state = await store.load(9);
  expect(state.checkpoint).toEqual({ number: 21, hash: ref(21, 'b').hash });
  expect(state.window.filter((b) => b.number >= 15).map((b) => b.hash)).toEqual([15, 16, 17, 18, 19, 20, 21].map((n) => ref(n, 'b').hash));
  expect(state.window.filter((b) => b.number < 15).map((b) => b.hash)).toEqual(Array.from({ length: 15 }, (_, i) => ref(i).hash));
});

test('staged blocks above the checkpoint load as in flight (several hashes per height) until a commit passes them', async () => {
  const store = createIngestStateStore(cass);
  await store.stage(11, [ref(0), ref(1), ref(2)]);
  expect(await store.load(11)).toEqual({ checkpoint: null, window: [], inflight: [ref(0), ref(1), ref(2)] });
  await store.commit(11, [ref(0), ref(1), ref(2)], 32);
  expect((await store.load(11)).inflight).toEqual([]);
  // A send of 3..5 that crashed before its commit, then 3'..4' from a run after a reorg, staged but not committed either.
  await store.stage(11, [ref(3), ref(4), ref(5)]);
  await store.stage(11, [ref(3, 'b'), ref(4, 'b')]);
  const state = await store.load(11);
  expect(state.checkpoint).toEqual({ number: 2, hash: ref(2).hash });
  expect(state.window.map((b) => b.number)).toEqual([0, 1, 2]);
  expect(new Set(state.inflight.map((b) => b.hash))).toEqual(new Set([ref(3), ref(4), ref(5), ref(3, 'b'), ref(4, 'b')].map((b) => b.hash)));
  expect(state.inflight.find((b) => b.hash === ref(5).hash)).toEqual(ref(5));
  await store.commit(11, [ref(3, 'b'), ref(4, 'b')], 32);
  expect((await store.load(11)).inflight).toEqual([ref(5)]);
});
