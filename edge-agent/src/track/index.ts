export * from './detection.js';
export * from './kalman.js';
export * from './byte-tracker.js';
export * from './riders.js';
