import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import openapiTS, { astToString } from 'openapi-typescript';
import ts from 'typescript';

// The committed openapi.json as a TypeScript client sees it: openapi-typescript (default options)
// turns it into types, and small clients written against them are compiled with the project's TypeScript.
const root = join(import.meta.dirname, '..', '..');

/** Helpers every client below shares: the JSON body and the 2xx response of an operation. */
const PRELUDE = `
import type { paths } from './api';

export type Body<Op> = Op extends { requestBody?: { content: { 'application/json': infer B } } } ? B : never;
export type Ok<Op, Status extends number> = Op extends {
  responses: { [S in Status]: { content: { 'application/json': infer R } } };
}
  ? R
  : never;
export type Query<Op> = Op extends { parameters: { query?: infer Q } } ? NonNullable<Q> : never;
export type Equals<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;

export type WordPatch = Body<paths['/api/v1/words/{id}']['patch']>;
export type WordCreate = Body<paths['/api/v1/words']['post']>;
export type AppPatch = Body<paths['/api/v1/learning_apps/{id}']['patch']>;
export type AppCreate = Body<paths['/api/v1/learning_apps']['post']>;
export type Word = Ok<paths['/api/v1/words/{id}']['get'], 200>;
export type WordList = Query<paths['/api/v1/words']['get']>;
`;

/** What a client of the portal writes; every line must compile. */
const CLIENT = `
import type { AppCreate, AppPatch, Equals, Word, WordCreate, WordList, WordPatch } from './prelude';

// A PATCH sends only what changes.
export const renameWord: WordPatch = { english: 'hi' };
export const renameApp: AppPatch = { name: 'Flashcards 2' };
export const clearThumbnail: AppPatch = { thumbnail_url: null };
export const nothing: WordPatch = {};

// A POST leaves out what has a default.
export const newWord: WordCreate = { thai: 'แมว', english: 'cat' };
export const newApp: AppCreate = { name: 'Flashcards', launch_url: 'https://apps.example/flashcards' };

// A word read back: its id is a number, always there.
export function idOf(word: Word): number {
  return word.id;
}
export const idIsNumber: Equals<Word['id'], number> = true;
export const countIsNumber: Equals<Word['correct_count'], number> = true;

// Query integers are numbers, all optional.
export const secondPage: WordList = { page: 2, per_page: 50, group_id: 1 };
export const firstPage: WordList = {};
`;

/** A client that gets the types wrong; the compiler must say so. */
const WRONG_CLIENT = `
import type { WordPatch } from './prelude';

export const renameWord: WordPatch = { english: 5 };
`;

const messages = (diagnostics: readonly ts.Diagnostic[]) =>
  diagnostics.map((diagnostic) => {
    const text = ts.flattenDiagnosticMessageText(diagnostic.messageText, '\n');
    if (!diagnostic.file || diagnostic.start === undefined) return text;
    const { line } = diagnostic.file.getLineAndCharacterOfPosition(diagnostic.start);
    return `${diagnostic.file.fileName.slice(diagnostic.file.fileName.lastIndexOf('/') + 1)}:${line + 1}: ${text}`;
  });

// Generating and type-checking take a few seconds; a loaded CI machine gets far more.
const TIMEOUT = 120_000;

describe('openapi.json through openapi-typescript', () => {
  let dir: string;
  let program: ts.Program;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'openapi-client-'));
    const ast = await openapiTS(pathToFileURL(join(root, 'openapi.json')), { silent: true });
    writeFileSync(join(dir, 'api.ts'), astToString(ast));
    writeFileSync(join(dir, 'prelude.ts'), PRELUDE);
    writeFileSync(join(dir, 'client.ts'), CLIENT);
    writeFileSync(join(dir, 'wrong-client.ts'), WRONG_CLIENT);
    program = ts.createProgram({
      rootNames: ['client.ts', 'wrong-client.ts'].map((file) => join(dir, file)),
      options: {
        strict: true,
        noEmit: true,
        target: ts.ScriptTarget.ES2022,
        module: ts.ModuleKind.ESNext,
        moduleResolution: ts.ModuleResolutionKind.Bundler,
        types: [],
        skipLibCheck: true,
      },
    });
  }, TIMEOUT);

  afterAll(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  const diagnosticsOf = (file: string) =>
    messages(ts.getPreEmitDiagnostics(program, program.getSourceFile(join(dir, file))));

  it(
    'generates types that compile, and a client with partial PATCHes and integer ids that compiles',
    () => {
      expect(messages(program.getOptionsDiagnostics())).toEqual([]);
      expect(messages(program.getGlobalDiagnostics())).toEqual([]);
      expect(diagnosticsOf('api.ts')).toEqual([]);
      expect(diagnosticsOf('prelude.ts')).toEqual([]);
      expect(diagnosticsOf('client.ts')).toEqual([]);
    },
    TIMEOUT,
  );

  it(
    'rejects a client that sends the wrong type',
    () => {
      expect(diagnosticsOf('wrong-client.ts')).toEqual([
        expect.stringMatching(/^wrong-client\.ts:4: Type 'number' is not assignable to type 'string'/),
      ]);
    },
    TIMEOUT,
  );
});
