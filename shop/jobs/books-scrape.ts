// Books scraper: follows listing pages ("next") up to a per-run page limit, fetches detail
// pages with bounded concurrency, retries 5xx/429/timeouts with backoff and jitter, counts
// malformed pages (the rest is stored), and upserts by UPC with a price history row on
// every price change. The run is recorded in the run history and the audit log.
import { randomUUID } from 'node:crypto';
import type { Registry } from 'prom-client';
import { BaseError, errorMessage, RetryableError, withRetry } from '../../core/errors.js';
import type { Logger } from '../../core/logger.js';
import { counter } from '../../core/metrics.js';
import type { ShopStore } from '../store.js';
import { ensureServiceAccount } from '../store.js';
import type { BookRecord } from '../model.js';
import { ParseError, parseBook, parseListing } from './books-parse.js';
import { createJobRunRecorder } from './job-runs.js';

/** A non-retryable HTTP answer (404, 403, …). */
export class HttpStatusError extends BaseError {
  override readonly code = 'http_status';
  constructor(
    readonly url: string,
    /** The site's answer (not ours: BaseError.status is the status an API client would get). */
    readonly upstreamStatus: number,
  ) {
    super(`GET ${url} answered ${upstreamStatus}`);
  }
}

export type ScrapeOptions = {
  baseUrl: string;
  maxPages: number;
  concurrency?: number;
  retries?: number;
  retryBaseMs?: number;
  timeoutMs?: number;
  trigger?: string;
  signal?: AbortSignal;
  /** Called with every stored book (the CLI's --json prints them). */
  onBook?: (book: BookRecord) => void;
  onProgress?: (done: number, total: number) => void;
};

export type ScrapeResult = {
  runId: string;
  status: 'succeeded' | 'partial' | 'failed';
  listingPages: number;
  booksListed: number;
  inserted: number;
  updated: number;
  unchanged: number;
  priceChanges: number;
  malformed: { url: string; missing: string[] }[];
  failed: { url: string; error: string }[];
  retries: number;
  durationMs: number;
};

export type BooksScraperDeps = { store: ShopStore; logger: Logger; metrics?: Registry; fetch?: typeof fetch };

