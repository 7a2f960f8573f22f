export { default as vigilApi } from './app.js';
export { buildServer, startServer } from './server.js';
export type { AppOptions } from './options.js';
export { openDatabase, type DatabaseTarget } from './db/connect.js';
export { migrateApiTables } from './db/migrations.js';
export type { Database, ApiTables, IngestTables } from './db/tables.js';
export { ROLES, ROLE_PERMISSIONS, ROLE_TYPES, type Role, type Permission, type Principal } from './auth/roles.js';
export { ApiError, type ApiErrorCode } from './errors.js';
export { signWebhook } from './services/webhooks.js';
export type { EvidenceBlobs } from './services/evidence.js';
export { buildDashboard, webDistDir } from './web.js';
// The app's decorators (app.users, app.alerts, ...) are typed by module augmentation inside these
// plugins; re-exporting them brings the types to every package that builds the app.
export type {} from './plugins/external/auth.js';
export type {} from './plugins/app/services.js';
