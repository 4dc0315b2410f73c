// Batch: run history, the current version + horizon, and "Trigger recompute" (admin API key,
// kept in sessionStorage and sent as x-api-key).
import { ApiError } from '../api.js';
import { clear, dateTime, el, empty, errorBox, field, int, loading, panel, table } from '../ui.js';

export async function render(main, { api }) {
  main.append(el('h1', {}, 'Batch layer'));
  const pVersion = panel('Current version', { id: 'p-batch-version' });
  const pTrigger = panel('Recompute', { id: 'p-batch-trigger' });
  const pRuns = panel('Run history', { id: 'p-batch-runs', wide: true, actions: [el('button', { class: 'secondary', onclick: () => loadRuns() }, 'Refresh')] });
  main.append(el('div', { class: 'grid' }, pVersion.section, pTrigger.section, pRuns.section));

  // ---- trigger ----
  const key = field('apiKey', 'Admin API key', { type: 'password', value: api.credentials.apiKey(), hint: 'Kept in this tab only (sessionStorage), sent as x-api-key.', attrs: { autocomplete: 'off' } });
  const result = el('div', { id: 'recompute-result', 'aria-live': 'polite' });
  const button = el('button', { type: 'submit' }, 'Trigger recompute');
  const form = el('form', {}, key.wrap, el('div', { class: 'row' }, button, el('button', { type: 'button', class: 'secondary', onclick: () => ((key.input.value = ''), api.credentials.setApiKey('')) }, 'Forget key')), result);
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    clear(result);
    if (!key.input.value.trim()) {
      key.error.textContent = 'An admin API key is required to trigger a recompute.';
      return;
    }
    key.error.textContent = '';
    const candidate = key.input.value.trim();
    button.disabled = true;
    try {
      // Sent explicitly; kept for the tab only once the API accepted it.
      const r = await api.post('/batch/recompute', {}, { headers: { 'x-api-key': candidate } });
      api.credentials.setApiKey(candidate);
      result.append(el('p', { class: 'ok-text', role: 'status' }, `Recompute requested (request ${r.request?.id ?? '?'}). The scheduler picks it up on its next tick.`));
      void loadRuns();
    } catch (err) {
      const hint = err instanceof ApiError && (err.status === 401 || err.status === 403) ? 'Check the admin key' : 'Could not request a recompute';
      result.append(errorBox(err, hint));
    } finally {
      button.disabled = false;
    }
  });
  pTrigger.body.append(form);

  async function loadVersion() {
    clear(pVersion.body).append(loading());
    try {
      const f = await api.get('/freshness');
      const pairs = [
        ['Version', f.batch.version ?? 'none yet'],
        ['Horizon', f.batch.horizon === null ? '—' : el('a', { href: `#/block/${f.batch.horizon}` }, `#${int(f.batch.horizon)}`)],
        ['Created', dateTime(f.batch.createdAt)],
        ['Blocks behind head', f.batch.lagBlocks === null ? '—' : int(f.batch.lagBlocks)],
      ];
      clear(pVersion.body).append(el('dl', { class: 'kv', id: 'batch-version' }, pairs.flatMap(([k, v]) => [el('dt', {}, k), el('dd', {}, v)])));
    } catch (e) {
      clear(pVersion.body).append(errorBox(e, 'Could not load the batch version'));
    }
  }

  async function loadRuns() {
    clear(pRuns.body).append(loading());
    try {
      const r = await api.get('/batch/runs', { limit: 50 });
      const dur = (x) => {
        if (!x.finished) return x.status === 'running' ? 'running' : '—';
        const ms = Date.parse(x.finished) - Date.parse(x.started);
        return Number.isFinite(ms) ? `${(ms / 1000).toFixed(1)} s` : '—';
      };
      clear(pRuns.body).append(
        r.items.length === 0
          ? empty('No batch runs yet. Compaction and recompute runs appear here.')
          : table(
              [
                { key: 'started', label: 'Started', render: (x) => dateTime(x.started) },
                { key: 'kind', label: 'Kind' },
                { key: 'trigger', label: 'Trigger' },
                { key: 'status', label: 'Status', render: (x) => el('span', { class: x.status === 'failed' ? 'error-message' : x.status === 'succeeded' ? 'ok-text' : '' }, x.status) },
                { key: 'duration', label: 'Duration', num: true, render: dur },
                { key: 'rowsIn', label: 'Rows in', num: true, render: (x) => int(x.rowsIn) },
                { key: 'rowsOut', label: 'Rows out', num: true, render: (x) => int(x.rowsOut) },
                { key: 'horizon', label: 'Horizon', num: true, render: (x) => (x.horizon === null ? '—' : `#${int(x.horizon)}`) },
                { key: 'version', label: 'Version' },
                { key: 'error', label: 'Error', render: (x) => (x.error ? el('span', { class: 'error-message', title: x.error }, x.error.slice(0, 80)) : '') },
              ],
              r.items,
            ),
      );
    } catch (e) {
      clear(pRuns.body).append(errorBox(e, 'Could not load batch runs'));
    }
  }

  await Promise.all([loadVersion(), loadRuns()]);
  const timer = setInterval(() => void loadVersion(), 15_000);
  return () => clearInterval(timer);
}
