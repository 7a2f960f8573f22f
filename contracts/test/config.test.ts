import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { checkConfigFile, checkConfigText, formatProblem, loadConfigFile } from '../src/index.js';

const here = dirname(fileURLToPath(import.meta.url));
const examples = join(here, '..', '..', 'docs', 'examples');

const minimal = (extra = '') => `version: 1
site: hue
gateway: gw-1
cameras:
  - id: cam-1
    source: { url: rtsp://127.0.0.1/x, transport: tcp }
${extra}`;

test('every example config in docs/examples is accepted', () => {
  const files = readdirSync(examples).filter((f) => f.endsWith('.yaml'));
  assert.ok(files.length >= 2);
  for (const f of files) {
    const r = checkConfigFile(join(examples, f), {});
    assert.ok(r.ok, `${f}: ${!r.ok && r.problems.map(formatProblem).join('\n')}`);
  }
});

test('defaults are filled in', () => {
  const r = checkConfigText(minimal(), 'min.yaml', {});
  assert.ok(r.ok);
  const cam = r.config.cameras[0]!;
  assert.deepEqual(cam.detect, { width: 640, height: 360, fps: 5 });
  assert.equal(cam.health.stall_s, 20);
  assert.equal(r.config.mqtt.url, 'mqtt://127.0.0.1:1883');
});

test('the broken fixture names every problem with line and column, and a did-you-mean', () => {
  const r = checkConfigFile(join(here, 'fixtures', 'broken.yaml'), {});
  assert.ok(!r.ok);
  const lines = r.problems.map(formatProblem);
  const expect: [RegExp, string][] = [
    [/broken\.yaml:7:15: \/cameras\/0\/detect\/widht unknown key "widht" \(did you mean "width"\?\)/, 'typo'],
    [/broken\.yaml:9:9: .*lane "lane-a" needs a direction/, 'lane direction'],
    [/broken\.yaml:13:15: \/cameras\/0\/zones\/1\/kind must be one of "forest"/, 'bad enum'],
    [/broken\.yaml:18:11: .*marks must NOT have fewer than 2 items/, 'gauge schema'],
    [/broken\.yaml:20:23: .*gauge "staff" does not exist in this camera \(known: g\)/, 'missing gauge'],
    [/broken\.yaml:21:43: .*confirm_k \(9\) cannot exceed confirm_n \(5\)/, 'k of n'],
  ];
  for (const [re, what] of expect) assert.ok(lines.some((l) => re.test(l)), `${what} not reported in:\n${lines.join('\n')}`);
});

test('YAML syntax errors and a missing version are reported with positions', () => {
  const syntax = checkConfigText('version: 1\ncameras: [\n', 's.yaml', {});
  assert.ok(!syntax.ok && syntax.problems[0]!.line !== undefined && /YAML syntax/.test(syntax.problems[0]!.message));
  const noVersion = checkConfigText('site: hue\n', 'v.yaml', {});
  assert.ok(!noVersion.ok && /add "version: 1"/.test(noVersion.problems[0]!.message));
  const future = checkConfigText(minimal().replace('version: 1', 'version: 9'), 'f.yaml', {});
  assert.ok(!future.ok && /upgrade the agent/.test(future.problems[0]!.message));
});

test('${ENV} substitution is typed, has defaults, and a missing variable is an error at its line', () => {
  const text = minimal().replace('version: 1', 'version: ${CFG_VERSION}') + 'mqtt:\n  keepalive_s: ${KEEPALIVE:-45}\n  password: "${MQTT_PW}"\n';
  const r = checkConfigText(text, 'e.yaml', { CFG_VERSION: '1', MQTT_PW: '123456' });
  assert.ok(r.ok, JSON.stringify(!r.ok && r.problems));
  assert.equal(r.config.mqtt.keepalive_s, 45);
  assert.equal(r.config.mqtt.password, '123456', 'quoted references stay strings');
  const missing = checkConfigText(text, 'e.yaml', { CFG_VERSION: '1' });
  assert.ok(!missing.ok);
  assert.equal(missing.problems[0]!.line, 9);
  assert.match(missing.problems[0]!.message, /MQTT_PW is not set/);
});

test('secrets can come from files', () => {
  const dir = mkdtempSync(join(tmpdir(), 'vigil-secret-'));
  writeFileSync(join(dir, 'pw'), 's3cret\n');
  const r = checkConfigText(minimal() + `mqtt:\n  password: \${file:${join(dir, 'pw')}}\n`, 's.yaml', {});
  assert.ok(r.ok && r.config.mqtt.password === 's3cret');
  const bad = checkConfigText(minimal() + `mqtt:\n  password: \${file:${join(dir, 'nope')}}\n`, 's.yaml', {});
  assert.ok(!bad.ok && /secret file .* cannot be read \(ENOENT\)/.test(bad.problems[0]!.message));
});

test('duplicate ids and references of the wrong kind are caught by the named checks', () => {
  const text = minimal(`    zones:
      - { id: a, kind: road, polygon: [[0, 0], [1, 0], [1, 1]] }
      - { id: a, kind: forest, polygon: [[0, 0], [1, 0], [1, 1]] }
    analytics:
      traffic: { signal: a, red_light: { stop_line: nope } }
`);
  const r = checkConfigText(text, 'd.yaml', {});
  assert.ok(!r.ok);
  const msgs = r.problems.map((p) => p.message);
  assert.ok(msgs.some((m) => /zone id "a" is already used/.test(m)), msgs.join('\n'));
  assert.ok(msgs.some((m) => /"a" is a road, but this needs a signal/.test(m)), msgs.join('\n'));
  assert.ok(msgs.some((m) => /line "nope" does not exist/.test(m)), msgs.join('\n'));
});

test('loadConfigFile throws one coded error that lists the problems and the fix', () => {
  assert.throws(
    () => loadConfigFile(join(here, 'fixtures', 'broken.yaml'), {}),
    (err: Error & { code?: string }) => err.code === 'VIGIL_ERR_CONFIG_INVALID' && /npx vigil config check/.test(err.message) && /widht/.test(err.message),
  );
});
