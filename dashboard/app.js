// Dashboard shell: hash router (#/live, #/block/123, #/shop/cart …), the freshness badges
// in the header, and the notices for rate limiting and an unreachable API.
import { createApi } from './api.js';
import { ago, badge, clear, el, errorBox, int, loading } from './ui.js';

const api = createApi();
window.__api = api;

const pages = {
  live: () => import('./pages/live.js'),
  history: () => import('./pages/history.js'),
  explorer: () => import('./pages/explorer.js'),
  block: () => import('./pages/explorer.js'),
  tx: () => import('./pages/explorer.js'),
  address: () => import('./pages/explorer.js'),
  batch: () => import('./pages/batch.js'),
  sql: () => import('./pages/sql.js'),
  shop: () => import('./pages/shop.js'),
  ops: () => import('./pages/ops.js'),
};
const navOf = { block: 'explorer', tx: 'explorer', address: 'explorer' };

const main = document.getElementById('main');
let cleanup = null;
let generation = 0;

function parseHash() {
  const parts = location.hash.replace(/^#\/?/, '').split('/').filter(Boolean).map(decodeURIComponent);
  const [route = 'live', ...args] = parts;
  return { route: route in pages ? route : 'notfound', args };
}

async function navigate() {
  const { route, args } = parseHash();
  const gen = ++generation;
  if (cleanup) {
    try {
      cleanup();
    } catch {
      /* a page failing to clean up must not block navigation */
    }
    cleanup = null;
  }
  for (const a of document.querySelectorAll('#nav a')) {
    if (a.dataset.route === (navOf[route] ?? route)) a.setAttribute('aria-current', 'page');
    else a.removeAttribute('aria-current');
  }
  clear(main).append(loading());
  if (route === 'notfound') {
    clear(main).append(el('h1', {}, 'Page not found'), el('p', {}, 'No such page. ', el('a', { href: '#/live' }, 'Go to Live')));
    return;
  }
  try {
    const mod = await pages[route]();
    if (gen !== generation) return;
    // A fresh container per navigation: a page still loading from a previous route keeps
    // writing into its own (detached) container, never into the new page.
    const view = el('div', { class: 'view', dataset: { page: route } });
    clear(main).append(view);
    main.dataset.page = route;
    const result = await mod.render(view, { api, route, args });
    if (gen !== generation) {
      if (typeof result === 'function') result();
      return;
    }
    cleanup = typeof result === 'function' ? result : null;
    document.title = `${main.querySelector('h1')?.textContent ?? route} · chainlake`;
  } catch (e) {
    if (gen !== generation) return;
    clear(main).append(errorBox(e, 'This page failed to load'));
  }
}

// ---- notices ----
const notices = document.getElementById('notices');
let rateTimer = null;
api.onStatus((s) => {
  if (s.kind === 'rate_limited') {
    const id = 'notice-rate';
    document.getElementById(id)?.remove();
    const n = el('div', { class: 'notice', id, role: 'status' }, `Rate limited by the API (${s.message}). Retrying in ${s.retryAfter} s…`);
    notices.append(n);
    clearTimeout(rateTimer);
    rateTimer = setTimeout(() => n.remove(), Math.max(3, s.retryAfter + 2) * 1000);
  } else if (s.kind === 'down') {
    if (!document.getElementById('notice-down'))
      notices.append(el('div', { class: 'notice down', id: 'notice-down', role: 'alert' }, `API unavailable: ${s.message} Data on this page may be stale.`));
  } else if (s.kind === 'bad_key') {
    if (!document.getElementById('notice-key'))
      notices.append(
        el('div', { class: 'notice down', id: 'notice-key', role: 'alert' }, 'The API rejected the API key stored in this tab. ',
          el('button', { type: 'button', class: 'secondary', onclick: () => { api.credentials.setApiKey(''); document.getElementById('notice-key')?.remove(); navigate(); } }, 'Forget the key')),
      );
  } else if (s.kind === 'ok') {
    document.getElementById('notice-down')?.remove();
  }
});

// ---- freshness badges ----
const fresh = document.getElementById('freshness');
async function refreshFreshness() {
  try {
    const f = await api.get('/freshness');
    const lag = f.speed?.lagSeconds;
    const horizonAge = f.batch?.createdAt ? (Date.now() - f.batch.createdAt) / 1000 : null;
    clear(fresh).append(
      badge(`head ${f.chainHead === null ? '—' : int(f.chainHead)}`, f.chainHead === null ? 'warn' : 'ok', 'Newest block published by ingest'),
      badge(`speed lag ${lag === null || lag === undefined ? '—' : `${lag} s`}`, lag === null || lag === undefined ? 'warn' : lag <= 30 ? 'ok' : lag <= 300 ? 'warn' : 'bad', 'Seconds since the newest block in the speed views was produced'),
      badge(
        f.batch?.horizon === null || f.batch?.horizon === undefined ? 'batch: none yet' : `horizon #${int(f.batch.horizon)} · ${ago(horizonAge)} old`,
        f.batch?.horizon === null || f.batch?.horizon === undefined ? 'warn' : horizonAge !== null && horizonAge > 7200 ? 'warn' : 'ok',
        'Last block covered by the batch layer, and the age of that batch version',
      ),
    );
    fresh.dataset.loaded = 'true';
  } catch (e) {
    clear(fresh).append(badge('freshness unavailable', 'bad', String(e.message)));
  }
}
refreshFreshness();
setInterval(refreshFreshness, 5000);

window.addEventListener('hashchange', navigate);
if (!location.hash) history.replaceState(null, '', '#/live');
navigate();
