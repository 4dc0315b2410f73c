// The shop as a serving plugin (serving/plugin.ts): products, books, users, carts, audit,
// recommendations and job runs under /api/v1. Errors are thrown (ValidationError → 400,
// NotFoundError → 404, HttpError → its status) and rendered by serving's error middleware.
// The serve command is the one place that hands this plugin to serving.
import { Router } from 'express';
import type { RouteDoc } from '../serving/openapi.js';
import type { ServingPlugin } from '../serving/plugin.js';
import { auditRouteDocs, auditRouter } from './routes/audit.js';
import { createAuth } from './routes/auth.js';
import { bookRouteDocs, booksRouter } from './routes/books.js';
import { cartRouteDocs, cartsRouter } from './routes/carts.js';
import { type AuditSink, cachedBooks, type ShopContext } from './routes/context.js';
import { productRouteDocs, productsRouter } from './routes/products.js';
import { recommendationRouteDocs, recommendationsRouter } from './routes/recommendations.js';
import { runRouteDocs, runsRouter } from './routes/runs.js';
import { userRouteDocs, usersRouter } from './routes/users.js';
import type { ShopStore } from './store.js';

const shopRouteDocs: RouteDoc[] = [
  ...productRouteDocs,
  ...bookRouteDocs,
  ...recommendationRouteDocs,
  ...userRouteDocs,
  ...cartRouteDocs,
  ...auditRouteDocs,
  ...runRouteDocs,
];

/** The shop plugin over its store (openShopStore). audit: where audit entries go; default the shop_audit table. */
export function shopPlugin(store: ShopStore, opts: { audit?: AuditSink } = {}): ServingPlugin {
  return {
    name: 'shop',
    mount: ({ router, common }) => {
      const ctx: ShopContext = {
        store,
        config: common.config,
        logger: common.logger.child({ component: 'shop-api' }),
        audit: opts.audit ?? { record: (e) => store.recordAudit(e) },
        books: cachedBooks(store, Math.max(1_000, common.config.CACHE_TTL_MS)),
      };
      const auth = createAuth(ctx);
      const shop = Router();
      // Recommendations first: /users/me/recommendations and /books/:id/recommendations are more specific.
      shop.use(recommendationsRouter(ctx, auth));
      shop.use(productsRouter(ctx, auth));
      shop.use(booksRouter(ctx));
      shop.use(usersRouter(ctx, auth));
      shop.use(cartsRouter(ctx, auth));
      shop.use(auditRouter(ctx, auth));
      shop.use(runsRouter(ctx));
      router.use(shop);
      return shopRouteDocs;
    },
  };
}
