// Live stream (SSE): one shared poller of the speed views sends `block` (each new block) and
// `stats` (the current minute) events to every subscriber.
import type { Logger } from '../../core/logger.js';
import { mergeStats, totalsJson } from '../merge.js';
import type { SpeedSource } from '../sources.js';
import { createStreamHub } from '../stream.js';
import { API, type RouteKit } from './route.js';

const iso = (s: number) => new Date(s * 1000).toISOString();

/** Registers /stream; returns the hub so the app can close it. */
export function streamRoutes(kit: RouteKit, deps: { speed: SpeedSource; log: Logger; pollMs?: number }) {
  const { api, auth, docs, now } = kit;
  const { speed } = deps;
  const hub = createStreamHub({
    logger: deps.log,
    ...(deps.pollMs !== undefined ? { pollMs: deps.pollMs } : {}),
    poll: async (since) => {
      const blocks = await speed.latestBlocks(since === null ? 1 : 20);
      const nowS = Math.floor(now() / 1000);
      const minute = nowS - (nowS % 60);
      const partials = await speed.blockPartials({ from: minute - 60, to: minute + 60 });
      const stats = mergeStats({ from: minute - 60, to: minute + 60, granularity: 'minute', horizon: null, batch: [], speed: partials });
      const latest = [...stats].reverse().find((s) => s.blocks > 0) ?? stats[stats.length - 1]!;
      return { blocks, minute: { time: iso(latest.bucket), ...totalsJson(latest) } };
    },
  });
  docs.push({ method: 'get', path: `${API}/stream`, summary: 'Server-sent events: `block` (each new block) and `stats` (current minute)', auth: 'read', tags: ['chain'] });
  api.get('/stream', auth.requireRead, (req, res) => hub.handler(req, res));
  return hub;
}
