// Live: last hour of per-minute stats and the newest blocks, kept current by the SSE stream
// (/api/v1/stream: `block` per new block, `stats` for the current minute) without reloads.
import { COLORS, mountChart, timeOptions } from '../charts.js';
import { badge, blockLink, clear, el, empty, errorBox, eth, gwei, int, loading, panel, short, table, time, toNumber, txLink, addrLink } from '../ui.js';

const HOUR = 3600;
const MAX_BLOCK_POINTS = 300;
const CLASSES = [
  ['contract_creation', 'Contract creation', COLORS.purple],
  ['native_transfer', 'Native transfer', COLORS.green],
  ['contract_call', 'Contract call', COLORS.blue],
];

export async function render(main, { api }) {
  const disposers = [];
  const streamState = badge('stream: connecting', 'warn');
  streamState.id = 'stream-state';
  main.append(el('div', { class: 'panel-head' }, el('h1', {}, 'Live chain'), streamState));

  const kpiBox = el('div', { class: 'kpis', role: 'group', 'aria-label': 'Current minute' });
  main.append(kpiBox);
  const grid = el('div', { class: 'grid' });
  main.append(grid);

  const pThroughput = panel('Transactions/s and blocks per minute (last hour)', { id: 'p-throughput', wide: true });
  const pGas = panel('Gas used and base fee per block', { id: 'p-gas' });
  const pFees = panel('Fees per minute', { id: 'p-fees' });
  const pMix = panel('Transaction mix (last hour)', { id: 'p-mix' });
  const pFailed = panel('Failed transactions per minute', { id: 'p-failed' });
  const pBlocks = panel('Latest blocks', { id: 'p-blocks' });
  const pTxs = panel('Latest transactions', { id: 'p-txs' });
  grid.append(pThroughput.section, pGas.section, pFees.section, pMix.section, pFailed.section, el('div', { class: 'pair' }, pBlocks.section, pTxs.section));

  // ---- charts ----
  const throughput = mountChart(
    pThroughput.body,
    'throughput',
    {
      data: {
        datasets: [
          { type: 'line', label: 'tx/s', data: [], borderColor: COLORS.blue, backgroundColor: COLORS.blue, pointRadius: 2, tension: 0.2, yAxisID: 'y' },
          { type: 'bar', label: 'blocks/min', data: [], backgroundColor: `${COLORS.orange}88`, yAxisID: 'y2', maxBarThickness: 12 },
        ],
      },
      options: timeOptions({ yTitle: 'tx/s', y2Title: 'blocks/min' }),
    },
    { label: 'Transactions per second and blocks per minute over the last hour', emptyText: 'No blocks in the last hour yet.' },
  );
  const blockOpts = timeOptions({ yTitle: 'gas used', y2Title: 'base fee (gwei)' });
  blockOpts.scales.x.ticks.callback = (v) => `#${v}`;
  blockOpts.plugins.tooltip.callbacks.title = (items) => (items[0] ? `block #${items[0].parsed.x}` : '');
  const gas = mountChart(
    pGas.body,
    'gas',
    {
      type: 'line',
      data: {
        datasets: [
          { label: 'gas used', data: [], borderColor: COLORS.teal, backgroundColor: COLORS.teal, pointRadius: 0, yAxisID: 'y' },
          { label: 'base fee (gwei)', data: [], borderColor: COLORS.red, backgroundColor: COLORS.red, pointRadius: 0, yAxisID: 'y2' },
        ],
      },
      options: blockOpts,
    },
    { label: 'Gas used and base fee per block', emptyText: 'Waiting for blocks…' },
  );
  const fees = mountChart(
    pFees.body,
    'fees',
    { type: 'bar', data: { datasets: [{ label: 'fees (ETH)', data: [], backgroundColor: COLORS.purple, maxBarThickness: 12 }] }, options: timeOptions({ yTitle: 'ETH' }) },
    { label: 'Transaction fees paid per minute in ETH', emptyText: 'No fees in the last hour yet.' },
  );
  const mix = mountChart(
    pMix.body,
    'mix',
    {
      type: 'doughnut',
      data: { labels: CLASSES.map((c) => c[1]), datasets: [{ label: 'transactions', data: [], backgroundColor: CLASSES.map((c) => c[2]) }] },
      options: { responsive: true, maintainAspectRatio: false, animation: false, plugins: { legend: { position: 'bottom' } } },
    },
    { label: 'Share of contract creations, native transfers and contract calls', emptyText: 'No transactions in the last hour yet.' },
  );
  const failed = mountChart(
    pFailed.body,
    'failed',
    { type: 'line', data: { datasets: [{ label: 'failed %', data: [], borderColor: COLORS.red, backgroundColor: COLORS.red, pointRadius: 2 }] }, options: timeOptions({ yTitle: '% of txs' }) },
    { label: 'Share of failed transactions per minute', emptyText: 'No transactions in the last hour yet.' },
  );
  disposers.push(() => [throughput, gas, fees, mix, failed].forEach((c) => c.destroy()));

  // ---- state ----
  /** minute ms → bucket */
  const buckets = new Map();
  let blocks = [];

  /** tx/s of a bucket: the current (partial) minute divides by the seconds elapsed so far. */
  const perSecond = (t, b) => b.txs / Math.min(60, Math.max(1, (Date.now() - t) / 1000));

  function redrawMinutes() {
    const cutoff = Date.now() - HOUR * 1000;
    for (const c of [throughput, fees, failed]) {
      if (!c.chart) continue;
      c.chart.options.scales.x.min = cutoff - (cutoff % 60_000);
      c.chart.options.scales.x.max = Date.now() - (Date.now() % 60_000) + 60_000;
    }
    for (const k of [...buckets.keys()]) if (k < cutoff - 60_000) buckets.delete(k);
    const sorted = [...buckets.entries()].sort((a, b) => a[0] - b[0]);
    const withBlocks = sorted.filter(([, b]) => b.blocks > 0 || b.txs > 0);
    if (throughput.chart) {
      throughput.chart.data.datasets[0].data = withBlocks.map(([t, b]) => ({ x: t, y: +perSecond(t, b).toFixed(3) }));
      throughput.chart.data.datasets[1].data = withBlocks.map(([t, b]) => ({ x: t, y: b.blocks }));
      throughput.update();
      fees.chart.data.datasets[0].data = withBlocks.map(([t, b]) => ({ x: t, y: toNumber(b.fees, 18) }));
      fees.update();
      failed.chart.data.datasets[0].data = withBlocks.filter(([, b]) => b.txs > 0).map(([t, b]) => ({ x: t, y: +((100 * b.failed) / b.txs).toFixed(2) }));
      failed.update();
      const sums = CLASSES.map(([k]) => withBlocks.reduce((s, [, b]) => s + (b.byClass?.[k] ?? 0), 0));
      mix.chart.data.datasets[0].data = sums.some((s) => s > 0) ? sums : [];
      mix.update();
    }
    const lastEntry = withBlocks[withBlocks.length - 1];
    const last = lastEntry?.[1];
    const hourTx = withBlocks.reduce((s, [, b]) => s + b.txs, 0);
    const hourFailed = withBlocks.reduce((s, [, b]) => s + b.failed, 0);
    clear(kpiBox).append(
      kpi('tx/s (latest minute)', lastEntry ? perSecond(lastEntry[0], lastEntry[1]).toFixed(2) : '—', 'kpi-tps'),
      kpi('blocks (latest minute)', last ? int(last.blocks) : '—', 'kpi-blocks'),
      kpi('txs (last hour)', int(hourTx), 'kpi-hour-txs'),
      kpi('failed (last hour)', hourTx ? `${((100 * hourFailed) / hourTx).toFixed(1)} %` : '—', 'kpi-failed'),
      kpi('fees (latest minute)', last ? eth(last.fees) : '—', 'kpi-fees'),
    );
  }
  const kpi = (label, value, id) => el('div', { class: 'kpi', id }, el('div', { class: 'label' }, label), el('div', { class: 'value' }, value));

  function addBlockPoint(b) {
    if (!gas.chart) return;
    const [used, base] = gas.chart.data.datasets;
    if (used.data.some((p) => p.x === b.number)) return;
    maxSeen = maxSeen === null ? b.number : Math.max(maxSeen, b.number);
    used.data.push({ x: b.number, y: toNumber(b.gasUsed) });
    base.data.push({ x: b.number, y: b.baseFeePerGas === null || b.baseFeePerGas === undefined ? null : toNumber(b.baseFeePerGas, 9) });
    for (const d of [used, base]) {
      d.data.sort((p, q) => p.x - q.x);
      if (d.data.length > MAX_BLOCK_POINTS) d.data.splice(0, d.data.length - MAX_BLOCK_POINTS);
    }
    gas.update();
  }

  // The table is rebuilt as blocks arrive, except while the pointer is over it, so a row
  // never moves away under a click.
  let hovering = false;
  let pending = false;
  pBlocks.body.addEventListener('mouseenter', () => (hovering = true));
  pBlocks.body.addEventListener('mouseleave', () => {
    hovering = false;
    if (pending) renderBlocks();
  });
  function renderBlocks() {
    if (hovering) {
      pending = true;
      return;
    }
    pending = false;
    clear(pBlocks.body);
    if (blocks.length === 0) return pBlocks.body.append(empty('No blocks ingested yet.'));
    pBlocks.body.append(
      table(
        [
          { key: 'number', label: 'Block', render: (b) => blockLink(b.number) },
          { key: 'timestamp', label: 'Time', render: (b) => time(b.timestamp) },
          { key: 'txCount', label: 'Txs', num: true, render: (b) => int(b.txCount) },
          { key: 'gasUsed', label: 'Gas used', num: true, render: (b) => int(b.gasUsed) },
          { key: 'baseFeePerGas', label: 'Base fee', num: true, render: (b) => (b.baseFeePerGas === null ? '—' : gwei(b.baseFeePerGas)) },
          { key: 'hash', label: 'Hash', render: (b) => el('span', { class: 'mono', title: b.hash }, short(b.hash, 4)) },
        ],
        blocks,
        { caption: 'Latest blocks', rowAttrs: (b) => ({ dataset: { block: String(b.number) } }), onRowClick: (b) => (location.hash = `#/block/${b.number}`) },
      ),
      el('p', { class: 'muted' }, 'Updates pause while the pointer is over this table.'),
    );
  }

  /** The stream sends blocks newer than the last one it sent; blocks the views wrote late are fetched here. */
  let maxSeen = null;
  async function fillGap(from, to) {
    try {
      const [s, latest] = await Promise.all([api.get('/blocks/series', { fromBlock: from, toBlock: to }), api.get('/blocks/latest', { limit: 15 })]);
      for (const b of s.items) addBlockPoint(b);
      const known = new Set(blocks.map((x) => x.number));
      blocks = [...blocks, ...latest.items.filter((x) => !known.has(x.number))].sort((x, y) => y.number - x.number).slice(0, 15);
      renderBlocks();
    } catch {
      /* the next block retries nothing; the chart keeps a gap */
    }
  }

  // The speed API lists blocks, not txs; the newest txs come from the lake via read-only SQL.
  async function loadTxs() {
    clear(pTxs.body).append(loading());
    try {
      const r = await api.post('/sql', {
        sql: 'SELECT hash, block_number, from_address, to_address, tx_class, status FROM canonical_transactions ORDER BY block_number DESC, transaction_index DESC LIMIT 12',
      });
      clear(pTxs.body);
      if (r.rows.length === 0) return pTxs.body.append(empty('No transactions in the lake yet (this list is read from the batch lake).'));
      pTxs.body.append(
        el('p', { class: 'muted' }, 'From the lake (compacted blocks); the newest blocks may not be there yet.'),
        table(
          [
            { key: 'hash', label: 'Tx', render: (t) => txLink(t.hash) },
            { key: 'block_number', label: 'Block', render: (t) => blockLink(t.block_number) },
            { key: 'from_address', label: 'From', render: (t) => addrLink(t.from_address) },
            { key: 'to_address', label: 'To', render: (t) => addrLink(t.to_address) },
            { key: 'tx_class', label: 'Class' },
            { key: 'status', label: 'Status', render: (t) => (Number(t.status) === 1 ? 'ok' : 'failed') },
          ],
          r.rows,
          { caption: 'Latest transactions', onRowClick: (t) => (location.hash = `#/tx/${t.hash}`) },
        ),
      );
    } catch (e) {
      clear(pTxs.body).append(empty(`Latest transactions are read from the lake, which is not available: ${e.message}`));
    }
  }

  // ---- initial load ----
  const nowS = Math.floor(Date.now() / 1000);
  const [statsR, latestR] = await Promise.allSettled([api.get('/stats', { granularity: 'minute', from: nowS - HOUR, to: nowS + 60 }), api.get('/blocks/latest', { limit: 15 })]);
  if (statsR.status === 'fulfilled') {
    for (const b of statsR.value.buckets) buckets.set(Date.parse(b.time), b);
  } else {
    pThroughput.body.prepend(errorBox(statsR.reason, 'Could not load the last hour'));
  }
  redrawMinutes();
  if (latestR.status === 'fulfilled') {
    blocks = latestR.value.items;
    renderBlocks();
    const newest = blocks[0]?.number;
    if (newest !== undefined) {
      try {
        const s = await api.get('/blocks/series', { fromBlock: Math.max(0, newest - 120), toBlock: newest });
        for (const b of s.items) addBlockPoint(b);
      } catch (e) {
        pGas.body.prepend(errorBox(e, 'Could not load block series'));
      }
    }
  } else {
    clear(pBlocks.body).append(errorBox(latestR.reason, 'Could not load the latest blocks'));
  }
  void loadTxs();

  // ---- live updates ----
  const close = api.stream({
    open() {
      streamState.textContent = 'stream: live';
      streamState.className = 'badge badge-ok';
    },
    error() {
      streamState.textContent = 'stream: reconnecting';
      streamState.className = 'badge badge-bad';
    },
    block(b) {
      streamState.textContent = 'stream: live';
      streamState.className = 'badge badge-ok';
      if (maxSeen !== null && b.number > maxSeen + 1) void fillGap(maxSeen + 1, b.number - 1);
      if (!blocks.some((x) => x.number === b.number)) {
        blocks = [b, ...blocks].sort((x, y) => y.number - x.number).slice(0, 15);
        renderBlocks();
      }
      addBlockPoint(b);
    },
    stats(m) {
      buckets.set(Date.parse(m.time), m);
      redrawMinutes();
    },
  });
  disposers.push(close);
  const txTimer = setInterval(loadTxs, 30_000);
  disposers.push(() => clearInterval(txTimer));

  return () => disposers.forEach((d) => d());
}
