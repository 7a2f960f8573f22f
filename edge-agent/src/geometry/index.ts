export * from './plane.js';
export * from './homography.js';
