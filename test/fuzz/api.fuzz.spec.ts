import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import request, { type Response } from 'supertest';
import { expectProblem, sql } from '../api.js';
import { closeTestApp, createTestApp, type TestApp } from '../app.js';
import { portal } from '../fixtures.js';
import { dialect } from '../../src/database/dialect.js';
import { WORD_SEARCH_TABLES } from '../../src/words/search.sqlite.js';

/**
 * Property-based fuzzing of every operation in the committed openapi.json: requests built from each
 * operation's path parameters, query parameters and body schema, then broken in the ways clients break
 * them (wrong types, out-of-range and non-decimal numbers, ids past 2^53, unknown and prototype-named
 * fields, odd Unicode, SQL and path fragments, malformed JSON, wrong content types, duplicate query
 * parameters, bad Idempotency-Key headers and `reviewed_at` values).
 *
 * For every request: no 5xx; every 4xx is an RFC 9457 problem document that leaks nothing; a 4xx (and any
 * GET) leaves the database exactly as it was; and a request with something surely invalid in it (per
 * docs/api.md) is not accepted with a 2xx. Valid requests may succeed; the fixture is restored afterwards.
 *
 * FUZZ_RUNS (default 1000) sets the number of requests, FUZZ_SEED the seed; FUZZ_REPORT_ALL=1 collects
 * every failing request instead of stopping (and shrinking) at the first; FUZZ_VERBOSE=1 prints statistics.
 */

const RUNS = Number(process.env.FUZZ_RUNS ?? 1000);
const SEED = Number(process.env.FUZZ_SEED ?? 20261130);
const REPORT_ALL = process.env.FUZZ_REPORT_ALL === '1';
const VERBOSE = process.env.FUZZ_VERBOSE === '1' || process.env.FUZZ_RUNS !== undefined;

// ---------------------------------------------------------------------------------------------------
// The operations, read from openapi.json.

interface Schema {
  $ref?: string;
  type?: string;
  format?: string;
  enum?: string[];
  minimum?: number;
  maximum?: number;
  maxLength?: number;
  nullable?: boolean;
  items?: Schema;
  properties?: Record<string, Schema>;
  required?: string[];
}

interface Operation {
  label: string;
  method: string;
  path: string;
  pathParams: string[];
  query: { name: string; schema: Schema }[];
  body?: Schema;
  takesKey: boolean;
  /** The media types the document declares each status's response in (`application/json`, or a choice). */
  mediaTypes: Record<number, string[]>;
  /** Its success wipes or copies data: never sent without something surely invalid in it. */
  destructive: boolean;
}

const document = JSON.parse(readFileSync(join(import.meta.dirname, '..', '..', 'openapi.json'), 'utf8')) as {
  paths: Record<
    string,
    Record<
      string,
      {
        parameters?: { in: string; name: string; schema?: Schema }[];
        requestBody?: { content?: Record<string, { schema?: Schema }> };
        responses?: Record<string, { content?: Record<string, unknown> }>;
      }
    >
  >;
  components: { schemas: Record<string, Schema> };
};

const resolve = (schema: Schema | undefined): Schema | undefined =>
  schema?.$ref ? resolve(document.components.schemas[schema.$ref.split('/').pop()!]) : schema;

const METHODS = ['get', 'post', 'put', 'patch', 'delete'];

const OPERATIONS: Operation[] = Object.entries(document.paths).flatMap(([path, item]) =>
  Object.entries(item)
    .filter(([method]) => METHODS.includes(method))
    .map(([method, operation]) => {
      const parameters = operation.parameters ?? [];
      return {
        label: `${method.toUpperCase()} ${path}`,
        method,
        path,
        pathParams: parameters.filter((p) => p.in === 'path').map((p) => p.name),
        query: parameters
          .filter((p) => p.in === 'query')
          .map((p) => ({ name: p.name, schema: resolve(p.schema) ?? {} })),
        body: resolve(operation.requestBody?.content?.['application/json']?.schema),
        takesKey: parameters.some((p) => p.in === 'header' && p.name.toLowerCase() === 'idempotency-key'),
        mediaTypes: Object.fromEntries(
          Object.entries(operation.responses ?? {}).map(([status, response]) => [
            Number(status),
            Object.keys(response.content ?? {}),
          ]),
        ),
        destructive: /reset|backup|restore/i.test(path),
      };
    }),
);

// ---------------------------------------------------------------------------------------------------
// Pieces of requests: raw text (JSON for bodies, percent-encoded for URLs), and why it is surely invalid.

interface Piece {
  text: string;
  invalid?: string;
}
/** Valid, or maybe valid: the API decides, and only the checks common to every answer apply. */
const maybe = (text: string): Piece => ({ text });
const bad =
  (why: string) =>
  (text: string): Piece => ({ text, invalid: `${why}: ${text.slice(0, 80)}` });
const anyOf = <T>(...items: T[]): fc.Arbitrary<T> => fc.constantFrom(...items);
const piecesOf = (texts: string[], make: (text: string) => Piece) => anyOf(...texts).map(make);

/** Whether SQLite can store the text: no U+0000, no unpaired surrogate. */
const storable = (text: string) => !text.includes('\u0000') && text.isWellFormed();

/** Every string (keys included) of a JSON value is storable. */
function deepStorable(value: unknown): boolean {
  if (typeof value === 'string') {
    return storable(value);
  }
  if (value !== null && typeof value === 'object') {
    return Object.entries(value).every(([key, child]) => storable(key) && deepStorable(child));
  }
  return true;
}

/** Percent-encodes like encodeURIComponent, lone surrogates included (as their 3-byte pattern, invalid UTF-8). */
function encode(text: string): string {
  return Array.from(text)
    .map((char) => {
      const code = char.codePointAt(0)!;
      if (code >= 0xd800 && code <= 0xdfff) {
        return [0xe0 | (code >> 12), 0x80 | ((code >> 6) & 0x3f), 0x80 | (code & 0x3f)]
          .map((byte) => `%${byte.toString(16).toUpperCase()}`)
          .join('');
      }
      return encodeURIComponent(char);
    })
    .join('');
}

