export * from './publish/index.js';
export * from './source/index.js';
export * from './motion/index.js';
export * from './health/index.js';
export * from './pipeline/index.js';
export * from './track/index.js';
export * from './analytics/traffic/index.js';
export * as geometry from './geometry/index.js';
