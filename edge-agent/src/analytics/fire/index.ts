export * from './confirmation.js';
export * from './fire-analytic.js';
export * from './fire-stage.js';