/**
 * Long texts are written `@@R:<count>:<char index>@@` in the generated requests (so that a counterexample
 * stays readable) and expanded when sent; `@@A:<count>@@` is the list 1,2,…,count; `@@NOW@@` and
 * `@@FUTURE@@` are the current time and a minute ahead of it.
 */
const REPEATED = ['a', 'ก', '🐘'];
function expand(text: string, url: boolean): string {
  return text
    .replace(/@@R:(\d+):(\d)@@/g, (_, count: string, index: string) => {
      const char = REPEATED[Number(index)];
      return (url ? encodeURIComponent(char) : char).repeat(Number(count));
    })
    .replace(/@@A:(\d+)@@/g, (_, count: string) => Array.from({ length: Number(count) }, (__, i) => i + 1).join(','))
    .replace(/@@NOW@@/g, () => new Date().toISOString())
    .replace(/@@FUTURE@@/g, () => new Date(Date.now() + 60_000).toISOString());
}

const ODD_TEXT = [
  // The fixture's own names, in other cases and with spaces: duplicates (409) are reached too.
  'Animals',
  'ANIMALS',
  ' animals ',
  'flashcards',
  'cat',
  'CAT',
  'แมว',
  "' or 1=1 --",
  '1; drop table words; --',
  'Robert"); DELETE FROM words; --',
  '../../etc/passwd',
  '..\\..\\windows\\win.ini',
  '%00',
  '%',
  '%zz',
  '%2e%2e%2f',
  '\u202e\u0627\u0644\u0639\u0631\u0628\u064a\u0629',
  '\u200f\u200e\u200b\u2066x\u2069',
  '👩‍👩‍👧‍👦',
  '🇹🇭🐘',
  'สวัสดีครับ',
  'e\u0301\u0301\u0301',
  '\ufeffbom',
  '\uffff\ufffe',
  '\u{10ffff}',
  ' ',
  '  padded  ',
  '\t\r\n',
  'null',
  'undefined',
  'NaN',
  '<script>alert(1)</script>',
  '${7*7}{{7*7}}',
  '__proto__',
  'constructor',
  'prototype',
  'toString',
];
const UNSTORABLE_TEXT = ['\u0000', 'a\u0000b', '\ud800', '\udfff', 'x\udc00y', '🐘'.slice(0, 1)];

/** One code point of any kind, now and then an unpaired surrogate. */
const anyChar = fc.oneof(
  { weight: 20, arbitrary: fc.string({ unit: 'binary', minLength: 1, maxLength: 1 }) },
  { weight: 1, arbitrary: fc.integer({ min: 0xd800, max: 0xdfff }).map((code) => String.fromCharCode(code)) },
);

/** Any text: odd, random (every code point), printable, unstorable. */
const text = fc.oneof(
  { weight: 3, arbitrary: anyOf(...ODD_TEXT) },
  { weight: 3, arbitrary: fc.string({ unit: anyChar, maxLength: 24 }) },
  { weight: 2, arbitrary: fc.string({ unit: 'grapheme', minLength: 1, maxLength: 16 }) },
  { weight: 1, arbitrary: anyOf(...UNSTORABLE_TEXT) },
);

/** JSON text of a string value, with sure verdicts on U+0000, lone surrogates, blank and over-long text. */
function jsonString(value: string, schema: Schema, required: boolean, name: string): Piece {
  if (!storable(value)) {
    return bad(`${name} holds text SQLite cannot store`)(JSON.stringify(value));
  }
  const limit = schema.maxLength ?? Infinity;
  if (value.length > limit && Array.from(value).length > limit) {
    return bad(`${name} is longer than ${limit}`)(JSON.stringify(value));
  }
  if (required && value.trim() === '') {
    return bad(`${name} is blank`)(JSON.stringify(value));
  }
  return maybe(JSON.stringify(value));
}

const DEEP_OBJECT = `${'{"a":'.repeat(40)}1${'}'.repeat(40)}`;
const DEEP_ARRAY = `${'['.repeat(40)}1${']'.repeat(40)}`;
const NOT_A_STRING = ['1', '1.5', 'true', 'false', '[]', '["a"]', '{}', '{"a":"b"}'];

/** Dates that must be refused in a body (docs/api.md §1, §4). */
const DATE_BAD = [
  '2026-01-15',
  '2026-01-15T09:15:00',
  '2026-01-15T09',
  '2026-02-30T00:00:00Z',
  '2026-13-01T00:00:00Z',
  '2026-01-15T25:00:00Z',
  '2026-01-15T09:60:00Z',
  '2026-01-15T09:15:00+24:00',
  '2026-01-15T09:15:00 Z',
  'yesterday',
  'now',
  '',
  '1700000000000',
  '@@FUTURE@@',
  '2999-01-01T00:00:00Z',
];
/** Dates whose fate the docs leave open (odd but maybe valid ISO 8601). */
const DATE_ODD = [
  '0000-01-01T00:00:00Z',
  '0001-01-01T00:00:00Z',
  '1969-12-31T23:59:59.999Z',
  '+275760-09-13T00:00:00.000Z',
  '-000001-01-01T00:00:00Z',
  '2026-01-15T09:15:00.123456789Z',
  '2026-01-15 09:15:00Z',
  '2026-01-15T09:15Z',
  '2016-12-31T23:59:60Z',
  '2026-01-15T09:15:00-00:00',
  '2026-01-15T09:15:00+1400',
  '2026-01-15t09:15:00z',
  '2026-W03-4T09:15:00Z',
  '2026-015T09:15:00Z',
];

