// Pure parsers for books.toscrape-format HTML (cheerio, no I/O). Every URL they return is
// absolute, resolved against the page's own URL.
import * as cheerio from 'cheerio';
import { BaseError } from '../../core/errors.js';
import { type BookRecord, parseCurrencyToCents } from '../model.js';

/** A page whose markup lacks fields we need: counted and reported, never fatal for the run. */

/** A link resolved against its page, or null unless it is a parseable http(s) URL. */
function httpUrl(href: string, base: string): string | null {
  if (!URL.canParse(href, base)) return null;
  const u = new URL(href, base);
  return u.protocol === 'http:' || u.protocol === 'https:' ? u.toString() : null;
}

export class ParseError extends BaseError {
  override readonly code = 'parse';
  constructor(
    readonly url: string,
    readonly missing: string[],
  ) {
    super(`cannot parse ${url}: missing or invalid ${missing.join(', ')}`);
  }
}

export type ListingEntry = { url: string; title: string; price: string; rating: number | null };
export type Listing = { books: ListingEntry[]; nextUrl: string | null; page: number | null; pages: number | null };

const RATINGS: Record<string, number> = { One: 1, Two: 2, Three: 3, Four: 4, Five: 5 };

const ratingOf = (cls: string | undefined): number | null => {
  for (const c of (cls ?? '').split(/\s+/)) if (RATINGS[c] !== undefined) return RATINGS[c]!;
  return null;
};

const clean = (s: string) => s.replace(/\s+/g, ' ').trim();

export function parseListing(html: string, url: string): Listing {
  const $ = cheerio.load(html);
  const books: ListingEntry[] = [];
  $('article.product_pod').each((_, el) => {
    const a = $(el).find('h3 a').first();
    const href = a.attr('href');
    // An unparseable link is skipped like a missing one: one bad anchor must not end the run.
    if (!href || httpUrl(href, url) === null) return;
    books.push({
      url: httpUrl(href, url)!,
      title: clean(a.attr('title') ?? a.text()),
      price: clean($(el).find('.price_color').first().text()),
      rating: ratingOf($(el).find('p.star-rating').attr('class')),
    });
  });
  const next = $('ul.pager li.next a').attr('href');
  const current = /Page (\d+) of (\d+)/.exec(clean($('ul.pager li.current').text()));
  return {
    books,
    nextUrl: next ? httpUrl(next, url) : null,
    page: current ? Number(current[1]) : null,
    pages: current ? Number(current[2]) : null,
  };
}

/** "a-light-in-the-attic_1000/index.html" → "a-light-in-the-attic_1000". */
export function bookIdFromUrl(url: string): string {
  const parts = new URL(url).pathname.split('/').filter((p) => p.length > 0 && p !== 'index.html');
  return parts[parts.length - 1] ?? '';
}

/** "In stock (22 available)" → 22; "In stock" → 1 (unknown count, but available); otherwise 0. */
export function parseAvailability(text: string): number | null {
  const t = clean(text);
  const m = /\((\d+) available\)/i.exec(t);
  if (m) return Number(m[1]);
  if (/^out of stock/i.test(t)) return 0;
  if (/^in stock/i.test(t)) return 1;
  return null;
}

export function parseBook(html: string, url: string): BookRecord {
  const $ = cheerio.load(html);
  const missing: string[] = [];
  const table = new Map<string, string>();
  $('table.table-striped tr').each((_, tr) => {
    table.set(clean($(tr).find('th').text()), clean($(tr).find('td').text()));
  });
  const money = (label: string): number => {
    const raw = table.get(label);
    try {
      if (raw === undefined) throw new Error();
      return parseCurrencyToCents(raw);
    } catch {
      missing.push(label);
      return 0;
    }
  };
  const title = clean($('.product_main h1').first().text());
  if (!title) missing.push('title');
  const upc = table.get('UPC') ?? '';
  if (!/^[A-Za-z0-9]+$/.test(upc)) missing.push('UPC');
  const priceExclTaxCents = money('Price (excl. tax)');
  const priceInclTaxCents = money('Price (incl. tax)');
  const taxCents = money('Tax');
  const availability = parseAvailability(table.get('Availability') ?? $('.product_main .availability').text());
  if (availability === null) missing.push('Availability');
  const reviewsText = table.get('Number of reviews');
  if (reviewsText === undefined || !/^\d{1,9}$/.test(reviewsText)) missing.push('Number of reviews');
  const rating = ratingOf($('.product_main p.star-rating').attr('class'));
  if (rating === null) missing.push('star-rating');
  // Breadcrumb: Home › Books › <Category> › <Title>
  const crumbs = $('ul.breadcrumb li')
    .map((_, li) => clean($(li).text()))
    .get();
  const category = crumbs.length >= 4 ? (crumbs[crumbs.length - 2] ?? '') : '';
  if (!category) missing.push('category');
  const img = $('#product_gallery img').first().attr('src');
  if (!img || httpUrl(img, url) === null) missing.push('image');
  const currency = /^\s*(?:Â)?£/.test(table.get('Price (incl. tax)') ?? '') ? 'GBP' : /^\s*\$/.test(table.get('Price (incl. tax)') ?? '') ? 'USD' : 'GBP';
  if (missing.length > 0) throw new ParseError(url, missing);
  return {
    id: bookIdFromUrl(url),
    upc,
    title,
    category,
    productType: table.get('Product Type') ?? 'Books',
    priceExclTaxCents,
    priceInclTaxCents,
    taxCents,
    currency,
    availability: availability ?? 0,
    numReviews: Number(reviewsText),
    rating: rating ?? 0,
    // The description is the first paragraph after the "Product Description" header (absent on some books).
    description: clean($('#product_description').next('p').text()),
    imageUrl: httpUrl(img ?? '', url)!,
    url,
  };
}
