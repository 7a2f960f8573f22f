import { createHash, randomUUID } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdir, readdir, rename, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { VigilError, type EvidenceRef } from '@vigil/contracts';

export interface StoredEvidence {
  path: string;
  sha256: string;
  bytes: number;
  /** When the file was written (ms), from its mtime after a restart. */
  writtenAt: number;
}

export interface EvidenceStoreOptions {
  dir: string;
  /** Disk budget for all evidence files (storage.evidence_max_mb). */
  maxBytes: number;
  /** Files older than this are removed (storage.retention_days). */
  retentionMs: number;
  now?: () => number;
  /**
   * Whether a file may be removed to make room. The publisher answers "not yet" for files whose chunks
   * are still queued; retention by age removes them regardless (a file that could not be delivered in
   * retention_days is not going to be).
   */
  canEvict?: (file: StoredEvidence) => boolean;
}

const NAME = /^([0-9a-f]{64})\.(jpg|mp4)$/;

/**
 * Evidence files on the gateway's disk, addressed by content: `<dir>/<sha256>.<ext>`, so the name is the
 * contract's evidence reference and a file written twice is stored once. Disk use is bounded:
 * 1. after every write, files older than the retention period are removed;
 * 2. then, while the total is over the byte budget, the oldest evictable file goes (oldest first);
 * 3. the file just written is never removed by its own write. When the files left are all protected
 *    (not yet delivered) the store stays over budget and says so in `overBudget`, rather than drop
 *    evidence nobody has seen.
 */
export class EvidenceStore {
  private readonly files = new Map<string, StoredEvidence>();
  private total = 0;
  private readonly now: () => number;

  private constructor(private readonly options: EvidenceStoreOptions) {
    this.now = options.now ?? Date.now;
  }

  /** Opens (creating) the directory and indexes the files already there; half-written files are removed. */
  static async open(options: EvidenceStoreOptions): Promise<EvidenceStore> {
    const store = new EvidenceStore(options);
    try {
      await mkdir(join(options.dir, '.partial'), { recursive: true });
    } catch (e) {
      throw new VigilError('VIGIL_ERR_EVIDENCE_WRITE', `cannot create the evidence directory ${options.dir}: ${(e as Error).message}; set storage.dir to a writable path`);
    }
    await rm(join(options.dir, '.partial'), { recursive: true, force: true });
    await mkdir(join(options.dir, '.partial'), { recursive: true });
    for (const name of await readdir(options.dir)) {
      const m = NAME.exec(name);
      if (!m) continue;
      const path = join(options.dir, name);
      const s = await stat(path);
      store.index({ path, sha256: m[1]!, bytes: s.size, writtenAt: s.mtimeMs });
    }
    return store;
  }

  get usedBytes(): number {
    return this.total;
  }

  get overBudget(): boolean {
    return this.total > this.options.maxBytes;
  }

  list(): StoredEvidence[] {
    return [...this.files.values()].sort((a, b) => a.writtenAt - b.writtenAt);
  }

  /** A path under the store for a file being produced (e.g. by ffmpeg); hand it to `adopt` when done. */
  partialPath(ext: string): string {
    return join(this.options.dir, '.partial', `${randomUUID()}.${ext}`);
  }

  async put(data: Buffer, ext: 'jpg' | 'mp4', kind: EvidenceRef['kind'], contentType: string, at: number): Promise<{ ref: EvidenceRef; path: string }> {
    const partial = this.partialPath(ext);
    await writeFile(partial, data);
    return this.adopt(partial, ext, kind, contentType, at);
  }

  /** Moves a finished file into the store under its sha256 and enforces the budget. */
  async adopt(partial: string, ext: 'jpg' | 'mp4', kind: EvidenceRef['kind'], contentType: string, at: number): Promise<{ ref: EvidenceRef; path: string }> {
    const sha256 = await sha256File(partial);
    const { size } = await stat(partial);
    const path = join(this.options.dir, `${sha256}.${ext}`);
    await rename(partial, path);
    this.index({ path, sha256, bytes: size, writtenAt: this.now() });
    await this.enforce(path);
    return { ref: { kind, sha256, content_type: contentType, bytes: size, at: new Date(at).toISOString() }, path };
  }

  /** Applies retention and the byte budget now; returns the paths removed. */
  async enforce(keep?: string): Promise<string[]> {
    const removed: string[] = [];
    const cutoff = this.now() - this.options.retentionMs;
    for (const f of this.list()) {
      if (f.writtenAt < cutoff && f.path !== keep) removed.push(await this.remove(f));
    }
    for (const f of this.list()) {
      if (this.total <= this.options.maxBytes) break;
      if (f.path === keep || (this.options.canEvict && !this.options.canEvict(f))) continue;
      removed.push(await this.remove(f));
    }
    return removed;
  }

  private index(f: StoredEvidence): void {
    const old = this.files.get(f.path);
    if (old) this.total -= old.bytes;
    this.files.set(f.path, f);
    this.total += f.bytes;
  }

  private async remove(f: StoredEvidence): Promise<string> {
    await rm(f.path, { force: true });
    this.files.delete(f.path);
    this.total -= f.bytes;
    return f.path;
  }
}

async function sha256File(path: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}
