// Ingest state kept in memory: `backfill` uses it so the follower's checkpoint is never moved.
import type { IngestState, IngestStateStore } from './types.js';

export function memoryStateStore(): IngestStateStore {
  const states = new Map<number, IngestState>();
  return {
    load: async (chainId) => structuredClone(states.get(chainId) ?? { checkpoint: null, window: [], inflight: [] }),
    // Backfill state lives as long as the process: nothing survives a crash to retract later.
    stage: async () => {},
    async commit(chainId, published, windowSize) {
      const tip = published[published.length - 1];
      if (!tip) return;
      const cur = states.get(chainId)?.window ?? [];
      const window = cur
        .filter((b) => b.number < (published[0]?.number ?? 0))
        .concat(published.map((b) => ({ ...b })))
        .slice(-windowSize);
      states.set(chainId, { checkpoint: { number: tip.number, hash: tip.hash }, window, inflight: [] });
    },
  };
}
