// The scheduler over real Cassandra, Kafka and DuckDB: seconds-level cron runs recorded in
// batch_runs, a lock held by another live process → 'skipped', a failing run keeps CURRENT,
// and run requests written through requestRecompute are run with trigger 'api'.
import { spawn } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { cassandraRunStore } from '../../batch/runs.js';
import { createCompactor } from '../../batch/compact/compactor.js';
import { lockPath } from '../../batch/lock.js';
import { recompute } from '../../batch/recompute/recompute.js';
import { createBatchScheduler } from '../../batch/schedule.js';
import type { Common } from '../../core/common.js';
import { createMetricsRegistry } from '../../core/metrics.js';
import { createShutdown } from '../../core/shutdown.js';
import { type BatchRun, listRuns, requestRecompute } from '../../storage/batch-runs.js';
import { type CassandraClient, createCassandra } from '../../storage/cassandra.js';
import { createKafka, ensureChainTopics } from '../../storage/kafka.js';
import { lakePaths } from '../../storage/lake/paths.js';
import { readCurrentVersion } from '../../storage/lake/versions.js';
import { createDuck, type Duck } from '../../storage/lake/duck.js';
import { testConfig, testLogger } from '../helpers.js';
import { generateChain } from './fixtures.js';
import { produceRecords, readTopic } from './kafka-helpers.js';
import { referenceViews } from './reference.js';
import { waitForValue } from '../../core/wait.js';

const CHAIN = 31337;
let lakeDir: string;
let common: Common;
let client: CassandraClient;
let duck: Duck;
/** The horizon of the produced chain by the reference rule (newest block per partition, min, − 3). */
let expectedHorizon: number | null;

beforeAll(async () => {
  lakeDir = await mkdtemp(join(tmpdir(), 'chainlake-sched-'));
  const config = testConfig({ LAKE_DIR: lakeDir, FINALITY_DEPTH: '3' });
  const logger = testLogger();
  common = { config, logger, metrics: createMetricsRegistry({ process: 'test' }), shutdown: createShutdown(logger, { installSignalHandlers: false }) };
  client = await createCassandra(config, logger);
  duck = await createDuck({ threads: 2 });
  const kafka = createKafka(config, logger, 'sched-test');
  const admin = kafka.admin();
  await admin.connect();
  const topic = (await ensureChainTopics(admin, config, CHAIN)).blocks;
  await admin.disconnect();
  await produceRecords(kafka, topic, generateChain({ chainId: CHAIN, blocks: 40, seed: 3 }).records);
  await createCompactor(common, { kafka, duck }, { chainId: CHAIN, mode: 'drain' }).run();
  expectedHorizon = referenceViews(await readTopic(kafka, topic, `sched-ref-${Date.now()}`), 3).horizon;
});

afterAll(async () => {
  await client?.execute(`DROP KEYSPACE IF EXISTS ${common.config.CASSANDRA_KEYSPACE}`).catch(() => {});
  await client?.shutdown();
  duck?.close();
  await rm(lakeDir, { recursive: true, force: true });
});

const waitFor = <T>(what: string, fn: () => Promise<T | undefined>, timeoutMs = 20_000): Promise<T> => waitForValue(what, fn, timeoutMs, { everyMs: 100 });

test('cron every second records runs; a lock held by another process is skipped; failures keep CURRENT; API requests run', { timeout: 90_000 }, async () => {
  let failNext = false;
  const scheduler = createBatchScheduler(
    common,
    {
      store: cassandraRunStore(client),
      jobs: {
        recompute: async () => {
          if (failNext) throw new Error('injected failure: the raw lake could not be read');
          const r = await recompute(common, { duck }, { chainId: CHAIN });
          return { rowsIn: r.rowsIn, rowsOut: r.rowsOut, horizon: r.horizon, version: r.version };
        },
        compact: async () => ({}),
      },
    },
    { batchCron: '*/1 * * * * *', compactCron: null, requestPollMs: 200 },
  );
  scheduler.start();
  try {
    const cronRuns = await waitFor('two succeeded cron runs', async () => {
      const runs = (await listRuns(client, { kind: 'recompute' })).filter((r) => r.trigger === 'cron' && r.status === 'succeeded');
      return runs.length >= 2 ? runs : undefined;
    });
    for (const r of cronRuns) {
      expect(r.finished!.getTime()).toBeGreaterThanOrEqual(r.started.getTime());
      expect(r.horizon).toBe(expectedHorizon);
      expect(r.horizon).toBeGreaterThan(30);
      expect(r.version).toMatch(/^v\d/);
      expect(r.rowsOut).toBeGreaterThan(0);
    }

    // Another live process holds the recompute lock: the next cron run is recorded as skipped.
    const other = spawn('sleep', ['30'], { stdio: 'ignore' });
    const paths = lakePaths(lakeDir);
    await mkdir(join(lakeDir, '_locks'), { recursive: true });
    await writeFile(lockPath(paths, 'recompute'), `${other.pid}\n`);
    const skippedAfter = Date.now();
    await waitFor('a skipped run', async () =>
      (await listRuns(client, { kind: 'recompute' })).find((r: BatchRun) => r.status === 'skipped' && r.started.getTime() >= skippedAfter - 1000),
    );
    other.kill('SIGKILL');
    await new Promise((r) => other.once('exit', r));
    await rm(lockPath(paths, 'recompute'), { force: true });

    // A failing run is recorded with its error and CURRENT stays where it was.
    const beforeFail = await readCurrentVersion(paths);
    failNext = true;
    const failAfter = Date.now();
    const failed = await waitFor('a failed run', async () =>
      (await listRuns(client, { kind: 'recompute' })).find((r) => r.status === 'failed' && r.started.getTime() >= failAfter - 1000),
    );
    expect(failed.error).toContain('injected failure');
    expect(await readCurrentVersion(paths)).toBe(beforeFail);
    failNext = false;

    // Serving asks for a run by writing a request; the scheduler runs it with trigger 'api'.
    await requestRecompute(client, 'admin:test');
    const api = await waitFor('an api run', async () => (await listRuns(client, { kind: 'recompute', limit: 200 })).find((r) => r.trigger === 'api' && r.status === 'succeeded'));
    expect(api.version).toMatch(/^v\d/);
    expect((await client.execute("SELECT * FROM batch_run_requests WHERE kind = 'recompute'")).rows).toHaveLength(0);
  } finally {
    await scheduler.stop();
  }
  // Runs never overlapped: succeeded runs' [started, finished] intervals are disjoint.
  const done = (await listRuns(client, { kind: 'recompute', limit: 500 })).filter((r) => r.status === 'succeeded' || r.status === 'failed').sort((a, b) => a.started.getTime() - b.started.getTime());
  for (let i = 1; i < done.length; i++) expect(done[i]!.started.getTime()).toBeGreaterThanOrEqual(done[i - 1]!.finished!.getTime());
});
