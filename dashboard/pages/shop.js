// Shop: products (list, create, edit, delete; API validation messages shown inline), the
// books catalogue (search, filters, book page with recommendations), the cart, accounts and
// the books job runs (scrape, recommend).
// Product writes need an admin shop session; the cart needs any session.
import { ApiError, fieldErrors } from '../api.js';
import { clear, dateTime, el, empty, errorBox, field, int, loading, panel, table } from '../ui.js';

const TABS = [
  ['products', 'Products'],
  ['books', 'Books'],
  ['cart', 'Cart'],
  ['account', 'Account'],
  ['jobs', 'Jobs'],
];

export async function render(main, { api, args }) {
  const [sub = 'books', id] = args;
  const active = sub === 'book' ? 'books' : sub;
  main.append(
    el('h1', {}, 'Shop'),
    el('nav', { class: 'tabs', 'aria-label': 'Shop' }, TABS.map(([k, label]) => el('a', { href: `#/shop/${k}`, 'aria-current': k === active ? 'page' : undefined }, label))),
  );
  const user = await currentUser(api);
  main.append(el('p', { class: 'muted', id: 'shop-user' }, user ? `Signed in as ${user.email} (${user.role}).` : 'Not signed in.', ' ', user ? null : el('a', { href: '#/shop/account' }, 'Log in or register')));
  if (sub === 'products') return productsPage(main, api, user);
  if (sub === 'book') return bookPage(main, api, id ?? '', user);
  if (sub === 'cart') return cartPage(main, api, user);
  if (sub === 'account') return accountPage(main, api, user);
  if (sub === 'jobs') return jobsPage(main, api);
  return booksPage(main, api, user);
}

// ---------------------------------------------------------------- jobs
async function jobsPage(main, api) {
  const p = panel('Books job runs', { id: 'p-shop-runs', wide: true });
  main.append(el('div', { class: 'grid' }, p.section));
  p.body.append(loading());
  try {
    const r = await api.get('/shop/runs', { limit: 50 });
    const dur = (x) => {
      if (!x.finishedAt) return x.status === 'running' ? 'running' : '—';
      const ms = Date.parse(x.finishedAt) - Date.parse(x.startedAt);
      return Number.isFinite(ms) ? `${(ms / 1000).toFixed(1)} s` : '—';
    };
    clear(p.body).append(
      r.items.length === 0
        ? empty('No books job runs yet. The shop scheduler scrapes at start while the catalogue is empty, then on BOOKS_CRON.')
        : table(
            [
              { key: 'startedAt', label: 'Started', render: (x) => dateTime(x.startedAt) },
              { key: 'kind', label: 'Kind' },
              { key: 'trigger', label: 'Trigger' },
              { key: 'status', label: 'Status', render: (x) => el('span', { class: x.status === 'failed' ? 'error-message' : x.status === 'succeeded' ? 'ok-text' : '' }, x.status) },
              { key: 'duration', label: 'Duration', num: true, render: dur },
              { key: 'rows', label: 'Rows', num: true, render: (x) => int(x.rows) },
              { key: 'runId', label: 'Run / version' },
              { key: 'error', label: 'Error', render: (x) => (x.details?.error ? el('span', { class: 'error-message', title: String(x.details.error) }, String(x.details.error).slice(0, 80)) : '') },
            ],
            r.items,
          ),
    );
  } catch (e) {
    clear(p.body).append(errorBox(e, 'Could not load books job runs'));
  }
}

async function currentUser(api) {
  if (!api.credentials.sessionToken()) return null;
  try {
    return await api.get('/users/me');
  } catch (e) {
    if (e instanceof ApiError && e.status === 401) api.credentials.setSessionToken('');
    return null;
  }
}

/** Shows per-field messages from a validation error; returns true when any was shown. */
function showFieldErrors(fields, err) {
  const byField = fieldErrors(err);
  let shown = false;
  for (const [name, f] of Object.entries(fields)) {
    const msg = byField[name];
    f.error.textContent = msg ? `${name}: ${msg}` : '';
    f.input.setAttribute('aria-invalid', msg ? 'true' : 'false');
    if (msg) shown = true;
  }
  return shown;
}

