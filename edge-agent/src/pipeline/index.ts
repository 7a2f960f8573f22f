export * from './analytic.js';
export * from './events.js';
export * from './camera-pipeline.js';
export * from './offline.js';
