/**
 * Builds the browser client: web/src → dist/web/app.<hash>.js, web/styles.css →
 * dist/web/app.<hash>.css, web/favicon.svg → dist/web/icon.<hash>.svg, and dist/web/index.html
 * referencing them (with Subresource Integrity). Content-hashed names let the server cache
 * them for a year as immutable; index.html itself is served no-cache.
 *
 * Runs as part of `npm run build` (and so of `npm ci`, through `prepare`). It also refuses to
 * write a bundle that contains an HTML-injection sink, whatever its source (ours or a dependency).
 *
 *   node --import tsx scripts/build-web.ts
 */
import { createHash } from 'node:crypto';
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
export const WEB_SRC = join(ROOT, 'web');
export const WEB_OUT = join(ROOT, 'dist', 'web');

/** Sinks that turn a string into markup or code. None may appear in the shipped client. */
export const FORBIDDEN_SINKS: ReadonlyArray<[string, RegExp]> = [
  ['innerHTML', /\binnerHTML\b/],
  ['outerHTML', /\bouterHTML\b/],
  ['insertAdjacentHTML', /\binsertAdjacentHTML\b/],
  ['document.write', /\bdocument\s*\.\s*write(ln)?\b/],
  ['createContextualFragment', /\bcreateContextualFragment\b/],
  ['DOMParser', /\bDOMParser\b/],
  ['srcdoc', /\bsrcdoc\b/],
  ['eval', /(^|[^.\w$])eval\s*\(/],
  ['new Function', /\bnew\s+Function\s*\(/],
  ['setHTMLUnsafe', /\bsetHTMLUnsafe\b/],
];

export function findSinks(code: string): string[] {
  return FORBIDDEN_SINKS.filter(([, re]) => re.test(code)).map(([name]) => name);
}

export interface WebBuild {
  outDir: string;
  /** File name → size in bytes. */
  files: Record<string, number>;
  js: string;
  css: string;
}

function hashName(prefix: string, ext: string, content: Uint8Array | string): string {
  return `${prefix}.${createHash('sha256').update(content).digest('hex').slice(0, 12)}.${ext}`;
}

function sri(content: Uint8Array | string): string {
  return `sha384-${createHash('sha384').update(content).digest('base64')}`;
}

export async function buildWeb(outDir: string = WEB_OUT): Promise<WebBuild> {
  const common = {
    bundle: true,
    minify: true,
    write: false,
    legalComments: 'none',
    charset: 'utf8',
    logLevel: 'silent',
  } as const;
  const [js, css] = await Promise.all([
    build({
      ...common,
      entryPoints: [join(WEB_SRC, 'src', 'main.ts')],
      format: 'esm',
      target: ['es2022', 'chrome109', 'firefox115', 'safari16'],
      tsconfig: join(WEB_SRC, 'tsconfig.json'),
      outfile: 'app.js',
    }),
    build({
      ...common,
      entryPoints: [join(WEB_SRC, 'styles.css')],
      target: ['chrome109', 'firefox115', 'safari16'],
      outfile: 'app.css',
    }),
  ]);
  const jsCode = js.outputFiles[0]!.contents;
  const cssCode = css.outputFiles[0]!.contents;
  const sinks = findSinks(Buffer.from(jsCode).toString('utf8'));
  if (sinks.length > 0) throw new Error(`web bundle contains forbidden sinks: ${sinks.join(', ')}`);

  const icon = await readFile(join(WEB_SRC, 'favicon.svg'));
  const names = {
    js: hashName('app', 'js', jsCode),
    css: hashName('app', 'css', cssCode),
    icon: hashName('icon', 'svg', icon),
  };
  const template = await readFile(join(WEB_SRC, 'index.html'), 'utf8');
  const html = template
    .replace(/<!--[\s\S]*?-->\n?/g, '') // comments are for readers of web/index.html, not for every page load
    .replaceAll('{{JS}}', names.js)
    .replaceAll('{{JS_SRI}}', sri(jsCode))
    .replaceAll('{{CSS}}', names.css)
    .replaceAll('{{CSS_SRI}}', sri(cssCode))
    .replaceAll('{{ICON}}', names.icon);
  if (/\{\{\w+\}\}/.test(html)) throw new Error('web/index.html has an unknown placeholder');
  if (/<script(?![^>]*\bsrc=)[^>]*>/i.test(html) || /<style\b|\sstyle=/i.test(html)) {
    throw new Error('web/index.html must not contain inline script or style (CSP)');
  }

  // Write a complete new directory, then swap it in: a server starting meanwhile sees either
  // the old client or the new one, never half of each.
  const staging = `${outDir}.tmp-${process.pid}`;
  await rm(staging, { recursive: true, force: true });
  await mkdir(staging, { recursive: true });
  const files: Record<string, Uint8Array | string> = {
    'index.html': html,
    [names.js]: jsCode,
    [names.css]: cssCode,
    [names.icon]: icon,
  };
  for (const [name, content] of Object.entries(files)) await writeFile(join(staging, name), content);
  await mkdir(dirname(outDir), { recursive: true });
  const old = `${outDir}.old-${process.pid}`;
  await rm(old, { recursive: true, force: true });
  await rename(outDir, old).catch((err: NodeJS.ErrnoException) => {
    if (err.code !== 'ENOENT') throw err;
  });
  await rename(staging, outDir);
  await rm(old, { recursive: true, force: true });

  const sizes: Record<string, number> = {};
  for (const [name, content] of Object.entries(files)) sizes[name] = typeof content === 'string' ? Buffer.byteLength(content) : content.byteLength;
  return { outDir, files: sizes, js: names.js, css: names.css };
}

// Run directly: build and print the sizes.
if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const result = await buildWeb();
  const { gzipSync } = await import('node:zlib');
  for (const [name, size] of Object.entries(result.files)) {
    const gz = gzipSync(await readFile(join(result.outDir, name))).byteLength;
    console.log(`web: ${name.padEnd(28)} ${String(size).padStart(7)} B  (${gz} B gzip)`);
  }
}
