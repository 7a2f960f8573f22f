export * from './image-stats.js';
export * from './camera-health.js';
