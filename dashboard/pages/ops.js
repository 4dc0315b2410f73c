// Ops: freshness of each layer, process readiness, and where the detailed metrics live.
// The API does not expose per-RPC-endpoint ingest status or Kafka consumer lag; those are
// Prometheus metrics (chainlake_rpc_*, chainlake_views_lag_records) on each process's /metrics.
import { ago, clear, dateTime, el, errorBox, int, loading, panel } from '../ui.js';

export async function render(main, { api }) {
  main.append(el('h1', {}, 'Operations'));
  const pFresh = panel('Freshness', { id: 'p-ops-freshness' });
  const pReady = panel('Serving readiness', { id: 'p-ops-ready' });
  const pMetrics = panel('Ingest endpoints and Kafka lag', { id: 'p-ops-metrics', wide: true });
  main.append(el('div', { class: 'grid' }, pFresh.section, pReady.section, pMetrics.section));
  pMetrics.body.append(
    el('p', {}, 'Per-RPC-endpoint ingest status (requests, 429s, failovers, quota use) and Kafka consumer lag are not part of the public API; each process exports them as Prometheus metrics.'),
    el('ul', {},
      el('li', {}, el('a', { href: '/metrics' }, 'Serving /metrics'), ' — HTTP latency by route and status'),
      el('li', {}, 'Ingest /metrics (INGEST_METRICS_PORT, default 9464): ', el('code', {}, 'chainlake_rpc_*'), ' per endpoint label'),
      el('li', {}, 'Views /metrics (VIEWS_METRICS_PORT): ', el('code', {}, 'chainlake_views_lag_records'), ' per partition'),
      el('li', {}, el('a', { href: '/docs' }, 'API docs'), ' · ', el('a', { href: '/openapi.json' }, 'OpenAPI document')),
    ),
  );

  async function load() {
    try {
      const f = await api.get('/freshness');
      const pairs = [
        ['Chain head (ingest)', f.chainHead === null ? '—' : int(f.chainHead)],
        ['Speed views last block', f.speed.lastBlock === null ? '—' : int(f.speed.lastBlock)],
        ['Speed lag', f.speed.lagBlocks === null ? '—' : `${int(f.speed.lagBlocks)} blocks · ${ago(f.speed.lagSeconds)}`],
        ['Views last write', dateTime(f.speed.writtenAt)],
        ['Batch horizon', f.batch.horizon === null ? 'none yet' : `#${int(f.batch.horizon)} (${int(f.batch.lagBlocks)} blocks behind)`],
        ['Batch version', f.batch.version ?? '—'],
        ['Last batch run', f.lastBatchRun ? `${f.lastBatchRun.kind} ${f.lastBatchRun.status} at ${dateTime(f.lastBatchRun.started)}` : '—'],
      ];
      clear(pFresh.body).append(el('dl', { class: 'kv' }, pairs.flatMap(([k, v]) => [el('dt', {}, k), el('dd', {}, v)])));
    } catch (e) {
      clear(pFresh.body).append(errorBox(e, 'Could not load freshness'));
    }
    try {
      const r = await fetch('/ready', { headers: { accept: 'application/json' } });
      const body = await r.json();
      clear(pReady.body).append(
        el('p', {}, el('strong', { class: body.ready ? 'ok-text' : 'error-message' }, body.ready ? 'ready' : 'not ready')),
        el('dl', { class: 'kv' }, Object.entries(body.checks ?? {}).flatMap(([k, v]) => [el('dt', {}, k), el('dd', { class: v.ok ? 'ok-text' : 'error-message' }, v.ok ? 'ok' : v.error ?? 'failing')])),
      );
    } catch (e) {
      clear(pReady.body).append(errorBox(e, 'Serving is unreachable'));
    }
  }
  pFresh.body.append(loading());
  pReady.body.append(loading());
  await load();
  const timer = setInterval(load, 5000);
  return () => clearInterval(timer);
}
