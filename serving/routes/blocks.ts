// Per-item chain routes: latest blocks, the per-block series (batch up to the horizon, speed
// after), one block / tx, an address's history (speed then lake), token transfers, freshness.
import { HttpError } from '../http-errors.js';
import { addressHistoryPage } from '../history.js';
import { computeFreshness, mergeBlockSeries } from '../merge.js';
import {
  addressHistoryResponse,
  addressParam,
  block,
  blockIdParam,
  blockSeriesQuery,
  blockSeriesResponse,
  freshnessResponse,
  hashParam,
  latestBlocksResponse,
  latestQuery,
  pageQuery,
  tokenTransfersQuery,
  tokenTransfersResponse,
  txResponse,
} from '../schemas.js';
import type { BatchSource, SpeedSource } from '../sources.js';
import { parse } from '../parse.js';
import type { RouteKit } from './route.js';

export function blockRoutes(kit: RouteKit, sources: { speed: SpeedSource; batch: BatchSource }): void {
  const { route, now } = kit;
  const { speed, batch } = sources;

  route(
    'get',
    '/blocks/latest',
    { summary: 'Newest blocks (speed layer)', auth: 'read', query: latestQuery, response: latestBlocksResponse, arrow: true, tags: ['chain'] },
    async (req) => {
      const q = parse(latestQuery, req.query, 'query');
      const items = await speed.latestBlocks(q.limit);
      return { payload: { items }, rows: items };
    },
    { cache: true },
  );
  route(
    'get',
    '/blocks/series',
    { summary: 'Per-block series (txs, gas, fees) over a block range: batch up to the horizon, speed after', auth: 'read', query: blockSeriesQuery, response: blockSeriesResponse, arrow: true, tags: ['chain'] },
    async (req) => {
      const q = parse(blockSeriesQuery, req.query, 'query');
      const b = await batch.blockSeries(q);
      const horizon = b.version ? { block: b.version.horizon } : null;
      const needSpeed = horizon === null || q.toBlock > horizon.block;
      const s = needSpeed ? await speed.blockSeries({ fromBlock: Math.max(q.fromBlock, horizon ? horizon.block + 1 : 0), toBlock: q.toBlock }) : [];
      const items = mergeBlockSeries({ ...q, horizon, batch: b.rows, speed: s }).map((r) => ({
        ...r,
        gasUsed: r.gasUsed.toString(),
        fees: r.fees.toString(),
        baseFeePerGas: r.baseFeePerGas === null ? null : r.baseFeePerGas.toString(),
      }));
      return { payload: { horizon: horizon?.block ?? null, items }, rows: items };
    },
    { cache: true },
  );
  route('get', '/blocks/:id', { summary: 'One block by number or hash', auth: 'read', response: block, tags: ['chain'] }, async (req) => {
    const id = parse(blockIdParam, req.params.id, 'block id');
    const found = 'number' in id ? await speed.blockByNumber(id.number) : await speed.blockByHash(id.hash);
    if (!found) throw new HttpError(404, 'not_found', `block ${req.params.id} not found`);
    return { payload: found };
  });
  route('get', '/txs/:hash', { summary: 'One transaction by hash', auth: 'read', response: txResponse, tags: ['chain'] }, async (req) => {
    const hash = parse(hashParam, req.params.hash, 'transaction hash');
    const tx = await speed.txByHash(hash);
    if (!tx) throw new HttpError(404, 'not_found', `transaction ${hash} not found`);
    return { payload: tx };
  });
  route(
    'get',
    '/addresses/:address/txs',
    { summary: 'Transactions of an address, newest first, paged (speed views, then the lake for older rows)', auth: 'read', query: pageQuery, response: addressHistoryResponse, arrow: true, tags: ['chain'] },
    async (req) => {
      const address = parse(addressParam, req.params.address, 'address');
      const q = parse(pageQuery, req.query, 'query');
      const page = await addressHistoryPage({ speed, batch }, address, { limit: q.limit, ...(q.cursor ? { cursor: q.cursor } : {}) });
      return { payload: page, rows: page.items };
    },
  );
  route(
    'get',
    '/token-transfers',
    { summary: 'ERC-20 transfers of a token or an address, newest first, paged (speed views)', auth: 'read', query: tokenTransfersQuery, response: tokenTransfersResponse, arrow: true, tags: ['chain'] },
    async (req) => {
      const q = parse(tokenTransfersQuery, req.query, 'query');
      const page = await speed.tokenTransfers({ limit: q.limit, ...(q.cursor ? { cursor: q.cursor } : {}), ...(q.token ? { token: q.token } : { address: q.address! }) });
      return { payload: page, rows: page.items };
    },
  );
  route(
    'get',
    '/freshness',
    { summary: 'Chain head, speed lag (blocks, seconds), batch horizon and the last batch run', auth: 'read', response: freshnessResponse, tags: ['chain'] },
    async () => {
      const [head, f, v, runs] = await Promise.all([speed.chainHead(), speed.freshness(), batch.version(), batch.listRuns(1).catch(() => [])]);
      const fresh = computeFreshness({
        chainHead: head,
        speedLastBlock: f?.lastBlock ?? null,
        speedLastTimestamp: f?.lastBlockTimestamp ?? null,
        speedWrittenAt: f?.writtenAt ?? null,
        batchHorizon: v?.horizon ?? null,
        batchVersion: v?.version ?? null,
        batchCreatedAt: v?.createdAt ?? null,
        nowMs: now(),
      });
      return { payload: { ...fresh, lastBatchRun: runs[0] ?? null } };
    },
    { cache: true },
  );
}
