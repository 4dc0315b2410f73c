// Generates the bundled books.toscrape-format fixture site, deterministically (seeded PRNG,
// fixed word lists). `tsx shop/fixture-site/generate.ts` rewrites shop/fixture-site/site/;
// generate.test.ts checks the committed files equal buildSite(). Written by us: the markup
// mirrors the public site's structure (product_pod, star-rating, price_color, table rows)
// so the scraper works on both, but none of its content is copied.
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { repoPath } from '../../core/paths.js';
import { mulberry32 } from '../../core/random.js';

export const SITE_DIR = repoPath('shop', 'fixture-site', 'site');
export const PAGE_SIZE = 20;
/** Detail page that lacks title, price and product table (the scraper must count it, not crash). */
export const BROKEN_BOOK_PATH = 'catalogue/the-missing-page_900/index.html';

export type FixtureBook = {
  id: number;
  slug: string;
  title: string;
  category: string;
  upc: string;
  priceExcl: number; // pence
  tax: number; // pence
  availability: number;
  reviews: number;
  rating: 1 | 2 | 3 | 4 | 5;
  description: string;
  image: string;
};

const RATING_WORDS = ['One', 'Two', 'Three', 'Four', 'Five'] as const;

const CATEGORIES: Record<string, { adjectives: string[]; nouns: string[]; themes: string[] }> = {
  Poetry: {
    adjectives: ['Quiet', 'Lyric', 'Autumn', 'Silver', 'Tender', 'Morning', 'Salt', 'Paper'],
    nouns: ['Verses', 'Sonnets', 'Odes', 'Hymns', 'Elegies', 'Ballads', 'Rhymes', 'Psalms'],
    themes: ['poems', 'verse', 'rhythm', 'metaphor', 'stanza', 'imagery', 'lyric'],
  },
  Mystery: {
    adjectives: ['Silent', 'Locked', 'Missing', 'Hidden', 'Final', 'Crooked', 'Midnight', 'Borrowed'],
    nouns: ['Witness', 'Alibi', 'Detective', 'Clue', 'Suspect', 'Verdict', 'Inquest', 'Cipher'],
    themes: ['murder', 'detective', 'clue', 'suspect', 'investigation', 'crime', 'secret'],
  },
  Travel: {
    adjectives: ['Northern', 'Coastal', 'Desert', 'Island', 'Mountain', 'River', 'Winter', 'Long'],
    nouns: ['Roads', 'Journeys', 'Passages', 'Crossings', 'Routes', 'Voyages', 'Trails', 'Maps'],
    themes: ['journey', 'travel', 'road', 'landscape', 'voyage', 'border', 'guide'],
  },
  Science: {
    adjectives: ['Hidden', 'Tiny', 'Cosmic', 'Living', 'Elegant', 'Restless', 'Deep', 'Bright'],
    nouns: ['Atoms', 'Genes', 'Particles', 'Galaxies', 'Cells', 'Equations', 'Forces', 'Waves'],
    themes: ['physics', 'biology', 'experiment', 'theory', 'universe', 'evolution', 'science'],
  },
  History: {
    adjectives: ['Fallen', 'Imperial', 'Forgotten', 'Ancient', 'Medieval', 'Broken', 'Golden', 'Iron'],
    nouns: ['Empires', 'Kings', 'Wars', 'Treaties', 'Dynasties', 'Revolutions', 'Republics', 'Sieges'],
    themes: ['empire', 'war', 'century', 'history', 'dynasty', 'revolution', 'archive'],
  },
  Fantasy: {
    adjectives: ['Dragon', 'Enchanted', 'Shadow', 'Crystal', 'Wild', 'Thorn', 'Storm', 'Starlit'],
    nouns: ['Crowns', 'Wizards', 'Kingdoms', 'Blades', 'Spells', 'Realms', 'Thrones', 'Quests'],
    themes: ['magic', 'dragon', 'wizard', 'quest', 'kingdom', 'sword', 'prophecy'],
  },
};

const FILLER = ['a', 'story', 'of', 'patience', 'and', 'wonder', 'told', 'with', 'care', 'for', 'readers', 'who', 'love'];


const slugify = (s: string) =>
  s
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-|-$/g, '');

/** Fixed prices for a few books, to exercise exact money maths (pence excl. tax, tax). */
const FIXED_PRICES: Record<number, [number, number]> = {
  0: [1999, 0], // £19.99
  1: [10, 0], // £0.10
  2: [20, 0], // £0.20
  9: [1666, 333], // £16.66 + £3.33 tax = £19.99
  17: [5000, 1000], // £50.00 + £10.00 tax
};

