export * from './frame-ring.js';
export * from './snapshot.js';
export * from './clip.js';
export * from './evidence-store.js';
export * from './evidence-recorder.js';
