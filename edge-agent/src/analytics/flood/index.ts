export * from './gauge-calibration.js';
export * from './water-level-estimator.js';
export * from './flood-levels.js';
export * from './flood-analytic.js';
export * from './flood-stage.js';
