export * from './scenes/scene.js';
export * from './scenes/flood-gauge.js';
export * from './scenes/field-fire.js';
export * from './scenes/intersection.js';
export * from './render.js';
export * from './broker.js';
export * from './clips.js';
