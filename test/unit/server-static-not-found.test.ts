/**
 * Addresses that lead nowhere: a browser gets the app's page with status 404 (the app then says so and links
 * home), anything else a plain 404. The answer never depends on whether a meeting exists.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { createStaticHandler } from '../../src/server/http/static-files.ts';

const PAGE = '<!doctype html><title>Sabha</title><div id="app"></div>';
const asBrowser = { accept: 'text/html,application/xhtml+xml,*/*;q=0.8' };

describe('the static files for addresses that lead nowhere', () => {
  let root: string;
  let server: Server;
  let url: string;
  before(async () => {
    root = mkdtempSync(join(tmpdir(), 'sabha-static-'));
    writeFileSync(join(root, 'index.html'), PAGE);
    writeFileSync(join(root, 'app.js'), 'export {};');
    const handle = createStaticHandler(root, { 'X-Test': '1' });
    server = createServer((req, res) => void handle(req, res));
    await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  after(() => {
    server.close();
    rmSync(root, { recursive: true, force: true });
  });

  it('gives a browser the app page with status 404 for a mangled meeting link or an unknown address', async () => {
    for (const path of ['/m/not-a-meeting', '/m/abcdefghijklmnop/extra', '/nothing-here', '/m/']) {
      const res = await fetch(url + path, { headers: asBrowser });
      assert.equal(res.status, 404, path);
      assert.match(res.headers.get('content-type') ?? '', /^text\/html/, path);
      assert.equal(await res.text(), PAGE, path);
      assert.equal(res.headers.get('x-test'), '1', 'with the security headers');
    }
  });

  it('serves a well-formed meeting link the same way whether or not the meeting exists', async () => {
    const res = await fetch(url + '/m/abcdefghijklmnop', { headers: asBrowser });
    assert.equal(res.status, 200);
    assert.equal(await res.text(), PAGE);
  });

  it('answers a missing script or a traversal attempt with a plain 404, and never with the file outside', async () => {
    const missing = await fetch(url + '/missing.js');
    assert.equal(missing.status, 404);
    assert.equal(await missing.text(), 'not found');
    for (const path of ['/../package.json', '/..%2fpackage.json', '/.git/config']) {
      const res = await fetch(url + path, { headers: asBrowser });
      assert.equal(res.status, 404, path);
      assert.equal(await res.text(), PAGE, path);
    }
  });
});