export function fixtureBooks(): FixtureBook[] {
  const rand = mulberry32(20_240_601);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)] as T;
  const hex = (n: number) => Array.from({ length: n }, () => Math.floor(rand() * 16).toString(16)).join('');
  const books: FixtureBook[] = [];
  const names = Object.keys(CATEGORIES);
  const usedTitles = new Set<string>();
  for (let i = 0; i < 48; i++) {
    const category = names[i % names.length] as string;
    const vocab = CATEGORIES[category]!;
    let title = '';
    for (let k = 0; k < 100 && (title === '' || usedTitles.has(title)); k++) title = `The ${pick(vocab.adjectives)} ${pick(vocab.nouns)}`;
    if (usedTitles.has(title)) title = `${title} ${i}`;
    usedTitles.add(title);
    const id = 1000 - i;
    const [priceExcl, tax] = FIXED_PRICES[i] ?? [1000 + Math.floor(rand() * 5000), 0];
    const themes = [pick(vocab.themes), pick(vocab.themes), pick(vocab.themes)];
    const description = `${title} is ${pick(FILLER)} ${themes[0]} book about ${themes[1]} and ${themes[2]}, ${Array.from({ length: 6 }, () => pick(FILLER)).join(' ')}.`;
    books.push({
      id,
      slug: `${slugify(title)}_${id}`,
      title,
      category,
      upc: hex(16),
      priceExcl,
      tax,
      // Book 5 is out of stock; the rest have 1..22 copies.
      availability: i === 5 ? 0 : 1 + Math.floor(rand() * 22),
      reviews: Math.floor(rand() * 4),
      rating: (1 + Math.floor(rand() * 5)) as FixtureBook['rating'],
      description,
      image: `media/cache/${hex(2)}/${hex(2)}/${hex(32)}.jpg`,
    });
  }
  return books;
}

const pounds = (pence: number) => `£${Math.floor(pence / 100)}.${String(pence % 100).padStart(2, '0')}`;
const esc = (s: string) => s.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;').replaceAll('"', '&quot;');
const categorySlug = (c: string, i: number) => `${slugify(c)}_${i + 2}`;

function page(title: string, root: string, body: string): string {
  return `<!DOCTYPE html>
<html lang="en-us" class="no-js">
<head>
    <title>${esc(title)} | Books to Scrape - Sandbox</title>
    <meta http-equiv="content-type" content="text/html; charset=UTF-8" />
    <link rel="stylesheet" type="text/css" href="${root}static/styles.css" />
</head>
<body id="default" class="default">
<header class="header container-fluid">
    <div class="page_inner"><div class="row"><div class="col-sm-8 h1"><a href="${root}index.html">Books to Scrape</a><small> We love being scraped!</small></div></div></div>
</header>
<div class="container-fluid page">
    <div class="page_inner">
${body}
    </div>
</div>
</body>
</html>
`;
}

function truncate(title: string): string {
  return title.length > 20 ? `${title.slice(0, 17)}...` : title;
}

type ListingEntry = { slug: string; title: string; rating: string; price: string; inStock: boolean; image: string };

function listingPage(n: number, pages: number, entries: ListingEntry[], atRoot: boolean): string {
  const prefix = atRoot ? 'catalogue/' : '';
  const root = atRoot ? '' : '../';
  const items = entries
    .map(
      (e) => `            <li class="col-xs-6 col-sm-4 col-md-3 col-lg-3">
                <article class="product_pod">
                    <div class="image_container"><a href="${prefix}${e.slug}/index.html"><img src="${root}${e.image}" alt="${esc(e.title)}" class="thumbnail"></a></div>
                    <p class="star-rating ${e.rating}"><i class="icon-star"></i><i class="icon-star"></i><i class="icon-star"></i><i class="icon-star"></i><i class="icon-star"></i></p>
                    <h3><a href="${prefix}${e.slug}/index.html" title="${esc(e.title)}">${esc(truncate(e.title))}</a></h3>
                    <div class="product_price">
                        <p class="price_color">${e.price}</p>
                        <p class="${e.inStock ? 'instock' : 'outofstock'} availability"><i class="icon-${e.inStock ? 'ok' : 'remove'}"></i> ${e.inStock ? 'In stock' : 'Out of stock'}</p>
                        <form><button type="submit" class="btn btn-primary btn-block">Add to basket</button></form>
                    </div>
                </article>
            </li>`,
    )
    .join('\n');
  const pager = [
    `            <li class="current">Page ${n} of ${pages}</li>`,
    ...(n > 1 ? [`            <li class="previous"><a href="${prefix}page-${n - 1}.html">previous</a></li>`] : []),
    ...(n < pages ? [`            <li class="next"><a href="${prefix}page-${n + 1}.html">next</a></li>`] : []),
  ].join('\n');
  return page(
    n === 1 ? 'All products' : `All products | Page ${n}`,
    root,
    `        <ul class="breadcrumb"><li><a href="${root}index.html">Home</a></li><li class="active">All products</li></ul>
        <div class="page-header action"><h1>All products</h1></div>
        <section>
        <ol class="row">
${items}
        </ol>
        <div><ul class="pager">
${pager}
        </ul></div>
        </section>`,
  );
}

