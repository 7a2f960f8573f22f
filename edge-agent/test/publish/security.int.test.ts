import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { chmodSync, copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import mqtt from 'mqtt';
import { decodeMessage, exampleRedLightEvent, type VigilError } from '@vigil/contracts';
import { canConnect, freePort, mosquittoSkip, ServiceProcess, startMosquitto, waitFor, which, type MosquittoHandle } from '@vigil/testkit';
import { MemoryOutbox, Publisher, type BrokerLink, type EventDraft } from '../../src/publish/index.js';
import { Recorder } from './helpers.js';

const deploy = fileURLToPath(new URL('../../../deploy/', import.meta.url));
const sh = (script: string, args: string[]) => execFileSync('sh', [join(deploy, script), ...args], { encoding: 'utf8' });

function event(site: string, gateway: string, camera: string): EventDraft {
  const { id: _id, seq: _seq, ...rest } = exampleRedLightEvent({ site, gateway, camera });
  return rest as EventDraft;
}

function publisherFor(gateway: string, link: BrokerLink, dir: string): Publisher {
  return new Publisher({ site: 'hue', gateway, link, outbox: new MemoryOutbox(), agentVersion: '0.1.0-test', storageDir: dir, backoff: { initialMs: 200, maxMs: 1000 } });
}

function firstError(p: Publisher): Promise<VigilError> {
  return new Promise((resolve) => p.once('error', resolve));
}

function connected(p: Publisher): Promise<void> {
  return p.isConnected ? Promise.resolve() : new Promise((resolve) => p.once('connect', () => resolve()));
}

/**
 * The broker as deployed: deploy/mosquitto's ACL template, certificates from make-certs.sh, gateways
 * enrolled with deploy/enrol-gateway.sh, a plain listener (testkit's), a TLS password listener and a
 * client-certificate listener.
 */
describe('broker security as deployed (real Mosquitto, deploy/ scripts)', { skip: mosquittoSkip() }, () => {
  let dir: string;
  let broker: MosquittoHandle;
  let tlsPort: number;
  let certPort: number;
  const password = (gw: string) => readFileSync(join(dir, 'gateways', gw, 'password'), 'utf8').trim();

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'vigil-broker-'));
    chmodSync(dir, 0o755); // Mosquitto started as root drops to its own user, which must reach the files
    copyFileSync(join(deploy, 'mosquitto', 'acl'), join(dir, 'acl'));
    sh('mosquitto/make-certs.sh', [dir, '127.0.0.1']);
    sh('enrol-gateway.sh', ['--dir', dir, 'hue', 'gw-a']);
    sh('enrol-gateway.sh', ['--dir', dir, 'hue', 'gw-b']);
    sh('enrol-gateway.sh', ['--dir', dir, '--cert', 'hue', 'gw-c']);
    execFileSync('mosquitto_passwd', ['-b', join(dir, 'passwd'), 'ingest', 'ingest-secret']);
    execFileSync('mosquitto_passwd', ['-b', join(dir, 'passwd'), 'centre', 'centre-secret']);
    tlsPort = await freePort();
    certPort = await freePort();
    const certs = join(dir, 'certs');
    const tls = [`cafile ${certs}/ca.crt`, `certfile ${certs}/server.crt`, `keyfile ${certs}/server.key`, 'tls_version tlsv1.2'];
    broker = await startMosquitto({
      extraConfig: [
        'allow_anonymous false',
        `password_file ${join(dir, 'passwd')}`,
        `acl_file ${join(dir, 'acl')}`,
        `listener ${tlsPort} 127.0.0.1`,
        ...tls,
        `listener ${certPort} 127.0.0.1`,
        ...tls,
        'require_certificate true',
        'use_identity_as_username true',
      ],
    });
  });

  after(async () => {
    await broker?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  test('enrol-gateway.sh writes a least-privilege ACL block and a gateway mqtt snippet; enrolling again rotates the password', async () => {
    const oldPassword = password('gw-a');
    const acl = readFileSync(join(dir, 'acl'), 'utf8');
    assert.match(acl, /user gw-a\ntopic write vigil\/v1\/hue\/gw-a\/\+\/event\n(.*\n)*topic read vigil\/v1\/hue\/gw-a\/config/);
    sh('enrol-gateway.sh', ['--dir', dir, 'hue', 'gw-a']); // again: rotates the password, keeps one ACL block
    assert.equal(readFileSync(join(dir, 'acl'), 'utf8').match(/^user gw-a$/gm)?.length, 1);
    assert.notEqual(password('gw-a'), oldPassword);
    process.kill(broker.pid, 'SIGHUP'); // what the script tells the operator to do: reload
    await waitFor('the new gw-a password to work', () =>
      mqtt.connectAsync(broker.url, { protocolVersion: 5, username: 'gw-a', password: password('gw-a'), reconnectPeriod: 0 }).then(
        (c) => c.endAsync().then(() => true),
        () => false,
      ),
    );
    await assert.rejects(mqtt.connectAsync(broker.url, { protocolVersion: 5, username: 'gw-a', password: oldPassword, reconnectPeriod: 0 }), /Not authorized|Bad User Name or Password/i);
    assert.match(readFileSync(join(dir, 'gateways', 'gw-c', 'gateway-mqtt.yaml'), 'utf8'), /cert: \/etc\/vigil\/client.crt/);
    assert.throws(() => sh('enrol-gateway.sh', ['--dir', dir, 'hue', 'GW A']), /not a valid id/);
  });

  test('gateway A cannot publish under gateway B\'s topics: B\'s subscriber never receives it', async () => {
    const ingest = await Recorder.connect(broker.url, 'vigil/v1/#', { username: 'ingest', password: 'ingest-secret' });
    const a = await mqtt.connectAsync(broker.url, { protocolVersion: 5, username: 'gw-a', password: password('gw-a') });
    try {
      const forged = JSON.stringify({ forged: true });
      const outcome = await a.publishAsync('vigil/v1/hue/gw-b/cam-1/event', forged, { qos: 1 }).then(
        () => 'accepted',
        (err: Error) => err.message,
      );
      assert.match(outcome, /Not authorized/, 'MQTT 5: the broker answers the forged publish with PUBACK 0x87');
      await a.publishAsync('vigil/v1/hue/gw-a/config', 'self-configured', { qos: 1 }).then(
        () => assert.fail('a gateway must not write its own config topic'),
        (err: Error) => assert.match(err.message, /Not authorized/),
      );
      await a.publishAsync('vigil/v1/hue/gw-a/cam-1/event', 'own', { qos: 1 });
      await ingest.until("gw-a's own message", () => ingest.on('gw-a/cam-1/event').length === 1, 10_000);
      // Messages from one client arrive in order: once the later one is in, the forged one would be too.
      assert.deepEqual(ingest.on('gw-b/cam-1/event'), [], `forged message reached ingest (publish outcome: ${outcome})`);
      assert.deepEqual(ingest.on('gw-a/config'), [], 'a gateway cannot write its own config');
      // Reading: Mosquitto 2.0 grants the subscription but filters what it delivers by the read ACL.
      const got: string[] = [];
      a.on('message', (topic) => got.push(topic));
      await a.subscribeAsync(['vigil/v1/hue/gw-b/config', 'vigil/v1/hue/gw-a/config'], { qos: 1 });
      const centre = await mqtt.connectAsync(broker.url, { protocolVersion: 5, username: 'centre', password: 'centre-secret' });
      await centre.publishAsync('vigil/v1/hue/gw-b/config', 'for b', { qos: 1 });
      await centre.publishAsync('vigil/v1/hue/gw-a/config', 'for a', { qos: 1 });
      await centre.endAsync();
      await waitFor("gw-a's own config", async () => got.includes('vigil/v1/hue/gw-a/config'), 10_000);
      assert.deepEqual(got, ['vigil/v1/hue/gw-a/config'], "gw-a must not read gw-b's config");
    } finally {
      await a.endAsync();
      await ingest.close();
    }
  });

  test('the Publisher over TLS with the pinned CA and a password: connects, status and events arrive', async () => {
    const ingest = await Recorder.connect(broker.url, 'vigil/v1/hue/gw-b/#', { username: 'ingest', password: 'ingest-secret' });
    const p = publisherFor('gw-b', { url: `mqtts://127.0.0.1:${tlsPort}`, username: 'gw-b', password: password('gw-b'), ca: join(dir, 'certs', 'ca.crt'), keepalive_s: 10 }, dir);
    try {
      p.start();
      await connected(p);
      p.publishEvent(event('hue', 'gw-b', 'cam-1'));
      await ingest.until('event over TLS', () => ingest.on('/event').length === 1, 10_000);
      assert.ok(decodeMessage('event', ingest.on('/event')[0]!.payload).ok);
      assert.equal(JSON.parse(ingest.on('/status')[0]!.payload.toString()).state, 'online');
    } finally {
      await p.stop();
      await ingest.close();
    }
  });

  test('a broker certificate from another CA: a clear error naming the certificate problem and the pinned CA', async () => {
    const other = mkdtempSync(join(tmpdir(), 'vigil-other-ca-'));
    sh('mosquitto/make-certs.sh', [other, '127.0.0.1']);
    const wrongCa = join(other, 'certs', 'ca.crt');
    const p = publisherFor('gw-b', { url: `mqtts://127.0.0.1:${tlsPort}`, username: 'gw-b', password: password('gw-b'), ca: wrongCa, keepalive_s: 10 }, dir);
    try {
      const error = firstError(p);
      p.start();
      const err = await error;
      assert.equal(err.code, 'VIGIL_ERR_MQTT_TLS');
      assert.match(err.message, /TLS certificate problem (SELF_SIGNED_CERT_IN_CHAIN|UNABLE_TO_VERIFY_LEAF_SIGNATURE|UNABLE_TO_GET_ISSUER_CERT_LOCALLY)/);
      assert.ok(err.message.includes(`not signed by the pinned CA ${wrongCa}`), err.message);
      assert.equal(p.isConnected, false);
    } finally {
      await p.stop();
      rmSync(other, { recursive: true, force: true });
    }
  });

  test('a host name the broker certificate does not cover: a clear error', async () => {
    const p = publisherFor('gw-b', { url: `mqtts://localhost:${tlsPort}`, username: 'gw-b', password: password('gw-b'), ca: join(dir, 'certs', 'ca.crt'), keepalive_s: 10 }, dir);
    try {
      const error = firstError(p);
      p.start();
      const err = await error;
      assert.equal(err.code, 'VIGIL_ERR_MQTT_TLS');
      assert.match(err.message, /ERR_TLS_CERT_ALTNAME_INVALID.*does not name this host/);
    } finally {
      await p.stop();
    }
  });

  test('a wrong password: a clear error saying so', async () => {
    const p = publisherFor('gw-b', { url: `mqtts://127.0.0.1:${tlsPort}`, username: 'gw-b', password: 'wrong', ca: join(dir, 'certs', 'ca.crt'), keepalive_s: 10 }, dir);
    try {
      const error = firstError(p);
      p.start();
      const err = await error;
      assert.equal(err.code, 'VIGIL_ERR_MQTT_CONNECT');
      assert.match(err.message, /bad user name or password|not authorized/);
    } finally {
      await p.stop();
    }
  });

  test('a client certificate from enrol-gateway.sh --cert logs in as the gateway, and the ACL still applies', async () => {
    const ingest = await Recorder.connect(broker.url, 'vigil/v1/#', { username: 'ingest', password: 'ingest-secret' });
    const gw = join(dir, 'gateways', 'gw-c');
    const link: BrokerLink = { url: `mqtts://127.0.0.1:${certPort}`, ca: join(gw, 'ca.crt'), cert: join(gw, 'client.crt'), key: join(gw, 'client.key'), keepalive_s: 10 };
    const p = publisherFor('gw-c', link, dir);
    const raw = await mqtt.connectAsync(link.url, { protocolVersion: 5, ca: readFileSync(link.ca!), cert: readFileSync(link.cert!), key: readFileSync(link.key!) });
    try {
      p.start();
      await connected(p);
      p.publishEvent(event('hue', 'gw-c', 'cam-9'));
      await raw.publishAsync('vigil/v1/hue/gw-a/cam-1/event', 'forged by gw-c', { qos: 1 }).catch(() => undefined);
      await raw.publishAsync('vigil/v1/hue/gw-c/cam-2/event', 'own', { qos: 1 });
      await ingest.until('gw-c events', () => ingest.on('gw-c/cam-9/event').length === 1 && ingest.on('gw-c/cam-2/event').length === 1, 10_000);
      assert.deepEqual(ingest.on('gw-a/cam-1/event'), []);
    } finally {
      await raw.endAsync();
      await p.stop();
      await ingest.close();
    }
  });
});

