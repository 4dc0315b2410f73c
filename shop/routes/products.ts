// /products: CRUD with optimistic concurrency. Every product has a version; GET returns it
// as a strong ETag, and PUT/PATCH/DELETE require If-Match (428 without, 412 on mismatch).
// The write itself is a Cassandra LWT `IF version = ?`, so two writers never both win.
import { Router, type Request, type Response } from 'express';
import { z } from 'zod';
import { NotFoundError } from '../../core/errors.js';
import { formatCents, MAX_PRICE_CENTS, parseMoneyToCents, type ProductRecord } from '../model.js';
import type { ProductFields } from '../store.js';
import type { createAuth } from './auth.js';
import { parse } from '../../serving/parse.js';
import type { RouteDoc } from '../../serving/openapi.js';
import { sessionUser, type ShopContext } from './context.js';
import { HttpError } from '../../serving/http-errors.js';

export const MoneyString = z
  .string()
  .regex(/^\d{1,8}(\.\d{1,2})?$/, 'a decimal amount with at most 2 decimals, e.g. "19.99"')
  // zod runs refinements even after the regex failed: only judge well-formed amounts here.
  .refine((s) => !/^\d{1,8}(\.\d{1,2})?$/.test(s) || parseMoneyToCents(s) <= MAX_PRICE_CENTS, 'too large');

const productShape = {
  name: z.string().trim().min(1).max(200),
  description: z.string().max(5000),
  price: MoneyString,
  category: z.string().trim().min(1).max(100),
  supplierEmail: z.email(),
  stock: z.number().int().min(0).max(1_000_000),
};

export const ProductInput = z.object({ ...productShape, description: productShape.description.default('') }).strict();

// No defaults here: a field absent from a PATCH keeps its stored value.
export const ProductPatch = z
  .object(productShape)
  .partial()
  .strict()
  .refine((p) => Object.keys(p).length > 0, 'at least one field');

export const ProductListQuery = z.object({
  category: z.string().min(1).max(100).optional(),
  limit: z.coerce.number().int().min(1).max(100).default(20),
  cursor: z.string().max(2000).optional(),
});

export const ProductIdParams = z.object({ id: z.uuid() });

export const Product = z.object({
  id: z.string(),
  name: z.string(),
  description: z.string(),
  price: z.string(),
  category: z.string(),
  supplierEmail: z.string(),
  stock: z.number().int(),
  version: z.number().int(),
  createdAt: z.string(),
  updatedAt: z.string(),
});
export const ProductList = z.object({ items: z.array(Product), nextCursor: z.string().nullable() });

export const productRouteDocs: RouteDoc[] = [
  { method: 'get', path: '/products', summary: 'List products (filter by category, cursor pagination)', query: ProductListQuery, response: ProductList },
  { method: 'post', path: '/products', summary: 'Create a product (admin)', auth: 'session', request: ProductInput, response: Product },
  { method: 'get', path: '/products/{id}', summary: 'Get a product; ETag carries its version', params: ProductIdParams, response: Product },
  { method: 'put', path: '/products/{id}', summary: 'Replace a product (admin, If-Match required)', auth: 'session', params: ProductIdParams, request: ProductInput, response: Product },
  { method: 'patch', path: '/products/{id}', summary: 'Update some fields (admin, If-Match required)', auth: 'session', params: ProductIdParams, request: ProductPatch, response: Product },
  { method: 'delete', path: '/products/{id}', summary: 'Delete a product (admin, If-Match required)', auth: 'session', params: ProductIdParams },
];

export const productJson = (p: ProductRecord): z.infer<typeof Product> => ({
  id: p.id,
  name: p.name,
  description: p.description,
  price: formatCents(p.priceCents),
  category: p.category,
  supplierEmail: p.supplierEmail,
  stock: p.stock,
  version: p.version,
  createdAt: p.createdAt.toISOString(),
  updatedAt: p.updatedAt.toISOString(),
});

const etag = (version: number) => `"${version}"`;

/** The version the client expects, from If-Match ("3", W/"3", a list, or *). 428 when absent. */
function expectedVersion(req: Request, current: ProductRecord): number {
  const header = req.get('if-match');
  if (!header) throw new HttpError(428, 'precondition_required', 'If-Match header required: send the ETag from GET /products/{id}');
  const tags = header.split(',').map((t) => t.trim());
  if (tags.includes('*')) return current.version;
  const versions = tags.map((t) => /^(?:W\/)?"(\d+)"$/.exec(t)?.[1]).filter((v): v is string => v !== undefined).map(Number);
  if (versions.length === 0) throw new HttpError(400, 'validation', `malformed If-Match header: ${header.slice(0, 100)}`);
  if (!versions.includes(current.version)) throw preconditionFailed(current.version);
  return current.version;
}