// ---------------------------------------------------------------- products
async function productsPage(main, api, user) {
  const pForm = panel('New product', { id: 'p-product-form' });
  const pList = panel('Products', { id: 'p-products', wide: true });
  main.append(el('div', { class: 'grid' }, pForm.section, pList.section));
  if (!user || user.role !== 'admin') pForm.body.append(el('p', { class: 'state' }, 'Creating, editing and deleting products needs an admin shop account. The API will refuse the request otherwise.'));

  const fields = {
    name: field('name', 'Name', { required: true }),
    price: field('price', 'Price (e.g. 19.99)', { attrs: { inputmode: 'decimal' } }),
    category: field('category', 'Category', { value: 'general' }),
    stock: field('stock', 'Stock', { type: 'number', value: '0' }),
    supplierEmail: field('supplierEmail', 'Supplier e-mail', { type: 'email' }),
    description: field('description', 'Description', { type: 'textarea' }),
  };
  const formError = el('div', { id: 'product-form-error', 'aria-live': 'assertive' });
  const submit = el('button', { type: 'submit' }, 'Create product');
  const cancel = el('button', { type: 'button', class: 'secondary', hidden: true }, 'Cancel edit');
  const form = el('form', { id: 'product-form', novalidate: true }, Object.values(fields).map((f) => f.wrap), el('div', { class: 'row' }, submit, cancel), formError);
  pForm.body.append(form);
  let editing = null; // {id, etag}

  const values = () => ({
    name: fields.name.input.value,
    price: fields.price.input.value.trim(),
    category: fields.category.input.value,
    stock: Number(fields.stock.input.value),
    supplierEmail: fields.supplierEmail.input.value.trim(),
    description: fields.description.input.value,
  });
  const resetForm = () => {
    editing = null;
    form.reset();
    for (const f of Object.values(fields)) {
      f.error.textContent = '';
      f.input.removeAttribute('aria-invalid');
    }
    fields.category.input.value = 'general';
    fields.stock.input.value = '0';
    submit.textContent = 'Create product';
    cancel.hidden = true;
    pForm.section.querySelector('h2').textContent = 'New product';
  };
  cancel.addEventListener('click', resetForm);

  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    clear(formError);
    submit.disabled = true;
    try {
      const body = values();
      if (editing) await api.raw('PUT', `/products/${editing.id}`, { body, headers: { 'if-match': editing.etag } });
      else await api.post('/products', body);
      formError.append(el('p', { class: 'ok-text', role: 'status' }, editing ? `Saved “${body.name}”.` : `Created “${body.name}”.`));
      resetForm();
      await loadList();
    } catch (err) {
      const shown = showFieldErrors(fields, err);
      formError.append(errorBox(err, shown ? 'Please fix the highlighted fields' : 'Could not save the product'));
    } finally {
      submit.disabled = false;
    }
  });

  async function startEdit(p) {
    try {
      const r = await api.raw('GET', `/products/${p.id}`);
      const cur = r.data;
      editing = { id: cur.id, etag: r.headers.get('etag') ?? `"${cur.version}"` };
      for (const k of Object.keys(fields)) fields[k].input.value = String(cur[k] ?? '');
      submit.textContent = 'Save changes';
      cancel.hidden = false;
      pForm.section.querySelector('h2').textContent = `Edit “${cur.name}”`;
      fields.name.input.focus();
    } catch (err) {
      clear(formError).append(errorBox(err, 'Could not load the product'));
    }
  }

  async function remove(p, button) {
    if (button.dataset.confirm !== 'yes') {
      button.dataset.confirm = 'yes';
      button.textContent = 'Confirm delete';
      return;
    }
    try {
      const r = await api.raw('GET', `/products/${p.id}`);
      await api.raw('DELETE', `/products/${p.id}`, { headers: { 'if-match': r.headers.get('etag') ?? `"${r.data.version}"` } });
      await loadList();
    } catch (err) {
      pList.body.prepend(errorBox(err, `Could not delete “${p.name}”`));
    }
  }

  async function loadList() {
    clear(pList.body).append(loading());
    try {
      const r = await api.get('/products', { limit: 100 });
      clear(pList.body).append(
        r.items.length === 0
          ? empty('No products yet.')
          : table(
              [
                { key: 'name', label: 'Name' },
                { key: 'category', label: 'Category' },
                { key: 'price', label: 'Price', num: true },
                { key: 'stock', label: 'Stock', num: true },
                { key: 'supplierEmail', label: 'Supplier' },
                {
                  key: 'actions',
                  label: 'Actions',
                  render: (p) =>
                    el('span', { class: 'row' },
                      el('button', { type: 'button', class: 'secondary', 'aria-label': `Edit ${p.name}`, onclick: () => startEdit(p) }, 'Edit'),
                      el('button', { type: 'button', class: 'danger', 'aria-label': `Delete ${p.name}`, onclick: (ev) => remove(p, ev.currentTarget) }, 'Delete'),
                    ),
                },
              ],
              r.items,
              { caption: 'Products', rowAttrs: (p) => ({ dataset: { product: p.id } }) },
            ),
      );
    } catch (err) {
      clear(pList.body).append(errorBox(err, 'Could not load products'));
    }
  }
  await loadList();
}