/** JSON numbers and other values that are surely no integer within the schema's range. */
function integersOutside(schema: Schema): string[] {
  const { minimum, maximum } = schema;
  return [
    '1.5',
    '2e-1',
    '1e309',
    '-1e309',
    '"1"',
    '"abc"',
    'true',
    '[]',
    '{}',
    '[1]',
    ...(minimum !== undefined ? [String(minimum - 1)] : []),
    ...(minimum !== undefined && minimum >= 1 ? ['0', '-0', '-1'] : []),
    ...(maximum !== undefined ? [String(BigInt(maximum) + 1n), String(BigInt(maximum) + 2n)] : []),
    ...(maximum !== undefined && maximum <= Number.MAX_SAFE_INTEGER
      ? ['18446744073709551616', '123456789012345678901234567890']
      : []),
  ];
}
/** JSON numbers that are integers within the schema's range (some written as 1.0 or 1e0). */
function integersInside(schema: Schema): string[] {
  const minimum = schema.minimum ?? 0;
  const maximum = schema.maximum ?? Number.MAX_SAFE_INTEGER;
  return [...new Set([1, 2, 3, 4, 5, 6, minimum, maximum].filter((n) => n >= minimum && n <= maximum))]
    .map(String)
    .concat(minimum <= 1 && maximum >= 1 ? ['1.0', '1e0'] : []);
}
const BOOLEAN_BAD = ['"true"', '"false"', '1', '0', '"yes"', '[]', '{}', '[true]'];
const URL_BAD = [
  '"not a url"',
  '"ftp://apps.example/x"',
  '"javascript:alert(1)"',
  '"//apps.example/x"',
  '"http://"',
  '""',
  '"https://exa mple.com"',
  '"file:///etc/passwd"',
];

/** A body value for a property, valid or broken. */
function bodyValue(name: string, schema: Schema, required: boolean): fc.Arbitrary<Piece> {
  const nullPiece = schema.nullable ? maybe('null') : bad(`${name} is null`)('null');
  const typeBad = (texts: string[]) => piecesOf(texts, bad(`${name} has the wrong type`));
  switch (schema.type) {
    case 'integer':
      return fc.oneof(
        { weight: 8, arbitrary: piecesOf(integersInside(schema), maybe) },
        { weight: 3, arbitrary: piecesOf(integersOutside(schema), bad(`${name} is no integer in range`)) },
        { weight: 1, arbitrary: fc.constant(nullPiece) },
      );
    case 'boolean':
      return fc.oneof(
        { weight: 8, arbitrary: piecesOf(['true', 'false'], maybe) },
        { weight: 3, arbitrary: piecesOf(BOOLEAN_BAD, bad(`${name} is no boolean`)) },
        { weight: 1, arbitrary: fc.constant(nullPiece) },
      );
    case 'array': {
      const items = resolve(schema.items) ?? {};
      if (items.type !== 'integer') {
        return anyJson;
      }
      const inside = integersInside(items);
      return fc.oneof(
        { weight: 8, arbitrary: piecesOf(['[]', `[${inside[0]}]`, `[${inside.join(',')}]`, '[1,1]'], maybe) },
        { weight: 1, arbitrary: fc.constant(maybe('[@@A:5000@@]')) },
        {
          weight: 4,
          arbitrary: piecesOf(
            [...integersOutside(items).map((item) => `[${item}]`), '[null]', `[${inside[0]},"a"]`],
            bad(`${name} holds items that are no integers in range`),
          ),
        },
        { weight: 2, arbitrary: typeBad(['"1"', '1', '{}', 'true']) },
        { weight: 1, arbitrary: fc.constant(nullPiece) },
      );
    }
    case 'object':
      return fc.oneof(
        {
          weight: 3,
          arbitrary: piecesOf(
            [
              '{}',
              '{"romanization":"maeo","part_of_speech":"noun"}',
              '{"__proto__":{"polluted":true},"constructor":{"prototype":{"x":1}},"toString":"x"}',
              '{"a":[1,null,{"b":"🐘"}],"c":{"d":{"e":[]}}}',
            ],
            maybe,
          ),
        },
        {
          weight: 2,
          arbitrary: fc
            .dictionary(text, fc.jsonValue({ maxDepth: 3 }), { maxKeys: 4 })
            .map((value) =>
              deepStorable(value)
                ? maybe(JSON.stringify(value))
                : bad(`${name} holds text SQLite cannot store`)(JSON.stringify(value)),
            ),
        },
        { weight: 2, arbitrary: typeBad(['[]', '[1]', '"x"', '1', 'true']) },
        {
          weight: 2,
          arbitrary: piecesOf(
            [DEEP_OBJECT, '{"a":"\\u0000"}', '{"\\ud800":1}', '{"a":["\\udfff"]}'],
            bad(`${name} is too deep or unstorable`),
          ),
        },
        { weight: 1, arbitrary: fc.constant(nullPiece) },
      );
    case 'string':
      if (schema.format === 'date-time') {
        return fc.oneof(
          { weight: 8, arbitrary: fc.constant(maybe('"@@NOW@@"')) },
          {
            weight: 2,
            arbitrary: piecesOf(
              DATE_ODD.map((date) => JSON.stringify(date)),
              maybe,
            ),
          },
          {
            weight: 4,
            arbitrary: piecesOf(
              DATE_BAD.map((date) => JSON.stringify(date)),
              bad(`${name} is no timestamp`),
            ),
          },
          { weight: 2, arbitrary: typeBad(NOT_A_STRING) },
          { weight: 1, arbitrary: fc.constant(nullPiece) },
        );
      }
      if (schema.enum) {
        return fc.oneof(
          {
            weight: 8,
            arbitrary: piecesOf(
              schema.enum.map((value) => JSON.stringify(value)),
              maybe,
            ),
          },
          {
            weight: 3,
            arbitrary: piecesOf(
              [schema.enum[0].toUpperCase(), ` ${schema.enum[0]}x`, '', 'fuzz'].map((value) => JSON.stringify(value)),
              bad(`${name} is none of ${schema.enum.join(', ')}`),
            ),
          },
          { weight: 2, arbitrary: typeBad(NOT_A_STRING) },
          { weight: 1, arbitrary: fc.constant(nullPiece) },
        );
      }
      if (name.endsWith('_url')) {
        return fc.oneof(
          {
            weight: 4,
            arbitrary: piecesOf(['"https://apps.example/fuzz"', '"http://localhost:5173/app?x=1&y=%20#frag"'], maybe),
          },
          { weight: 4, arbitrary: piecesOf(URL_BAD, bad(`${name} is no http(s) URL`)) },
          { weight: 2, arbitrary: typeBad(NOT_A_STRING) },
          { weight: 1, arbitrary: fc.constant(nullPiece) },
        );
      }
      return fc.oneof(
        { weight: 6, arbitrary: text.map((value) => jsonString(value, schema, required, name)) },
        {
          weight: 1,
          arbitrary: fc
            .constantFrom((schema.maxLength ?? 200) + 1, 10_000, 1_100_000)
            .chain((count) => anyOf(0, 1, 2).map((index) => ({ count, index })))
            .map(({ count, index }) =>
              count > (schema.maxLength ?? Infinity)
                ? bad(`${name} is too long`)(`"@@R:${count}:${index}@@"`)
                : maybe(`"@@R:${count}:${index}@@"`),
            ),
        },
        { weight: 2, arbitrary: typeBad(NOT_A_STRING) },
        { weight: 1, arbitrary: fc.constant(nullPiece) },
      );
    default:
      return fc.oneof(
        piecesOf(['1', '"x"', 'true', '[]', '{}', 'null'], maybe),
        text.map((value) => maybe(JSON.stringify(value))),
      );
  }
}

