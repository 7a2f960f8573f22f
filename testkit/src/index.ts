export * from './ports.js';
export * from './process.js';
export * from './require.js';
export * from './mosquitto.js';
export * from './influx.js';
export * from './postgres.js';
export * from './rtsp.js';
export * from './media.js';
