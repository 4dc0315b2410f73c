// SQL console over the lake (/api/v1/sql): one read-only SELECT, results table, CSV download.
import { clear, el, empty, errorBox, loading, panel, table } from '../ui.js';

const EXAMPLES = [
  ['Newest blocks', 'SELECT number, tx_count, gas_used, base_fee_per_gas\nFROM canonical_blocks\nORDER BY number DESC\nLIMIT 20'],
  ['Tx classes', 'SELECT tx_class, count(*) AS txs, sum(CASE WHEN status = 0 THEN 1 ELSE 0 END) AS failed\nFROM canonical_transactions\nGROUP BY tx_class\nORDER BY txs DESC'],
  ['Busiest senders', 'SELECT from_address, count(*) AS txs\nFROM canonical_transactions\nGROUP BY from_address\nORDER BY txs DESC\nLIMIT 10'],
  ['Token transfers per token', 'SELECT token_address, count(*) AS transfers\nFROM canonical_token_transfers\nGROUP BY 1\nORDER BY 2 DESC'],
  ['Constant check', "SELECT 42 AS answer, 'chainlake' AS name"],
];

export function toCsv(columns, rows) {
  const cell = (v) => {
    if (v === null || v === undefined) return '';
    const s = typeof v === 'object' ? JSON.stringify(v) : String(v);
    return /[",\n\r]/.test(s) ? `"${s.replaceAll('"', '""')}"` : s;
  };
  return [columns.map(cell).join(','), ...rows.map((r) => columns.map((c) => cell(r[c])).join(','))].join('\r\n') + '\r\n';
}

export async function render(main, { api }) {
  main.append(el('h1', {}, 'SQL console'));
  const editor = panel('Query', { id: 'p-sql-editor', wide: true });
  const results = panel('Results', { id: 'p-sql-results', wide: true });
  const views = panel('Views you can query', { id: 'p-sql-views' });
  main.append(el('div', { class: 'grid' }, editor.section, results.section, views.section));

  const textarea = el('textarea', { id: 'sql-input', class: 'sql', spellcheck: false, 'aria-label': 'SQL query' });
  textarea.value = sessionStorage.getItem('chainlake.sql') ?? EXAMPLES[0][1];
  const runBtn = el('button', { type: 'submit', id: 'sql-run' }, 'Run');
  const csvBtn = el('button', { type: 'button', class: 'secondary', id: 'sql-csv', disabled: true }, 'Download CSV');
  const meta = el('span', { class: 'muted', id: 'sql-meta', 'aria-live': 'polite' });
  const examples = el('div', { class: 'row', role: 'group', 'aria-label': 'Example queries' }, el('span', { class: 'muted' }, 'Examples:'), EXAMPLES.map(([label, sql]) => el('button', { type: 'button', class: 'secondary', onclick: () => (textarea.value = sql) }, label)));
  const form = el('form', {}, el('label', { for: 'sql-input', class: 'sr-only' }, 'SQL query'), textarea, el('div', { class: 'row' }, runBtn, csvBtn, meta), examples);
  editor.body.append(form);
  results.body.append(empty('Run a query to see its rows here.'));

  let last = null;
  csvBtn.addEventListener('click', () => {
    if (!last) return;
    const blob = new Blob([toCsv(last.columns.map((c) => c.name), last.rows)], { type: 'text/csv' });
    const a = el('a', { href: URL.createObjectURL(blob), download: `chainlake-query-${new Date().toISOString().replace(/[:.]/g, '-')}.csv` });
    document.body.append(a);
    a.click();
    setTimeout(() => (URL.revokeObjectURL(a.href), a.remove()), 1000);
  });

  async function run() {
    const sql = textarea.value.trim();
    if (!sql) return;
    sessionStorage.setItem('chainlake.sql', sql);
    runBtn.disabled = true;
    meta.textContent = '';
    clear(results.body).append(loading('Running'));
    try {
      const r = await api.post('/sql', { sql });
      last = r;
      csvBtn.disabled = r.rows.length === 0;
      meta.textContent = `${r.rowCount} rows · ${Math.round(r.elapsedMs)} ms`;
      clear(results.body).append(
        r.rows.length === 0
          ? empty('The query returned no rows.')
          : table(
              r.columns.map((c) => ({ key: c.name, label: `${c.name} (${c.type})`, render: (row) => (row[c.name] !== null && typeof row[c.name] === 'object' ? JSON.stringify(row[c.name]) : row[c.name]) })),
              r.rows,
              { caption: 'Query results' },
            ),
      );
    } catch (e) {
      last = null;
      csvBtn.disabled = true;
      clear(results.body).append(errorBox(e, 'Query failed'));
    } finally {
      runBtn.disabled = false;
    }
  }
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    void run();
  });
  textarea.addEventListener('keydown', (e) => {
    if (e.key === 'Enter' && (e.ctrlKey || e.metaKey)) {
      e.preventDefault();
      void run();
    }
  });

  views.body.append(loading());
  try {
    const v = await api.get('/sql/views');
    const list = Array.isArray(v.views) ? v.views : [];
    clear(views.body).append(list.length === 0 ? empty('No lake views yet (the lake is empty until compaction runs).') : el('ul', {}, list.map((x) => el('li', { class: 'mono' }, typeof x === 'string' ? x : (x.name ?? JSON.stringify(x))))));
  } catch (e) {
    clear(views.body).append(errorBox(e, 'Could not list views'));
  }
}
