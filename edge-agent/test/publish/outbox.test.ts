import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { MemoryOutbox, MemoryOutboxStore, SqliteOutbox } from '../../src/publish/index.js';
import { outboxConformance } from './outbox-conformance.js';

const memoryStores = new Map<string, MemoryOutboxStore>();
outboxConformance('MemoryOutbox', {
  open(location, options) {
    if (!memoryStores.has(location)) memoryStores.set(location, new MemoryOutboxStore());
    return new MemoryOutbox({ store: memoryStores.get(location)!, ...options });
  },
});

outboxConformance('SqliteOutbox', {
  open: (location, options) => new SqliteOutbox({ path: join(location, 'outbox.db'), ...options }),
  crashWriter: fileURLToPath(new URL('./fixtures/sqlite-crash-writer.ts', import.meta.url)),
});
