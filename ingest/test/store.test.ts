import { KyselyStore, openDatabase } from '../src/index.js';
import { storeConformance } from './conformance/store-suite.js';

storeConformance('PGlite (embedded)', async () => {
  const db = await openDatabase({ embedded: true });
  return { store: new KyselyStore(db.db), close: () => db.close() };
});