/** Any JSON value, for fields nobody asked for. */
const anyJson = fc.oneof(
  piecesOf(['1', '"x"', 'true', 'null', '[]', '{}', DEEP_OBJECT, DEEP_ARRAY], maybe),
  text.map((value) => maybe(JSON.stringify(value))),
);

const PROTOTYPE_KEYS = [
  '__proto__',
  'constructor',
  'prototype',
  'toString',
  'hasOwnProperty',
  'valueOf',
  '__defineGetter__',
];

/** A JSON object body for the schema: each property valid, broken or left out, plus fields nobody defined. */
function objectBody(schema: Schema): fc.Arbitrary<Piece> {
  const properties = Object.entries(schema.properties ?? {});
  const required = new Set(schema.required ?? []);
  const members = properties.map(([name, property]) =>
    fc.oneof(
      {
        weight: 10,
        arbitrary: bodyValue(name, resolve(property) ?? {}, required.has(name)).map((value) => ({ name, value })),
      },
      {
        weight: 1,
        arbitrary: fc.constant({
          name,
          value: required.has(name) ? bad(`required ${name} left out`)('') : maybe(''),
        }),
      },
    ),
  );
  const extra = fc.oneof(
    fc.record({
      name: anyOf('fuzz', 'id', 'created_at', 'wordId', 'Correct', ' correct', ''),
      value: anyJson,
    }),
    fc.record({ name: anyOf(...PROTOTYPE_KEYS), value: anyJson }),
    fc.record({ name: anyOf(...UNSTORABLE_TEXT), value: anyJson }),
    fc.record({ name: text, value: anyJson }),
  );
  return fc
    .record({
      members: fc.tuple(...members),
      extras: fc.oneof({ weight: 3, arbitrary: fc.constant([]) }, fc.array(extra, { minLength: 1, maxLength: 2 })),
      duplicate: fc.option(fc.nat(), { freq: 8 }),
    })
    .map(({ members: chosen, extras, duplicate }) => {
      const entries = chosen.filter((member) => member.value.text !== '');
      const invalid = chosen.flatMap((member) => (member.value.invalid ? [member.value.invalid] : []));
      for (const { name, value } of extras) {
        // A name of a defined property is no unknown field (and `' correct'` would be, but trimming keys is not promised).
        const known = properties.some(([property]) => property === name);
        entries.push({ name, value });
        if (!known) {
          invalid.push(`unknown field ${JSON.stringify(name)}`);
        }
      }
      // The same key twice: JSON.parse keeps the last one.
      if (duplicate !== null && entries.length > 0) {
        const twin = entries[duplicate % entries.length];
        entries.unshift({ name: twin.name, value: maybe('"duplicate"') });
      }
      const textOf = `{${entries.map(({ name, value }) => `${JSON.stringify(name)}:${value.text}`).join(',')}}`;
      return { text: textOf, invalid: invalid.length > 0 ? invalid.join('; ') : undefined };
    });
}

/** Bodies that are no JSON object at all. */
const RAW_BAD_BODIES = [
  '{',
  '{"correct":',
  '{"correct":true,}',
  "{'correct':true}",
  '{correct:true}',
  '{"correct":tru}',
  '{"a":1}{"b":2}',
  '"just a string"',
  '1',
  'null',
  'true',
  'NaN',
  '[{}]',
  '[1,2,3]',
  '\ufeff{}',
  '{"x":"\\ud800"}',
  '{"\\u0000":1}',
  '<xml/>',
  'correct=true&word_id=1',
  `${'['.repeat(5000)}${']'.repeat(5000)}`,
];

/** The body of a request to the operation: none, an object built from its schema, or junk. */
function bodyFor(operation: Operation): fc.Arbitrary<Piece | undefined> {
  const schema = operation.body;
  if (!schema) {
    return fc.oneof(
      { weight: 8, arbitrary: fc.constant(undefined) },
      { weight: 1, arbitrary: piecesOf(['{}', '[]', ''], maybe) },
      {
        weight: 2,
        arbitrary: piecesOf(
          ['{"fuzz":1}', '{"force":true}', '{"__proto__":{}}', '[1]', '"x"', 'null', '{', '{"a":"\\u0000"}'],
          bad(`a body on ${operation.label}, which takes none`),
        ),
      },
    );
  }
  const requiresSomething = (schema.required ?? []).length > 0;
  return fc.oneof(
    { weight: 14, arbitrary: objectBody(schema) },
    { weight: 3, arbitrary: piecesOf(RAW_BAD_BODIES, bad('no JSON object')) },
    {
      weight: 1,
      arbitrary: anyOf<Piece | undefined>(
        undefined,
        requiresSomething ? bad('no body')('') : maybe(''),
        requiresSomething ? bad('an empty object')('{}') : maybe('{}'),
        requiresSomething ? bad('an empty array')('[]') : maybe('[]'),
      ),
    },
  );
}

const CONTENT_TYPES = fc.oneof(
  { weight: 14, arbitrary: fc.constant(maybe('application/json')) },
  {
    weight: 2,
    arbitrary: piecesOf(
      [
        'application/json; charset=utf-8',
        'application/json;charset=UTF-8',
        'APPLICATION/JSON',
        'application/json; charset="utf-8"',
      ],
      maybe,
    ),
  },
  {
    weight: 3,
    arbitrary: piecesOf(
      [
        'text/plain',
        'application/x-www-form-urlencoded',
        'multipart/form-data; boundary=fuzz',
        'application/json; charset=utf-16',
        'application/json; charset=latin1',
        'application/json; charset=utf-32',
        'application/json; charset=us-ascii',
        'application/json; charset=bogus',
        'application/problem+json',
        'application/vnd.api+json',
        'text/json',
        'application/xml',
      ],
      bad('not application/json'),
    ),
  },
);

