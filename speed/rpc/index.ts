// speed/rpc public surface.
export * from './endpoints.js';
export * from './errors.js';
export * from './pool.js';
export * from './schemas.js';