// ---------------------------------------------------------------- books
const stars = (n) => el('span', { class: 'stars', 'aria-label': `${n} of 5 stars` }, '★'.repeat(n) + '☆'.repeat(Math.max(0, 5 - n)));

function addToCartButton(api, user, book, status) {
  return el(
    'button',
    {
      type: 'button',
      disabled: !book.inStock,
      'aria-label': `Add ${book.title} to cart`,
      onclick: async () => {
        clear(status);
        if (!user) {
          status.append(el('span', { class: 'error-message' }, 'Log in to use the cart.'));
          return;
        }
        try {
          const cart = await api.post('/carts/me/items', { bookId: book.id, quantity: 1 });
          status.append(el('span', { class: 'ok-text', role: 'status' }, `Added. Cart: ${cart.itemCount} items, ${cart.currency} ${cart.total}`));
          updateCartBadge(cart);
        } catch (err) {
          status.append(errorBox(err, 'Could not add to cart'));
        }
      },
    },
    book.inStock ? 'Add to cart' : 'Out of stock',
  );
}

function updateCartBadge(cart) {
  const b = document.getElementById('cart-summary');
  if (b) b.textContent = `Cart: ${cart.itemCount} items · ${cart.currency} ${cart.total}`;
}

async function booksPage(main, api, user) {
  const q = field('q', 'Search titles', { type: 'search' });
  const category = field('category', 'Category', { options: [{ value: '', label: 'All categories' }] });
  const minRating = field('minRating', 'Min rating', { options: [{ value: '', label: 'Any' }, ...[1, 2, 3, 4, 5].map((n) => ({ value: String(n), label: `${n}★+` }))] });
  const maxPrice = field('maxPrice', 'Max price', { attrs: { inputmode: 'decimal' } });
  const inStock = field('inStock', 'Availability', { options: [{ value: '', label: 'All' }, { value: 'true', label: 'In stock' }] });
  const sort = field('sort', 'Sort', { options: ['title', 'price', '-price', '-rating'].map((v) => ({ value: v, label: { title: 'Title', price: 'Price ↑', '-price': 'Price ↓', '-rating': 'Rating ↓' }[v] })) });
  const form = el('form', { class: 'row panel', role: 'search' }, q.wrap, category.wrap, minRating.wrap, maxPrice.wrap, inStock.wrap, sort.wrap, el('button', { type: 'submit' }, 'Search'));
  const cartSummary = el('p', { id: 'cart-summary', class: 'muted' });
  const results = el('div', { id: 'book-results' });
  main.append(form, cartSummary, results);
  let page = 1;

  try {
    const all = await api.get('/books', { limit: 100 });
    const cats = [...new Set(all.items.map((b) => b.category))].sort();
    for (const c of cats) category.input.append(el('option', { value: c }, c));
  } catch {
    /* the list below shows the error */
  }
  if (user) api.get('/carts/me').then(updateCartBadge, () => {});

  async function load() {
    clear(results).append(loading());
    try {
      const r = await api.get('/books', { q: q.input.value.trim(), category: category.input.value, minRating: minRating.input.value, maxPrice: maxPrice.input.value.trim(), inStock: inStock.input.value, sort: sort.input.value, page, limit: 24 });
      const pages = Math.max(1, Math.ceil(r.total / r.limit));
      clear(results).append(
        r.items.length === 0
          ? empty('No books match. The catalogue is filled by the books scraper (`chainlake books scrape`).')
          : el('div', { class: 'books' }, r.items.map((b) => {
              const status = el('div', { class: 'book-status', 'aria-live': 'polite' });
              return el('article', { class: 'book', dataset: { book: b.id } },
                el('a', { class: 'title', href: `#/shop/book/${encodeURIComponent(b.id)}` }, b.title),
                el('span', { class: 'muted' }, b.category),
                stars(b.rating),
                el('span', { class: 'price' }, `${b.currency} ${b.price}`),
                el('span', { class: 'muted' }, b.inStock ? `${b.availability} in stock` : 'out of stock'),
                addToCartButton(api, user, b, status),
                status,
              );
            })),
        el('div', { class: 'row' },
          el('button', { type: 'button', class: 'secondary', disabled: page <= 1, onclick: () => ((page -= 1), load()) }, '← Previous'),
          el('span', { class: 'muted' }, `page ${r.page} of ${pages} · ${r.total} books`),
          el('button', { type: 'button', class: 'secondary', disabled: page >= pages, onclick: () => ((page += 1), load()) }, 'Next →'),
        ),
      );
      maxPrice.error.textContent = '';
    } catch (err) {
      const fe = fieldErrors(err);
      maxPrice.error.textContent = fe.maxPrice ?? '';
      clear(results).append(errorBox(err, 'Could not search books'));
    }
  }
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    page = 1;
    void load();
  });
  await load();
}

