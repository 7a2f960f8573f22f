import { createHash } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { EvidenceStore } from '@vigil/ingest';
import type { Database } from '../db/tables.js';
import { hmacHex, safeEqualHex } from '../auth/secrets.js';
import { ApiError } from '../errors.js';

/**
 * Evidence is fetched through short-lived signed links (an HMAC over sha256 + expiry), so an image
 * tag or a forwarded link works without the session cookie, and stops working after `ttlMs`.
 */
export class EvidenceLinks {
  constructor(
    private readonly secret: string,
    private readonly ttlMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  sign(sha256: string): { url: string; expires_at: string } {
    const exp = Math.floor((this.now() + this.ttlMs) / 1000);
    const sig = hmacHex(this.secret, `${sha256}.${exp}`);
    return { url: `/api/v1/evidence/${sha256}?exp=${exp}&sig=${sig}`, expires_at: new Date(exp * 1000).toISOString() };
  }

  verify(sha256: string, exp: number, sig: string): void {
    if (exp * 1000 < this.now()) {
      throw new ApiError(403, 'VIGIL_ERR_EVIDENCE_LINK', 'This evidence link has expired; reopen the alert to get a fresh link.');
    }
    if (!/^[0-9a-f]+$/.test(sig) || !safeEqualHex(sig, hmacHex(this.secret, `${sha256}.${exp}`))) {
      throw new ApiError(403, 'VIGIL_ERR_EVIDENCE_LINK', 'This evidence link is not valid (altered or signed by another server); reopen the alert to get a fresh link.');
    }
  }
}

/** Where evidence bytes come from; ingest's content-addressed store plugs in here. */
export interface EvidenceBlobs {
  read(sha256: string): Promise<{ data: Buffer; contentType: string } | null>;
}

/**
 * Evidence from ingest's content-addressed store on disk. Bytes are re-hashed before serving: a file
 * whose sha256 does not match the event is never shown as evidence.
 */
export class StoredEvidenceBlobs implements EvidenceBlobs {
  constructor(
    private readonly db: Kysely<Database>,
    private readonly store: EvidenceStore | undefined,
  ) {}

  async read(sha256: string) {
    if (!this.store || !(await this.store.has(sha256))) return null;
    const data = await this.store.read(sha256);
    if (createHash('sha256').update(data).digest('hex') !== sha256) return null;
    const meta = await this.db.selectFrom('evidence').select('content_type').where('sha256', '=', sha256).executeTakeFirst();
    return { data, contentType: meta?.content_type ?? 'application/octet-stream' };
  }
}
