export * from './publish/index.js';
export * from './source/index.js';
export * from './motion/index.js';
export * from './health/index.js';
export * from './pipeline/index.js';