function detailPage(b: FixtureBook, categoryIndex: number): string {
  const stock = b.availability > 0 ? `In stock (${b.availability} available)` : 'Out of stock';
  return page(
    b.title,
    '../../',
    `        <ul class="breadcrumb">
            <li><a href="../../index.html">Home</a></li>
            <li><a href="../category/books_1/index.html">Books</a></li>
            <li><a href="../category/books/${categorySlug(b.category, categoryIndex)}/index.html">${esc(b.category)}</a></li>
            <li class="active">${esc(b.title)}</li>
        </ul>
        <article class="product_page">
        <div class="row">
            <div class="col-sm-6"><div id="product_gallery" class="carousel"><div class="thumbnail"><div class="carousel-inner"><div class="item active">
                <img src="../../${b.image}" alt="${esc(b.title)}" />
            </div></div></div></div></div>
            <div class="col-sm-6 product_main">
                <h1>${esc(b.title)}</h1>
                <p class="price_color">${pounds(b.priceExcl + b.tax)}</p>
                <p class="${b.availability > 0 ? 'instock' : 'outofstock'} availability"><i class="icon-${b.availability > 0 ? 'ok' : 'remove'}"></i> ${stock}</p>
                <p class="star-rating ${RATING_WORDS[b.rating - 1]}"><i class="icon-star"></i><i class="icon-star"></i><i class="icon-star"></i><i class="icon-star"></i><i class="icon-star"></i></p>
            </div>
        </div>
        <div id="product_description" class="sub-header"><h2>Product Description</h2></div>
        <p>${esc(b.description)}</p>
        <div class="sub-header"><h2>Product Information</h2></div>
        <table class="table table-striped">
            <tr><th>UPC</th><td>${b.upc}</td></tr>
            <tr><th>Product Type</th><td>Books</td></tr>
            <tr><th>Price (excl. tax)</th><td>${pounds(b.priceExcl)}</td></tr>
            <tr><th>Price (incl. tax)</th><td>${pounds(b.priceExcl + b.tax)}</td></tr>
            <tr><th>Tax</th><td>${pounds(b.tax)}</td></tr>
            <tr><th>Availability</th><td>${stock}</td></tr>
            <tr><th>Number of reviews</th><td>${b.reviews}</td></tr>
        </table>
        </article>`,
  );
}

function brokenPage(): string {
  // Truncated output of a failing upstream: breadcrumb only, no title, price or product table.
  return page('Error', '../../', `        <ul class="breadcrumb"><li><a href="../../index.html">Home</a></li></ul>\n        <p>Something went wrong rendering this product.</p>`);
}

/** Every file of the site: relative path → HTML. */
export function buildSite(): Map<string, string> {
  const books = fixtureBooks();
  const categories = Object.keys(CATEGORIES);
  const entries: ListingEntry[] = books.map((b) => ({
    slug: b.slug,
    title: b.title,
    rating: RATING_WORDS[b.rating - 1] as string,
    price: pounds(b.priceExcl + b.tax),
    inStock: b.availability > 0,
    image: b.image,
  }));
  // The broken detail page is listed like any other book (position 25, on page 2).
  entries.splice(25, 0, { slug: 'the-missing-page_900', title: 'The Missing Page', rating: 'Two', price: '£12.00', inStock: true, image: 'media/cache/00/00/broken.jpg' });
  const pages = Math.ceil(entries.length / PAGE_SIZE);
  const files = new Map<string, string>();
  for (let n = 1; n <= pages; n++) {
    const slice = entries.slice((n - 1) * PAGE_SIZE, n * PAGE_SIZE);
    files.set(`catalogue/page-${n}.html`, listingPage(n, pages, slice, false));
    if (n === 1) files.set('index.html', listingPage(1, pages, slice, true));
  }
  for (const b of books) files.set(`catalogue/${b.slug}/index.html`, detailPage(b, categories.indexOf(b.category)));
  files.set(BROKEN_BOOK_PATH, brokenPage());
  return files;
}

export async function writeSite(dir = SITE_DIR): Promise<number> {
  await rm(dir, { recursive: true, force: true });
  const files = buildSite();
  for (const [path, html] of files) {
    await mkdir(dirname(join(dir, path)), { recursive: true });
    await writeFile(join(dir, path), html);
  }
  return files.size;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const n = await writeSite();
  console.log(`wrote ${n} files to ${SITE_DIR}`);
}
