import type { Kysely } from 'kysely';
import type { Database } from '../db/tables.js';
import type { Principal } from '../auth/roles.js';
import { ApiError, notFound } from '../errors.js';
import { audit } from './audit.js';

export interface SilenceInput {
  site?: string | null;
  gateway?: string | null;
  camera?: string | null;
  type?: string | null;
  comment: string;
  starts_at?: string;
  ends_at: string;
}

/** Silences live in ingest's table (its alert engine applies them); the API creates and expires them. */
export class SilenceService {
  constructor(private readonly db: Kysely<Database>) {}

  async list(includeExpired: boolean) {
    let q = this.db.selectFrom('silences').selectAll().orderBy('id', 'desc').limit(500);
    if (!includeExpired) q = q.where('ends_at', '>', new Date());
    return (await q.execute()).map(view);
  }

  async create(who: Principal, input: SilenceInput) {
    const now = new Date();
    const starts = input.starts_at ? new Date(input.starts_at) : now;
    const ends = new Date(input.ends_at);
    if (!(ends > starts)) throw new ApiError(400, 'VIGIL_ERR_VALIDATION', 'ends_at must be after starts_at (or after now); give the time the silence should stop.');
    if (!input.site && !input.gateway && !input.camera && !input.type) {
      throw new ApiError(400, 'VIGIL_ERR_VALIDATION', 'A silence needs at least one matcher (site, gateway, camera or type); silencing everything is not allowed.');
    }
    const row = await this.db
      .insertInto('silences')
      .values({
        site: input.site ?? null,
        gateway: input.gateway ?? null,
        camera: input.camera ?? null,
        type: input.type ?? null,
        owner: who.actor,
        comment: input.comment,
        starts_at: starts,
        ends_at: ends,
        created_at: now,
      })
      .returningAll()
      .executeTakeFirstOrThrow();
    await audit(this.db, { actor: who.actor, action: 'silence.created', detail: { silence_id: row.id, ...input } });
    return view(row);
  }

  async expire(who: Principal, id: number) {
    const now = new Date();
    const row = await this.db.updateTable('silences').set({ ends_at: now }).where('id', '=', id).where('ends_at', '>', now).returningAll().executeTakeFirst();
    if (!row) throw notFound(`Active silence ${id}`);
    await audit(this.db, { actor: who.actor, action: 'silence.expired', detail: { silence_id: id } });
    return view(row);
  }
}

function view(r: { id: number; site: string | null; gateway: string | null; camera: string | null; type: string | null; owner: string; comment: string; starts_at: Date; ends_at: Date; created_at: Date }) {
  return { ...r, starts_at: r.starts_at.toISOString(), ends_at: r.ends_at.toISOString(), created_at: r.created_at.toISOString() };
}
