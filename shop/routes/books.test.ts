import { expect, test } from 'vitest';
import type { StoredBook } from '../model.js';
import { BookListQuery, queryBooks } from './books.js';

const book = (id: string, title: string, category: string, price: number, rating: number, availability: number): StoredBook => ({
  id, upc: `upc-${id}`, title, category, productType: 'Books', priceExclTaxCents: price, priceInclTaxCents: price, taxCents: 0, currency: 'GBP',
  availability, numReviews: 0, rating, description: '', imageUrl: '', url: '', firstSeenAt: new Date(0), updatedAt: new Date(0), scrapedAt: new Date(0),
});

const books = [
  book('a', 'The Silent Witness', 'Mystery', 1999, 4, 3),
  book('b', 'silent seas', 'Travel', 10, 2, 0),
  book('c', 'Cosmic Atoms', 'Science', 5000, 5, 7),
  book('d', 'Autumn Odes', 'Poetry', 1999, 4, 1),
];
const q = (query: Record<string, string>) => queryBooks(books, BookListQuery.parse(query));
const ids = (query: Record<string, string>) => q(query).items.map((b) => b.id);

test('title search is a case-insensitive substring match', () => {
  expect(ids({ q: 'SILENT' })).toEqual(['b', 'a']);
});

test('filters by category, rating, price range and stock', () => {
  expect(ids({ category: 'mystery' })).toEqual(['a']);
  expect(ids({ rating: '4' })).toEqual(['d', 'a']);
  expect(ids({ minRating: '4', sort: 'title' })).toEqual(['d', 'c', 'a']);
  expect(ids({ minPrice: '19.99', maxPrice: '19.99' })).toEqual(['d', 'a']);
  expect(ids({ inStock: 'false' })).toEqual(['b']);
  expect(ids({ inStock: 'true', maxPrice: '20' })).toEqual(['d', 'a']);
});

test('sorts by price, rating and title in both directions, ties by title', () => {
  expect(ids({ sort: 'price' })).toEqual(['b', 'd', 'a', 'c']);
  expect(ids({ sort: '-price' })).toEqual(['c', 'd', 'a', 'b']);
  expect(ids({ sort: '-rating' })).toEqual(['c', 'd', 'a', 'b']);
  expect(ids({ sort: '-title' })).toEqual(['a', 'b', 'c', 'd']);
});

test('pages with a total', () => {
  expect(q({ limit: '3', page: '2' })).toMatchObject({ total: 4, page: 2, limit: 3 });
  expect(ids({ limit: '3', page: '2' })).toEqual(['a']);
});

test('rejects an inverted price range and bad values', () => {
  expect(BookListQuery.safeParse({ minPrice: '5', maxPrice: '1' }).success).toBe(false);
  expect(BookListQuery.safeParse({ rating: '6' }).success).toBe(false);
  expect(BookListQuery.safeParse({ sort: 'upc' }).success).toBe(false);
});
