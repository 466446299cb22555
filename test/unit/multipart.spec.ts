import { createHash } from 'node:crypto';
import { buildMultipart, hashMatches, mediaParameter, parseMultipart } from '../../src/xapi/multipart.js';

const CRLF = '\r\n';
const body = (...lines: string[]) => Buffer.from(lines.join(CRLF), 'latin1');
const text = (parts: ReturnType<typeof parseMultipart>) =>
  parts?.map(({ headers, body: content }) => ({ headers, body: content.toString('latin1') }));

describe('mediaParameter', () => {
  it.each([
    ['multipart/mixed; boundary=abc', 'abc'],
    ['multipart/mixed;boundary=abc;charset=utf-8', 'abc'],
    ['multipart/mixed; BOUNDARY = "a b;c"', 'a b;c'],
    ['multipart/mixed; charset=utf-8', undefined],
  ])('%s: the boundary is %s', (contentType, boundary) => {
    expect(mediaParameter(contentType, 'boundary')).toBe(boundary);
  });
});

describe('parseMultipart (RFC 2046)', () => {
  it('reads each part’s headers (names in lower case, values trimmed) and content, after a preamble and padding', () => {
    const parts = parseMultipart(
      body(
        'a preamble',
        '--b  ',
        'Content-Type : application/json',
        'X-Experience-API-Hash:  abc ',
        '',
        '{"a":1}',
        '--b',
        'Content-Type: text/plain; name=caf\xe9',
        '',
        'two',
        'lines',
        '--b--',
        'an epilogue',
      ),
      'b',
    );
    expect(text(parts)).toEqual([
      { headers: { 'content-type': 'application/json', 'x-experience-api-hash': 'abc' }, body: '{"a":1}' },
      { headers: { 'content-type': 'text/plain; name=café' }, body: `two${CRLF}lines` },
    ]);
  });

  it('reads a part without headers (a blank line first) and a body of no parts', () => {
    expect(text(parseMultipart(body('--b', '', 'content', '--b--'), 'b'))).toEqual([{ headers: {}, body: 'content' }]);
    expect(parseMultipart(body('--b--'), 'b')).toEqual([]);
  });

  it.each([
    ['without the boundary', body('--other', '', 'x', '--other--')],
    ['whose delimiter line does not end', Buffer.from('--b')],
    ['whose part has no closing delimiter', body('--b', 'Content-Type: text/plain', '', 'x')],
    ['whose part has headers but no blank line after them', body('--b', 'Content-Type: text/plain', '--b--')],
    ['whose header line has no colon', body('--b', 'Content-Type text/plain', '', 'x', '--b--')],
  ])('is null for a body %s', (_case, multipart) => {
    expect(parseMultipart(multipart, 'b')).toBeNull();
  });

  it('reads what buildMultipart writes', () => {
    const parts = [
      { headers: { 'content-type': 'application/json' }, body: Buffer.from('[]') },
      { headers: { 'content-type': 'application/octet-stream' }, body: Buffer.from([0, 13, 10, 255]) },
    ];
    expect(parseMultipart(buildMultipart(parts, 'xyz'), 'xyz')).toEqual(parts);
  });
});

describe('hashMatches', () => {
  const content = Buffer.from('an attachment');
  it.each(['sha224', 'sha256', 'sha384', 'sha512'])('takes the %s of the content, in either case', (algorithm) => {
    const hash = createHash(algorithm).update(content).digest('hex');
    expect(hashMatches(hash, content)).toBe(true);
    expect(hashMatches(hash.toUpperCase(), content)).toBe(true);
    expect(hashMatches(hash, Buffer.from('another'))).toBe(false);
  });

  it('refuses a hash of no SHA-2 length', () => {
    const sha1 = createHash('sha1').update(content).digest('hex');
    expect(hashMatches(sha1, content)).toBe(false);
  });
});