/** Content-Encoding of a body that is not encoded at all. */
const CONTENT_ENCODINGS = fc.oneof(
  { weight: 20, arbitrary: fc.constant(undefined) },
  { weight: 1, arbitrary: piecesOf(['identity'], maybe) },
  { weight: 2, arbitrary: piecesOf(['gzip', 'deflate', 'br', 'x-fuzz', 'gzip, gzip'], bad('Content-Encoding')) },
);

// Query strings: values by schema, names known, unknown and prototype-like, duplicates.

function queryValue(name: string, schema: Schema): fc.Arbitrary<Piece> {
  const wrong = bad(`query ${name}`);
  switch (schema.type) {
    case 'integer': {
      const min = schema.minimum ?? 1;
      const max = schema.maximum ?? Number.MAX_SAFE_INTEGER;
      const valid = name.endsWith('_id')
        ? ['1', '2', '3', '4', '5', '9007199254740991']
        : [min, min + 1, max].map(String);
      return fc.oneof(
        { weight: 8, arbitrary: piecesOf(valid, maybe) },
        { weight: 1, arbitrary: piecesOf(['01', '001'], maybe) },
        {
          weight: 5,
          arbitrary: piecesOf(
            [
              String(min - 1),
              String(BigInt(max) + 1n),
              '',
              'abc',
              '1e0',
              '1.5',
              '-1',
              '%2B1',
              '0x1A',
              '%201',
              '1%20',
              'NaN',
              'Infinity',
              '99999999999999999999',
              '%EF%BC%91',
              '1%00',
              '%00',
            ],
            wrong,
          ),
        },
      );
    }
    case 'boolean':
      return fc.oneof(
        { weight: 8, arbitrary: piecesOf(['true', 'false'], maybe) },
        { weight: 5, arbitrary: piecesOf(['TRUE', 'True', '1', '0', 'yes', '', 'true%20', 'null'], wrong) },
      );
    case 'string':
      if (schema.enum) {
        const values = schema.enum;
        return fc.oneof(
          { weight: 8, arbitrary: piecesOf(values, maybe) },
          {
            weight: 5,
            arbitrary: piecesOf(
              [values[0].toUpperCase(), `${values[0]}%20`, '', 'random', `${values[0]}%3Bdrop`, `${values[0]}%00`],
              wrong,
            ),
          },
        );
      }
      if (schema.format === 'date-time') {
        return fc.oneof(
          { weight: 8, arbitrary: piecesOf(['2026-01-01T00:00:00Z', encode('2026-01-01T07:00:00+07:00')], maybe) },
          { weight: 2, arbitrary: piecesOf(DATE_ODD.map(encode), maybe) },
          {
            weight: 4,
            arbitrary: piecesOf(DATE_BAD.filter((date) => !/FUTURE|2999/.test(date)).map(encode), wrong),
          },
        );
      }
      return fc.oneof(
        {
          weight: 6,
          // A URL has no way to carry a lone surrogate: encoded, it is invalid UTF-8, which the query parser
          // may decode to U+FFFD; U+0000 (%00) it carries, and that must be refused.
          arbitrary: text.map((value) => (value.includes('\u0000') ? wrong(encode(value)) : maybe(encode(value)))),
        },
        { weight: 1, arbitrary: piecesOf(['%zz', '%', '%ED%A0%80', '%C0%AF', '@@R:20000:0@@'], maybe) },
      );
    default:
      return text.map((value) => maybe(encode(value)));
  }
}

const UNKNOWN_QUERY_NAMES = [
  'fuzz',
  'Page',
  'PAGE',
  'perPage',
  'sortBy',
  'force',
  'page[]',
  'page[x]',
  'a[b][c]',
  `a${'[a]'.repeat(40)}`,
  '%00',
  'page%00',
  '%ED%A0%80',
  ...PROTOTYPE_KEYS,
  '__proto__[polluted]',
  'constructor[prototype][polluted]',
];

function queryFor(operation: Operation): fc.Arbitrary<Piece[]> {
  const values = operation.query.map(({ name, schema }) => ({ name, value: queryValue(name, schema) }));
  const entry = fc.oneof(
    ...(values.length > 0
      ? [
          {
            weight: 6,
            arbitrary: fc
              .constantFrom(...values)
              .chain(({ name, value }) =>
                value.map((piece) => ({ text: `${name}=${piece.text}`, invalid: piece.invalid })),
              ),
          },
          {
            // The same parameter twice (?page=1&page=2).
            weight: 1,
            arbitrary: anyOf(...values).chain(({ name, value }) =>
              fc.tuple(value, value).map(([a, b]) => ({
                text: `${name}=${a.text}&${name}=${b.text}`,
                invalid: a.invalid ?? b.invalid,
              })),
            ),
          },
          {
            weight: 1,
            arbitrary: anyOf(...values.map(({ name }) => name)).map((name) => maybe(name)),
          },
        ]
      : []),
    {
      weight: 2,
      arbitrary: fc
        .tuple(anyOf(...UNKNOWN_QUERY_NAMES), anyOf('1', 'true', '', '%00', 'x'))
        .map(([name, value]) => bad('unknown query parameter')(`${name}=${value}`)),
    },
    ...(values.length === 0
      ? [
          {
            weight: 1,
            arbitrary: fc
              .constantFrom('page', 'per_page', 'group_id', 'q', 'since')
              .map((name) => bad(`query on ${operation.label}, which takes none`)(`${name}=1`)),
          },
        ]
      : []),
    { weight: 1, arbitrary: piecesOf(['=1', '&', '&&', '=', '%3D'], maybe) },
  );
  return fc.array(entry, { maxLength: 3 });
}