export function createBooksScraper(deps: BooksScraperDeps) {
  const log = deps.logger.child({ component: 'books-scrape' });
  const doFetch = deps.fetch ?? fetch;
  const pagesCounter = deps.metrics
    ? counter(deps.metrics, { name: 'chainlake_books_pages_total', help: 'Pages the books scraper fetched, by kind and outcome', labelNames: ['kind', 'outcome'] })
    : null;
  const runs = createJobRunRecorder(deps.store);

  async function getHtml(url: string, opts: ScrapeOptions, onRetry: () => void): Promise<string> {
    return withRetry(
      async () => {
        let res: Response;
        try {
          const signals = [AbortSignal.timeout(opts.timeoutMs ?? 10_000), ...(opts.signal ? [opts.signal] : [])];
          res = await doFetch(url, { signal: AbortSignal.any(signals), headers: { 'user-agent': 'chainlake-books-scraper/1' } });
        } catch (e) {
          if (opts.signal?.aborted) throw e;
          throw new RetryableError(`GET ${url} failed: ${errorMessage(e)}`, { cause: e });
        }
        if (res.status >= 500 || res.status === 429) {
          await res.body?.cancel();
          throw new RetryableError(`GET ${url} answered ${res.status}`);
        }
        if (!res.ok) {
          await res.body?.cancel();
          throw new HttpStatusError(url, res.status);
        }
        return res.text();
      },
      {
        retries: opts.retries ?? 3,
        baseMs: opts.retryBaseMs ?? 200,
        maxMs: 5_000,
        ...(opts.signal ? { signal: opts.signal } : {}),
        onRetry: (e, attempt) => {
          onRetry();
          log.warn({ msg: 'Retrying page', page: url, attempt: attempt + 1, error: errorMessage(e) });
        },
      },
    );
  }

  async function run(opts: ScrapeOptions): Promise<ScrapeResult> {
    const started = Date.now();
    const runId = `scrape-${new Date(started).toISOString().replace(/[-:.]/g, '')}-${randomUUID().slice(0, 8)}`;
    const result: ScrapeResult = {
      runId, status: 'succeeded', listingPages: 0, booksListed: 0, inserted: 0, updated: 0, unchanged: 0,
      priceChanges: 0, malformed: [], failed: [], retries: 0, durationMs: 0,
    };
    const onRetry = () => result.retries++;
    const run = await runs.start({ kind: 'books-scrape', runId, trigger: opts.trigger ?? 'manual', startedAt: new Date(started) });
    log.info({ msg: 'Scrape started', runId, site: new URL(opts.baseUrl).host, maxPages: opts.maxPages });
    try {
      // 1. Listing pages, in order, up to the page limit.
      const detailUrls: string[] = [];
      const seen = new Set<string>();
      let next: string | null = new URL(opts.baseUrl).toString();
      while (next && result.listingPages < opts.maxPages) {
        opts.signal?.throwIfAborted();
        const pageUrl: string = next;
        let html: string;
        try {
          html = await getHtml(pageUrl, opts, onRetry);
        } catch (e) {
          pagesCounter?.inc({ kind: 'listing', outcome: 'failed' });
          result.failed.push({ url: pageUrl, error: errorMessage(e) });
          break;
        }
        pagesCounter?.inc({ kind: 'listing', outcome: 'ok' });
        result.listingPages++;
        const listing = parseListing(html, pageUrl);
        for (const b of listing.books) if (!seen.has(b.url)) (seen.add(b.url), detailUrls.push(b.url));
        next = listing.nextUrl;
      }
      result.booksListed = detailUrls.length;

      // 2. Detail pages with bounded concurrency; each worker takes the next URL.
      let cursor = 0;
      let done = 0;
      const worker = async () => {
        while (cursor < detailUrls.length) {
          opts.signal?.throwIfAborted();
          const url = detailUrls[cursor++]!;
          try {
            const book = parseBook(await getHtml(url, opts, onRetry), url);
            const { outcome, priceChanged } = await deps.store.upsertBook(book, runId);
            result[outcome]++;
            if (priceChanged && outcome !== 'inserted') result.priceChanges++;
            pagesCounter?.inc({ kind: 'detail', outcome });
            opts.onBook?.(book);
          } catch (e) {
            if (e instanceof ParseError) {
              pagesCounter?.inc({ kind: 'detail', outcome: 'malformed' });
              result.malformed.push({ url, missing: e.missing });
              log.warn({ msg: 'Malformed book page', page: url, missing: e.missing });
            } else if (e instanceof RetryableError || e instanceof HttpStatusError) {
              pagesCounter?.inc({ kind: 'detail', outcome: 'failed' });
              result.failed.push({ url, error: errorMessage(e) });
            } else throw e; // store errors and aborts end the run
          }
          opts.onProgress?.(++done, detailUrls.length);
        }
      };
      await Promise.all(Array.from({ length: Math.max(1, opts.concurrency ?? 4) }, worker));
      result.status = result.failed.length > 0 ? 'partial' : 'succeeded';
    } catch (e) {
      result.status = 'failed';
      result.failed.push({ url: opts.baseUrl, error: errorMessage(e) });
      throw e;
    } finally {
      result.durationMs = Date.now() - started;
      const rows = result.inserted + result.updated + result.unchanged;
      const summary = { ...result, malformed: result.malformed.length, failed: result.failed.length };
      const problems = [result.malformed.length > 0 ? `${result.malformed.length} malformed page(s)` : '', result.failed.length > 0 ? `${result.failed.length} failed page(s)` : '']
        .filter(Boolean)
        .join(', ');
      await run
        .finish({
          status: result.status,
          rows,
          ...(problems ? { error: problems } : {}),
          details: { ...summary, malformedPages: result.malformed, failedPages: result.failed },
        })
        .catch((err) =>
        log.error({ msg: 'Could not record run', runId, error: errorMessage(err) }),
      );
      const actor = await ensureServiceAccount(deps.store);
      await deps.store
        .recordAudit({ actorId: actor.id, actorRole: actor.role, action: 'books.scrape', entity: 'books', entityId: runId, details: summary })
        .catch((err) => log.error({ msg: 'Could not write audit entry', runId, error: errorMessage(err) }));
      log.info({ msg: 'Scrape finished', ...summary });
    }
    return result;
  }

  return { run };
}
