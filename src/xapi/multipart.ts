import { createHash } from 'node:crypto';

/** One part of a `multipart/mixed` body: its headers (lower-case names) and content. */
export interface Part {
  headers: Record<string, string>;
  body: Buffer;
}

/** The parameter of a `Content-Type` header (`boundary`, `charset`), unquoted. */
export function mediaParameter(contentType: string, name: string): string | undefined {
  const match = new RegExp(`;\\s*${name}\\s*=\\s*(?:"([^"]*)"|([^;\\s]+))`, 'i').exec(contentType);
  return match?.[1] ?? match?.[2];
}

/** The parts of a multipart body (RFC 2046); null when the body is not one. */
export function parseMultipart(body: Buffer, boundary: string): Part[] | null {
  const delimiter = Buffer.from(`--${boundary}`);
  const parts: Part[] = [];
  let start = body.indexOf(delimiter);
  if (start < 0) return null;
  for (;;) {
    let cursor = start + delimiter.length;
    if (body.subarray(cursor, cursor + 2).toString() === '--') return parts;
    // The rest of the delimiter line (transport padding), then CRLF.
    const lineEnd = body.indexOf('\r\n', cursor);
    if (lineEnd < 0) return null;
    cursor = lineEnd + 2;
    const next = body.indexOf(Buffer.concat([Buffer.from('\r\n'), delimiter]), cursor);
    if (next < 0) return null;
    const part = body.subarray(cursor, next);
    const headerEnd = part.indexOf('\r\n\r\n');
    const head =
      headerEnd < 0
        ? part.subarray(0, 2).toString() === '\r\n'
          ? ''
          : null
        : part.subarray(0, headerEnd).toString('latin1');
    if (head === null) return null;
    const headers: Record<string, string> = {};
    for (const line of head.split('\r\n').filter(Boolean)) {
      const colon = line.indexOf(':');
      if (colon < 0) return null;
      headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
    }
    parts.push({ headers, body: part.subarray(headerEnd < 0 ? 2 : headerEnd + 4) });
    start = next + 2;
  }
}

/** A multipart/mixed body of these parts. */
export function buildMultipart(parts: Part[], boundary: string): Buffer {
  const chunks: Buffer[] = [];
  for (const part of parts) {
    const head = Object.entries(part.headers)
      .map(([name, value]) => `${name}: ${value}\r\n`)
      .join('');
    chunks.push(Buffer.from(`--${boundary}\r\n${head}\r\n`), part.body, Buffer.from('\r\n'));
  }
  chunks.push(Buffer.from(`--${boundary}--\r\n`));
  return Buffer.concat(chunks);
}

const ALGORITHMS: Record<number, string> = { 56: 'sha224', 64: 'sha256', 96: 'sha384', 128: 'sha512' };

/** Whether `sha2` (hex, of any SHA-2 length) is the hash of `content`. */
export function hashMatches(sha2: string, content: Buffer): boolean {
  const algorithm = ALGORITHMS[sha2.length];
  return algorithm !== undefined && createHash(algorithm).update(content).digest('hex') === sha2.toLowerCase();
}
