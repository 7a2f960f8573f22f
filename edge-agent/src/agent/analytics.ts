import type { Logger } from '@vigil/observe';
import type { AnalyticFactory } from '../pipeline/analytic.js';

export interface BuiltinAnalyticsOptions {
  logger?: Logger;
}

/**
 * The analytic families the edge agent offers each camera. Camera health runs on every camera inside
 * the pipeline itself; flood, fire and traffic are added here as their stages land.
 */
export function builtinAnalytics(_options: BuiltinAnalyticsOptions = {}): AnalyticFactory[] {
  return [];
}
