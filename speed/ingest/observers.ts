import type { IngestObserver } from './types.js';

/** Call several observers (metrics, a progress bar) for every event. */
export function combineObservers(...observers: (IngestObserver | undefined)[]): IngestObserver {
  const list = observers.filter((o): o is IngestObserver => o !== undefined);
  return {
    published: (p) => list.forEach((o) => o.published?.(p)),
    reorg: (r) => list.forEach((o) => o.reorg?.(r)),
    range: (r) => list.forEach((o) => o.range?.(r)),
    head: (h) => list.forEach((o) => o.head?.(h)),
  };
}
