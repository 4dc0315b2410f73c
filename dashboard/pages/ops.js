// Ops: freshness of each layer, process readiness, today's RPC usage per endpoint label and
// Kafka consumer lag (GET /ops), and where the detailed Prometheus metrics live.
import { ago, clear, dateTime, el, empty, errorBox, int, loading, panel, table } from '../ui.js';

export async function render(main, { api }) {
  main.append(el('h1', {}, 'Operations'));
  const pFresh = panel('Freshness', { id: 'p-ops-freshness' });
  const pReady = panel('Serving readiness', { id: 'p-ops-ready' });
  const pRpc = panel('RPC endpoints today (UTC)', { id: 'p-ops-rpc', wide: true });
  const pLag = panel('Kafka consumer lag', { id: 'p-ops-lag', wide: true });
  const pMetrics = panel('Detailed metrics', { id: 'p-ops-metrics', wide: true });
  main.append(el('div', { class: 'grid' }, pFresh.section, pReady.section, pRpc.section, pLag.section, pMetrics.section));
  pMetrics.body.append(
    el('p', {}, 'Failovers, latency and per-partition views lag are Prometheus metrics on each process.'),
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
      const o = await api.get('/ops');
      clear(pRpc.body).append(
        o.rpc.length === 0
          ? empty('No RPC usage recorded today. Ingest writes it per endpoint label while it runs.')
          : table(
              [
                { key: 'endpoint', label: 'Endpoint' },
                { key: 'requests', label: 'Requests', num: true, render: (x) => (x.dailyQuota ? `${int(x.requests)} / ${int(x.dailyQuota)}` : int(x.requests)) },
                { key: 'errors', label: 'Errors', num: true, render: (x) => el('span', { class: x.errors > 0 ? 'error-message' : '' }, int(x.errors)) },
                { key: 'rateLimited', label: '429s', num: true, render: (x) => el('span', { class: x.rateLimited > 0 ? 'error-message' : '' }, int(x.rateLimited)) },
                { key: 'lastUsed', label: 'Last used', render: (x) => dateTime(x.lastUsed) },
                {
                  key: 'coolingDown',
                  label: 'Cooling down',
                  render: (x) => (x.coolingDown ? el('span', { class: 'error-message' }, `until ${dateTime(x.coolingUntil)}`) : 'no'),
                },
              ],
              o.rpc,
              { caption: 'RPC usage per endpoint label' },
            ),
      );
      clear(pLag.body).append(
        o.consumers.length === 0
          ? empty('The block topic does not exist yet, so there is no consumer lag to show.')
          : table(
              [
                { key: 'group', label: 'Group' },
                { key: 'partition', label: 'Partition', num: true },
                { key: 'committedOffset', label: 'Committed', num: true, render: (x) => (x.committedOffset < 0 ? 'none' : int(x.committedOffset)) },
                { key: 'endOffset', label: 'End', num: true, render: (x) => int(x.endOffset) },
                { key: 'lag', label: 'Lag', num: true, render: (x) => int(x.lag) },
              ],
              o.consumers,
              { caption: 'Kafka consumer lag per group and partition' },
            ),
        el('p', { class: 'state' }, 'The compactor resumes from lake file names, so its committed offsets may trail what it has written: its lag here is an upper bound.'),
      );
    } catch (e) {
      clear(pRpc.body).append(errorBox(e, 'Could not load RPC usage'));
      clear(pLag.body).append(errorBox(e, 'Could not load consumer lag'));
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
  pRpc.body.append(loading());
  pLag.body.append(loading());
  await load();
  const timer = setInterval(load, 5000);
  return () => clearInterval(timer);
}
