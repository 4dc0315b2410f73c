// Book recommendations, computed with DuckDB from the catalogue and the cart events:
//   content score (0..1) = 0.5 same category + 0.25 Jaccard of title/description terms
//                          (stop words and terms found in > 1/4 of the books left out)
//                        + 0.125 price-band closeness + 0.125 rating closeness
//   co-occurrence score  = users who carted both / sqrt(users(a) · users(b))   (cosine, 0..1)
//   score                = content + CO_WEIGHT · co-occurrence
// With no carts (cold start) the ranking is purely content based, so books of the same
// category always rank first (cross-category content is < 0.5 ≤ same-category content).
// Output is versioned: rows under a new version in shop_recs, then the shop_recs_current
// pointer switches (readers never see half a version); with a data dir, also
// <SHOP_DATA_DIR>/recs/<version>/recs.parquet and a CURRENT file switched by rename.
// The newest keepVersions versions are kept; older rows and Parquet dirs are deleted.
import { randomBytes } from 'node:crypto';
import { mkdir, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { errorMessage } from '../../core/errors.js';
import type { Logger } from '../../core/logger.js';
import { createDuck, type DuckOptions, queryRows, sqlString } from '../../storage/lake/duck.js';
import { ensureServiceAccount, type ShopStore } from '../store.js';
import type { Recommendation } from '../model.js';
import { createJobRunRecorder } from './job-runs.js';

export const CO_WEIGHT = 1.0;
export const TOP_K = 10;

const STOPWORDS = [
  'the', 'and', 'for', 'with', 'who', 'about', 'book', 'books', 'story', 'this', 'that', 'from', 'into', 'are', 'was', 'were', 'has',
  'have', 'his', 'her', 'their', 'its', 'you', 'your', 'our', 'but', 'not', 'all', 'one', 'out', 'readers', 'love',
];

export type RecommendResult = { version: string; books: number; pairs: number; carts: number; coPairs: number; durationMs: number; parquet: string | null };

/** Price bands in pence: <10, <20, <35, <50, ≥50 pounds. */
const BAND_SQL = `CASE WHEN price_cents < 1000 THEN 0 WHEN price_cents < 2000 THEN 1 WHEN price_cents < 3500 THEN 2 WHEN price_cents < 5000 THEN 3 ELSE 4 END`;

export function recommendationSql(topK: number): string {
  const stop = STOPWORDS.map(sqlString).join(', ');
  return `
    WITH all_terms AS MATERIALIZED (
      SELECT DISTINCT id, term FROM (SELECT id, unnest(regexp_split_to_array(lower(title || ' ' || description), '[^a-z0-9]+')) AS term FROM books)
      WHERE length(term) >= 3 AND term NOT IN (${stop})
    ),
    -- Terms in more than a quarter of the books say little and make the pair join quadratic.
    common_terms AS (SELECT term FROM all_terms GROUP BY term HAVING count(*) > greatest(2, (SELECT count(*) FROM books) / 4)),
    terms AS MATERIALIZED (SELECT * FROM all_terms WHERE term NOT IN (SELECT term FROM common_terms)),
    term_counts AS (SELECT id, count(*) AS n FROM terms GROUP BY id),
    shared AS (
      SELECT a.id AS a_id, b.id AS b_id, count(*) AS shared FROM terms a JOIN terms b ON a.term = b.term AND a.id <> b.id GROUP BY a.id, b.id
    ),
    banded AS (SELECT *, ${BAND_SQL} AS band FROM books),
    content AS (
      SELECT a.id AS a_id, b.id AS b_id,
        0.5 * CAST(a.category = b.category AS INTEGER)
        + 0.25 * coalesce(s.shared / (ta.n + tb.n - s.shared), 0)
        + 0.125 * (1 - abs(a.band - b.band) / 4.0)
        + 0.125 * (1 - abs(a.rating - b.rating) / 4.0) AS content_score
      FROM banded a JOIN banded b ON a.id <> b.id
      LEFT JOIN shared s ON s.a_id = a.id AND s.b_id = b.id
      LEFT JOIN term_counts ta ON ta.id = a.id
      LEFT JOIN term_counts tb ON tb.id = b.id
    ),
    carted AS (SELECT DISTINCT c.user_id, c.book_id FROM carted_raw c JOIN books b ON b.id = c.book_id),
    users_per_book AS (SELECT book_id, count(*) AS n FROM carted GROUP BY book_id),
    co AS (
      SELECT x.book_id AS a_id, y.book_id AS b_id, count(*) AS co_count
      FROM carted x JOIN carted y ON x.user_id = y.user_id AND x.book_id <> y.book_id GROUP BY x.book_id, y.book_id
    ),
    scored AS (
      SELECT c.a_id, c.b_id, round(c.content_score, 6) AS content_score, coalesce(co.co_count, 0) AS co_count,
        round(c.content_score + ${CO_WEIGHT} * coalesce(co.co_count / sqrt(ua.n * ub.n), 0), 6) AS score
      FROM content c
      LEFT JOIN co ON co.a_id = c.a_id AND co.b_id = c.b_id
      LEFT JOIN users_per_book ua ON ua.book_id = c.a_id
      LEFT JOIN users_per_book ub ON ub.book_id = c.b_id
    )
    SELECT a_id AS book_id, b_id AS rec_book_id, score, content_score, CAST(co_count AS INTEGER) AS co_count,
      CAST(row_number() OVER (PARTITION BY a_id ORDER BY score DESC, b_id) AS INTEGER) AS rank
    FROM scored
    QUALIFY rank <= ${Math.max(1, Math.floor(topK))}
    ORDER BY book_id, rank`;
}

export type RecommenderDeps = {
  store: ShopStore;
  logger: Logger;
  /** Root of the shop's outputs (SHOP_DATA_DIR, see shopDataDir): the Parquet copy goes under <dataDir>/recs. */
  dataDir?: string;
  duck?: DuckOptions;
  /** Published versions kept (the current one included); older ones are deleted. Default 5. */
  keepVersions?: number;
};

export function createRecommender(deps: RecommenderDeps) {
  const log = deps.logger.child({ component: 'books-recommend' });
  const runs = createJobRunRecorder(deps.store);
  const recsDir = deps.dataDir ? join(deps.dataDir, 'recs') : null;

  async function run(opts: { topK?: number; trigger?: string; now?: Date } = {}): Promise<RecommendResult> {
    const started = opts.now ?? new Date();
    const version = `v${started.toISOString().replace(/[-:.]/g, '')}-${randomBytes(2).toString('hex')}`;
    const run = await runs.start({ kind: 'books-recommend', runId: version, trigger: opts.trigger ?? 'manual', startedAt: started });
    const t0 = Date.now();
    const duck = await createDuck({ threads: deps.duck?.threads ?? 2, memoryLimit: deps.duck?.memoryLimit ?? '512MB' });
    try {
      const [books, events] = await Promise.all([deps.store.listBooks(), deps.store.listCartEvents()]);
      const conn = await duck.connect();
      await conn.run('CREATE TABLE books (id VARCHAR, title VARCHAR, description VARCHAR, category VARCHAR, price_cents BIGINT, rating INTEGER)');
      await conn.run('CREATE TABLE carted_raw (user_id VARCHAR, book_id VARCHAR)');
      const bookApp = await conn.createAppender('books');
      for (const b of books) {
        bookApp.appendVarchar(b.id);
        bookApp.appendVarchar(b.title);
        bookApp.appendVarchar(b.description);
        bookApp.appendVarchar(b.category);
        bookApp.appendBigInt(BigInt(b.priceInclTaxCents));
        bookApp.appendInteger(b.rating);
        bookApp.endRow();
      }
      bookApp.flushSync();
      bookApp.closeSync();
      // "Carted together": every book a user ever added (or set to a positive quantity).
      const cartApp = await conn.createAppender('carted_raw');
      let carts = 0;
      for (const e of events)
        if ((e.type === 'add' || e.type === 'set') && e.quantity > 0) {
          cartApp.appendVarchar(e.userId);
          cartApp.appendVarchar(e.bookId);
          cartApp.endRow();
          carts++;
        }
      cartApp.flushSync();
      cartApp.closeSync();

      const sql = recommendationSql(opts.topK ?? TOP_K);
      const rows = await queryRows(conn, sql);
      const recs: Recommendation[] = rows.map((r) => ({
        bookId: String(r.book_id),
        recBookId: String(r.rec_book_id),
        rank: Number(r.rank),
        score: Number(r.score),
        contentScore: Number(r.content_score),
        coCount: Number(r.co_count),
      }));
      let parquet: string | null = null;
      if (recsDir) {
        const dir = join(recsDir, version);
        await mkdir(dir, { recursive: true });
        parquet = join(dir, 'recs.parquet');
        await conn.run(`COPY (${sql}) TO ${sqlString(parquet)} (FORMAT parquet, COMPRESSION zstd)`);
      }
      conn.closeSync();

      await deps.store.writeRecs(version, recs);
      await deps.store.setCurrentRecs(version, { books: books.length, pairs: recs.length });
      if (recsDir) {
        const pointer = join(recsDir, 'CURRENT');
        await writeFile(`${pointer}.${process.pid}.tmp`, `${version}\n`);
        await rename(`${pointer}.${process.pid}.tmp`, pointer);
      }
      const result: RecommendResult = {
        version,
        books: books.length,
        pairs: recs.length,
        carts,
        coPairs: recs.filter((r) => r.coCount > 0).length,
        durationMs: Date.now() - t0,
        parquet,
      };
      await run.finish({ status: 'succeeded', rows: recs.length, details: result });
      await prune(version, books.map((b) => b.id)).catch((e) => log.warn({ msg: 'Could not prune old recommendation versions', error: errorMessage(e) }));
      const actor = await ensureServiceAccount(deps.store);
      await deps.store.recordAudit({ actorId: actor.id, actorRole: actor.role, action: 'books.recommend', entity: 'recommendations', entityId: version, details: result });
      log.info({ msg: 'Recommendations published', ...result });
      return result;
    } catch (e) {
      await run.finish({ status: 'failed', rows: 0, error: errorMessage(e), details: { error: errorMessage(e) } }).catch(() => {});
      throw e;
    } finally {
      duck.close();
    }
  }

  /** Delete versions beyond keepVersions (rows, Parquet dir) and mark their runs "pruned". */
  async function prune(current: string, bookIds: string[]) {
    const keep = Math.max(1, deps.keepVersions ?? 5);
    const published = (await deps.store.listJobRuns('books-recommend', 1000)).filter((r) => r.status === 'succeeded' && r.runId !== current);
    for (const old of published.slice(keep - 1)) {
      await deps.store.deleteRecs(old.runId, bookIds);
      if (recsDir) await rm(join(recsDir, old.runId), { recursive: true, force: true });
      await deps.store.recordJobRun({ ...old, kind: 'books-recommend', status: 'pruned' });
      log.info({ msg: 'Pruned recommendation version', version: old.runId });
    }
  }

  return { run };
}
