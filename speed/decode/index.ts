// speed/decode public surface (pure: classification, call decoding, transfers, block → record).
export * from './block.js';
export * from './calls.js';
export * from './classify.js';
export * from './transfers.js';
