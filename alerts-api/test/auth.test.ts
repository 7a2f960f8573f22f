import { test } from 'node:test';
import assert from 'node:assert/strict';
import { World, PASSWORD } from './fixtures/world.js';

test('login sets a httpOnly SameSite=Strict cookie; wrong password is 401; logout ends the session', async (t) => {
  const w = await World.start({ secureCookies: true });
  t.after(() => w.close());
  const ok = await w.app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { username: 'operator', password: PASSWORD } });
  assert.equal(ok.statusCode, 200);
  assert.equal(ok.json().role, 'operator');
  const c = ok.cookies.find((x) => x.name === 'vigil_session')!;
  assert.equal(c.httpOnly, true);
  assert.equal(c.secure, true);
  assert.equal(c.sameSite, 'Strict');
  const cookie = `vigil_session=${c.value}`;
  const row = await w.db.selectFrom('api_users').select('password_hash').where('username', '=', 'operator').executeTakeFirstOrThrow();
  assert.match(row.password_hash, /^\$argon2id\$/);
  assert.equal((await w.app.inject({ url: '/api/v1/auth/me', headers: { cookie } })).json().username, 'operator');

  const bad = await w.app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { username: 'operator', password: 'wrong-password' } });
  assert.equal(bad.statusCode, 401);
  assert.equal(bad.json().code, 'VIGIL_ERR_AUTH_FAILED');
  const nobody = await w.app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { username: 'nobody', password: 'wrong-password' } });
  assert.equal(nobody.json().message, bad.json().message, 'unknown users and wrong passwords look the same');

  assert.equal((await w.app.inject({ method: 'POST', url: '/api/v1/auth/logout', headers: { cookie } })).statusCode, 204);
  assert.equal((await w.app.inject({ url: '/api/v1/auth/me', headers: { cookie } })).statusCode, 401);
  const audit = await w.db.selectFrom('audit_log').select(['actor', 'action']).where('action', 'like', 'session.%').execute();
  assert.deepEqual(audit.map((a) => a.action).sort(), ['session.login', 'session.logout']);
});

test('login is rate limited per address', async (t) => {
  const w = await World.start({ rateLimits: { login: 3 } });
  t.after(() => w.close());
  const codes = [];
  for (let i = 0; i < 5; i++) {
    codes.push((await w.app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { username: 'operator', password: 'guess-' + i } })).statusCode);
  }
  assert.deepEqual(codes, [401, 401, 401, 429, 429]);
  const limited = await w.app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { username: 'operator', password: PASSWORD } });
  assert.equal(limited.statusCode, 429, 'even the right password waits out the window');
  assert.equal(limited.json().code, 'VIGIL_ERR_RATE_LIMITED');
});

test('API tokens: created by an admin, used as bearer, scoped by role, revocable; creation audited', async (t) => {
  const w = await World.start();
  t.after(() => w.close());
  const admin = await w.login('admin');
  const created = await w.app.inject({ method: 'POST', url: '/api/v1/tokens', headers: { cookie: admin }, payload: { name: 'city-app', role: 'viewer' } });
  assert.equal(created.statusCode, 201);
  const { token, id } = created.json();
  assert.match(token, /^vgt_/);
  const auth = { authorization: `Bearer ${token}` };
  assert.equal((await w.app.inject({ url: '/api/v1/alerts', headers: auth })).statusCode, 200);
  assert.equal((await w.app.inject({ method: 'POST', url: '/api/v1/alerts/1/acknowledge', headers: auth, payload: {} })).statusCode, 403);
  const listed = (await w.app.inject({ url: '/api/v1/tokens', headers: { cookie: admin } })).json();
  assert.ok(listed[0].last_used_at, 'use is recorded');
  assert.equal(JSON.stringify(listed).includes(token), false, 'the secret is never listed');
  assert.equal((await w.app.inject({ method: 'DELETE', url: `/api/v1/tokens/${id}`, headers: { cookie: admin } })).statusCode, 204);
  const revoked = await w.app.inject({ url: '/api/v1/alerts', headers: auth });
  assert.equal(revoked.statusCode, 401);
  assert.match(revoked.json().message, /revoked/);
  const audit = await w.db.selectFrom('audit_log').select(['actor', 'action']).where('action', 'like', 'token.%').orderBy('id').execute();
  assert.deepEqual(audit, [
    { actor: 'user:admin', action: 'token.create' },
    { actor: 'user:admin', action: 'token.revoke' },
  ]);
});

test('users: admin creates users; short passwords and duplicates are refused with a reason', async (t) => {
  const w = await World.start();
  t.after(() => w.close());
  const admin = await w.login('admin');
  const res = await w.app.inject({ method: 'POST', url: '/api/v1/users', headers: { cookie: admin }, payload: { username: 'lan.nguyen', password: 'mat-khau-dai-du', role: 'traffic_officer', sites: ['hue'] } });
  assert.equal(res.statusCode, 201);
  assert.deepEqual(res.json().sites, ['hue']);
  const dup = await w.app.inject({ method: 'POST', url: '/api/v1/users', headers: { cookie: admin }, payload: { username: 'lan.nguyen', password: 'mat-khau-dai-du', role: 'viewer' } });
  assert.equal(dup.statusCode, 409);
  const short = await w.app.inject({ method: 'POST', url: '/api/v1/users', headers: { cookie: admin }, payload: { username: 'x1', password: 'short', role: 'viewer' } });
  assert.equal(short.statusCode, 400);
  assert.equal(short.json().code, 'VIGIL_ERR_VALIDATION');
  const login = await w.app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { username: 'lan.nguyen', password: 'mat-khau-dai-du' } });
  assert.deepEqual(login.json().sites, ['hue']);
  assert.deepEqual(login.json().types, ['red_light', 'wrong_way', 'illegal_stopping', 'lane_violation', 'speeding', 'no_helmet']);
});