async function bookPage(main, api, id, user) {
  const body = el('div', { class: 'grid' });
  main.append(body);
  body.append(loading('Loading book'));
  let b;
  try {
    b = await api.get(`/books/${encodeURIComponent(id)}`);
  } catch (err) {
    clear(body).append(errorBox(err, 'Could not load the book'));
    return;
  }
  const p = panel(b.title, { id: 'p-book' });
  const status = el('div', { 'aria-live': 'polite' });
  p.body.append(
    el('dl', { class: 'kv' }, [
      ['Category', b.category], ['Price (incl. tax)', `${b.currency} ${b.priceInclTax}`], ['Price (excl. tax)', `${b.currency} ${b.priceExclTax}`],
      ['Rating', stars(b.rating)], ['Availability', b.inStock ? `${b.availability} in stock` : 'out of stock'], ['UPC', b.upc], ['Reviews', String(b.numReviews)],
    ].flatMap(([k, v]) => [el('dt', {}, k), el('dd', {}, v)])),
    el('p', {}, b.description || el('span', { class: 'muted' }, 'No description.')),
    addToCartButton(api, user, b, status),
    status,
  );
  const recs = panel('Readers also carted', { id: 'p-recs' });
  const hist = panel('Price history', { id: 'p-price-history' });
  clear(body).append(p.section, recs.section, hist.section);
  recs.body.append(loading());
  hist.body.append(loading());
  await Promise.all([
    api.get(`/books/${encodeURIComponent(b.id)}/recommendations`, { limit: 8 }).then(
      (r) => clear(recs.body).append(r.items.length === 0 ? empty('No recommendations yet (computed by the batch job from cart activity).') : el('ul', {}, r.items.map((x) => el('li', {}, el('a', { href: `#/shop/book/${encodeURIComponent(x.book.id)}` }, x.book.title), el('span', { class: 'muted' }, ` · ${x.book.currency} ${x.book.price} · carted together ${x.coCount}×`))))),
      (err) => clear(recs.body).append(errorBox(err, 'Could not load recommendations')),
    ),
    api.get(`/books/${encodeURIComponent(b.id)}/price-history`).then(
      (r) => clear(hist.body).append(r.items.length === 0 ? empty('No price observations.') : table([{ key: 'observedAt', label: 'Observed' }, { key: 'priceInclTax', label: 'Incl. tax', num: true }, { key: 'priceExclTax', label: 'Excl. tax', num: true }], r.items)),
      (err) => clear(hist.body).append(errorBox(err, 'Could not load the price history')),
    ),
  ]);
}

