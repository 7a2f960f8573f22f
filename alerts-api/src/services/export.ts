import type { Kysely } from 'kysely';
import type { Database } from '../db/tables.js';
import type { Scope } from '../auth/roles.js';
import type { EvidenceLinks } from './evidence.js';

/**
 * Operator verdicts with their evidence, as a labelled dataset for retraining: one record per judged
 * alert with the label, the event attributes and signed links to every evidence file (by sha256, so a
 * training set can be checked and de-duplicated).
 */
export class VerdictExport {
  constructor(
    private readonly db: Kysely<Database>,
    private readonly links: EvidenceLinks,
  ) {}

  async records(scope: Scope, q: { from?: Date; to?: Date; type?: string }) {
    let query = this.db
      .selectFrom('api_alert_verdicts as v')
      .innerJoin('alerts as a', 'a.id', 'v.alert_id')
      .select(['a.id', 'a.type', 'a.site', 'a.gateway', 'a.camera', 'a.incident', 'a.first_event_id', 'a.fired_at', 'v.verdict', 'v.duplicate_of', 'v.comment', 'v.decided_by', 'v.at'])
      .orderBy('v.at');
    if (q.from) query = query.where('v.at', '>=', q.from);
    if (q.to) query = query.where('v.at', '<', q.to);
    if (q.type) query = query.where('a.type', '=', q.type);
    if (scope.types) query = query.where('a.type', 'in', scope.types.length ? [...scope.types] : ['-']);
    if (scope.sites) query = query.where('a.site', 'in', scope.sites.length ? [...scope.sites] : ['-']);
    const rows = await query.execute();
    const out = [];
    for (const r of rows) {
      const events = await this.db.selectFrom('events').select(['id', 'body']).where('incident', '=', r.incident).where('type', '=', r.type).execute();
      const ids = events.map((e) => e.id);
      const evidence = ids.length ? await this.db.selectFrom('evidence').selectAll().where('event_id', 'in', ids).execute() : [];
      const first = events.find((e) => e.id === r.first_event_id) ?? events[0];
      const body = (first ? (typeof first.body === 'string' ? JSON.parse(first.body) : first.body) : null) as { attributes?: unknown; model?: unknown; boxes?: unknown } | null;
      out.push({
        alert_id: r.id,
        label: r.verdict,
        duplicate_of: r.duplicate_of,
        type: r.type,
        site: r.site,
        camera: r.camera,
        fired_at: r.fired_at.toISOString(),
        decided_by: r.decided_by,
        decided_at: r.at.toISOString(),
        comment: r.comment,
        model: body?.model ?? null,
        attributes: body?.attributes ?? null,
        boxes: body?.boxes ?? [],
        evidence: evidence.map((e) => ({ sha256: e.sha256, kind: e.kind, content_type: e.content_type, bytes: e.bytes, ...this.links.sign(e.sha256) })),
      });
    }
    return out;
  }
}
