import type { Kysely } from 'kysely';
import type { Database, UserRow } from '../db/tables.js';
import { isRole, scopeFor, type Principal, type Role } from '../auth/roles.js';
import { hashPassword, newToken, sha256Hex, verifyPassword } from '../auth/secrets.js';
import { ApiError } from '../errors.js';
import { audit } from './audit.js';

export interface NewUser {
  username: string;
  displayName?: string;
  password: string;
  role: Role;
  sites?: string[] | null;
}

export interface PublicUser {
  id: number;
  username: string;
  display_name: string;
  role: Role;
  sites: string[] | null;
  disabled: boolean;
}

/** A fixed hash to verify against when the user does not exist, so timing does not reveal usernames. */
let decoyHash: Promise<string> | undefined;

/**
 * Who a credential belongs to is cached briefly: an integration polling the alert list would otherwise
 * cost a database round trip per request. Logout and revocation evict at once on this instance; other
 * API instances notice within this time.
 */
const PRINCIPAL_CACHE_MS = 5_000;

/** Users, their sessions (cookie) and API tokens (bearer) for integrations. */
export class UserService {
  private readonly cache = new Map<string, { principal: Principal | null; until: number }>();

  constructor(
    private readonly db: Kysely<Database>,
    private readonly sessionTtlMs: number,
  ) {}

  private async cached(key: string, load: () => Promise<Principal | null>): Promise<Principal | null> {
    const now = Date.now();
    const hit = this.cache.get(key);
    if (hit && hit.until > now) return hit.principal;
    const principal = await load();
    if (this.cache.size > 10_000) this.cache.clear();
    this.cache.set(key, { principal, until: now + PRINCIPAL_CACHE_MS });
    return principal;
  }

  async create(user: NewUser, actor: string): Promise<PublicUser> {
    if (user.password.length < 10) {
      throw new ApiError(400, 'VIGIL_ERR_VALIDATION', 'The password is too short: use at least 10 characters.');
    }
    const existing = await this.db.selectFrom('api_users').select('id').where('username', '=', user.username).executeTakeFirst();
    if (existing) throw new ApiError(409, 'VIGIL_ERR_CONFLICT', `User "${user.username}" already exists; pick another username.`);
    const row = await this.db
      .insertInto('api_users')
      .values({
        username: user.username,
        display_name: user.displayName ?? user.username,
        password_hash: await hashPassword(user.password),
        role: user.role,
        sites: JSON.stringify(user.sites ?? null),
        created_at: new Date(),
      })
      .returningAll()
      .executeTakeFirstOrThrow();
    await audit(this.db, { actor, action: 'user.create', detail: { username: user.username, role: user.role } });
    return toPublic(row);
  }

  /** First start: creates the admin when there are no users yet; returns whether it did. */
  async bootstrapAdmin(username: string, password: string): Promise<boolean> {
    const any = await this.db.selectFrom('api_users').select('id').limit(1).executeTakeFirst();
    if (any) return false;
    await this.create({ username, password, role: 'admin', displayName: 'Administrator' }, 'system:bootstrap');
    return true;
  }

  async list(): Promise<PublicUser[]> {
    const rows = await this.db.selectFrom('api_users').selectAll().orderBy('id').execute();
    return rows.map(toPublic);
  }

  /** Checks the password; returns the user or null (never says which of the two was wrong). */
  async verify(username: string, password: string): Promise<UserRow | null> {
    const row = await this.db.selectFrom('api_users').selectAll().where('username', '=', username).executeTakeFirst();
    if (!row || row.disabled) {
      decoyHash ??= hashPassword('decoy-password-for-timing');
      await verifyPassword(await decoyHash, password);
      return null;
    }
    return (await verifyPassword(row.password_hash, password)) ? row : null;
  }

  async startSession(user: UserRow): Promise<{ token: string; expiresAt: Date }> {
    const token = newToken('vgs');
    const now = new Date();
    const expiresAt = new Date(now.getTime() + this.sessionTtlMs);
    await this.db.insertInto('api_sessions').values({ token_hash: sha256Hex(token), user_id: user.id, created_at: now, expires_at: expiresAt }).execute();
    await audit(this.db, { actor: `user:${user.username}`, action: 'session.login' });
    return { token, expiresAt };
  }