/** A path parameter: an id that exists or not, or no id at all. */
const pathValue = fc.oneof(
  { weight: 12, arbitrary: piecesOf(['1', '2', '3', '4', '5', '6'], maybe) },
  { weight: 1, arbitrary: piecesOf(['9007199254740991', '987654321'], maybe) },
  {
    weight: 5,
    arbitrary: piecesOf(
      [
        '0',
        '-1',
        '01',
        '1.5',
        '1e3',
        '0x1A',
        '%2B5',
        '9007199254740992',
        '99999999999999999999999',
        'abc',
        '%00',
        '%20',
        '1%20',
        '%E0%B8%81',
        '%F0%9F%98%80',
        '%ED%A0%80',
        '%zz',
        '%',
        "'%20or%201=1%20--",
        '..%2F..%2Fetc%2Fpasswd',
        '..',
        '.',
        '1;drop',
        '1%2F2',
        '__proto__',
        'constructor',
        'null',
        'undefined',
        '@@R:3000:0@@',
      ],
      bad('path id'),
    ),
  },
);

/** The Idempotency-Key header, if any; header values are bytes, so non-ASCII goes as its UTF-8 bytes. */
const latin1 = (value: string) => Buffer.from(value, 'utf8').toString('latin1');
function keyFor(operation: Operation): fc.Arbitrary<Piece | undefined> {
  const broken = [
    '',
    'k'.repeat(256),
    'k'.repeat(300),
    latin1('ключ'),
    latin1('คีย์'),
    latin1('🔑'),
    latin1('é'),
    'a\tb',
  ];
  return operation.takesKey
    ? fc.oneof(
        { weight: 4, arbitrary: fc.constant(undefined) },
        { weight: 3, arbitrary: fc.nat().map((n) => maybe(`fuzz-${n}`)) },
        { weight: 1, arbitrary: piecesOf(['fuzz-fixture-key', 'k'.repeat(255), ' x ', '{"a":1}'], maybe) },
        { weight: 3, arbitrary: piecesOf(broken, bad('Idempotency-Key')) },
      )
    : fc.oneof(
        { weight: 9, arbitrary: fc.constant(undefined) },
        { weight: 1, arbitrary: piecesOf(['fuzz-1', ...broken], maybe) },
      );
}

interface FuzzRequest {
  operation: string;
  method: string;
  path: string;
  headers: Record<string, string>;
  body?: string;
  /** Everything surely invalid in the request; empty when it may be valid. */
  invalid: string[];
}

const valid = (piece: Piece | undefined) => piece?.invalid === undefined;

/**
 * Requests to the operation: everything may break at once, or exactly one part breaks (method, base path,
 * path ids, query, body, content type or Idempotency-Key) while the others stay valid, so that the checks
 * behind the first one (existence, membership, conflicts, idempotency) are reached too; now and then all valid.
 */
function requestFor(operation: Operation): fc.Arbitrary<FuzzRequest> {
  const otherMethods = METHODS.filter((method) => !(method in document.paths[operation.path]));
  const broken = {
    method: fc.oneof(
      { weight: 19, arbitrary: fc.constant(maybe(operation.method)) },
      ...(otherMethods.length > 0
        ? [{ weight: 1, arbitrary: piecesOf(otherMethods, bad(`no such method on ${operation.path}`)) }]
        : []),
    ),
    prefix: fc.oneof(
      { weight: 29, arbitrary: fc.constant(maybe('')) },
      {
        weight: 1,
        arbitrary: piecesOf(['/api/v2', '/api/v01', '/api/v1/..', '/api/v1/%2e%2e'], bad('no such base path')),
      },
    ),
    pathValues: fc.tuple(...operation.pathParams.map(() => pathValue)),
    query: queryFor(operation),
    body: bodyFor(operation),
    contentType: CONTENT_TYPES,
    encoding: CONTENT_ENCODINGS,
    key: keyFor(operation),
  };
  const tidy: typeof broken = {
    method: fc.constant(maybe(operation.method)),
    prefix: fc.constant(maybe('')),
    pathValues: fc.tuple(...operation.pathParams.map(() => pathValue.filter(valid))),
    query: broken.query.filter((entries) => entries.every(valid)),
    body: broken.body.filter(valid),
    contentType: broken.contentType.filter(valid),
    encoding: broken.encoding.filter(valid),
    key: broken.key.filter(valid),
  };
  const parts = Object.keys(broken) as (keyof typeof broken)[];
  return fc
    .oneof(
      { weight: 3, arbitrary: fc.record(broken) },
      {
        weight: 6,
        arbitrary: anyOf(...parts).chain((part) => fc.record({ ...tidy, [part]: broken[part] })),
      },
      { weight: 1, arbitrary: fc.record(tidy) },
    )
    .map(({ method, prefix, pathValues, query, body, contentType, encoding, key }) => {
      const invalid: string[] = [];
      const note = (piece: Piece | undefined) => piece?.invalid && invalid.push(piece.invalid);
      const prefixed = operation.path.startsWith('/api/v1/');
      [method, ...(prefixed ? [prefix] : []), ...pathValues, ...query, body, key].forEach(note);
      let index = 0;
      const path = operation.path
        .replace(/^\/api\/v1(?=\/)/, (base) => prefix.text || base)
        .replace(/\{\w+\}/g, () => pathValues[index++].text);
      const headers: Record<string, string> = {};
      if (key !== undefined) {
        headers['Idempotency-Key'] = key.text;
      }
      if (body !== undefined) {
        headers['Content-Type'] = contentType.text;
        if (encoding !== undefined) {
          headers['Content-Encoding'] = encoding.text;
        }
        // Only a body that is there must be JSON.
        if (body.text !== '') {
          note(contentType);
          note(encoding);
        }
      }
      const queryText = query.map((entry) => entry.text);
      if (operation.destructive && invalid.length === 0) {
        queryText.push('fuzz_guard=1');
        invalid.push('unknown query parameter fuzz_guard (a destructive operation is never sent valid)');
      }
      return {
        operation: operation.label,
        method: method.text,
        path: queryText.length > 0 ? `${path}?${queryText.join('&')}` : path,
        headers,
        ...(body !== undefined && { body: body.text }),
        invalid,
      };
    });
}

// ---------------------------------------------------------------------------------------------------
// The database: a snapshot of every row, and the fixture put back after a request that changed it.

