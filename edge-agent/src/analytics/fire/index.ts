export * from './confirmation.js';
export * from './fire-analytic.js';
