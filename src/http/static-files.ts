/**
 * Serves the built web client (dist/web, made by scripts/build-web.ts). Files are read once at
 * startup into a fixed map of name → bytes: a request can only ever get one of those, so there
 * is no path to traverse and no file-system access per request.
 *
 * - `GET /` (and `/index.html`): the page, `Cache-Control: no-cache` (revalidated by ETag), so a
 *   new deploy is picked up on the next load.
 * - `GET /<name>.<hash>.<ext>`: content-hashed assets, `Cache-Control: public, max-age=31536000,
 *   immutable`: a changed file gets a new name, so it can be cached forever.
 * - gzip and brotli variants are made at startup for text files and chosen by Accept-Encoding.
 *
 * The security headers (CSP and friends) are already set by the HTTP handler on every response.
 */
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { extname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { brotliCompressSync, constants as zlib, gzipSync } from 'node:zlib';
import type { Logger } from 'pino';

/** dist/web, from this module both as compiled (dist/http/) and as source under tsx (src/http/). */
export const DEFAULT_WEB_ROOT = fileURLToPath(new URL('../../dist/web/', import.meta.url));

const CONTENT_TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.json': 'application/json; charset=utf-8',
};
const COMPRESSIBLE = new Set(['.html', '.js', '.css', '.svg', '.json']);
/** `name.<hex hash>.ext`, as scripts/build-web.ts names assets. */
const HASHED = /^[a-z0-9_-]+\.[0-9a-f]{8,64}\.[a-z0-9]+$/;
const MAX_FILE_BYTES = 8 * 1024 * 1024;
const IMMUTABLE = 'public, max-age=31536000, immutable';

interface Entry {
  body: Buffer;
  gzip: Buffer | null;
  br: Buffer | null;
  type: string;
  etag: string;
  cacheControl: string;
}

export type StaticHandler = (req: IncomingMessage, res: ServerResponse) => boolean;

export interface StaticOptions {
  /** Directory of the built client; default dist/web next to this package's code. */
  root?: string;
  log?: Logger;
}

/** Reads the client into memory; returns a handler that serves it (or declines every request). */
export function createStaticFiles(options: StaticOptions = {}): StaticHandler {
  const root = options.root ?? DEFAULT_WEB_ROOT;
  const files = loadFiles(root);
  if (!files.has('/index.html')) {
    options.log?.warn({ event: 'web.missing', root }, 'web client not built (run `npm run build`); GET / will be 404');
    return () => false;
  }
  files.set('/', files.get('/index.html')!);
  return (req, res) => {
    const path = (req.url ?? '/').split('?')[0]!;
    const entry = files.get(path);
    if (!entry || (req.method !== 'GET' && req.method !== 'HEAD')) return false;
    serve(req, res, entry);
    return true;
  };
}

function loadFiles(root: string): Map<string, Entry> {
  const files = new Map<string, Entry>();
  if (!existsSync(root)) return files;
  let names: string[];
  try {
    names = readdirSync(root);
  } catch {
    return files;
  }
  for (const name of names) {
    const ext = extname(name).toLowerCase();
    const type = CONTENT_TYPES[ext];
    // Only plain, known, top-level files: no dotfiles, no directories, nothing unexpected.
    if (!type || name.startsWith('.') || !/^[A-Za-z0-9._-]+$/.test(name)) continue;
    const full = join(root, name);
    try {
      const st = statSync(full);
      if (!st.isFile() || st.size > MAX_FILE_BYTES) continue;
      const body = readFileSync(full);
      const compressible = COMPRESSIBLE.has(ext) && body.byteLength > 512;
      files.set(`/${name}`, {
        body,
        gzip: compressible ? gzipSync(body, { level: 9 }) : null,
        br: compressible ? brotliCompressSync(body, { params: { [zlib.BROTLI_PARAM_QUALITY]: 11 } }) : null,
        type,
        etag: `"${createHash('sha256').update(body).digest('base64url').slice(0, 22)}"`,
        cacheControl: HASHED.test(name) ? IMMUTABLE : 'no-cache',
      });
    } catch {
      // A file that vanished or cannot be read is simply not served.
    }
  }
  return files;
}

function serve(req: IncomingMessage, res: ServerResponse, entry: Entry): void {
  req.resume();
  const headers: Record<string, string | number> = {
    'Content-Type': entry.type,
    'Cache-Control': entry.cacheControl,
    ETag: entry.etag,
    Vary: 'Accept-Encoding',
  };
  if (req.headers['if-none-match'] === entry.etag) {
    res.writeHead(304, { 'Cache-Control': entry.cacheControl, ETag: entry.etag, Vary: 'Accept-Encoding' });
    res.end();
    return;
  }
  const accept = String(req.headers['accept-encoding'] ?? '');
  let body = entry.body;
  if (entry.br && /\bbr\b/.test(accept)) {
    body = entry.br;
    headers['Content-Encoding'] = 'br';
  } else if (entry.gzip && /\bgzip\b/.test(accept)) {
    body = entry.gzip;
    headers['Content-Encoding'] = 'gzip';
  }
  headers['Content-Length'] = body.byteLength;
  res.writeHead(200, headers);
  res.end(req.method === 'HEAD' ? undefined : body);
}
