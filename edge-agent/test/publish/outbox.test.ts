import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
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

test('SqliteOutbox: one agent per outbox; a second opener gets a clear error, and can open once the first closes', () => {
  const dir = mkdtempSync(join(tmpdir(), 'vigil-outbox-lock-'));
  const path = join(dir, 'outbox.db');
  try {
    const first = new SqliteOutbox({ path });
    first.enqueue({ kind: 'event', camera: 'cam-a', topic: 't', payload: Buffer.from('e1') });
    assert.throws(() => new SqliteOutbox({ path }), (err: Error & { code?: string }) => err.code === 'VIGIL_ERR_OUTBOX' && /is in use by another process.*one edge agent per storage.dir/.test(err.message));
    first.close();
    const second = new SqliteOutbox({ path });
    assert.equal(second.stats().depth, 1);
    second.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
