import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { freePort, waitFor } from '@vigil/testkit';

const repoRoot = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

function descendants(pid: number): number[] {
  let out: string;
  try {
    out = execFileSync('pgrep', ['-P', String(pid)], { encoding: 'utf8' });
  } catch {
    return [];
  }
  const kids = out.split('\n').filter(Boolean).map(Number);
  return kids.flatMap((k) => [k, ...descendants(k)]);
}

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

test('vigil demo: the whole system starts, a flood alert reaches the API within 60 s, Ctrl-C leaves no process behind', async () => {
  const data = mkdtempSync(join(tmpdir(), 'vigil-demo-'));
  const port = await freePort();
  const child = spawn(process.execPath, [join(repoRoot, 'bin', 'vigil.mjs'), 'demo', '--data', data, '--port', String(port)], {
    cwd: repoRoot,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, VIGIL_LOG_LEVEL: 'warn' },
  });
  let output = '';
  child.stdout.on('data', (c: Buffer) => (output += c.toString()));
  child.stderr.on('data', (c: Buffer) => (output += c.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
  try {
    // rendering the scenes the first time takes a while on 2 cores; the 60 s clock starts when it is up
    await waitFor('the demo to print its dashboard URL', async () => /Dashboard\s+http/.test(output) || child.exitCode !== null, 240_000, 500);
    assert.equal(child.exitCode, null, `the demo exited early:\n${output}`);
    const base = `http://127.0.0.1:${port}`;
    const login = await fetch(`${base}/api/v1/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'operator', password: 'vigil-demo-2026' }) });
    assert.equal(login.status, 200, await login.text());
    const cookie = login.headers.get('set-cookie')!.split(';')[0]!;
    let alerts: { type: string; camera: string }[] = [];
    await waitFor(
      'a flood alert in the API',
      async () => {
        const r = await fetch(`${base}/api/v1/alerts`, { headers: { cookie } });
        alerts = ((await r.json()) as { items: { type: string; camera: string }[] }).items;
        return alerts.some((a) => a.type === 'flood_level');
      },
      60_000,
      1000,
    ).catch((err: Error) => assert.fail(`${err.message}; alerts: ${JSON.stringify(alerts)}; demo output:\n${output.slice(-3000)}`));
    assert.ok(alerts.some((a) => a.camera === 'kim-long-gauge'));
    const publicView = (await (await fetch(`${base}/api/v1/public/flood`)).json()) as { hotspots: unknown[] };
    assert.ok(Array.isArray(publicView.hotspots));
  } finally {
    const processes = child.pid ? descendants(child.pid) : [];
    child.kill('SIGINT');
    const code = await Promise.race([exited, new Promise<'timeout'>((r) => setTimeout(() => r('timeout'), 30_000))]);
    if (code === 'timeout') child.kill('SIGKILL');
    assert.equal(code, 0, `Ctrl-C should stop the demo cleanly:\n${output.slice(-2000)}`);
    await waitFor('every child process to be gone', async () => processes.every((p) => !alive(p)), 10_000).catch(() => undefined);
    const left = processes.filter(alive);
    assert.deepEqual(left, [], `processes left behind: ${left.join(', ')}`);
  }
});