type Rows = Record<string, Record<string, unknown>[]>;

/** Runs SQL: through `sql`, or on the connection of a transaction. */
type Run = <T extends object = Record<string, unknown>>(query: string, params?: unknown[]) => Promise<T[]>;

/**
 * What the snapshot and the restore ask of the database schema, in each database's terms: its catalogue
 * (SQLite's `sqlite_master` and pragmas, PostgreSQL's information schema), how rows are in stored order, and
 * how foreign keys and triggers are set aside while the rows are put back.
 */
const catalogue =
  dialect.name === 'sqlite'
    ? {
        tables: "select name from sqlite_master where type = 'table' and name not like 'sqlite_%'",
        // Hidden: the generated columns.
        storedColumns: 'select name from pragma_table_xinfo(?) where hidden = 0 order by cid',
        primaryKey: 'select name from pragma_table_info(?) where pk = 1',
        storedOrder: () => 'rowid',
        /** Foreign keys off (outside a transaction, where the pragma has no effect); triggers fire. */
        async withoutForeignKeys(t: TestApp, work: (run: Run) => Promise<void>): Promise<void> {
          await sql(t, 'pragma foreign_keys = off');
          try {
            await work((query, params) => sql(t, query, params));
          } finally {
            await sql(t, 'pragma foreign_keys = on');
          }
        },
      }
    : {
        tables:
          "select table_name as name from information_schema.tables where table_schema = current_schema() and table_type = 'BASE TABLE'",
        storedColumns: `select column_name as name from information_schema.columns
                         where table_schema = current_schema() and table_name = ? and is_generated = 'NEVER'
                         order by ordinal_position`,
        primaryKey: `select a.attname as name from pg_index i
                       join pg_attribute a on a.attrelid = i.indrelid and a.attnum = any(i.indkey)
                      where i.indrelid = (?)::regclass and i.indisprimary`,
        storedOrder: (key: string) => `"${key}"`,
        /** A replica's session: neither foreign keys nor triggers (the counters are written as they were). */
        async withoutForeignKeys(t: TestApp, work: (run: Run) => Promise<void>): Promise<void> {
          await t.orm.em.fork().transactional(async (em) => {
            await em.execute('set local session_replication_role = replica');
            await work((query, params = []) => em.execute(query, params));
          });
        },
      };

/** A table: its name, its primary key, and the select of every row in its stored columns, in stored order. */
interface Table {
  name: string;
  key: string;
  rows: string;
}

/**
 * The tables, without the full-text index of words (its triggers rebuild it with the words), each read from the
 * catalogue once: asked of PostgreSQL's information schema at every snapshot, it took most of a request's time.
 */
async function tablesOf(t: TestApp): Promise<Table[]> {
  const names = (await sql<{ name: string }>(t, catalogue.tables))
    .map((row) => row.name)
    .filter((name) => !WORD_SEARCH_TABLES.test(name))
    .sort();
  const tables: Table[] = [];
  for (const name of names) {
    const [{ name: key }] = await sql<{ name: string }>(t, catalogue.primaryKey, [name]);
    // The stored columns: not the generated ones, which cannot be written.
    const columns = await sql<{ name: string }>(t, catalogue.storedColumns, [name]);
    const list = columns.map((column) => `"${column.name}"`).join(', ');
    tables.push({ name, key, rows: `select ${list} from "${name}" order by ${catalogue.storedOrder(key)}` });
  }
  return tables;
}

/** Every row of the tables. */
async function snapshot(t: TestApp, tables: Table[]): Promise<Rows> {
  const rows: Rows = {};
  for (const table of tables) {
    rows[table.name] = await sql(t, table.rows);
  }
  return rows;
}

/** Row counts of every table, and the sums of the counters: what differed, in a failure message. */
async function summary(t: TestApp, tables: Table[]): Promise<Record<string, unknown>> {
  const counts: Record<string, unknown> = {};
  for (const { name } of tables) {
    counts[name] = (await sql<{ n: number }>(t, `select count(*) as n from "${name}"`))[0].n;
  }
  const [words] = await sql(t, 'select sum(correct_count) as correct, sum(wrong_count) as wrong from words');
  const [groups] = await sql(t, 'select sum(words_count) as words_count from groups');
  return { ...counts, counters: { ...words, ...groups } };
}

/**
 * Puts every row back as it was: foreign keys off, tables emptied and refilled, then every row written once
 * more, because the counter triggers (where they fire) moved `correct_count`, `wrong_count` and `words_count`
 * on the way.
 */
async function restore(t: TestApp, tables: Table[], fixture: Rows): Promise<void> {
  await catalogue.withoutForeignKeys(t, async (run) => {
    for (const { name } of tables) {
      await run(`delete from "${name}"`);
    }
    for (const { name } of tables) {
      for (const row of fixture[name]) {
        const columns = Object.keys(row);
        await run(
          `insert into "${name}" (${columns.map((c) => `"${c}"`).join(', ')}) values (${columns.map(() => '?').join(', ')})`,
          Object.values(row),
        );
      }
    }
    for (const { name, key } of tables) {
      for (const row of fixture[name]) {
        const columns = Object.keys(row).filter((column) => column !== key);
        await run(`update "${name}" set ${columns.map((c) => `"${c}" = ?`).join(', ')} where "${key}" = ?`, [
          ...columns.map((column) => row[column]),
          row[key],
        ]);
      }
    }
  });
}

// ---------------------------------------------------------------------------------------------------

const shorten = (value: string, length = 600) =>
  value.length > length ? `${value.slice(0, length)}… (${value.length} characters)` : value;

function describeRequest(fuzz: FuzzRequest, response?: Response): string {
  const lines = [
    `${fuzz.method.toUpperCase()} ${shorten(fuzz.path, 300)}   (operation ${fuzz.operation})`,
    ...Object.entries(fuzz.headers).map(([name, value]) => `${name}: ${JSON.stringify(shorten(value, 100))}`),
    ...(fuzz.body !== undefined ? [`body: ${shorten(fuzz.body)}`] : []),
    ...(fuzz.invalid.length > 0 ? [`surely invalid: ${fuzz.invalid.join('; ')}`] : []),
  ];
  if (response) {
    lines.push(`→ ${response.status} ${response.headers['content-type'] ?? ''} ${shorten(response.text ?? '', 1000)}`);
  }
  return lines.join('\n  ');
}

