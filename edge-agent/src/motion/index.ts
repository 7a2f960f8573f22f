export * from './grey.js';
export * from './mask.js';
export * from './motion-detector.js';
