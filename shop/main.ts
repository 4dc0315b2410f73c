// Entry points of the shop's commands (ops/commands/shop.ts parses their flags): `chainlake
// books scrape | recommend | user-add | runs`, `chainlake fixture-site`, and what the shop adds
// to other processes: its API as a serving plugin (`serve`) and its scheduler (`schedule`).
import type { Common } from '../core/common.js';
import { shopDataDir } from '../core/config.js';
import { createLogger } from '../core/logger.js';
import { createProgressBar } from '../core/progress.js';
import { createCommon } from '../core/runtime.js';
import { createCassandra } from '../storage/cassandra.js';
import { hashPassword } from './auth.js';
import { startFixtureSite } from './fixture-site/server.js';
import { createBooksScraper } from './jobs/books-scrape.js';
import { createJobRunRecorder } from './jobs/job-runs.js';
import { createRecommender } from './jobs/recommend.js';
import { bookJson } from './model.js';
import type { ServingPlugin } from '../serving/plugin.js';
import type { CassandraClient } from '../storage/cassandra.js';
import { shopPlugin } from './plugin.js';
import { createShopScheduler } from './scheduler.js';
import { ensureServiceAccount, openShopStore, type ShopStore } from './store.js';

/** Common for a CLI job, with logs on stderr so stdout stays clean for --json. */
function jobCommon(name: string): Common {
  const common = createCommon(name);
  return { ...common, logger: createLogger({ name: `chainlake-${name}`, level: common.config.LOG_LEVEL, stderr: true }) };
}

/** Cassandra (closed at shutdown) and the shop store on it, shop migrations applied. */
async function openStore(common: Common): Promise<ShopStore> {
  const cassandra = await createCassandra(common.config, common.logger);
  common.shutdown.add('cassandra', () => cassandra.shutdown());
  return openShopStore(cassandra, common.config, common.logger);
}

/**
 * The site a manual `books scrape` reads: --base-url, else BOOKS_BASE_URL, else the bundled
 * fixture site on HOST:FIXTURE_SITE_PORT (a fixed port keeps stored book URLs stable between
 * runs): reused when `chainlake fixture-site` already serves it, otherwise started in this
 * process for the command's duration. (The scheduled job never starts it: see jobs/pipeline.ts.)
 */
async function siteToScrape(config: Common['config'], baseUrl?: string): Promise<{ url: string; close: () => Promise<void>; bundled: boolean }> {
  const given = baseUrl || config.BOOKS_BASE_URL;
  if (given) return { url: given, close: async () => {}, bundled: false };
  const url = `http://${config.HOST}:${config.FIXTURE_SITE_PORT}/`;
  try {
    const res = await fetch(url, { signal: AbortSignal.timeout(1_000) });
    await res.body?.cancel();
    if (res.ok) return { url, close: async () => {}, bundled: true };
  } catch {
    /* not running: start it below */
  }
  const site = await startFixtureSite({ host: config.HOST, port: config.FIXTURE_SITE_PORT });
  return { url: site.url, close: site.close, bundled: true };
}

export async function scrapeBooks(opts: { baseUrl?: string; maxPages?: number; concurrency: number; json?: boolean }): Promise<void> {
      const common = jobCommon('books-scrape');
      const store = await openStore(common);
      const site = await siteToScrape(common.config, opts.baseUrl);
      common.shutdown.add('fixture-site', site.close);
      if (site.bundled) process.stderr.write(`Scraping the bundled fixture site at ${site.url}\n`);
      const bar = createProgressBar<Record<string, never>>({ stream: process.stderr, format: 'books {bar} {value}/{total} pages', fields: () => ({}) });
      try {
        const result = await createBooksScraper({ store, logger: common.logger, metrics: common.metrics }).run({
          baseUrl: site.url,
          maxPages: opts.maxPages ?? common.config.BOOKS_MAX_PAGES,
          concurrency: opts.concurrency,
          trigger: 'manual',
          signal: common.shutdown.signal,
          ...(opts.json ? { onBook: (b) => process.stdout.write(`${JSON.stringify(bookJson(b))}\n`) } : {}),
          onProgress: (done, total) => bar.update(done, total, {}),
        });
        bar.stop();
        const summary =
          `run ${result.runId}: ${result.status}; ${result.listingPages} listing pages, ${result.booksListed} books listed, ` +
          `${result.inserted} new, ${result.updated} updated, ${result.unchanged} unchanged, ${result.priceChanges} price changes, ` +
          `${result.malformed.length} malformed, ${result.failed.length} failed, ${result.retries} retries, ${(result.durationMs / 1000).toFixed(1)} s\n`;
        (opts.json ? process.stderr : process.stdout).write(summary);
        for (const m of result.malformed) process.stderr.write(`  malformed: ${m.url} (missing ${m.missing.join(', ')})\n`);
        for (const f of result.failed) process.stderr.write(`  failed: ${f.url}: ${f.error}\n`);
        if (result.status === 'failed') process.exitCode = 1;
      } finally {
        bar.stop();
        await common.shutdown.run('done');
      }
    }

