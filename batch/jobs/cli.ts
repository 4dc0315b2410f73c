// `chainlake books scrape | recommend | runs`: the shop's batch jobs.
import { type Command, InvalidArgumentError } from 'commander';
import cliProgress from 'cli-progress';
import pino from 'pino';
import type { Common } from '../../core/common.js';
import { createCommon } from '../../core/runtime.js';
import { startFixtureSite } from '../../ops/fixture-site/server.js';
import { createCassandra } from '../../storage/cassandra.js';
import { lakePaths } from '../../storage/lake/paths.js';
import { createShopStore, ensureServiceAccount } from '../../storage/shop.js';
import { hashPassword } from '../../storage/shop-auth.js';
import { bookJson } from '../../storage/shop-model.js';
import { createBooksScraper, type ScrapeResult } from './books-scrape.js';
import { createJobRunRecorder } from './job-runs.js';
import { createRecommender, type RecommendResult } from './recommend.js';

const posInt = (what: string) => (v: string): number => {
  const n = Number(v);
  if (!Number.isInteger(n) || n <= 0) throw new InvalidArgumentError(`${what} must be a positive integer.`);
  return n;
};

const httpUrl = (v: string): string => {
  try {
    const u = new URL(v);
    if (u.protocol !== 'http:' && u.protocol !== 'https:') throw new Error();
    return u.toString();
  } catch {
    throw new InvalidArgumentError('expected an http(s) URL, e.g. http://127.0.0.1:8090/.');
  }
};

/** Common for a CLI job, with logs on stderr so stdout stays clean for --json. */
function jobCommon(name: string): Common {
  const common = createCommon(name);
  return { ...common, logger: pino({ name: `chainlake-${name}`, level: common.config.LOG_LEVEL }, pino.destination(2)) };
}

/**
 * The site to scrape: --base-url, else BOOKS_BASE_URL, else the bundled fixture site on
 * HOST:FIXTURE_SITE_PORT (a fixed port keeps stored book URLs stable between runs): reused
 * when `chainlake fixture-site` already serves it, otherwise started in this process.
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

export type BooksPipelineResult = { scrape: ScrapeResult; recommend: RecommendResult };

/**
 * Scrape then recompute recommendations: what the scheduler runs on BOOKS_CRON
 * (trigger "cron"). Without BOOKS_BASE_URL it scrapes the bundled fixture site.
 */
export async function runBooksPipeline(common: Common, opts: { trigger?: string; baseUrl?: string; maxPages?: number } = {}): Promise<BooksPipelineResult> {
  const cassandra = await createCassandra(common.config, common.logger);
  const store = createShopStore(cassandra);
  const site = await siteToScrape(common.config, opts.baseUrl);
  try {
    const scrape = await createBooksScraper({ store, logger: common.logger, metrics: common.metrics, cassandra }).run({
      baseUrl: site.url,
      maxPages: opts.maxPages ?? common.config.BOOKS_MAX_PAGES,
      trigger: opts.trigger ?? 'cron',
      signal: common.shutdown.signal,
    });
    const recommend = await createRecommender({
      store,
      logger: common.logger,
      cassandra,
      lakePaths: lakePaths(common.config.LAKE_DIR),
      duck: { threads: common.config.DUCKDB_THREADS, memoryLimit: common.config.DUCKDB_MEMORY_LIMIT },
      keepVersions: common.config.VIEWS_KEEP_VERSIONS,
    }).run({ trigger: opts.trigger ?? 'cron' });
    return { scrape, recommend };
  } finally {
    await site.close();
    await cassandra.shutdown();
  }
}

