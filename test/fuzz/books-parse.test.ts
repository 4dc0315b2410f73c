// Property-based: the books parsers on random and mutated HTML (pages of the bundled fixture
// site, mutated). parseBook returns a well-formed BookRecord or throws ParseError; parseListing
// returns a well-formed Listing. Neither crashes with another error (TypeError...), and no
// price is ever NaN, fractional or negative.
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { ParseError, parseBook, parseListing } from '../../shop/jobs/books-parse.js';
import { buildSite } from '../../shop/fixture-site/generate.js';

const BASE = 'https://books.example/';
const site = buildSite();
const detailPages = [...site.entries()].filter(([k]) => /^catalogue\/[^/]+_\d+\/index\.html$/.test(k) && !k.includes('missing')).slice(0, 20);
const listingPages = [...site.entries()].filter(([k]) => /^catalogue\/page-\d+\.html$/.test(k) || k === 'index.html');

const isUrl = (s: string) => {
  try {
    return /^https?:$/.test(new URL(s).protocol);
  } catch {
    return false;
  }
};
const cents = (n: number) => Number.isSafeInteger(n) && n >= 0;

function checkBook(html: string, url: string): void {
  let b;
  try {
    b = parseBook(html, url);
  } catch (e) {
    if (e instanceof ParseError) {
      expect(e.missing.length).toBeGreaterThan(0);
      return;
    }
    throw new Error(`parseBook crashed with ${(e as Error)?.name}: ${(e as Error)?.message}`);
  }
  expect(cents(b.priceExclTaxCents), `priceExclTaxCents ${b.priceExclTaxCents}`).toBe(true);
  expect(cents(b.priceInclTaxCents), `priceInclTaxCents ${b.priceInclTaxCents}`).toBe(true);
  expect(cents(b.taxCents), `taxCents ${b.taxCents}`).toBe(true);
  expect(Number.isSafeInteger(b.availability) && b.availability >= 0).toBe(true);
  expect(Number.isSafeInteger(b.numReviews) && b.numReviews >= 0, `numReviews ${b.numReviews}`).toBe(true);
  expect(b.rating >= 1 && b.rating <= 5).toBe(true);
  expect(b.title.length).toBeGreaterThan(0);
  expect(b.upc).toMatch(/^[A-Za-z0-9]+$/);
  expect(['GBP', 'USD']).toContain(b.currency);
  expect(isUrl(b.imageUrl)).toBe(true);
}

function checkListing(html: string, url: string): void {
  let l;
  try {
    l = parseListing(html, url);
  } catch (e) {
    throw new Error(`parseListing crashed with ${(e as Error)?.name}: ${(e as Error)?.message}`);
  }
  for (const b of l.books) {
    expect(isUrl(b.url)).toBe(true);
    expect(typeof b.title).toBe('string');
    expect(typeof b.price).toBe('string');
    expect(b.rating === null || (b.rating >= 1 && b.rating <= 5)).toBe(true);
  }
  expect(l.nextUrl === null || isUrl(l.nextUrl)).toBe(true);
  for (const n of [l.page, l.pages]) expect(n === null || Number.isSafeInteger(n)).toBe(true);
}

// ---------- mutations of real pages ----------
const nasty = fc.oneof(
  fc.string({ maxLength: 30 }),
  fc.constantFrom(
    '', ' ', 'NaN', 'Infinity', '-1', '£-1.00', '£1e309', '£1.999', '£.5', '£', '£ 12.34', '£12,345.67', '£NaN', '$12.34', 'Â£51.77', '£99999999999999999999.99',
    '99999999999999999999999', '0x1f', '1.5', 'http://', 'http://[', 'https://a b', 'javascript:alert(1)', '//evil.example/x', '../../../../etc/passwd',
    '<', '>', '"', '</td></tr></table>', '<script>', '&amp;', '&#0;', '\u0000', '\uFFFF', '\uD800', '(22 available)', 'In stock (abc available)',
    'One', 'Six', 'Five Five',
  ),
);
type Edit = { at: number; del: number; ins: string };
const edit = fc.record({ at: fc.nat(), del: fc.nat({ max: 200 }), ins: nasty });
const applyEdits = (html: string, edits: Edit[]) =>
  edits.reduce((h, e) => {
    const at = e.at % (h.length + 1);
    return h.slice(0, at) + e.ins + h.slice(at + e.del);
  }, html);
