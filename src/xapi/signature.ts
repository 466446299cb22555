import { createPublicKey, verify, X509Certificate } from 'node:crypto';
import { isJsonObject, type JsonObject } from '../core/json.js';
import { normalized, sameStatement } from './statements.js';
import { mediaTypeOf } from './xapi.body.js';

const SIGNATURE_USAGE = 'http://adlnet.gov/expapi/attachments/signature';
const ALGORITHMS: Record<string, string> = { RS256: 'sha256', RS384: 'sha384', RS512: 'sha512' };

function jsonOf(part: string): unknown {
  try {
    return JSON.parse(Buffer.from(part, 'base64url').toString('utf8'));
  } catch {
    return undefined;
  }
}

/**
 * Durations to 0.01 s: xAPI 2.0 compares them so (Data 4.2.7), also a statement with its signature. The seconds are
 * written with two decimals, so that `PT2S`, `PT2.0S` and `PT2.004S` compare equal.
 */
function truncatedDuration(value: unknown): unknown {
  if (!isJsonObject(value) || !isJsonObject(value.result) || typeof value.result.duration !== 'string') return value;
  const duration = value.result.duration.replace(
    /(\d+)(?:\.(\d*))?S$/,
    (_, seconds: string, fraction = '') => `${seconds}.${fraction.slice(0, 2).padEnd(2, '0')}S`,
  );
  return { ...value, result: { ...value.result, duration } };
}

/** A statement as its signature's payload is compared with it: without attachments, durations to 0.01 s. */
function comparable(statement: JsonObject): JsonObject {
  const out = truncatedDuration(
    Object.fromEntries(Object.entries(statement).filter(([key]) => key !== 'attachments')),
  ) as JsonObject;
  if (isJsonObject(out.object) && out.object.objectType === 'SubStatement') {
    out.object = truncatedDuration(out.object) as JsonObject;
  }
  return normalized(out);
}

/**
 * Why a signed statement's signature is not acceptable (xAPI Data 2.6), or null when it is, or when the
 * statement is not signed. The signature is the attachment with usageType …/signature: sent in the body
 * as application/octet-stream, a JWS in compact serialization with alg RS256, RS384 or RS512, whose payload
 * is the statement without its attachments; when the JWS carries its certificate (x5c), it must verify.
 */
export function signatureProblem(statement: JsonObject, attachments: Map<string, { content: Buffer }>): string | null {
  const list = Array.isArray(statement.attachments) ? statement.attachments : [];
  const signature = list.find((attachment) => isJsonObject(attachment) && attachment.usageType === SIGNATURE_USAGE) as
    JsonObject | undefined;
  if (!signature) return null;
  if (mediaTypeOf(String(signature.contentType)) !== 'application/octet-stream') {
    return 'The signature attachment must have the contentType application/octet-stream';
  }
  const sent = attachments.get(String(signature.sha2).toLowerCase());
  if (!sent) return 'The signature attachment must be sent with the statement';
  const parts = sent.content.toString('latin1').trim().split('.');
  if (parts.length !== 3 || parts.some((part) => !/^[A-Za-z0-9_-]*$/.test(part))) {
    return 'The signature is not a JWS in compact serialization';
  }
  const header = jsonOf(parts[0]);
  if (!isJsonObject(header)) return 'The header of the signature is not JSON';
  const hash = typeof header.alg === 'string' ? ALGORITHMS[header.alg] : undefined;
  if (!hash) return 'The signature must use the algorithm RS256, RS384 or RS512';
  const payload = jsonOf(parts[1]);
  if (!isJsonObject(payload)) return 'The payload of the signature is not a JSON statement';
  if (!sameStatement(comparable(payload), comparable(statement))) {
    return 'The payload of the signature is not this statement';
  }
  if (Array.isArray(header.x5c) && typeof header.x5c[0] === 'string') {
    let ok: boolean;
    try {
      const key = createPublicKey(
        new X509Certificate(Buffer.from(header.x5c[0], 'base64')).publicKey.export({ type: 'spki', format: 'pem' }),
      );
      ok = verify(hash, Buffer.from(`${parts[0]}.${parts[1]}`), key, Buffer.from(parts[2], 'base64url'));
    } catch {
      ok = false;
    }
    if (!ok) return 'The signature does not verify with the certificate it carries (x5c)';
  }
  return null;
}
