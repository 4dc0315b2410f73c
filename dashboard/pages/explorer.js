// Explorer: search, block page, transaction page (decoded method + args, token transfers)
// and address history (cursor paging through speed views, then the lake).
import { ApiError } from '../api.js';
import { addrLink, blockLink, clear, dateTime, el, empty, errorBox, eth, field, formatUnits, gwei, int, loading, panel, short, table, txLink } from '../ui.js';

/** A receipt's status: 1 ok, 0 failed, null unknown (receipts before Byzantium carry no status). */
const statusText = (status) => (status === null || status === undefined ? 'unknown' : Number(status) === 1 ? 'ok' : 'failed');

export async function render(main, { api, route, args }) {
  if (route === 'block') return blockPage(main, api, args[0] ?? '');
  if (route === 'tx') return txPage(main, api, args[0] ?? '');
  if (route === 'address') return addressPage(main, api, args[0] ?? '');
  return searchPage(main, api);
}

function searchBox() {
  const f = field('q', 'Block number, block or transaction hash, or address', { placeholder: '123 · 0x…', attrs: { autocomplete: 'off', spellcheck: false } });
  const err = el('p', { class: 'field-error', role: 'alert' });
  const form = el('form', { class: 'row', role: 'search' }, f.wrap, el('button', { type: 'submit' }, 'Search'), err);
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    const q = f.input.value.trim().toLowerCase();
    err.textContent = '';
    if (/^\d+$/.test(q)) location.hash = `#/block/${q}`;
    else if (/^0x[0-9a-f]{40}$/.test(q)) location.hash = `#/address/${q}`;
    else if (/^0x[0-9a-f]{64}$/.test(q)) location.hash = `#/tx/${q}?or-block`;
    else err.textContent = 'Enter a block number, a 32-byte hash (0x + 64 hex) or an address (0x + 40 hex).';
  });
  return form;
}

async function searchPage(main, api) {
  main.append(el('h1', {}, 'Explorer'));
  const p = panel('Search');
  p.body.append(searchBox());
  const recent = panel('Recent blocks');
  main.append(el('div', { class: 'grid' }, p.section, recent.section));
  recent.body.append(loading());
  try {
    const r = await api.get('/blocks/latest', { limit: 10 });
    clear(recent.body).append(
      r.items.length === 0
        ? empty('No blocks yet.')
        : table(
            [
              { key: 'number', label: 'Block', render: (b) => blockLink(b.number) },
              { key: 'txCount', label: 'Txs', num: true },
              { key: 'timestamp', label: 'Time', render: (b) => dateTime(b.timestamp) },
            ],
            r.items,
            { onRowClick: (b) => (location.hash = `#/block/${b.number}`), rowAttrs: (b) => ({ dataset: { block: String(b.number) } }) },
          ),
    );
  } catch (e) {
    clear(recent.body).append(errorBox(e, 'Could not load blocks'));
  }
}

const kv = (pairs) => el('dl', { class: 'kv' }, pairs.flatMap(([k, v]) => [el('dt', {}, k), el('dd', {}, v === null || v === undefined ? '—' : v)]));

