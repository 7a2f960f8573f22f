import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { skipUnless } from '@vigil/testkit';
import { chromium, type Browser } from 'playwright-core';
import { World, event } from './fixtures/world.js';
import { buildDashboard } from '../src/web.js';

const CHROMIUM = '/usr/bin/chromium';
// A 2x2 PNG: real image bytes, so the browser decodes the evidence it is shown.
const PNG = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAIAAAACCAIAAAD91JpzAAAAFklEQVR4nGP8z8DAwMDAxMDAwMDAAAANHQEDasKb6QAAAABJRU5ErkJggg==', 'base64');

test('dashboard in real headless Chromium: login, live alert, evidence, acknowledge seen by a second operator; public page without login', { skip: skipUnless(CHROMIUM, 'apt-get install -y chromium') }, async (t) => {
  const webDir = await buildDashboard(mkdtempSync(join(tmpdir(), 'vigil-web-')));
  const w = await World.start({
    webDir,
    secureCookies: true,
    hotspotNames: { 'hue/kim-long-gauge': 'Kim Long' },
    cameraLocations: { 'hue/kim-long-gauge': [16.4637, 107.5909], 'hue/le-loi-hung-vuong': [16.4671, 107.5953] },
  });
  await w.app.users.create({ username: 'operator-2', password: 'second-operator-pw', role: 'operator' }, 'test');
  await w.app.listen({ port: 0, host: '127.0.0.1' });
  const port = (w.app.server.address() as { port: number }).port;
  // localhost: browsers accept Secure cookies over http there, so the production cookie flags are tested.
  const base = `http://localhost:${port}`;
  const browser: Browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  t.after(async () => {
    await browser.close();
    await w.close();
  });

  const login = async (username: string, password: string) => {
    const ctx = await browser.newContext({ locale: 'en-GB' });
    const page = await ctx.newPage();
    page.setDefaultTimeout(30_000);
    await page.goto(`${base}/`);
    await page.fill('input[name=username]', username);
    await page.fill('input[name=password]', password);
    await page.click('button[type=submit]');
    await page.waitForSelector('#alerts');
    await page.waitForSelector('#live.on');
    return page;
  };
  const a = await login('operator', 'correct-horse-battery');
  const b = await login('operator-2', 'second-operator-pw');

  // A flood alert arrives through ingest's engine while both are watching.
  const sha = createHash('sha256').update(PNG).digest('hex');
  const flood = event('flood_level', { evidence: [{ kind: 'snapshot', sha256: sha, content_type: 'image/png', bytes: PNG.length, at: new Date().toISOString() }] });
  await w.ingest(flood);
  await w.putEvidence(PNG);
  const id = await w.alertIdOf(flood);
  const row = `[data-alert-id="${id}"]`;
  await a.waitForSelector(`${row}.firing`);
  await b.waitForSelector(`${row}.firing`);

  // The map pin, the health card and the flood chart follow the live alert.
  await a.waitForSelector('circle.pin.firing');
  await a.waitForSelector('.cam.firing');
  await a.waitForSelector('figure.flood svg circle.dot');

  await a.click(row);
  await a.waitForSelector('.evidence-img');
  const loaded = await a.$eval('.evidence-img', (img) => {
    const i = img as unknown as { complete: boolean; naturalWidth: number };
    return i.complete ? i.naturalWidth : -1;
  });
  assert.equal(loaded, 2, 'the signed evidence link loads as an image');
  assert.match(await a.textContent('.sha256') ?? '', new RegExp(sha));
  await a.click('#ack');
  await a.waitForSelector('.ack-by');
  assert.match((await a.textContent('.ack-by')) ?? '', /user:operator/);

  // The second operator's list turns to acknowledged over the live feed, without a reload.
  await b.waitForSelector(`${row}.acknowledged`);
  assert.equal(await b.textContent(`${row} .status`), 'Acknowledged');

  // Language switch: Vietnamese labels.
  await b.selectOption('#lang', 'vi');
  assert.equal(await b.textContent(`${row} .status`), 'Đã xác nhận');

  // The public page, in a fresh context with no session.
  const pub = await (await browser.newContext({ locale: 'vi-VN' })).newPage();
  await pub.goto(`${base}/public`);
  await pub.waitForSelector('[data-hotspot="Kim Long"]');
  assert.equal(await pub.textContent('[data-hotspot="Kim Long"] .depth'), '33 cm');
  assert.equal(await pub.textContent('[data-hotspot="Kim Long"] .level'), 'Cảnh báo');
  const html = await pub.content();
  assert.equal(html.includes('kim-long-gauge'), false, 'no camera id on the public page');
});
