import { after, before } from 'node:test';
import { postgresSkip, startPostgres, type PostgresHandle } from '@vigil/testkit';
import { KyselyStore, openDatabase } from '../src/index.js';
import { storeConformance } from './conformance/store-suite.js';

const skip = postgresSkip();
let pgServer: PostgresHandle | undefined;
before(async () => {
  if (!skip) pgServer = await startPostgres();
});
after(async () => pgServer?.stop());

// Each test gets clean tables: the suite's tests assume an empty store.
storeConformance(
  'PostgreSQL (real server)',
  async () => {
    const db = await openDatabase({ url: pgServer!.url, poolSize: 4 });
    await db.db.deleteFrom('notifications').execute();
    for (const t of ['audit_log', 'alerts', 'silences', 'evidence_chunks', 'evidence', 'gateways', 'sequence_gaps', 'gateway_sequences', 'dead_letters', 'events'] as const) await db.db.deleteFrom(t).execute();
    return { store: new KyselyStore(db.db), close: () => db.close() };
  },
  { skip },
);