async function blockPage(main, api, id) {
  const h1 = el('h1', {}, `Block ${/^\d+$/.test(id) ? `#${id}` : short(id)}`);
  main.append(h1, searchBox());
  const body = el('div', { class: 'grid' });
  main.append(body);
  body.append(loading('Loading block'));
  let b;
  try {
    b = await api.get(`/blocks/${encodeURIComponent(id)}`);
  } catch (e) {
    clear(body).append(errorBox(e, e instanceof ApiError && e.status === 404 ? 'Block not found' : 'Could not load the block'));
    return;
  }
  h1.textContent = `Block #${b.number}`;
  const p = panel('Header', { id: 'block-header' });
  p.body.append(
    kv([
      ['Number', el('span', { id: 'block-number' }, String(b.number))],
      ['Hash', el('span', { class: 'mono' }, b.hash)],
      ['Parent', el('a', { href: `#/block/${b.number - 1}`, class: 'mono' }, b.parentHash)],
      ['Time', dateTime(b.timestamp)],
      ['Transactions', int(b.txCount)],
      ['Gas used / limit', `${int(b.gasUsed)} / ${int(b.gasLimit)}`],
      ['Base fee', b.baseFeePerGas === null ? '—' : gwei(b.baseFeePerGas)],
      ['Miner', addrLink(b.miner)],
    ]),
    el('p', {}, el('a', { href: `#/block/${b.number - 1}` }, '← previous'), ' · ', el('a', { href: `#/block/${b.number + 1}` }, 'next →')),
  );
  const txs = panel('Transactions', { id: 'block-txs' });
  clear(body).append(p.section, txs.section);
  txs.body.append(loading());
  // The chain API has no per-block tx list; the lake has one for compacted blocks.
  try {
    const r = await api.post('/sql', {
      sql: `SELECT hash, transaction_index, from_address, to_address, tx_class, method, status FROM canonical_transactions WHERE block_number = ${Number(b.number)} ORDER BY transaction_index LIMIT 500`,
    });
    clear(txs.body).append(
      r.rows.length === 0
        ? empty(b.txCount > 0 ? `This block has ${b.txCount} transactions; they are listed once the block is compacted into the lake.` : 'No transactions in this block.')
        : table(
            [
              { key: 'transaction_index', label: '#', num: true },
              { key: 'hash', label: 'Tx', render: (t) => txLink(t.hash) },
              { key: 'from_address', label: 'From', render: (t) => addrLink(t.from_address) },
              { key: 'to_address', label: 'To', render: (t) => addrLink(t.to_address) },
              { key: 'tx_class', label: 'Class' },
              { key: 'method', label: 'Method' },
              { key: 'status', label: 'Status', render: (t) => statusText(t.status) },
            ],
            r.rows,
            { onRowClick: (t) => (location.hash = `#/tx/${t.hash}`) },
          ),
    );
  } catch (e) {
    clear(txs.body).append(empty(`This block has ${b.txCount} transactions; the per-block list needs the lake (SQL endpoint): ${e.message}`));
  }
}

async function txPage(main, api, hashArg) {
  const [hash, flag] = hashArg.split('?');
  main.append(el('h1', {}, 'Transaction'), searchBox());
  const body = el('div', { class: 'grid' });
  main.append(body);
  body.append(loading('Loading transaction'));
  let t;
  try {
    t = await api.get(`/txs/${encodeURIComponent(hash)}`);
  } catch (e) {
    // A 32-byte hash from the search box may be a block hash.
    if (flag === 'or-block' && e instanceof ApiError && e.status === 404) {
      location.replace(`#/block/${hash}`);
      return;
    }
    clear(body).append(errorBox(e, e instanceof ApiError && e.status === 404 ? 'Transaction not found' : 'Could not load the transaction'));
    return;
  }
  const p = panel('Overview', { id: 'tx-overview' });
  p.body.append(
    kv([
      ['Hash', el('span', { class: 'mono' }, t.hash)],
      ['Status', t.status === null || t.status === undefined ? el('span', {}, 'unknown (pre-Byzantium receipt)') : t.status === 1 ? el('span', { class: 'ok-text' }, 'success') : el('strong', { class: 'error-message' }, 'failed')],
      ['Block', blockLink(t.blockNumber)],
      ['Time', dateTime(t.timestamp)],
      ['From', addrLink(t.from)],
      ['To', t.to ? addrLink(t.to) : t.contractAddress ? el('span', {}, 'new contract ', addrLink(t.contractAddress)) : '—'],
      ['Class', t.txClass],
      ['Value', eth(t.value)],
      ['Fee', eth(t.fee)],
      ['Gas used / limit', `${int(t.gasUsed)} / ${int(t.gas)}`],
      ['Effective gas price', gwei(t.effectiveGasPrice)],
      ['Nonce · type', `${t.nonce} · ${t.type}`],
    ]),
  );
  const d = panel('Decoded call', { id: 'tx-decoded' });
  if (t.txClass !== 'contract_call') d.body.append(empty(t.txClass === 'contract_creation' ? 'Contract creation: no method to decode.' : 'Native transfer: no calldata.'));
  else
    d.body.append(
      kv([
        ['Method', t.method ? el('code', {}, t.method) : el('span', { class: 'muted' }, 'unknown ABI')],
        ['Selector', t.selector ? el('code', {}, t.selector) : '—'],
        ['Calldata size', `${int(t.inputSize)} bytes`],
      ]),
      t.args && Object.keys(t.args).length > 0
        ? table(
            [
              { key: 'name', label: 'Argument' },
              { key: 'value', label: 'Value', render: (a) => (/^0x[0-9a-f]{40}$/i.test(a.value) ? addrLink(a.value.toLowerCase()) : el('span', { class: 'mono' }, a.value)) },
            ],
            Object.entries(t.args).map(([name, value]) => ({ name, value: String(value) })),
          )
        : empty('No decoded arguments.'),
    );
  const tr = panel('Token transfers', { id: 'tx-transfers', wide: true });
  clear(body).append(p.section, d.section, tr.section);
  if (t.logCount === 0 || !t.to) {
    tr.body.append(empty('This transaction emitted no token transfers.'));
    return;
  }
  tr.body.append(loading());
  try {
    // Transfers are indexed by token and by address; the called contract is the usual token.
    const r = await api.get('/token-transfers', { token: t.to, limit: 500 });
    const mine = r.items.filter((x) => x.txHash === t.hash);
    clear(tr.body).append(
      mine.length === 0
        ? empty(`No ERC-20 transfers of ${short(t.to)} in this transaction (${t.logCount} logs).`)
        : table(
            [
              { key: 'logIndex', label: 'Log', num: true },
              { key: 'token', label: 'Token', render: (x) => addrLink(x.token) },
              { key: 'from', label: 'From', render: (x) => addrLink(x.from) },
              { key: 'to', label: 'To', render: (x) => addrLink(x.to) },
              { key: 'amount', label: 'Amount (18 dp)', num: true, render: (x) => formatUnits(x.amount, 18, 4) },
            ],
            mine,
          ),
    );
  } catch (e) {
    clear(tr.body).append(errorBox(e, 'Could not load token transfers'));
  }
}

async function addressPage(main, api, address) {
  main.append(el('h1', {}, 'Address'), el('p', { class: 'mono' }, address), searchBox());
  const hist = panel('Transactions (newest first)', { id: 'address-history', wide: true });
  const transfers = panel('ERC-20 transfers', { id: 'address-transfers', wide: true });
  main.append(el('div', { class: 'grid' }, hist.section, transfers.section));

  const cursors = ['']; // cursors[i] = cursor of page i
  let page = 0;
  async function load() {
    clear(hist.body).append(loading());
    try {
      const r = await api.get(`/addresses/${encodeURIComponent(address)}/txs`, { limit: 25, cursor: cursors[page] || undefined });
      cursors[page + 1] = r.nextCursor ?? '';
      const prev = el('button', { class: 'secondary', disabled: page === 0, onclick: () => ((page -= 1), load()) }, '← Newer');
      const next = el('button', { class: 'secondary', disabled: !r.nextCursor, onclick: () => ((page += 1), load()) }, 'Older →');
      clear(hist.body).append(
        r.items.length === 0
          ? empty(page === 0 ? 'No transactions for this address.' : 'No more transactions.')
          : table(
              [
                { key: 'blockNumber', label: 'Block', render: (x) => blockLink(x.blockNumber) },
                { key: 'txHash', label: 'Tx', render: (x) => txLink(x.txHash) },
                { key: 'side', label: 'Side' },
                { key: 'counterparty', label: 'Counterparty', render: (x) => addrLink(x.counterparty) },
                { key: 'txClass', label: 'Class' },
                { key: 'method', label: 'Method' },
                { key: 'value', label: 'Value', num: true, render: (x) => eth(x.value) },
                { key: 'status', label: 'Status', render: (x) => statusText(x.status) },
              ],
              r.items,
              { onRowClick: (x) => (location.hash = `#/tx/${x.txHash}`) },
            ),
        el('div', { class: 'row' }, prev, el('span', { class: 'muted' }, `page ${page + 1}${r.sources?.length ? ` · from ${r.sources.join(' + ')}` : ''}`), next),
      );
    } catch (e) {
      clear(hist.body).append(errorBox(e, 'Could not load the history'));
    }
  }
  async function loadTransfers() {
    transfers.body.append(loading());
    try {
      const r = await api.get('/token-transfers', { address, limit: 25 });
      clear(transfers.body).append(
        r.items.length === 0
          ? empty('No token transfers for this address.')
          : table(
              [
                { key: 'blockNumber', label: 'Block', render: (x) => blockLink(x.blockNumber) },
                { key: 'txHash', label: 'Tx', render: (x) => txLink(x.txHash) },
                { key: 'token', label: 'Token', render: (x) => addrLink(x.token) },
                { key: 'side', label: 'Side' },
                { key: 'amount', label: 'Amount (18 dp)', num: true, render: (x) => formatUnits(x.amount, 18, 4) },
              ],
              r.items,
            ),
      );
    } catch (e) {
      clear(transfers.body).append(errorBox(e, 'Could not load token transfers'));
    }
  }
  await Promise.all([load(), loadTransfers()]);
}