const preconditionFailed = (currentVersion: number) =>
  new HttpError(412, 'precondition_failed', `the product changed: its current version is ${currentVersion}; GET it again and retry`, { currentVersion });

function toFields(input: z.infer<typeof ProductInput>): ProductFields {
  return {
    name: input.name,
    description: input.description,
    priceCents: parseMoneyToCents(input.price),
    category: input.category,
    supplierEmail: input.supplierEmail.toLowerCase(),
    stock: input.stock,
  };
}

export function productsRouter(ctx: ShopContext, auth: ReturnType<typeof createAuth>): Router {
  const r = Router();

  async function load(req: Request): Promise<ProductRecord> {
    const { id } = parse(ProductIdParams, req.params, 'params');
    const p = await ctx.store.getProduct(id);
    if (!p) throw new NotFoundError(`product ${id} not found`);
    return p;
  }

  const send = (res: Response, p: ProductRecord, status = 200) => {
    res.status(status).set('ETag', etag(p.version)).json(productJson(p));
  };

  async function write(req: Request, res: Response, current: ProductRecord, fields: ProductFields, action: string) {
    const version = expectedVersion(req, current);
    const out = await ctx.store.updateProduct(current.id, version, fields, current.category);
    if (out.status === 'missing') throw new NotFoundError(`product ${current.id} not found`);
    if (out.status === 'conflict') throw preconditionFailed(out.currentVersion);
    const user = sessionUser(res);
    const changed = (Object.keys(fields) as (keyof ProductFields)[]).filter((k) => fields[k] !== current[k]);
    await ctx.audit.record({ actorId: user.id, actorRole: user.role, action, entity: 'product', entityId: current.id, details: { changed, version: out.product.version } });
    send(res, out.product);
  }

  r.get('/products', async (req, res) => {
    const q = parse(ProductListQuery, req.query, 'query');
    const page = await ctx.store.listProducts({ limit: q.limit, ...(q.category ? { category: q.category } : {}), ...(q.cursor ? { cursor: q.cursor } : {}) });
    res.json({ items: page.items.map(productJson), nextCursor: page.nextCursor });
  });

  r.post('/products', auth.requireAdmin, async (req, res) => {
    const input = parse(ProductInput, req.body, 'body');
    const p = await ctx.store.createProduct(toFields(input));
    const user = sessionUser(res);
    await ctx.audit.record({ actorId: user.id, actorRole: user.role, action: 'product.create', entity: 'product', entityId: p.id, details: { name: p.name, price: input.price } });
    res.location(`${req.baseUrl}/products/${p.id}`);
    send(res, p, 201);
  });

  r.get('/products/:id', async (req, res) => {
    const p = await load(req);
    if (req.get('if-none-match') === etag(p.version)) {
      res.status(304).set('ETag', etag(p.version)).end();
      return;
    }
    send(res, p);
  });

  r.put('/products/:id', auth.requireAdmin, async (req, res) => {
    const current = await load(req);
    const input = parse(ProductInput, req.body, 'body');
    await write(req, res, current, toFields(input), 'product.replace');
  });

  r.patch('/products/:id', auth.requireAdmin, async (req, res) => {
    const current = await load(req);
    const patch = parse(ProductPatch, req.body, 'body');
    const fields: ProductFields = {
      name: patch.name ?? current.name,
      description: patch.description ?? current.description,
      priceCents: patch.price !== undefined ? parseMoneyToCents(patch.price) : current.priceCents,
      category: patch.category ?? current.category,
      supplierEmail: patch.supplierEmail?.toLowerCase() ?? current.supplierEmail,
      stock: patch.stock ?? current.stock,
    };
    await write(req, res, current, fields, 'product.update');
  });

  r.delete('/products/:id', auth.requireAdmin, async (req, res) => {
    const current = await load(req);
    const version = expectedVersion(req, current);
    const out = await ctx.store.deleteProduct(current.id, version, current.category);
    if (out.status === 'missing') throw new NotFoundError(`product ${current.id} not found`);
    if (out.status === 'conflict') throw preconditionFailed(out.currentVersion);
    const user = sessionUser(res);
    await ctx.audit.record({ actorId: user.id, actorRole: user.role, action: 'product.delete', entity: 'product', entityId: current.id, details: { version } });
    res.status(204).end();
  });

  return r;
}