test('deploy/mosquitto/mosquitto.conf itself (paths and ports moved to a temp dir) runs, and an enrolled gateway delivers over TLS', { skip: mosquittoSkip() }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'vigil-deploy-conf-'));
  chmodSync(dir, 0o755);
  let broker: ServiceProcess | undefined;
  let publisher: Publisher | undefined;
  let ingest: Recorder | undefined;
  try {
    copyFileSync(join(deploy, 'mosquitto', 'acl'), join(dir, 'acl'));
    sh('mosquitto/make-certs.sh', [dir, '127.0.0.1']);
    sh('enrol-gateway.sh', ['--dir', dir, 'hue', 'gw-d']);
    execFileSync('mosquitto_passwd', ['-b', join(dir, 'passwd'), 'ingest', 'ingest-secret']);
    mkdirSync(join(dir, 'data'));
    chmodSync(join(dir, 'data'), 0o777);
    const [tls, cert] = [await freePort(), await freePort()];
    const conf = readFileSync(join(deploy, 'mosquitto', 'mosquitto.conf'), 'utf8')
      .replaceAll('/mosquitto/config/', `${dir}/`)
      .replaceAll('/mosquitto/data/', `${dir}/data/`)
      .replace(/^listener 8883$/m, `listener ${tls} 127.0.0.1`)
      .replace(/^listener 8884$/m, `listener ${cert} 127.0.0.1`);
    writeFileSync(join(dir, 'mosquitto.conf'), conf);
    broker = new ServiceProcess('mosquitto', which('mosquitto', ['/usr/sbin'])!, ['-c', join(dir, 'mosquitto.conf')]);
    await waitFor('deployed mosquitto', async () => {
      if (!broker!.running) throw new Error(`mosquitto refused deploy/mosquitto/mosquitto.conf: ${broker!.log}`);
      return canConnect(tls);
    });
    const ca = join(dir, 'certs', 'ca.crt');
    ingest = await Recorder.connect(`mqtts://127.0.0.1:${tls}`, 'vigil/v1/#', { username: 'ingest', password: 'ingest-secret', ca: readFileSync(ca) });
    const password = readFileSync(join(dir, 'gateways', 'gw-d', 'password'), 'utf8').trim();
    publisher = publisherFor('gw-d', { url: `mqtts://127.0.0.1:${tls}`, username: 'gw-d', password, ca, keepalive_s: 10 }, dir);
    publisher.start();
    publisher.publishEvent(event('hue', 'gw-d', 'cam-1'));
    await ingest.until('event through the deployed config', () => ingest!.on('gw-d/cam-1/event').length === 1, 10_000);
  } finally {
    await publisher?.stop();
    await ingest?.close();
    await broker?.stop();
    rmSync(dir, { recursive: true, force: true });
  }
});