async function send(t: TestApp, fuzz: FuzzRequest): Promise<Response> {
  let test = request(t.http)[fuzz.method as 'get'](expand(fuzz.path, true));
  for (const [name, value] of Object.entries(fuzz.headers)) {
    test = test.set(name, value);
  }
  if (fuzz.body !== undefined) {
    test = test.send(expand(fuzz.body, false));
  }
  return await test;
}

describe('fuzzing every operation of openapi.json', () => {
  let t: TestApp;
  let tables: Table[];
  let fixture: Rows;

  beforeAll(async () => {
    t = await createTestApp();
    const client = portal(t);
    const [cat, dog, bird, fish] = [
      await client.createWord({ thai: 'แมว', english: 'cat', parts: { romanization: 'maeo', part_of_speech: 'noun' } }),
      await client.createWord({ thai: 'หมา', english: 'dog' }),
      await client.createWord({ thai: 'นก', english: 'bird' }),
      await client.createWord({ thai: 'ปลา', english: 'fish' }),
    ];
    const animals = await client.createGroup('Animals', [cat.id, dog.id, bird.id]);
    const water = await client.createGroup('Water', [fish.id]);
    const app = await client.createApp({ name: 'Flashcards', launch_url: 'https://apps.example/fc?lang=th' });
    const session = await client.createSession(animals.id, app.id);
    await client.post(`/learning_apps/${app.id}/launch`, { group_id: water.id }).expect(201);
    await client.answer(session.id, cat.id, true).expect(201);
    await client.answer(session.id, dog.id, false, { key: 'fuzz-fixture-key' }).expect(201);
    await client.review(fish.id, true).expect(201);
    tables = await tablesOf(t);
    fixture = await snapshot(t, tables);
    // The restore must give back exactly the fixture, or every later comparison would be off.
    await restore(t, tables, fixture);
    expect(await snapshot(t, tables)).toEqual(fixture);
  }, 60_000);

  afterAll(() => t && closeTestApp(t));

  it('exercises every operation', () => {
    expect(OPERATIONS.length).toBeGreaterThan(20);
    expect(OPERATIONS.filter((operation) => operation.destructive).map((operation) => operation.label)).toEqual(
      expect.arrayContaining(['POST /api/v1/reset_history', 'POST /api/v1/full_reset']),
    );
  });

  it(
    `answers ${RUNS} broken requests without a 5xx, with problem documents, and without writing on a 4xx`,
    async () => {
      const statuses = new Map<string, Map<number, number>>();
      const failures = new Map<string, string>();

      const property = fc.asyncProperty(fc.oneof(...OPERATIONS.map(requestFor)), async (fuzz) => {
        let response: Response | undefined;
        try {
          response = await send(t, fuzz);
        } catch (error) {
          throw new Error(`The request failed without a response: ${String(error)}\n  ${describeRequest(fuzz)}`, {
            cause: error,
          });
        }
        const perOperation = statuses.get(fuzz.operation) ?? new Map<number, number>();
        perOperation.set(response.status, (perOperation.get(response.status) ?? 0) + 1);
        statuses.set(fuzz.operation, perOperation);

        const problems: string[] = [];
        const { status } = response;
        if (status >= 500) {
          problems.push(`server error ${status}`);
        } else if (status < 200 || (status >= 300 && status < 400)) {
          problems.push(`unexpected status ${status}`);
        }
        if (status >= 400) {
          try {
            expectProblem(response, status);
          } catch (error) {
            problems.push(`not a clean problem document: ${(error as Error).message}`);
          }
        }
        const declared = OPERATIONS.find((operation) => operation.label === fuzz.operation)!.mediaTypes[status] ?? [];
        const [mediaType, ...parameters] = (response.headers['content-type'] ?? '').split(';');
        if (
          status >= 200 &&
          status < 300 &&
          declared.length > 0 &&
          !(declared.includes(mediaType.toLowerCase()) && /^ charset=utf-8$/i.test(parameters.join(';')))
        ) {
          problems.push(`a ${status} declared as ${declared.join(' or ')} came as ${response.headers['content-type']}`);
        }
        if (status >= 200 && status < 300 && fuzz.invalid.length > 0) {
          problems.push(`accepted (${status}) although surely invalid`);
        }
        const after = await snapshot(t, tables);
        const changed = JSON.stringify(after) !== JSON.stringify(fixture);
        if (changed && (status >= 400 || fuzz.method === 'get')) {
          const now = await summary(t, tables);
          await restore(t, tables, fixture);
          problems.push(
            `the database changed on a ${status} to a ${fuzz.method.toUpperCase()}: ` +
              `before ${JSON.stringify(await summary(t, tables))}, after ${JSON.stringify(now)}`,
          );
        } else if (changed) {
          await restore(t, tables, fixture);
        }
        if (problems.length > 0) {
          const message = `${problems.join('; ')}\n  ${describeRequest(fuzz, response)}`;
          if (!REPORT_ALL) {
            throw new Error(message);
          }
          const kind = `${fuzz.operation} ${status} ${problems.map((problem) => problem.split(':')[0]).join('; ')}`;
          if (!failures.has(kind)) {
            failures.set(kind, message);
          }
        }
      });

      await fc.assert(property, { seed: SEED, numRuns: RUNS });

      if (VERBOSE) {
        const lines = [...statuses].map(
          ([operation, counts]) =>
            `${operation.padEnd(58)} ${[...counts]
              .sort(([a], [b]) => a - b)
              .map(([status, n]) => `${status}×${n}`)
              .join(' ')}`,
        );
        process.stdout.write(`fuzz statistics (seed ${SEED}, ${RUNS} requests):\n${lines.join('\n')}\n`);
      }
      expect([...failures.values()]).toEqual([]);
      if (RUNS >= 30 * OPERATIONS.length) {
        expect(OPERATIONS.map((operation) => operation.label).filter((label) => !statuses.has(label))).toEqual([]);
      }
    },
    60_000 + RUNS * 50,
  );
});
