// Small DOM helpers shared by the pages: element builder, tables, loading/empty/error
// states, and formatting of chain amounts (decimal strings, never JS numbers for money).
import { ApiError } from './api.js';

/** el('div', {class: 'x', onclick}, child, 'text', ...) */
export function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs ?? {})) {
    if (v === undefined || v === null || v === false) continue;
    if (k.startsWith('on') && typeof v === 'function') node.addEventListener(k.slice(2), v);
    else if (k === 'class') node.className = v;
    else if (k === 'dataset') Object.assign(node.dataset, v);
    else if (k in node && k !== 'list' && typeof v !== 'string') node[k] = v;
    else node.setAttribute(k, v === true ? '' : String(v));
  }
  for (const c of children.flat()) if (c !== null && c !== undefined && c !== false) node.append(c instanceof Node ? c : String(c));
  return node;
}

export const clear = (node) => {
  node.replaceChildren();
  return node;
};

export const loading = (what = 'Loading') => el('p', { class: 'state state-loading', role: 'status' }, `${what}…`);
export const empty = (message) => el('p', { class: 'state state-empty' }, message);

export function errorBox(err, what = 'Request failed') {
  const msg = err instanceof ApiError ? err.message : String(err?.message ?? err);
  const code = err instanceof ApiError ? err.code : 'error';
  return el('div', { class: 'state state-error', role: 'alert' }, el('strong', {}, `${what}: `), el('span', { class: 'error-message' }, msg), el('code', { class: 'error-code' }, code));
}

/** A card with a heading; body is the returned element to fill. */
export function panel(title, { id, wide = false, actions = [] } = {}) {
  const body = el('div', { class: 'panel-body' });
  const headingId = id ? `${id}-title` : undefined;
  const section = el(
    'section',
    { class: `panel${wide ? ' wide' : ''}`, id, 'aria-labelledby': headingId },
    el('header', { class: 'panel-head' }, el('h2', { id: headingId }, title), ...actions),
    body,
  );
  return { section, body };
}

/**
 * columns: [{key, label, render?(row) → Node|string, num?: boolean}]
 */
export function table(columns, rows, { caption, rowAttrs, onRowClick } = {}) {
  const t = el('table', { class: 'data' });
  if (caption) t.append(el('caption', { class: 'sr-only' }, caption));
  t.append(el('thead', {}, el('tr', {}, columns.map((c) => el('th', { scope: 'col', class: c.num ? 'num' : '' }, c.label)))));
  const tb = el('tbody');
  for (const r of rows) {
    const tr = el('tr', rowAttrs ? rowAttrs(r) : {});
    if (onRowClick) {
      tr.classList.add('clickable');
      tr.tabIndex = 0;
      tr.addEventListener('click', (e) => {
        if (e.target instanceof HTMLAnchorElement) return;
        onRowClick(r);
      });
      tr.addEventListener('keydown', (e) => {
        if (e.key === 'Enter') onRowClick(r);
      });
    }
    for (const c of columns) {
      const v = c.render ? c.render(r) : r[c.key];
      tr.append(el('td', { class: c.num ? 'num' : '' }, v === null || v === undefined ? '—' : v));
    }
    tb.append(tr);
  }
  t.append(tb);
  return el('div', { class: 'table-wrap' }, t);
}

export const short = (h, n = 6) => (typeof h === 'string' && h.length > 2 * n + 2 ? `${h.slice(0, n + 2)}…${h.slice(-n)}` : (h ?? '—'));
export const link = (href, text, title) => el('a', { href, title }, text);
export const blockLink = (n) => link(`#/block/${n}`, `#${n}`);
export const txLink = (h) => link(`#/tx/${h}`, short(h), h);
export const addrLink = (a) => (a ? link(`#/address/${a}`, short(a, 4), a) : '—');

/** Decimal string of wei → "1.2345 ETH"-style with `decimals` shift, exact (BigInt). */
export function formatUnits(value, decimals = 18, maxFraction = 6) {
  if (value === null || value === undefined || value === '') return '—';
  let v;
  try {
    v = BigInt(value);
  } catch {
    return String(value);
  }
  const neg = v < 0n;
  if (neg) v = -v;
  const base = 10n ** BigInt(decimals);
  const whole = v / base;
  let frac = (v % base).toString().padStart(decimals, '0').slice(0, maxFraction).replace(/0+$/, '');
  return `${neg ? '-' : ''}${whole.toLocaleString('en-US')}${frac ? `.${frac}` : ''}`;
}
export const eth = (wei) => `${formatUnits(wei, 18, 6)} ETH`;
export const gwei = (wei) => `${formatUnits(wei, 9, 3)} gwei`;
/** For charts only: a decimal string scaled down to a JS number (display precision). */
export const toNumber = (value, decimals = 0) => {
  if (value === null || value === undefined) return null;
  try {
    const v = BigInt(value);
    const base = 10n ** BigInt(decimals);
    return Number(v / base) + Number(v % base) / Number(base);
  } catch {
    return Number(value);
  }
};
export const int = (n) => (n === null || n === undefined ? '—' : Number(n).toLocaleString('en-US'));
export const time = (unixSeconds) => (unixSeconds ? new Date(unixSeconds * 1000).toLocaleTimeString('en-GB') : '—');
export const dateTime = (v) => {
  if (v === null || v === undefined || v === '') return '—';
  const d = typeof v === 'number' ? new Date(v < 1e12 ? v * 1000 : v) : new Date(v);
  return Number.isNaN(d.getTime()) ? String(v) : d.toLocaleString('en-GB');
};
export function ago(seconds) {
  if (seconds === null || seconds === undefined) return '—';
  if (seconds < 90) return `${Math.round(seconds)} s`;
  if (seconds < 5400) return `${Math.round(seconds / 60)} min`;
  if (seconds < 172800) return `${Math.round(seconds / 3600)} h`;
  return `${Math.round(seconds / 86400)} d`;
}

/** A labelled form field; returns {wrap, input, error} so pages can show inline messages. */
export function field(name, label, { type = 'text', value = '', required = false, placeholder, options, hint, attrs = {} } = {}) {
  const id = `f-${name}-${Math.random().toString(36).slice(2, 7)}`;
  const errId = `${id}-err`;
  let input;
  if (options) {
    input = el('select', { id, name, ...attrs }, options.map((o) => el('option', { value: o.value, selected: o.value === value }, o.label)));
  } else if (type === 'textarea') {
    input = el('textarea', { id, name, placeholder, ...attrs });
    input.value = value;
  } else {
    input = el('input', { id, name, type, required, placeholder, ...attrs });
    input.value = value;
  }
  input.setAttribute('aria-describedby', errId);
  const error = el('p', { class: 'field-error', id: errId, 'aria-live': 'polite', dataset: { field: name } });
  const wrap = el('div', { class: 'field' }, el('label', { for: id }, label), input, hint ? el('small', { class: 'hint' }, hint) : null, error);
  return { wrap, input, error };
}

export function badge(text, tone = 'neutral', title) {
  return el('span', { class: `badge badge-${tone}`, title }, text);
}
