export * from './camera-runner.js';
export * from './edge-agent.js';
export * from './analytics.js';