// ---------------------------------------------------------------- cart
async function cartPage(main, api, user) {
  const p = panel('Your cart', { id: 'p-cart', wide: true });
  main.append(el('div', { class: 'grid' }, p.section));
  if (!user) {
    p.body.append(empty('Log in to see your cart.'), el('a', { href: '#/shop/account' }, 'Log in or register'));
    return;
  }
  const status = el('div', { 'aria-live': 'polite' });
  const show = (cart) => {
    clear(p.body);
    if (cart.items.length === 0) {
      p.body.append(empty('Your cart is empty.'), el('a', { href: '#/shop/books' }, 'Browse books'), status);
      return;
    }
    const qty = (line) => {
      const input = el('input', { type: 'number', min: '0', max: String(line.availability), value: String(line.quantity), 'aria-label': `Quantity of ${line.title}`, style: 'width: 5em' });
      input.addEventListener('change', () => mutate(() => api.put(`/carts/me/items/${encodeURIComponent(line.bookId)}`, { quantity: Number(input.value) })));
      return input;
    };
    p.body.append(
      table(
        [
          { key: 'title', label: 'Book', render: (l) => el('a', { href: `#/shop/book/${encodeURIComponent(l.bookId)}` }, l.title) },
          { key: 'unitPrice', label: 'Unit price', num: true },
          { key: 'quantity', label: 'Quantity', render: qty },
          { key: 'lineTotal', label: 'Line total', num: true },
          { key: 'remove', label: '', render: (l) => el('button', { type: 'button', class: 'secondary', 'aria-label': `Remove ${l.title}`, onclick: () => mutate(() => api.del(`/carts/me/items/${encodeURIComponent(l.bookId)}`)) }, 'Remove') },
        ],
        cart.items,
        { caption: 'Cart items' },
      ),
      el('p', { class: 'total' }, 'Total: ', el('span', { id: 'cart-total' }, `${cart.currency} ${cart.total}`), el('span', { class: 'muted' }, ` (${cart.itemCount} ${cart.itemCount === 1 ? 'item' : 'items'})`)),
      el('button', { type: 'button', class: 'secondary', onclick: () => mutate(() => api.del('/carts/me')) }, 'Empty cart'),
      status,
    );
  };
  async function mutate(fn) {
    clear(status);
    try {
      show(await fn());
    } catch (err) {
      status.append(errorBox(err, 'Could not update the cart'));
    }
  }
  p.body.append(loading());
  try {
    show(await api.get('/carts/me'));
  } catch (err) {
    clear(p.body).append(errorBox(err, 'Could not load the cart'));
  }
}

// ---------------------------------------------------------------- account
async function accountPage(main, api, user) {
  const pLogin = panel('Log in', { id: 'p-login' });
  const pRegister = panel('Register', { id: 'p-register' });
  main.append(el('div', { class: 'grid' }, pLogin.section, pRegister.section));
  if (user) {
    pLogin.body.append(
      el('p', {}, `Signed in as ${user.email}.`),
      el('button', { type: 'button', onclick: async () => {
        await api.post('/users/logout', {}).catch(() => {});
        api.credentials.setSessionToken('');
        location.hash = '#/shop/account';
        window.dispatchEvent(new HashChangeEvent('hashchange'));
      } }, 'Log out'),
    );
  }
  const login = { email: field('email', 'E-mail', { type: 'email', attrs: { autocomplete: 'username' } }), password: field('password', 'Password', { type: 'password', attrs: { autocomplete: 'current-password' } }) };
  const loginMsg = el('div', { 'aria-live': 'assertive' });
  const loginForm = el('form', { id: 'login-form', novalidate: true }, login.email.wrap, login.password.wrap, el('button', { type: 'submit' }, 'Log in'), loginMsg);
  loginForm.addEventListener('submit', async (e) => {
    e.preventDefault();
    clear(loginMsg);
    try {
      const r = await api.post('/users/login', { email: login.email.input.value.trim(), password: login.password.input.value });
      api.credentials.setSessionToken(r.token);
      location.hash = '#/shop/books';
    } catch (err) {
      showFieldErrors(login, err);
      loginMsg.append(errorBox(err, 'Login failed'));
    }
  });
  if (!user) pLogin.body.append(loginForm);

  const reg = { email: field('email', 'E-mail', { type: 'email' }), name: field('name', 'Name'), password: field('password', 'Password (8+ characters)', { type: 'password', attrs: { autocomplete: 'new-password' } }) };
  const regMsg = el('div', { 'aria-live': 'assertive' });
  const regForm = el('form', { id: 'register-form', novalidate: true }, reg.email.wrap, reg.name.wrap, reg.password.wrap, el('button', { type: 'submit' }, 'Create account'), regMsg);
  regForm.addEventListener('submit', async (e) => {
    e.preventDefault();
    clear(regMsg);
    try {
      const u = await api.post('/users/register', { email: reg.email.input.value.trim(), name: reg.name.input.value, password: reg.password.input.value });
      showFieldErrors(reg, null);
      regMsg.append(el('p', { class: 'ok-text', role: 'status' }, `Account ${u.email} created. You can log in now.`));
      login.email.input.value = u.email;
    } catch (err) {
      showFieldErrors(reg, err);
      regMsg.append(errorBox(err, 'Registration failed'));
    }
  });
  pRegister.body.append(regForm);
}