export async function recommendBooks(opts: { topK: number; json?: boolean }): Promise<void> {
      const common = jobCommon('books-recommend');
      const store = await openStore(common);
      try {
        const r = await createRecommender({
          store,
          logger: common.logger,
          dataDir: shopDataDir(common.config),
          duck: { threads: common.config.DUCKDB_THREADS, memoryLimit: common.config.DUCKDB_MEMORY_LIMIT },
          keepVersions: common.config.VIEWS_KEEP_VERSIONS,
        }).run({ topK: opts.topK, trigger: 'manual' });
        process.stdout.write(
          opts.json
            ? `${JSON.stringify(r)}\n`
            : `published ${r.version}: ${r.pairs} recommendations for ${r.books} books (${r.coPairs} boosted by ${r.carts} cart additions) in ${(r.durationMs / 1000).toFixed(1)} s${r.parquet ? `; ${r.parquet}` : ''}\n`,
        );
      } finally {
        await common.shutdown.run('done');
      }
    }

export async function addShopUser(opts: { email: string; name: string; role: 'user' | 'admin' }): Promise<void> {
      if (process.stdin.isTTY) process.stderr.write('Password (end with Ctrl-D): ');
      const chunks: Buffer[] = [];
      for await (const c of process.stdin) chunks.push(c as Buffer);
      const password = Buffer.concat(chunks).toString('utf8').replace(/\r?\n$/, '');
      if (password.length < 8) {
        process.stderr.write('the password (stdin) must have at least 8 characters\n');
        process.exitCode = 2;
        return;
      }
      const common = jobCommon('books-user-add');
      const store = await openStore(common);
      try {
        const user = await store.createUser({ email: opts.email, name: opts.name, role: opts.role, passwordHash: await hashPassword(password) });
        if (!user) {
          process.stderr.write(`a user with e-mail ${opts.email.toLowerCase()} already exists\n`);
          process.exitCode = 1;
          return;
        }
        const actor = await ensureServiceAccount(store);
        await store.recordAudit({ actorId: actor.id, actorRole: actor.role, action: 'user.create', entity: 'user', entityId: user.id, details: { email: user.email, role: user.role, via: 'cli' } });
        process.stdout.write(`created ${user.role} ${user.email} (${user.id})\n`);
      } finally {
        await common.shutdown.run('done');
      }
    }

export async function listShopRuns(opts: { limit: number; json?: boolean }): Promise<void> {
      const common = jobCommon('books-runs');
      const store = await openStore(common);
      try {
        const runs = createJobRunRecorder(store);
        const rows = [...(await runs.list('books-scrape', opts.limit)), ...(await runs.list('books-recommend', opts.limit))];
        if (opts.json) process.stdout.write(`${JSON.stringify(rows)}\n`);
        else
          for (const r of rows)
            process.stdout.write(`${r.startedAt.toISOString()}  ${r.kind.padEnd(16)} ${r.status.padEnd(10)} ${String(r.rows).padStart(6)} rows  ${r.trigger.padEnd(7)} ${r.runId}\n`);
      } finally {
        await common.shutdown.run('done');
      }
    }

export async function serveFixtureSite(opts: { port?: number }): Promise<void> {
      const common = createCommon('fixture-site');
      const site = await startFixtureSite({ port: opts.port ?? common.config.FIXTURE_SITE_PORT, host: common.config.HOST });
      common.shutdown.add('fixture-site', site.close);
      common.logger.info({ msg: 'Fixture site listening', port: site.port });
      process.stdout.write(`books fixture site: ${site.url}\n`);
      await new Promise<void>((resolve) => common.shutdown.signal.addEventListener('abort', () => resolve(), { once: true }));
    }

/** The shop API for `chainlake serve`: its store on serve's Cassandra, shop migrations applied. */
export async function shopServingPlugins(common: Common, cassandra: CassandraClient): Promise<ServingPlugin[]> {
  return [shopPlugin(await openShopStore(cassandra, common.config, common.logger))];
}

/** The shop's scheduler beside the batch scheduler in `chainlake schedule`; returns its stop. */
export async function startShopBesideSchedule(common: Common, cassandra: CassandraClient): Promise<() => Promise<void>> {
  const scheduler = createShopScheduler(common, await openShopStore(cassandra, common.config, common.logger));
  await scheduler.start();
  return () => scheduler.stop();
}
