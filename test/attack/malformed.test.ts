/**
 * Garbage on the wire: not JSON, unknown kinds, unknown fields, wrong types,
 * control characters in names, binary frames, oversized frames. Each gets a clear
 * error; the server stays up and a meeting beside it goes on.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startTestServer, type TestServer } from '../helpers/test-server.ts';
import { admitted, hostMeeting } from '../helpers/meeting-fixture.ts';
import { RawClient, randomDeviceId, settle, errorCode } from '../helpers/ws-client.ts';
import { MAX_FRAME_BYTES } from '../../src/protocol/index.ts';

let server: TestServer;

describe('malformed and oversized messages', () => {
  before(async () => (server = await startTestServer()));
  after(() => server.close());

  it('answers each malformed message with bad-message and keeps the connection usable', async () => {
    const m = await hostMeeting(server.wsUrl);
    const alice = await admitted(server.wsUrl, m, 'Alice');
    const c = await RawClient.connect(server.wsUrl);
    const cases: (string | Buffer)[] = [
      'not json at all',
      '{"type":',
      'null',
      '[]',
      '"join"',
      JSON.stringify({ type: 'teleport', id: 1 }),
      JSON.stringify({ type: 'chat', id: 2, body: { kind: 'text', text: 'x' }, extra: true }),
      JSON.stringify({ type: 'join', id: 3, meetingId: m.meetingId, passcode: m.passcode, name: 'Evil\u202eeman', deviceId: randomDeviceId() }),
      JSON.stringify({ type: 'join', id: 4, meetingId: '../../etc/passwd', passcode: 'x', name: 'x', deviceId: randomDeviceId() }),
      JSON.stringify({ type: 'chat', id: 5, body: { kind: 'html', text: '<script>' } }),
      JSON.stringify({ type: 'chat', id: 6, body: { kind: 'text', text: 'x'.repeat(4001) } }),
      JSON.stringify({ type: 'subscribe', id: 7, video: 'all', audio: [] }),
      JSON.stringify({ type: 'set-media-state', id: 8, audio: 'yes', video: false }),
      JSON.stringify({ __proto__: { type: 'leave' }, id: 9 }),
      Buffer.from([0, 1, 2, 3]),
    ];
    for (const frame of cases) {
      const error = c.nextOf('error');
      c.sendRaw(frame);
      assert.equal((await error).code, 'bad-message', String(frame).slice(0, 60));
    }
    // Replies carry the request id when there was a usable one.
    const withId = c.nextOf('error');
    c.sendRaw(JSON.stringify({ type: 'teleport', id: 41 }));
    assert.equal((await withId).id, 41);
    assert.equal(c.invalid.length, 0, 'every reply is itself valid protocol');
    const still = await c.request({ type: 'create-meeting', title: 'still works' });
    assert.equal(still.type, 'created');
    assert.equal((await alice.client.request({ type: 'chat', body: { kind: 'text', text: 'unaffected' } })).type, 'ok');
  });

  it('refuses an oversized frame with too-large and closes on a giant one, without harming others', async () => {
    const m = await hostMeeting(server.wsUrl);
    const c = await RawClient.connect(server.wsUrl);
    const tooLarge = c.nextOf('error');
    c.sendRaw(JSON.stringify({ type: 'chat', body: { kind: 'text', text: 'x'.repeat(MAX_FRAME_BYTES) } }));
    assert.equal((await tooLarge).code, 'too-large');
    const giant = await RawClient.connect(server.wsUrl);
    giant.sendRaw('x'.repeat(MAX_FRAME_BYTES * 2 + 10));
    assert.equal(await giant.closed, 1009);
    assert.equal((await m.host.request({ type: 'update-settings', settings: { locked: false } })).type, 'ok');
  });

  it('closes a connection that keeps sending garbage after its errors stop being answered', async () => {
    const c = await RawClient.connect(server.wsUrl);
    for (let i = 0; i < 300; i++) c.sendRaw('garbage');
    assert.equal(await c.closed, 1008);
    assert.ok(c.countOf('error') <= 20, 'refusals of a flood are bounded');
    const fresh = await RawClient.connect(server.wsUrl);
    assert.equal((await fresh.request({ type: 'create-meeting', title: 'after flood' })).type, 'created');
  });

  it('answers messages that need a meeting with not-in-meeting on a fresh connection', async () => {
    const c = await RawClient.connect(server.wsUrl);
    for (const type of ['leave', 'end-meeting', 'mute-all', 'regenerate-passcode', 'restart-subscriber']) {
      assert.equal(errorCode(await c.request({ type })), 'not-in-meeting', type);
    }
    await settle();
  });

  it('serves the web client with a strict Content-Security-Policy and refuses path traversal', async () => {
    const page = await fetch(server.url + '/');
    const csp = page.headers.get('content-security-policy') ?? '';
    assert.match(csp, /default-src 'self'/);
    // WebAssembly compilation only (the background-blur model's runtime): no eval(), no inline script.
    assert.match(csp, /script-src 'self' 'wasm-unsafe-eval'(;|$)/);
    assert.doesNotMatch(csp, /unsafe-inline|'unsafe-eval'|https?:/);
    assert.equal(page.headers.get('x-frame-options'), 'DENY');
    for (const path of ['/../package.json', '/%2e%2e/package.json', '/..%2fpackage.json', '/.git/config']) {
      const res = await fetch(server.url + path);
      assert.equal(res.status, 404, path);
    }
    assert.equal((await fetch(server.url + '/', { method: 'POST' })).status, 405);
  });
});
