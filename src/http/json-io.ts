/** Bounded JSON request bodies and JSON responses for the HTTP API. */
import type { IncomingMessage, ServerResponse } from 'node:http';

/** Largest accepted API body in bytes: a username and a password fit with room to spare. 4 KiB. */
export const MAX_API_BODY_BYTES = 4096;

export type BodyResult = { ok: true; value: Record<string, unknown> } | { ok: false; status: 400 | 413 | 415 };

/** Reads a JSON object body; refuses other content types (415), big bodies (413), non-objects (400). */
export async function readJsonObject(req: IncomingMessage): Promise<BodyResult> {
  const type = (req.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
  if (type !== 'application/json') return drain(req, 415);
  const declared = Number(req.headers['content-length'] ?? '0');
  if (declared > MAX_API_BODY_BYTES) return drain(req, 413);
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_API_BODY_BYTES) return { ok: false, status: 413 };
    chunks.push(chunk);
  }
  let value: unknown;
  try {
    value = JSON.parse(Buffer.concat(chunks).toString('utf8'));
  } catch {
    return { ok: false, status: 400 };
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return { ok: false, status: 400 };
  return { ok: true, value: value as Record<string, unknown> };
}

function drain(req: IncomingMessage, status: 413 | 415): BodyResult {
  req.resume();
  return { ok: false, status };
}

export function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string | string[]> = {}): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'Content-Type': 'application/json; charset=utf-8',
    'Content-Length': Buffer.byteLength(text),
    'Cache-Control': 'no-store',
    ...headers,
  });
  res.end(text);
}

/** Errors carry a stable code and a generic message: never a stack, SQL or library name. */
export function sendError(res: ServerResponse, status: number, code: string, message: string, headers: Record<string, string> = {}): void {
  sendJson(res, status, { error: { code, message } }, headers);
}
