import { createHash } from 'node:crypto';
import { mkdir, readdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { VigilError } from '@vigil/contracts';

const SHA256 = /^[0-9a-f]{64}$/;

/**
 * Evidence files on disk, addressed by their sha256 (ab/cd/abcd...): a file is stored once however
 * many events point at it, and its name proves its content. S3-compatible storage can follow the same
 * interface later.
 */
export class EvidenceStore {
  constructor(readonly root: string) {}

  pathOf(sha256: string): string {
    if (!SHA256.test(sha256)) throw new VigilError('VIGIL_ERR_EVIDENCE_MISMATCH', `"${sha256}" is not a lower-case hex sha256`);
    return join(this.root, sha256.slice(0, 2), sha256.slice(2, 4), sha256);
  }

  /** Stores bytes under `sha256` after checking they hash to it; throws VIGIL_ERR_EVIDENCE_MISMATCH if not. */
  async put(sha256: string, data: Uint8Array): Promise<string> {
    const actual = createHash('sha256').update(data).digest('hex');
    if (actual !== sha256) {
      throw new VigilError('VIGIL_ERR_EVIDENCE_MISMATCH', `evidence bytes hash to ${actual}, not ${sha256} named in the event; the file was corrupted in transit and is not stored`);
    }
    const path = this.pathOf(sha256);
    if (await this.has(sha256)) return path;
    await mkdir(join(path, '..'), { recursive: true });
    // Write then rename, so a reader never sees half a file under a content address.
    const tmp = `${path}.${process.pid}.tmp`;
    await writeFile(tmp, data);
    await rename(tmp, path);
    return path;
  }

  async has(sha256: string): Promise<boolean> {
    try {
      await stat(this.pathOf(sha256));
      return true;
    } catch {
      return false;
    }
  }

  read(sha256: string): Promise<Buffer> {
    return readFile(this.pathOf(sha256));
  }

  /** Retention: deletes files older than maxAgeMs (by store time); returns the sha256s removed. */
  async prune(maxAgeMs: number, now = Date.now()): Promise<string[]> {
    const removed: string[] = [];
    for (const a of await safeReaddir(this.root)) {
      for (const b of await safeReaddir(join(this.root, a))) {
        for (const name of await safeReaddir(join(this.root, a, b))) {
          const full = join(this.root, a, b, name);
          const s = await stat(full);
          if (now - s.mtimeMs > maxAgeMs) {
            await rm(full, { force: true });
            if (SHA256.test(name)) removed.push(name);
          }
        }
      }
    }
    return removed;
  }
}

async function safeReaddir(dir: string): Promise<string[]> {
  try {
    return await readdir(dir);
  } catch {
    return [];
  }
}
