/**
 * Static serving of the web client: a fixed map of files read at startup (no traversal, no
 * dotfiles, no directories), the right types, no-cache for the page and a year for hashed assets,
 * ETag revalidation, compression, and a silent decline when the client is not built.
 */
import assert from 'node:assert/strict';
import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import { after, before, describe, it } from 'node:test';
import type { Logger } from 'pino';
import { createStaticFiles, DEFAULT_WEB_ROOT } from '../../src/http/static-files.js';

interface RawResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
}

/** A raw request: the path goes on the wire exactly as written (fetch would normalise `..`). */
function get(port: number, path: string, headers: Record<string, string> = {}, method = 'GET'): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, method, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
    });
    req.on('error', reject);
    req.end();
  });
}

describe('static files', () => {
  let dir: string;
  let server: Server;
  let port: number;
  const js = `console.log(${JSON.stringify('x'.repeat(2000))});`;

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'rampart-static-'));
    await writeFile(join(dir, 'index.html'), '<!doctype html><title>t</title>');
    await writeFile(join(dir, 'app.0123456789ab.js'), js);
    await writeFile(join(dir, 'app.0123456789ab.css'), 'body{}');
    await writeFile(join(dir, '.env'), 'SECRET=1');
    await writeFile(join(dir, 'notes.txt'), 'unknown type');
    await mkdir(join(dir, 'sub'));
    await writeFile(join(dir, 'sub', 'inner.js'), 'nested');
    const serve = createStaticFiles({ root: dir });
    server = createServer((req, res) => {
      if (!serve(req, res)) {
        res.writeHead(404);
        res.end('declined');
      }
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    port = (server.address() as AddressInfo).port;
  });

  after(async () => {
    await new Promise<void>((r) => server.close(() => r()));
    await rm(dir, { recursive: true, force: true });
  });

  it('serves the page at / with no-cache and the right type', async () => {
    for (const path of ['/', '/index.html', '/?from=link']) {
      const res = await get(port, path);
      assert.equal(res.status, 200, path);
      assert.equal(res.headers['content-type'], 'text/html; charset=utf-8');
      assert.equal(res.headers['cache-control'], 'no-cache');
      assert.equal(res.body.toString(), '<!doctype html><title>t</title>');
    }
  });

  it('serves hashed assets as immutable for a year', async () => {
    const res = await get(port, '/app.0123456789ab.js');
    assert.equal(res.status, 200);
    assert.equal(res.headers['content-type'], 'text/javascript; charset=utf-8');
    assert.equal(res.headers['cache-control'], 'public, max-age=31536000, immutable');
    assert.equal(res.body.toString(), js);
    assert.equal((await get(port, '/app.0123456789ab.css')).headers['content-type'], 'text/css; charset=utf-8');
  });

  it('revalidates with ETag (304) and compresses with brotli or gzip', async () => {
    const first = await get(port, '/');
    const etag = String(first.headers.etag);
    const again = await get(port, '/', { 'if-none-match': etag });
    assert.equal(again.status, 304);
    assert.equal(again.body.length, 0);
    const br = await get(port, '/app.0123456789ab.js', { 'accept-encoding': 'gzip, br' });
    assert.equal(br.headers['content-encoding'], 'br');
    assert.equal(brotliDecompressSync(br.body).toString(), js);
    const gz = await get(port, '/app.0123456789ab.js', { 'accept-encoding': 'gzip' });
    assert.equal(gz.headers['content-encoding'], 'gzip');
    assert.equal(gunzipSync(gz.body).toString(), js);
    assert.equal(gz.headers.vary, 'Accept-Encoding');
  });

  it('answers HEAD without a body', async () => {
    const res = await get(port, '/app.0123456789ab.js', {}, 'HEAD');
    assert.equal(res.status, 200);
    assert.equal(res.body.length, 0);
    assert.equal(Number(res.headers['content-length']), Buffer.byteLength(js));
  });

  it('serves nothing outside the fixed map: no traversal, dotfiles, directories or unknown types', async () => {
    for (const path of [
      '/../package.json',
      '/..%2fpackage.json',
      '/%2e%2e/%2e%2e/etc/passwd',
      '/sub/inner.js',
      '/sub',
      '/.env',
      '/notes.txt',
      '/APP.0123456789AB.JS',
      '//index.html',
      '/index.html/',
      '/app.0123456789ab.js%00.html',
      '/constructor',
      '/__proto__',
    ]) {
      const res = await get(port, path);
      assert.equal(res.status, 404, path);
      assert.equal(res.body.toString(), 'declined', path);
    }
    const post = await get(port, '/', {}, 'POST');
    assert.equal(post.status, 404, 'only GET and HEAD');
  });

  it('declines everything and warns once when the client is not built', () => {
    const warnings: unknown[] = [];
    const log = { warn: (...args: unknown[]) => warnings.push(args) } as unknown as Logger;
    const serve = createStaticFiles({ root: join(dir, 'missing'), log });
    assert.equal(warnings.length, 1);
    assert.equal(serve({ url: '/', method: 'GET' } as never, {} as never), false);
  });

  it('finds dist/web from the source tree too (tsx), not only from dist/', () => {
    assert.match(DEFAULT_WEB_ROOT, /[\\/]dist[\\/]web[\\/]?$/);
    assert.doesNotMatch(DEFAULT_WEB_ROOT, /[\\/]src[\\/]/);
  });
});
