import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { checkConfigText, type GatewayConfig } from '@vigil/contracts';
import { ManualClock } from '@vigil/observe';
import { diffConfigs, isEmptyDiff, RemoteConfig, type ConfigDiff } from '../../src/publish/index.js';

const exampleYaml = readFileSync(new URL('../../../docs/examples/hue-gateway.yaml', import.meta.url), 'utf8');
const env = { VIGIL_MQTT_PASSWORD: 'secret' };

function parse(text: string): GatewayConfig {
  const r = checkConfigText(text, 'test.yaml', env);
  if (!r.ok) throw new Error(JSON.stringify(r.problems));
  return r.config;
}

/**
 * The example with edits: fps of the gauge camera, one camera removed, one added, mqtt keepalive.
 * Written back as JSON, which is YAML too.
 */
function editedYaml(): string {
  const c = structuredClone(parse(exampleYaml));
  c.cameras[0]!.detect.fps = 2;
  const copy = { ...structuredClone(c.cameras[1]!), id: 'a-luoi-ridge' };
  c.cameras.splice(2, 1); // phong-dien-field
  c.cameras.push(copy);
  c.mqtt.keepalive_s = 45;
  return JSON.stringify(c, null, 1);
}

const message = (revision: number, yaml: string) => JSON.stringify({ v: 1, revision, issued_at: '2026-11-22T03:00:00.000Z', yaml });

test('diffConfigs: names added, removed and changed cameras; unchanged ones are left running', () => {
  const before = parse(exampleYaml);
  const after = parse(editedYaml());
  const d = diffConfigs(before, after);
  assert.deepEqual(d.added.map((c) => c.id), ['a-luoi-ridge']);
  assert.deepEqual(d.removed, ['phong-dien-field']);
  assert.deepEqual(d.changed.map((c) => c.id), ['kim-long-gauge']);
  assert.deepEqual(d.unchanged, ['bach-ma-ridge', 'le-loi-hung-vuong']);
  assert.deepEqual(d.sections, ['mqtt']);
  assert.equal(d.changed[0]!.detect.fps, 2, 'the diff carries the new camera config');
  assert.equal(isEmptyDiff(diffConfigs(before, parse(exampleYaml))), true);
});

test('diffConfigs: a change deep inside one camera (a zone point) marks only that camera', () => {
  const next = structuredClone(parse(exampleYaml));
  next.cameras[3]!.zones[0]!.polygon[0]![0] = 0.91;
  const d = diffConfigs(parse(exampleYaml), next);
  assert.deepEqual(d.changed.map((c) => c.id), ['le-loi-hung-vuong']);
  assert.equal(d.unchanged.length, 3);
  assert.deepEqual(d.sections, []);
});

function remote(options: { apply?: (c: GatewayConfig, d: ConfigDiff) => void; stateFile?: string } = {}) {
  const applied: { revision: number; diff: ConfigDiff }[] = [];
  const rc = new RemoteConfig({
    site: 'hue',
    gateway: 'gw-huong-tra-01',
    current: parse(exampleYaml),
    env,
    clock: new ManualClock(Date.parse('2026-11-22T04:00:00Z')),
    stateFile: options.stateFile,
    apply: (c, diff, revision) => {
      options.apply?.(c, diff);
      applied.push({ revision, diff });
    },
  });
  return { rc, applied };
}

test('RemoteConfig: a good revision is applied with its diff; older or equal revisions are ignored', async () => {
  const { rc, applied } = remote();
  const r = await rc.handle(message(5, editedYaml()));
  assert.equal(r.status, 'applied');
  assert.equal(applied.length, 1);
  assert.deepEqual(applied[0]!.diff.removed, ['phong-dien-field']);
  assert.equal(rc.current.mqtt.keepalive_s, 45);
  assert.deepEqual(rc.state(), { revision: 5 });
  assert.equal((await rc.handle(message(5, exampleYaml))).status, 'ignored');
  assert.equal((await rc.handle(message(4, exampleYaml))).status, 'ignored');
  assert.equal(applied.length, 1);
});

test('RemoteConfig: a bad config is refused with line:column reasons, the last good one keeps running, and health says why', async () => {
  const { rc, applied } = remote();
  await rc.handle(message(1, editedYaml()));
  const bad = editedYaml().replace('"transport": "tcp"', '"transprot": "tcp"');
  const r = await rc.handle(message(2, bad));
  assert.equal(r.status, 'rejected');
  assert.match(r.status === 'rejected' ? r.reason : '', /remote config revision 2:\d+:\d+: \/cameras\/0\/source\/transprot unknown key "transprot" \(did you mean "transport"\?\)/);
  assert.equal(applied.length, 1, 'apply is not called for a bad config');
  assert.equal(rc.current.mqtt.keepalive_s, 45, 'the last good config stays');
  const state = rc.state();
  assert.equal(state.revision, 1);
  assert.equal(state.rejected?.revision, 2);
  assert.equal(state.rejected?.at, '2026-11-22T04:00:00.000Z');
  assert.match(state.rejected?.reason ?? '', /transprot/);
  const good = await rc.handle(message(3, exampleYaml));
  assert.equal(good.status, 'applied');
  assert.deepEqual(rc.state(), { revision: 3 }, 'a later good revision clears the refusal');
});

test('RemoteConfig: refuses a config for another gateway, a message that breaks the contract, and one whose apply fails', async () => {
  const other = exampleYaml.replace('gateway: gw-huong-tra-01', 'gateway: gw-phu-vang-02');
  const failing = remote({
    apply: (c) => {
      if (c.cameras.length === 4 && c.mqtt.keepalive_s === 45) throw new Error('camera a-luoi-ridge: ffmpeg not found');
    },
  });
  const r1 = await failing.rc.handle(message(1, other));
  assert.equal(r1.status, 'rejected');
  assert.match(r1.status === 'rejected' ? r1.reason : '', /is for hue\/gw-phu-vang-02, but this gateway is hue\/gw-huong-tra-01/);
  const r2 = await failing.rc.handle(JSON.stringify({ v: 1, revision: 0, yaml: 'x' }));
  assert.equal(r2.status, 'rejected');
  assert.match(r2.status === 'rejected' ? r2.reason : '', /\/revision|issued_at/);
  const r3 = await failing.rc.handle(message(2, editedYaml()));
  assert.equal(r3.status, 'rejected');
  assert.match(r3.status === 'rejected' ? r3.reason : '', /applying .* failed: camera a-luoi-ridge: ffmpeg not found/);
  assert.equal(failing.rc.current.cameras.length, 4);
  assert.equal(failing.rc.current.mqtt.keepalive_s, 30, 'still the original config');
  assert.equal((await failing.rc.handle('')).status, 'ignored', 'a cleared retained topic changes nothing');
});

test('RemoteConfig: the last good remote config is saved and resumed after a restart', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'vigil-remote-'));
  try {
    const stateFile = join(dir, 'remote-config.json');
    const first = remote({ stateFile });
    await first.rc.handle(message(7, editedYaml()));
    await first.rc.handle(message(8, 'version: 1\nsite: hue\n')); // bad: not saved
    const second = remote({ stateFile });
    const r = await second.rc.resume();
    assert.equal(r?.status, 'applied');
    assert.equal(second.rc.state().revision, 7);
    assert.equal(second.rc.current.mqtt.keepalive_s, 45);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
