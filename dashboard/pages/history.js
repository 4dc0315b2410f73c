// History: long ranges from the merged stats API (batch ≤ horizon, speed after) with the batch
// horizon drawn as a vertical marker, a granularity switch, top senders/contracts and token
// volume of a day (batch layer).
import { COLORS, mountChart, timeOptions } from '../charts.js';
import { addrLink, clear, el, empty, errorBox, eth, field, formatUnits, int, loading, panel, table, toNumber } from '../ui.js';

const RANGES = [
  { value: '21600', label: 'last 6 hours' },
  { value: '86400', label: 'last 24 hours' },
  { value: '604800', label: 'last 7 days' },
  { value: '2592000', label: 'last 30 days' },
];
const GRANULARITY = [
  { value: 'minute', label: 'per minute' },
  { value: 'hour', label: 'per hour' },
  { value: 'day', label: 'per day' },
];
const MAX_BUCKETS = 10_080;
const SECONDS = { minute: 60, hour: 3600, day: 86400 };

export async function render(main, { api }) {
  main.append(el('h1', {}, 'History'));
  const range = field('range', 'Range', { options: RANGES, value: '86400' });
  const gran = field('granularity', 'Granularity', { options: GRANULARITY, value: 'hour' });
  const day = field('day', 'Day (UTC) for rankings', { type: 'date', value: new Date().toISOString().slice(0, 10) });
  const status = el('p', { class: 'muted', id: 'history-status', 'aria-live': 'polite' });
  main.append(el('form', { class: 'row panel', onsubmit: (e) => e.preventDefault() }, range.wrap, gran.wrap, day.wrap, status));

  const pTx = panel('Transactions per bucket (merged batch + speed)', { id: 'p-history-txs', wide: true });
  const pGas = panel('Gas used and fees per bucket', { id: 'p-history-gas', wide: true });
  const pSenders = panel('Top senders', { id: 'p-top-senders' });
  const pContracts = panel('Top contracts', { id: 'p-top-contracts' });
  const pTokens = panel('Token volume', { id: 'p-token-volume', wide: true });
  main.append(el('div', { class: 'grid' }, pTx.section, pGas.section, pSenders.section, pContracts.section, pTokens.section));
  const errTx = el('div');
  pTx.body.append(errTx);

  const txChart = mountChart(
    pTx.body,
    'history',
    {
      type: 'bar',
      data: {
        datasets: [
          { label: 'contract calls', data: [], backgroundColor: COLORS.blue, stack: 'tx', maxBarThickness: 24 },
          { label: 'native transfers', data: [], backgroundColor: COLORS.green, stack: 'tx', maxBarThickness: 24 },
          { label: 'contract creations', data: [], backgroundColor: COLORS.purple, stack: 'tx', maxBarThickness: 24 },
          { label: 'failed', data: [], type: 'line', borderColor: COLORS.red, backgroundColor: COLORS.red, pointRadius: 0 },
        ],
      },
      options: { ...timeOptions({ yTitle: 'transactions', stacked: true }), plugins: { ...timeOptions().plugins, horizonMarker: { value: null } } },
    },
    { label: 'Transactions per bucket by class, with the batch horizon marked', emptyText: 'No data in this range.' },
  );
  const gasChart = mountChart(
    pGas.body,
    'history-gas',
    {
      type: 'line',
      data: {
        datasets: [
          { label: 'gas used', data: [], borderColor: COLORS.teal, backgroundColor: COLORS.teal, pointRadius: 0, yAxisID: 'y' },
          { label: 'fees (ETH)', data: [], borderColor: COLORS.orange, backgroundColor: COLORS.orange, pointRadius: 0, yAxisID: 'y2' },
        ],
      },
      options: { ...timeOptions({ yTitle: 'gas', y2Title: 'ETH' }), plugins: { ...timeOptions().plugins, horizonMarker: { value: null } } },
    },
    { label: 'Gas used and fees per bucket, with the batch horizon marked', emptyText: 'No data in this range.' },
  );

  let seq = 0;
  async function loadStats() {
    const mine = ++seq;
    let g = gran.input.value;
    const span = Number(range.input.value);
    // Keep within the API's bucket cap by coarsening automatically.
    while (span / SECONDS[g] > MAX_BUCKETS && g !== 'day') g = g === 'minute' ? 'hour' : 'day';
    if (g !== gran.input.value) gran.input.value = g;
    status.textContent = 'Loading…';
    clear(errTx);
    const to = Math.floor(Date.now() / 1000);
    try {
      const s = await api.get('/stats', { from: to - span, to, granularity: g });
      if (mine !== seq) return;
      const pts = s.buckets.map((b) => ({ x: Date.parse(b.time), b }));
      const nonEmpty = pts.some((p) => p.b.blocks > 0);
      const series = (f) => (nonEmpty ? pts.map((p) => ({ x: p.x, y: f(p.b) })) : []);
      if (txChart.chart) {
        const ds = txChart.chart.data.datasets;
        ds[0].data = series((b) => b.byClass.contract_call);
        ds[1].data = series((b) => b.byClass.native_transfer);
        ds[2].data = series((b) => b.byClass.contract_creation);
        ds[3].data = series((b) => b.failed);
        const gds = gasChart.chart.data.datasets;
        gds[0].data = series((b) => toNumber(b.gasUsed));
        gds[1].data = series((b) => toNumber(b.fees, 18));
        const tickRange = g === 'day' || span > 172800 ? 'day' : 'minute';
        for (const c of [txChart, gasChart]) c.chart.options.scales.x.ticks.callback = (v) => (tickRange === 'day' ? new Date(v).toISOString().slice(5, 10) : new Date(v).toLocaleTimeString('en-GB', { hour: '2-digit', minute: '2-digit' }));
        const marker = await horizonMarkerValue(api, s);
        if (mine !== seq) return;
        for (const c of [txChart, gasChart]) {
          c.chart.options.scales.x.min = s.from * 1000;
          c.chart.options.scales.x.max = s.to * 1000;
        }
        for (const c of [txChart, gasChart]) c.chart.options.plugins.horizonMarker = { value: marker, label: s.horizon === null ? '' : `batch horizon #${s.horizon}` };
        txChart.update();
        gasChart.update();
      }
      status.textContent = `${int(s.total.txs)} txs in ${int(s.total.blocks)} blocks · fees ${eth(s.total.fees)} · ${
        s.horizon === null ? 'no batch version yet (speed layer only)' : `batch horizon #${int(s.horizon)} (version ${s.batchVersion})`
      }`;
    } catch (e) {
      if (mine !== seq) return;
      status.textContent = '';
      errTx.append(errorBox(e, 'Could not load stats'));
    }
  }

  async function loadRankings() {
    const d = day.input.value;
    const show = async (p, path, columns, what) => {
      clear(p.body).append(loading());
      try {
        const r = await api.get(path, { day: d, limit: 10 });
        clear(p.body).append(r.items.length === 0 ? empty(`No ${what} for ${d} (rankings come from the batch layer).`) : table(columns, r.items));
      } catch (e) {
        clear(p.body).append(errorBox(e, `Could not load ${what}`));
      }
    };
    await Promise.all([
      show(pSenders, '/top/senders', [
        { key: 'rank', label: '#', num: true },
        { key: 'address', label: 'Sender', render: (r) => addrLink(r.address) },
        { key: 'txs', label: 'Txs', num: true, render: (r) => int(r.txs) },
        { key: 'fees', label: 'Fees', num: true, render: (r) => eth(r.fees) },
      ], 'top senders'),
      show(pContracts, '/top/contracts', [
        { key: 'rank', label: '#', num: true },
        { key: 'address', label: 'Contract', render: (r) => addrLink(r.address) },
        { key: 'calls', label: 'Calls', num: true, render: (r) => int(r.calls) },
        { key: 'callers', label: 'Callers', num: true, render: (r) => int(r.callers) },
        { key: 'gasUsed', label: 'Gas', num: true, render: (r) => int(r.gasUsed) },
      ], 'top contracts'),
      show(pTokens, '/tokens/volume', [
        { key: 'token', label: 'Token', render: (r) => addrLink(r.token) },
        { key: 'transfers', label: 'Transfers', num: true, render: (r) => int(r.transfers) },
        { key: 'amount', label: 'Amount (18 dp)', num: true, render: (r) => formatUnits(r.amount, 18, 2) },
        { key: 'senders', label: 'Senders', num: true },
        { key: 'receivers', label: 'Receivers', num: true },
      ], 'token volume'),
    ]);
  }

  range.input.addEventListener('change', loadStats);
  gran.input.addEventListener('change', loadStats);
  day.input.addEventListener('change', loadRankings);
  await Promise.all([loadStats(), loadRankings()]);
  const timer = setInterval(loadStats, 60_000);
  return () => {
    clearInterval(timer);
    txChart.destroy();
    gasChart.destroy();
  };
}

/** x (unix ms) of the horizon block; falls back to the end of the last batch-sourced bucket. */
async function horizonMarkerValue(api, s) {
  if (s.horizon === null) return null;
  try {
    const b = await api.get(`/blocks/${s.horizon}`);
    return b.timestamp * 1000;
  } catch {
    const lastBatch = [...s.buckets].reverse().find((b) => b.source === 'batch' || b.source === 'merged');
    return lastBatch ? Date.parse(lastBatch.time) : null;
  }
}
