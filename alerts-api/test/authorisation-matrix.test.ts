import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { RouteOptions } from 'fastify';
import { World } from './fixtures/world.js';
import { ROLES, ROLE_PERMISSIONS, type Permission, type Role } from '../src/auth/roles.js';

/**
 * Roles x routes: every registered /api route is called as nobody and as each role, and the answer
 * must match ROLE_PERMISSIONS (401 without credentials, 403 without the permission, anything else with
 * it). A new route without a permission, or a role table change, shows up here.
 */
test('authorisation matrix over every route', async (t) => {
  const routes: RouteOptions[] = [];
  const w = await World.start({ rateLimits: { login: 1000, api: 100_000 } }, { embedded: true }, (app) => app.addHook('onRoute', (r) => void routes.push(r)));
  t.after(() => w.close());

  const api = routes.filter((r) => r.url.startsWith('/api/') && r.method !== 'HEAD');
  assert.ok(api.length >= 30, `expected the whole API, saw ${api.length} routes`);
  for (const r of api) {
    assert.ok((r.config as { permission?: Permission } | undefined)?.permission, `${r.method} ${r.url} declares no permission`);
  }
  // Logging out ends the session the rest of the matrix uses: keep it last.
  api.sort((a, b) => Number(a.url.endsWith('/logout')) - Number(b.url.endsWith('/logout')));

  const cookies = new Map<Role, string>();
  for (const role of ROLES) cookies.set(role, await w.login(role));
  const rows: string[] = [];
  for (const r of api) {
    const permission = (r.config as { permission: Permission }).permission;
    const url = r.url.replace(':sha256', 'a'.repeat(64)).replace(':id', '1');
    const methods = Array.isArray(r.method) ? r.method : [r.method];
    for (const method of methods) {
      const callers: (Role | 'anonymous')[] = ['anonymous', ...ROLES];
      for (const who of callers) {
        const allowed = permission === 'public' || (who !== 'anonymous' && ROLE_PERMISSIONS[who].has(permission));
        // The live feed streams forever when allowed; its allowed case is covered over a socket in sse.test.ts.
        if (allowed && url === '/api/v1/feed') continue;
        const res = await w.app.inject({ method: method as 'GET', url, headers: who === 'anonymous' ? {} : { cookie: cookies.get(who)! }, payload: method === 'GET' || method === 'DELETE' ? undefined : {} });
        const expected = allowed ? 'allowed' : who === 'anonymous' ? 401 : 403;
        const got = res.statusCode === 401 || res.statusCode === 403 ? res.statusCode : 'allowed';
        if (got !== expected) rows.push(`${method} ${r.url} as ${who}: expected ${expected}, got ${res.statusCode} ${res.body.slice(0, 120)}`);
        if (res.statusCode === 403) assert.equal(res.json().code, 'VIGIL_ERR_FORBIDDEN');
        if (res.statusCode === 401 && permission !== 'public') assert.equal(res.json().code, 'VIGIL_ERR_AUTH_REQUIRED');
      }
    }
  }
  assert.deepEqual(rows, []);
});

test('role table: officers cannot manage users, tokens or webhooks; viewers cannot act', () => {
  for (const role of ['operator', 'environment_officer', 'traffic_officer', 'viewer'] as const) {
    for (const p of ['users:manage', 'tokens:manage', 'webhooks:manage'] as const) assert.equal(ROLE_PERMISSIONS[role].has(p), false, `${role} ${p}`);
  }
  assert.equal(ROLE_PERMISSIONS.viewer.has('alerts:act'), false);
  assert.equal(ROLE_PERMISSIONS.operator.has('alerts:act'), true);
});
