// The shop API, mounted by serving/app.ts at /api/v1: products, books, users, carts,
// audit, recommendations. Errors are thrown (ValidationError → 400, NotFoundError → 404,
// HttpError → its status) and rendered by the app's error middleware.
import { Router } from 'express';
import type { Config } from '../../../core/config.js';
import type { Logger } from '../../../core/logger.js';
import type { CassandraClient } from '../../../storage/cassandra.js';
import type { LakePaths } from '../../../storage/lake/paths.js';
import { createShopStore } from '../../../storage/shop.js';
import { auditRouteDocs, auditRouter } from './audit.js';
import { createAuth } from './auth.js';
import { bookRouteDocs, booksRouter } from './books.js';
import { cartRouteDocs, cartsRouter } from './carts.js';
import { type AuditSink, cachedBooks, type RouteDoc, type ShopContext } from './context.js';
import { productRouteDocs, productsRouter } from './products.js';
import { recommendationRouteDocs, recommendationsRouter } from './recommendations.js';
import { userRouteDocs, usersRouter } from './users.js';

export { HttpError } from './http-error.js';
export type { AuditSink, RouteDoc } from './context.js';

export type ShopRouterDeps = {
  cassandra: CassandraClient;
  config: Config;
  logger: Logger;
  lakePaths?: LakePaths;
  /** Where audit entries go; default: the shop_audit table. */
  audit?: AuditSink;
};

export const shopRouteDocs: RouteDoc[] = [
  ...productRouteDocs,
  ...bookRouteDocs,
  ...recommendationRouteDocs,
  ...userRouteDocs,
  ...cartRouteDocs,
  ...auditRouteDocs,
];

export function createShopRouter(deps: ShopRouterDeps): Router {
  const store = createShopStore(deps.cassandra);
  const ctx: ShopContext = {
    store,
    config: deps.config,
    logger: deps.logger.child({ component: 'shop-api' }),
    ...(deps.lakePaths ? { lakePaths: deps.lakePaths } : {}),
    audit: deps.audit ?? { record: (e) => store.recordAudit(e) },
    books: cachedBooks(store, Math.max(1_000, deps.config.CACHE_TTL_MS)),
  };
  const auth = createAuth(ctx);
  const router = Router();
  // Recommendations first: /users/me/recommendations and /books/:id/recommendations are more specific.
  router.use(recommendationsRouter(ctx, auth));
  router.use(productsRouter(ctx, auth));
  router.use(booksRouter(ctx));
  router.use(usersRouter(ctx, auth));
  router.use(cartsRouter(ctx, auth));
  router.use(auditRouter(ctx, auth));
  return router;
}
