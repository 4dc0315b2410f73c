// The books pipeline the shop scheduler runs: scrape the site into the catalogue, then
// recompute recommendations. It only gets a base URL: the bundled fixture site, when used,
// is started by the stack (`chainlake up` runs `chainlake fixture-site` when BOOKS_BASE_URL
// is empty), never by this job.
import type { Common } from '../../core/common.js';
import { shopDataDir } from '../../core/config.js';
import type { ShopStore } from '../store.js';
import { createBooksScraper, type ScrapeResult } from './books-scrape.js';
import { createRecommender, type RecommendResult } from './recommend.js';

export type BooksPipelineResult = { scrape: ScrapeResult; recommend: RecommendResult };

/** BOOKS_BASE_URL, else where the stack serves the bundled fixture site (HOST:FIXTURE_SITE_PORT). */
export const booksBaseUrl = (cfg: Common['config']): string => cfg.BOOKS_BASE_URL || `http://${cfg.HOST}:${cfg.FIXTURE_SITE_PORT}/`;

export async function runBooksPipeline(
  common: Common,
  store: ShopStore,
  opts: { baseUrl: string; trigger: string; maxPages?: number },
): Promise<BooksPipelineResult> {
  const cfg = common.config;
  const scrape = await createBooksScraper({ store, logger: common.logger, metrics: common.metrics }).run({
    baseUrl: opts.baseUrl,
    maxPages: opts.maxPages ?? cfg.BOOKS_MAX_PAGES,
    trigger: opts.trigger,
    signal: common.shutdown.signal,
  });
  const recommend = await createRecommender({
    store,
    logger: common.logger,
    dataDir: shopDataDir(cfg),
    duck: { threads: cfg.DUCKDB_THREADS, memoryLimit: cfg.DUCKDB_MEMORY_LIMIT },
    keepVersions: cfg.VIEWS_KEEP_VERSIONS,
  }).run({ trigger: opts.trigger });
  return { scrape, recommend };
}
