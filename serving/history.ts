// Address history across layers: newest rows from the speed views, then older rows from the
// lake. The lake part only returns blocks older than the oldest block the speed views gave,
// so a tx never appears twice. The cursor is opaque: base64url JSON of where to resume.
import { ValidationError } from '../core/errors.js';
import type { HistoryPosition } from '../storage/lake/readers-serving.js';
import type { Page } from '../storage/read-rows.js';
import type { AddressTxView } from '../storage/views/queries.js';
import type { BatchSource, SpeedSource } from './sources.js';

type HistoryCursor =
  | { s: 'speed'; c: string; min: number | null }
  | { s: 'lake'; before: number | null; after?: HistoryPosition };

const encode = (c: HistoryCursor): string => Buffer.from(JSON.stringify(c)).toString('base64url');

function decode(raw: string): HistoryCursor {
  try {
    const v = JSON.parse(Buffer.from(raw, 'base64url').toString('utf8')) as HistoryCursor;
    if (v && v.s === 'speed' && typeof v.c === 'string' && (v.min === null || Number.isSafeInteger(v.min))) return v;
    if (
      v &&
      v.s === 'lake' &&
      (v.before === null || Number.isSafeInteger(v.before)) &&
      (v.after === undefined || (Number.isSafeInteger(v.after.block) && Number.isSafeInteger(v.after.index) && typeof v.after.side === 'string'))
    )
      return v;
  } catch {
    /* fall through */
  }
  throw new ValidationError('cursor is not one this API returned (pass nextCursor unchanged)');
}

const minBlock = (rows: AddressTxView[], start: number | null): number | null =>
  rows.reduce<number | null>((m, r) => (m === null ? r.blockNumber : Math.min(m, r.blockNumber)), start);

export async function addressHistoryPage(
  sources: { speed: SpeedSource; batch: BatchSource },
  address: string,
  opts: { limit: number; cursor?: string },
): Promise<Page<AddressTxView> & { sources: string[] }> {
  let state: HistoryCursor = opts.cursor ? decode(opts.cursor) : { s: 'speed', c: '', min: null };
  const items: AddressTxView[] = [];
  const used: string[] = [];
  if (state.s === 'speed') {
    const page = await sources.speed.addressHistory(address, { limit: opts.limit, ...(state.c ? { cursor: state.c } : {}) });
    items.push(...page.items);
    if (page.items.length > 0) used.push('speed');
    const min = minBlock(page.items, state.min);
    if (page.nextCursor) return { items, nextCursor: encode({ s: 'speed', c: page.nextCursor, min }), sources: used };
    state = { s: 'lake', before: min };
  }
  const room = opts.limit - items.length;
  if (room === 0) return { items, nextCursor: encode(state), sources: used };
  const lake = await sources.batch.addressHistory(address, {
    beforeBlock: state.before,
    ...(state.after ? { after: state.after } : {}),
    limit: room + 1,
  });
  const taken = lake.slice(0, room);
  if (taken.length > 0) used.push('lake');
  items.push(...taken);
  const last = taken[taken.length - 1];
  const nextCursor =
    lake.length > room && last
      ? encode({ s: 'lake', before: state.before, after: { block: last.blockNumber, index: last.transactionIndex, side: last.side } })
      : null;
  return { items, nextCursor, sources: used };
}
