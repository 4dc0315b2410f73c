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
  expect(await store.load(7)).toEqual({ checkpoint: null, window: [] });
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
