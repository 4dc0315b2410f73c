// Aggregate routes: lambda-merged stats buckets (batch rows up to the horizon block + speed
// per-block partials after it) and the batch layer's daily top lists and token volume.
import {
  GRANULARITY_SECONDS,
  bucketOf,
  mergeStats,
  sumBuckets,
  totalsJson,
} from '../merge.js';
import { rankQuery, statsQuery, statsResponse, tokenVolumeQuery, tokenVolumeResponse, topContractsResponse, topSendersResponse } from '../schemas.js';
import type { BatchSource, RankOpts, SpeedSource } from '../sources.js';
import { parse } from '../parse.js';
import type { RouteKit } from './route.js';

const iso = (s: number) => new Date(s * 1000).toISOString();
const today = (nowMs: number) => new Date(nowMs).toISOString().slice(0, 10);

export function statsRoutes(kit: RouteKit, sources: { speed: SpeedSource; batch: BatchSource }): void {
  const { route, now } = kit;
  const { speed, batch } = sources;

  // Stats: batch rows (blocks ≤ horizon) + speed per-block partials (blocks > horizon).
  route(
    'get',
    '/stats',
    { summary: 'Chain stats per minute/hour/day over a time range, merged from batch and speed layers, with a breakdown by tx class', auth: 'read', query: statsQuery, response: statsResponse, arrow: true, tags: ['chain'] },
    async (req) => {
      const q = parse(statsQuery, req.query, 'query');
      const g = q.granularity;
      const start = bucketOf(q.from, g);
      const lastBucket = bucketOf(q.to - 1, g);
      const batchPart = await batch.stats({ granularity: g, from: start, to: q.to });
      const horizon = batchPart.version ? { block: batchPart.version.horizon } : null;
      // Speed is only needed from the horizon block's minute on.
      let speedFrom = start;
      if (horizon) {
        const hb = await speed.blockByNumber(horizon.block);
        if (hb) speedFrom = Math.max(start, hb.timestamp - (hb.timestamp % 60));
      }
      const speedTo = lastBucket + GRANULARITY_SECONDS[g];
      const partials = speedFrom < speedTo ? await speed.blockPartials({ from: speedFrom, to: speedTo }) : [];
      const buckets = mergeStats({ from: start, to: q.to, granularity: g, horizon, batch: batchPart.rows, speed: partials }).map((b) => ({
        time: iso(b.bucket),
        ...totalsJson(b),
      }));
      const total = totalsJson(sumBuckets(buckets.map((b) => ({ ...b, gasUsed: BigInt(b.gasUsed), fees: BigInt(b.fees), nativeValue: BigInt(b.nativeValue) }))));
      return {
        payload: { from: start, to: q.to, granularity: g, horizon: horizon?.block ?? null, batchVersion: batchPart.version?.version ?? null, buckets, total },
        rows: buckets,
      };
    },
    { cache: true },
  );

  // Daily top lists come from the batch layer only, one UTC day at a time.
  const dailyTop = (path: string, summary: string, response: typeof topSendersResponse | typeof topContractsResponse, read: (q: RankOpts) => Promise<Record<string, unknown>[]>) =>
    route(
      'get',
      path,
      { summary, auth: 'read', query: rankQuery, response, arrow: true, tags: ['chain'] },
      async (req) => {
        const q = parse(rankQuery, req.query, 'query');
        const day = q.day ?? today(now());
        const items = await read({ day, limit: q.limit });
        return { payload: { day, items }, rows: items };
      },
      { cache: true },
    );
  dailyTop('/top/senders', 'Top senders of a UTC day (batch layer)', topSendersResponse, (q) => batch.topSenders(q));
  dailyTop('/top/contracts', 'Most called contracts of a UTC day (batch layer)', topContractsResponse, (q) => batch.topContracts(q));
  route(
    'get',
    '/tokens/volume',
    { summary: 'ERC-20 transfer volume per token of a UTC day (batch layer)', auth: 'read', query: tokenVolumeQuery, response: tokenVolumeResponse, arrow: true, tags: ['chain'] },
    async (req) => {
      const q = parse(tokenVolumeQuery, req.query, 'query');
      const day = q.day ?? today(now());
      const items = await batch.tokenVolume({ day, limit: q.limit, ...(q.token ? { token: q.token } : {}) });
      return { payload: { day, items }, rows: items };
    },
    { cache: true },
  );
}
