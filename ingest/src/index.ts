// consume -> validate -> store (influx, postgres) -> alerting
export * from './consume/consumer.js';
export * from './validate/classify.js';
export type * from './store/postgres/schema.js';
export * from './store/postgres/interfaces.js';
export * from './store/postgres/migrations.js';
export * from './store/postgres/connect.js';
export * from './store/postgres/store.js';
export * from './store/timeseries/point.js';
export * from './store/timeseries/influx-writer.js';
export * from './store/timeseries/sqlite-writer.js';
export * from './store/timeseries/points-from.js';
export * from './store/evidence/evidence-store.js';
export * from './alerting/routing.js';
export * from './alerting/engine.js';
export * from './metrics.js';
export * from './worker.js';
