// Pure shop types and money maths (no driver imports). Money is integer minor units
// (pence/cents) in code and storage, and an exact decimal string ("19.99") in JSON.
// Never a float: 0.1 + 0.2 must be "0.30".

/** Largest accepted price in minor units (99,999,999.99): keeps every cart total a safe integer. */
export const MAX_PRICE_CENTS = 9_999_999_999;

const MONEY_RE = /^(\d{1,8})(?:\.(\d{1,2}))?$/;

/** "19.99" | "19.9" | "19" → 1999 | 1990 | 1900. Throws RangeError on anything else (no exponent, no sign, ≤ 2 decimals). */
export function parseMoneyToCents(text: string): number {
  const m = MONEY_RE.exec(text.trim());
  if (!m) throw new RangeError(`not a decimal amount with at most 2 decimals: ${JSON.stringify(text)}`);
  const whole = Number(m[1]);
  const frac = Number((m[2] ?? '').padEnd(2, '0'));
  return whole * 100 + frac;
}

/** Strips a currency prefix such as "£", "Â£" (mis-decoded UTF-8) or "$" before parsing. */
export function parseCurrencyToCents(text: string): number {
  return parseMoneyToCents(text.replace(/^[^\d]+/, '').trim());
}

/** 1999 → "19.99"; 5 → "0.05". Integer minor units only. */
export function formatCents(cents: number): string {
  if (!Number.isSafeInteger(cents) || cents < 0) throw new RangeError(`not a non-negative safe integer amount: ${cents}`);
  const whole = Math.floor(cents / 100);
  const frac = cents % 100;
  return `${whole}.${frac.toString().padStart(2, '0')}`;
}

/** Exact integer multiplication/sum; throws when leaving the safe integer range. */
export function lineTotalCents(unitCents: number, quantity: number): number {
  const total = unitCents * quantity;
  if (!Number.isSafeInteger(total)) throw new RangeError('line total overflows');
  return total;
}

export type BookRecord = {
  /** Stable id from the site's URL slug, e.g. "a-light-in-the-attic_1000". */
  id: string;
  upc: string;
  title: string;
  category: string;
  productType: string;
  priceExclTaxCents: number;
  priceInclTaxCents: number;
  taxCents: number;
  currency: string;
  /** Copies in stock (0 when out of stock). */
  availability: number;
  numReviews: number;
  /** 1..5 stars. */
  rating: number;
  description: string;
  imageUrl: string;
  url: string;
};

export type StoredBook = BookRecord & { firstSeenAt: Date; updatedAt: Date; scrapedAt: Date };

export type Role = 'user' | 'admin' | 'service';

export type UserRecord = { id: string; email: string; name: string; role: Role; passwordHash: string | null; createdAt: Date };

export type ProductRecord = {
  id: string;
  name: string;
  description: string;
  priceCents: number;
  category: string;
  supplierEmail: string;
  stock: number;
  version: number;
  createdAt: Date;
  updatedAt: Date;
};

export type CartLine = { bookId: string; quantity: number; addedAt: Date };

export type AuditEntry = {
  at: Date;
  actorId: string;
  actorRole: string;
  action: string;
  entity: string;
  entityId: string;
  details: Record<string, unknown>;
};

export type Recommendation = { bookId: string; recBookId: string; rank: number; score: number; contentScore: number; coCount: number };

/** Public JSON view of a book: money as decimal strings. */
export function bookJson(b: BookRecord) {
  return {
    id: b.id,
    upc: b.upc,
    title: b.title,
    category: b.category,
    productType: b.productType,
    price: formatCents(b.priceInclTaxCents),
    priceExclTax: formatCents(b.priceExclTaxCents),
    priceInclTax: formatCents(b.priceInclTaxCents),
    tax: formatCents(b.taxCents),
    currency: b.currency,
    availability: b.availability,
    inStock: b.availability > 0,
    numReviews: b.numReviews,
    rating: b.rating,
    description: b.description,
    imageUrl: b.imageUrl,
    url: b.url,
  };
}