  /** Retention: expired sessions are deleted (they already stopped working at expiry). */
  async pruneSessions(now = new Date()): Promise<number> {
    const r = await this.db.deleteFrom('api_sessions').where('expires_at', '<=', now).executeTakeFirst();
    return Number(r.numDeletedRows);
  }

  async endSession(token: string, actor: string): Promise<void> {
    this.cache.delete(`s:${sha256Hex(token)}`);
    await this.db.deleteFrom('api_sessions').where('token_hash', '=', sha256Hex(token)).execute();
    await audit(this.db, { actor, action: 'session.logout' });
  }

  principalFromSession(token: string): Promise<Principal | null> {
    const hash = sha256Hex(token);
    return this.cached(`s:${hash}`, () => this.loadSession(hash));
  }

  private async loadSession(hash: string): Promise<Principal | null> {
    const row = await this.db
      .selectFrom('api_sessions')
      .innerJoin('api_users', 'api_users.id', 'api_sessions.user_id')
      .selectAll('api_users')
      .where('api_sessions.token_hash', '=', hash)
      .where('api_sessions.expires_at', '>', new Date())
      .executeTakeFirst();
    if (!row || row.disabled || !isRole(row.role)) return null;
    return {
      actor: `user:${row.username}`,
      kind: 'user',
      id: row.id,
      username: row.username,
      displayName: row.display_name,
      role: row.role,
      scope: scopeFor(row.role, row.sites),
    };
  }

  async createToken(input: { name: string; role: Role; sites?: string[] | null; expiresAt?: Date | null }, actor: string) {
    const token = newToken('vgt');
    const row = await this.db
      .insertInto('api_tokens')
      .values({
        name: input.name,
        token_hash: sha256Hex(token),
        role: input.role,
        sites: JSON.stringify(input.sites ?? null),
        created_by: actor,
        created_at: new Date(),
        expires_at: input.expiresAt ?? null,
      })
      .returning(['id', 'name', 'role', 'created_at', 'expires_at'])
      .executeTakeFirstOrThrow();
    await audit(this.db, { actor, action: 'token.create', detail: { token_id: row.id, name: input.name, role: input.role } });
    return { ...row, token };
  }

  async listTokens() {
    return this.db
      .selectFrom('api_tokens')
      .select(['id', 'name', 'role', 'sites', 'created_by', 'created_at', 'expires_at', 'revoked_at', 'last_used_at'])
      .orderBy('id')
      .execute();
  }

  async revokeToken(id: number, actor: string): Promise<void> {
    const r = await this.db.updateTable('api_tokens').set({ revoked_at: new Date() }).where('id', '=', id).where('revoked_at', 'is', null).executeTakeFirst();
    if (Number(r.numUpdatedRows) === 0) throw new ApiError(404, 'VIGIL_ERR_NOT_FOUND', `API token ${id} does not exist or is already revoked.`);
    const { token_hash } = await this.db.selectFrom('api_tokens').select('token_hash').where('id', '=', id).executeTakeFirstOrThrow();
    this.cache.delete(`t:${token_hash}`);
    await audit(this.db, { actor, action: 'token.revoke', detail: { token_id: id } });
  }

  principalFromToken(token: string): Promise<Principal | null> {
    const hash = sha256Hex(token);
    return this.cached(`t:${hash}`, () => this.loadToken(hash));
  }

  private async loadToken(hash: string): Promise<Principal | null> {
    const now = new Date();
    const row = await this.db
      .selectFrom('api_tokens')
      .selectAll()
      .where('token_hash', '=', hash)
      .where('revoked_at', 'is', null)
      .where((eb) => eb.or([eb('expires_at', 'is', null), eb('expires_at', '>', now)]))
      .executeTakeFirst();
    // last_used_at to the minute: an integration polling many times a second must not write each time.
    if (row && (!row.last_used_at || now.getTime() - row.last_used_at.getTime() > 60_000)) {
      await this.db.updateTable('api_tokens').set({ last_used_at: now }).where('id', '=', row.id).execute();
    }
    if (!row || !isRole(row.role)) return null;
    return {
      actor: `token:${row.name}`,
      kind: 'token',
      id: row.id,
      username: row.name,
      displayName: row.name,
      role: row.role,
      scope: scopeFor(row.role, row.sites),
    };
  }
}

function toPublic(row: UserRow): PublicUser {
  return { id: row.id, username: row.username, display_name: row.display_name, role: row.role as Role, sites: row.sites, disabled: row.disabled };
}
