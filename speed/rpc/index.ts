// speed/rpc public surface.
export * from './block-bundle.js';
export * from './endpoints.js';
export * from './errors.js';
export * from './pool.js';
export * from './schemas.js';
export * from './transport.js';
export * from './scrub.js';
