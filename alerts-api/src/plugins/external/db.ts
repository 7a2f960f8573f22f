import fp from 'fastify-plugin';
import type { Kysely } from 'kysely';
import type { Database } from '../../db/tables.js';
import { migrateApiTables } from '../../db/migrations.js';
import type { AppOptions } from '../../options.js';

declare module 'fastify' {
  interface FastifyInstance {
    db: Kysely<Database>;
  }
}

/** The database handle; the caller owns and closes it (the CLI, a test, or the demo). */
export default fp<AppOptions>(
  async (app, opts) => {
    if (opts.migrate !== false) await migrateApiTables(opts.db);
    app.decorate('db', opts.db);
  },
  { name: 'db' },
);
