import { createHash, createSign } from 'node:crypto';
import type { JsonObject } from '../../src/core/json.js';
import { signatureProblem } from '../../src/xapi/signature.js';
import { OTHER_CERTIFICATE, SIGNER_CERTIFICATE, SIGNER_KEY } from '../fixtures/signers.js';

const SIGNATURE_USAGE = 'http://adlnet.gov/expapi/attachments/signature';
const base64url = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
/** A certificate's DER in base64, as a JWS header's `x5c` carries it. */
const x5c = (pem: string) => pem.replace(/-----[A-Z ]+-----|\s/g, '');

const STATEMENT: JsonObject = {
  id: '6690e6c9-3ef0-4ed3-8b37-7f3964730bee',
  actor: { objectType: 'Agent', mbox: 'mailto:learner@school.example' },
  verb: { id: 'http://adlnet.gov/expapi/verbs/answered' },
  object: { id: 'http://portal.test/api/v1/words/1' },
  result: { success: true, duration: 'PT1.23S' },
};

/** A JWS in compact serialization of `payload`, signed with the test signer's key. */
function jws(payload: unknown, header: JsonObject = { alg: 'RS256', x5c: [x5c(SIGNER_CERTIFICATE)] }): string {
  const signingInput = `${base64url(header)}.${base64url(payload)}`;
  const hash = { RS384: 'sha384', RS512: 'sha512' }[String(header.alg)] ?? 'sha256';
  const signature = createSign(hash).update(signingInput).sign(SIGNER_KEY, 'base64url');
  return `${signingInput}.${signature}`;
}

/** What signatureProblem says of `statement` signed by `signature`, sent as its attachment (`declared` overriding). */
function problemOf(signature: string, statement = STATEMENT, declared: JsonObject = {}) {
  const content = Buffer.from(signature, 'latin1');
  const sha2 = createHash('sha256').update(content).digest('hex');
  const attachment = {
    usageType: SIGNATURE_USAGE,
    display: { 'en-US': 'signature' },
    contentType: 'application/octet-stream',
    length: content.length,
    sha2,
    ...declared,
  };
  return signatureProblem({ ...statement, attachments: [attachment] }, new Map([[sha2, { content }]]));
}

describe('signatureProblem (xAPI Data 2.6)', () => {
  it('has nothing to say of a statement without a signature', () => {
    expect(signatureProblem(STATEMENT, new Map())).toBeNull();
  });

  it.each(['RS256', 'RS384', 'RS512'])('takes a statement signed with %s, its certificate in the header', (alg) => {
    expect(problemOf(jws(STATEMENT, { alg, x5c: [x5c(SIGNER_CERTIFICATE)] }))).toBeNull();
  });

  it('takes a JWS followed by a line end, its sha2 declared in capitals, its content type with parameters', () => {
    const signature = jws(STATEMENT);
    const sha2 = createHash('sha256').update(signature).digest('hex').toUpperCase();
    expect(problemOf(`${signature}\r\n`)).toBeNull();
    expect(problemOf(signature, STATEMENT, { sha2 })).toBeNull();
    expect(problemOf(signature, STATEMENT, { contentType: 'Application/Octet-Stream; x=1' })).toBeNull();
  });

  it('compares durations to 0.01 s, a SubStatement’s too', () => {
    const precise = { ...STATEMENT, result: { duration: 'PT1.2345S' } };
    expect(problemOf(jws({ ...STATEMENT, result: { duration: 'PT1.23S' } }), precise)).toBeNull();
    expect(problemOf(jws(precise), { ...STATEMENT, result: { duration: 'PT1.239S' } })).toBeNull();
    expect(problemOf(jws(precise), { ...STATEMENT, result: { duration: 'PT1.24S' } })).toBe(
      'The payload of the signature is not this statement',
    );
    const { actor, verb, object } = STATEMENT;
    const sub = (duration: string) => ({
      ...STATEMENT,
      object: { objectType: 'SubStatement', actor, verb, object, result: { duration } },
    });
    expect(problemOf(jws(sub('PT2.501S')), sub('PT2.5S'))).toBeNull();
    // The same durations written otherwise.
    expect(
      problemOf(jws({ ...STATEMENT, result: { duration: 'PT2S' } }), { ...STATEMENT, result: { duration: 'PT2.0S' } }),
    ).toBeNull();
    expect(
      problemOf(jws({ ...STATEMENT, result: { duration: 'P1DT2.5S' } }), {
        ...STATEMENT,
        result: { duration: 'P1DT2.50S' },
      }),
    ).toBeNull();
    expect(
      problemOf(jws({ ...STATEMENT, result: { duration: 'PT1M' } }), { ...STATEMENT, result: { duration: 'PT60S' } }),
    ).toBe('The payload of the signature is not this statement');
  });

  it.each([
    [
      'a content type other than application/octet-stream',
      () => problemOf(jws(STATEMENT), STATEMENT, { contentType: 'application/jose' }),
      'The signature attachment must have the contentType application/octet-stream',
    ],
    [
      'no attachment of its sha2',
      () => problemOf(jws(STATEMENT), STATEMENT, { sha2: 'a'.repeat(64) }),
      'The signature attachment must be sent with the statement',
    ],
    [
      'two parts',
      () => problemOf(jws(STATEMENT).split('.').slice(0, 2).join('.')),
      'The signature is not a JWS in compact serialization',
    ],
    [
      'a part in base64, not base64url',
      () => problemOf(`${jws(STATEMENT)}+/=`),
      'The signature is not a JWS in compact serialization',
    ],
    [
      'a header that is no JSON object',
      () => problemOf(`${base64url('RS256')}.${base64url(STATEMENT)}.x`),
      'The header of the signature is not JSON',
    ],
    [
      'an algorithm other than RS256, RS384 or RS512',
      () => problemOf(jws(STATEMENT, { alg: 'HS256' })),
      'The signature must use the algorithm RS256, RS384 or RS512',
    ],
    [
      'a payload that is no JSON object',
      () => problemOf(jws([STATEMENT])),
      'The payload of the signature is not a JSON statement',
    ],
    [
      'a payload of another statement',
      () => problemOf(jws({ ...STATEMENT, verb: { id: 'http://adlnet.gov/expapi/verbs/passed' } })),
      'The payload of the signature is not this statement',
    ],
    [
      'a signature another certificate does not verify',
      () => problemOf(jws(STATEMENT, { alg: 'RS256', x5c: [x5c(OTHER_CERTIFICATE)] })),
      'The signature does not verify with the certificate it carries (x5c)',
    ],
    [
      'a certificate that is none',
      () => problemOf(jws(STATEMENT, { alg: 'RS256', x5c: ['bm90IGEgY2VydGlmaWNhdGU='] })),
      'The signature does not verify with the certificate it carries (x5c)',
    ],
    [
      'its signature changed',
      () => {
        const [header, payload, signature] = jws(STATEMENT).split('.');
        return problemOf(`${header}.${payload}.${signature.startsWith('A') ? 'B' : 'A'}${signature.slice(1)}`);
      },
      'The signature does not verify with the certificate it carries (x5c)',
    ],
  ])('refuses a signature with %s', (_case, problem, message) => {
    expect(problem()).toBe(message);
  });
});