/** Replace the n-th value of a quoted attribute or a table cell / text node with a nasty string. */
const replaceNth = (html: string, re: RegExp, n: number, value: string) => {
  const all = [...html.matchAll(re)];
  if (all.length === 0) return html;
  const m = all[n % all.length]!;
  return html.slice(0, m.index! + m[1]!.length) + value + html.slice(m.index! + m[0].length - m[3]!.length);
};
const ATTR = /(\b(?:href|src|class|title)=")([^"]*)(")/g;
const CELL = /(<t[dh]>)([^<]*)(<\/t[dh]>)/g;
const TEXT = /(>)([^<>]+)(<)/g;

const mutated = (pages: [string, string][]) =>
  fc.tuple(fc.constantFrom(...pages), fc.constantFrom('edits', 'attr', 'cell', 'text'), fc.array(edit, { minLength: 1, maxLength: 4 }), fc.nat(), nasty).map(([[path, html], how, edits, n, v]) => {
    const url = `${BASE}${path}`;
    if (how === 'edits') return { url, html: applyEdits(html, edits) };
    return { url, html: replaceNth(html, how === 'attr' ? ATTR : how === 'cell' ? CELL : TEXT, n, v) };
  });

describe('books parsers on bad input (property-based)', () => {
  test('the unmutated fixture pages parse (the properties below start from valid pages)', () => {
    expect(detailPages.length).toBeGreaterThan(3);
    for (const [path, html] of detailPages) expect(parseBook(html, `${BASE}${path}`).priceInclTaxCents).toBeGreaterThan(0);
    for (const [path, html] of listingPages) expect(parseListing(html, `${BASE}${path}`).books.length).toBeGreaterThan(0);
  });

  test('parseBook on mutated detail pages: a well-formed book or a ParseError, nothing else', () => {
    fc.assert(
      fc.property(mutated(detailPages), ({ url, html }) => checkBook(html, url)),
      { numRuns: 400 },
    );
  });

  test('parseListing on mutated listing pages: a well-formed listing, never a crash', () => {
    fc.assert(
      fc.property(mutated(listingPages), ({ url, html }) => checkListing(html, url)),
      { numRuns: 400 },
    );
  });

  test('both parsers on random text and random tag soup', () => {
    const tag = fc.constantFrom('article class="product_pod"', 'h3', 'a href="x"', 'p class="price_color"', 'table class="table table-striped"', 'tr', 'th', 'td', 'ul class="pager"', 'li class="next"', 'li class="current"', 'div class="product_main"', 'h1', 'ul class="breadcrumb"', 'li', 'div id="product_gallery"', 'img src="a.jpg"', 'p class="star-rating Three"');
    const soup = fc.array(fc.oneof(tag.map((t) => `<${t}>`), tag.map((t) => `</${t.split(' ')[0]}>`), nasty), { maxLength: 40 }).map((parts) => parts.join(''));
    fc.assert(
      fc.property(fc.oneof(fc.string({ maxLength: 200 }), soup), (html) => {
        checkBook(html, `${BASE}catalogue/x_1/index.html`);
        checkListing(html, `${BASE}catalogue/page-1.html`);
      }),
      { numRuns: 400 },
    );
  });

  // Found by the properties above; kept as explicit regressions.
  test('an unparsable link on a listing page is skipped, not a TypeError that ends the scrape', () => {
    const html = listingPages[0]![1].replace(/href="([^"]*index\.html)"/, 'href="http://["').replace(/(<li class="next"><a href=")[^"]*/, '$1http://');
    checkListing(html, `${BASE}${listingPages[0]![0]}`);
  });

  test('an unparsable image src on a detail page is a ParseError, not a TypeError that ends the scrape', () => {
    const [path, html] = detailPages[0]!;
    checkBook(html.replace(/<img src="[^"]*"/, '<img src="http://["'), `${BASE}${path}`);
  });

  test('a review count beyond the safe integer range is not returned as an imprecise number', () => {
    const [path, html] = detailPages[0]!;
    checkBook(html.replace(/(Number of reviews<\/th><td>)[^<]*/, '$199999999999999999999999'), `${BASE}${path}`);
  });
});
