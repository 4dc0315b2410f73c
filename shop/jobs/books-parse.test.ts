import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { fixtureBooks, SITE_DIR } from '../fixture-site/generate.js';
import { ParseError, parseAvailability, parseBook, parseListing } from './books-parse.js';

// Markup in the public site's format, written by hand for this test (with the site's
// mis-decoded "Â£" currency prefix and a description paragraph).
const DETAIL = `<html><body>
<ul class="breadcrumb">
  <li><a href="../../index.html">Home</a></li>
  <li><a href="../category/books_1/index.html">Books</a></li>
  <li><a href="../category/books/travel_2/index.html">Travel</a></li>
  <li class="active">Walking the   Salt Roads</li>
</ul>
<article class="product_page"><div class="row">
  <div class="col-sm-6"><div id="product_gallery" class="carousel"><div class="item active">
    <img src="../../media/cache/aa/bb/cafe.jpg" alt="Walking the Salt Roads" /></div></div></div>
  <div class="col-sm-6 product_main">
    <h1>Walking the   Salt Roads</h1>
    <p class="price_color">Â£23.45</p>
    <p class="instock availability"><i class="icon-ok"></i>
        In stock (7 available)
    </p>
    <p class="star-rating Four"><i class="icon-star"></i></p>
  </div></div>
  <div id="product_description" class="sub-header"><h2>Product Description</h2></div>
  <p>A walk along   old trading routes.</p>
  <div class="sub-header"><h2>Product Information</h2></div>
  <table class="table table-striped">
    <tr><th>UPC</th><td>f00dfeed12345678</td></tr>
    <tr><th>Product Type</th><td>Books</td></tr>
    <tr><th>Price (excl. tax)</th><td>Â£20.12</td></tr>
    <tr><th>Price (incl. tax)</th><td>Â£23.45</td></tr>
    <tr><th>Tax</th><td>Â£3.33</td></tr>
    <tr><th>Availability</th><td>In stock (7 available)</td></tr>
    <tr><th>Number of reviews</th><td>12</td></tr>
  </table>
</article></body></html>`;

const LISTING = `<html><body><ol class="row">
<li><article class="product_pod">
  <p class="star-rating Two"></p>
  <h3><a href="walking-the-salt-roads_42/index.html" title="Walking the Salt Roads">Walking the Salt...</a></h3>
  <div class="product_price"><p class="price_color">Â£23.45</p></div>
</article></li>
<li><article class="product_pod">
  <p class="star-rating Five"></p>
  <h3><a href="../catalogue/other_7/index.html" title="Other">Other</a></h3>
  <div class="product_price"><p class="price_color">Â£0.10</p></div>
</article></li>
</ol>
<ul class="pager"><li class="current">
  Page 2 of 3
</li><li class="next"><a href="page-3.html">next</a></li></ul></body></html>`;

describe('parseBook', () => {
  test('extracts every field exactly from a detail page', () => {
    const url = 'http://shop.test/catalogue/walking-the-salt-roads_42/index.html';
    expect(parseBook(DETAIL, url)).toEqual({
      id: 'walking-the-salt-roads_42',
      upc: 'f00dfeed12345678',
      title: 'Walking the Salt Roads',
      category: 'Travel',
      productType: 'Books',
      priceExclTaxCents: 2012,
      priceInclTaxCents: 2345,
      taxCents: 333,
      currency: 'GBP',
      availability: 7,
      numReviews: 12,
      rating: 4,
      description: 'A walk along old trading routes.',
      imageUrl: 'http://shop.test/media/cache/aa/bb/cafe.jpg',
      url,
    });
  });

  test('names every missing field of a broken page in a ParseError', () => {
    const broken = '<html><body><ul class="breadcrumb"><li>Home</li></ul><p>oops</p></body></html>';
    try {
      parseBook(broken, 'http://shop.test/catalogue/x_1/index.html');
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(ParseError);
      expect((e as ParseError).missing).toEqual([
        'title',
        'UPC',
        'Price (excl. tax)',
        'Price (incl. tax)',
        'Tax',
        'Availability',
        'Number of reviews',
        'star-rating',
        'category',
        'image',
      ]);
    }
  });

  test('rejects a price with three decimals instead of rounding it', () => {
    expect(() => parseBook(DETAIL.replace('Â£20.12', 'Â£20.125'), 'http://shop.test/catalogue/a_1/index.html')).toThrow(/Price \(excl\. tax\)/);
  });

  test('parses every bundled fixture detail page to the generator data', () => {
    for (const b of fixtureBooks()) {
      const html = readFileSync(join(SITE_DIR, 'catalogue', b.slug, 'index.html'), 'utf8');
      const parsed = parseBook(html, `http://127.0.0.1:1/catalogue/${b.slug}/index.html`);
      expect(parsed.upc).toBe(b.upc);
      expect(parsed.title).toBe(b.title);
      expect(parsed.category).toBe(b.category);
      expect(parsed.priceExclTaxCents).toBe(b.priceExcl);
      expect(parsed.taxCents).toBe(b.tax);
      expect(parsed.priceInclTaxCents).toBe(b.priceExcl + b.tax);
      expect(parsed.availability).toBe(b.availability);
      expect(parsed.numReviews).toBe(b.reviews);
      expect(parsed.rating).toBe(b.rating);
      expect(parsed.description).toBe(b.description);
      expect(parsed.imageUrl).toBe(`http://127.0.0.1:1/${b.image}`);
    }
  });
});

describe('parseListing', () => {
  test('resolves book links and the next link against the page URL', () => {
    const url = 'http://shop.test/catalogue/page-2.html';
    expect(parseListing(LISTING, url)).toEqual({
      books: [
        { url: 'http://shop.test/catalogue/walking-the-salt-roads_42/index.html', title: 'Walking the Salt Roads', price: 'Â£23.45', rating: 2 },
        { url: 'http://shop.test/catalogue/other_7/index.html', title: 'Other', price: 'Â£0.10', rating: 5 },
      ],
      nextUrl: 'http://shop.test/catalogue/page-3.html',
      page: 2,
      pages: 3,
    });
  });

  test('the last listing page has no next link', () => {
    const html = readFileSync(join(SITE_DIR, 'catalogue', 'page-3.html'), 'utf8');
    const listing = parseListing(html, 'http://127.0.0.1:1/catalogue/page-3.html');
    expect(listing.nextUrl).toBeNull();
    expect(listing.books).toHaveLength(9);
    expect([listing.page, listing.pages]).toEqual([3, 3]);
  });

  test('index.html links into catalogue/', () => {
    const html = readFileSync(join(SITE_DIR, 'index.html'), 'utf8');
    const listing = parseListing(html, 'http://127.0.0.1:1/index.html');
    expect(listing.nextUrl).toBe('http://127.0.0.1:1/catalogue/page-2.html');
    expect(listing.books[0]?.url).toBe(`http://127.0.0.1:1/catalogue/${fixtureBooks()[0]?.slug}/index.html`);
  });
});

test('parseAvailability reads counts, plain in-stock and out-of-stock', () => {
  expect(parseAvailability('In stock (22 available)')).toBe(22);
  expect(parseAvailability('  In stock ')).toBe(1);
  expect(parseAvailability('Out of stock')).toBe(0);
  expect(parseAvailability('call us')).toBeNull();
});