export function registerBooksCommands(program: Command): void {
  const books = program.command('books').description('Shop books catalogue: scrape a books.toscrape-style site, compute recommendations, show job runs');

  books
    .command('scrape')
    .description('Scrape the books site into Cassandra (upsert by UPC, price history); without --base-url/BOOKS_BASE_URL the bundled fixture site is used')
    .option('--base-url <url>', 'site to scrape (default: BOOKS_BASE_URL, else the bundled fixture site)', httpUrl)
    .option('--max-pages <n>', 'listing pages to follow at most (default: BOOKS_MAX_PAGES)', posInt('--max-pages'))
    .option('--concurrency <n>', 'detail pages fetched in parallel', posInt('--concurrency'), 4)
    .option('--json', 'print one JSON object per stored book on stdout (summary goes to stderr)')
    .action(async (opts: { baseUrl?: string; maxPages?: number; concurrency: number; json?: boolean }) => {
      const common = jobCommon('books-scrape');
      const cassandra = await createCassandra(common.config, common.logger);
      common.shutdown.add('cassandra', () => cassandra.shutdown());
      const site = await siteToScrape(common.config, opts.baseUrl);
      common.shutdown.add('fixture-site', site.close);
      if (site.bundled) process.stderr.write(`Scraping the bundled fixture site at ${site.url}\n`);
      const bar = process.stderr.isTTY ? new cliProgress.SingleBar({ format: 'books {bar} {value}/{total} pages', stream: process.stderr }, cliProgress.Presets.shades_classic) : null;
      let started = false;
      try {
        const result = await createBooksScraper({ store: createShopStore(cassandra), logger: common.logger, metrics: common.metrics, cassandra }).run({
          baseUrl: site.url,
          maxPages: opts.maxPages ?? common.config.BOOKS_MAX_PAGES,
          concurrency: opts.concurrency,
          trigger: 'manual',
          signal: common.shutdown.signal,
          ...(opts.json ? { onBook: (b) => process.stdout.write(`${JSON.stringify(bookJson(b))}\n`) } : {}),
          onProgress: (done, total) => {
            if (!bar) return;
            if (!started) (bar.start(total, 0), (started = true));
            bar.update(done);
          },
        });
        bar?.stop();
        const summary =
          `run ${result.runId}: ${result.status}; ${result.listingPages} listing pages, ${result.booksListed} books listed, ` +
          `${result.inserted} new, ${result.updated} updated, ${result.unchanged} unchanged, ${result.priceChanges} price changes, ` +
          `${result.malformed.length} malformed, ${result.failed.length} failed, ${result.retries} retries, ${(result.durationMs / 1000).toFixed(1)} s\n`;
        (opts.json ? process.stderr : process.stdout).write(summary);
        for (const m of result.malformed) process.stderr.write(`  malformed: ${m.url} (missing ${m.missing.join(', ')})\n`);
        for (const f of result.failed) process.stderr.write(`  failed: ${f.url}: ${f.error}\n`);
        if (result.status === 'failed') process.exitCode = 1;
      } finally {
        bar?.stop();
        await common.shutdown.run('done');
      }
    });

  books
    .command('recommend')
    .description('Recompute book recommendations (content similarity + carted-together) with DuckDB and publish a new version')
    .option('--top-k <n>', 'recommendations kept per book', posInt('--top-k'), 10)
    .option('--json', 'print the run summary as JSON')
    .action(async (opts: { topK: number; json?: boolean }) => {
      const common = jobCommon('books-recommend');
      const cassandra = await createCassandra(common.config, common.logger);
      common.shutdown.add('cassandra', () => cassandra.shutdown());
      try {
        const r = await createRecommender({
          store: createShopStore(cassandra),
          logger: common.logger,
          cassandra,
          lakePaths: lakePaths(common.config.LAKE_DIR),
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
    });

  books
    .command('user-add')
    .description('Create a shop user (the only way to create an admin); the password is read from stdin')
    .requiredOption('--email <email>', 'e-mail address (login name)', (v: string) => {
      if (!/^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(v)) throw new InvalidArgumentError('expected an e-mail address.');
      return v;
    })
    .option('--name <name>', 'display name', '')
    .option('--role <role>', 'user or admin', (v: string) => {
      if (v !== 'user' && v !== 'admin') throw new InvalidArgumentError('--role must be "user" or "admin".');
      return v;
    }, 'user')
    .action(async (opts: { email: string; name: string; role: 'user' | 'admin' }) => {
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
      const cassandra = await createCassandra(common.config, common.logger);
      common.shutdown.add('cassandra', () => cassandra.shutdown());
      try {
        const store = createShopStore(cassandra);
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
    });

  books
    .command('runs')
    .description('Show recent scrape and recommendation runs')
    .option('--limit <n>', 'runs per job', posInt('--limit'), 10)
    .option('--json', 'machine-readable output')
    .action(async (opts: { limit: number; json?: boolean }) => {
      const common = jobCommon('books-runs');
      const cassandra = await createCassandra(common.config, common.logger);
      common.shutdown.add('cassandra', () => cassandra.shutdown());
      try {
        const runs = createJobRunRecorder(createShopStore(cassandra));
        const rows = [...(await runs.list('books-scrape', opts.limit)), ...(await runs.list('books-recommend', opts.limit))];
        if (opts.json) process.stdout.write(`${JSON.stringify(rows)}\n`);
        else
          for (const r of rows)
            process.stdout.write(`${r.startedAt.toISOString()}  ${r.kind.padEnd(16)} ${r.status.padEnd(10)} ${String(r.rows).padStart(6)} rows  ${r.trigger.padEnd(7)} ${r.runId}\n`);
      } finally {
        await common.shutdown.run('done');
      }
    });
}
