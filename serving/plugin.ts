// The seam through which serving mounts a second application (the shop) without knowing it,
// the way ponder's server mounts the user's API: the plugin registers its routes on the API
// router (under /api/v1, after API-key authentication and JSON body parsing, before the 404)
// and returns their docs for /openapi.json. Errors it throws go through serving's one error
// middleware (serving/http-errors.ts); it validates with serving/parse.ts.
import type { Router } from 'express';
import type { Common } from '../core/common.js';
import type { RouteDoc } from './openapi.js';

export type PluginHost = { router: Router; common: Common };

export type ServingPlugin = {
  /** Also the OpenAPI tag of its routes unless a doc names its own. */
  name: string;
  /** Registers the routes; returns their docs with paths relative to /api/v1. */
  mount: (host: PluginHost) => RouteDoc[];
};
