import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

// The committed openapi.json, as client generators and docs tools read it, checked with Redocly's
// recommended rules (redocly.yaml says which rules are off, and why).
const root = join(import.meta.dirname, '..', '..');
const cli = join(root, 'node_modules', '@redocly', 'cli', 'bin', 'cli.js');
const config = join(root, 'redocly.yaml');

interface LintReport {
  totals: { errors: number; warnings: number; ignored: number };
  problems: { ruleId: string; severity: string; message: string; location: { pointer: string }[] }[];
}

/** Runs `redocly lint` on `file` offline (no usage data, no update check) and reads its JSON report. */
async function lint(file: string): Promise<{ exitCode: number; report: LintReport }> {
  const args = [cli, 'lint', file, `--config=${config}`, '--lint-config=error', '--format=json', '--max-problems=1000'];
  const env = { ...process.env, REDOCLY_TELEMETRY: 'off', REDOCLY_SUPPRESS_UPDATE_NOTICE: 'true' };
  try {
    const { stdout } = await promisify(execFile)(process.execPath, args, { cwd: root, env, maxBuffer: 64 << 20 });
    return { exitCode: 0, report: JSON.parse(stdout) as LintReport };
  } catch (error) {
    const { code, stdout, stderr } = error as { code?: unknown; stdout?: string; stderr?: string };
    if (typeof code !== 'number' || !stdout?.trim().startsWith('{')) {
      throw new Error(`redocly lint did not run: ${String(code)}\n${stderr ?? ''}`, { cause: error });
    }
    return { exitCode: code, report: JSON.parse(stdout) as LintReport };
  }
}

const described = (report: LintReport) =>
  report.problems.map(
    ({ severity, ruleId, message, location }) => `${severity} ${ruleId}: ${message} (${location[0]?.pointer ?? '?'})`,
  );

// The CLI starts in a second or two; a loaded CI machine gets far more.
const TIMEOUT = 60_000;

describe('openapi.json under Redocly’s recommended rules', () => {
  it(
    'has no errors and no warnings, and nothing is ignored',
    async () => {
      const { exitCode, report } = await lint(join(root, 'openapi.json'));
      expect(described(report)).toEqual([]);
      expect(report.totals).toEqual({ errors: 0, warnings: 0, ignored: 0 });
      expect(exitCode).toBe(0);
    },
    TIMEOUT,
  );

  it(
    'fails a document that breaks a rule (an operation without a summary)',
    async () => {
      const document = JSON.parse(readFileSync(join(root, 'openapi.json'), 'utf8'));
      delete document.paths['/api/v1/words'].get.summary;
      const dir = mkdtempSync(join(tmpdir(), 'openapi-lint-'));
      try {
        writeFileSync(join(dir, 'openapi.json'), JSON.stringify(document, null, 2));
        const { exitCode, report } = await lint(join(dir, 'openapi.json'));
        expect(described(report)).toEqual([
          'error operation-summary: Operation object should contain `summary` field. (#/paths/~1api~1v1~1words/get/summary)',
        ]);
        expect(exitCode).not.toBe(0);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
    TIMEOUT,
  );
});

describe('openapi.json conventions beyond Redocly’s rules', () => {
  const document = JSON.parse(readFileSync(join(root, 'openapi.json'), 'utf8'));

  /** Every schema object in `value`, with its JSON pointer. */
  function* schemas(value: unknown, pointer = '#'): Generator<[string, Record<string, unknown>]> {
    if (Array.isArray(value)) {
      for (const [index, item] of value.entries()) yield* schemas(item, `${pointer}/${index}`);
    } else if (value !== null && typeof value === 'object') {
      if ('type' in value && typeof value.type === 'string') yield [pointer, value as Record<string, unknown>];
      for (const [key, item] of Object.entries(value)) {
        if (key !== 'example') yield* schemas(item, `${pointer}/${key.replaceAll('~', '~0').replaceAll('/', '~1')}`);
      }
    }
  }

  it('types ids, counters and paging as integers: the only fractional numbers are rates and FSRS figures', () => {
    const numbers = [...schemas(document)].filter(([, schema]) => schema.type === 'number').map(([pointer]) => pointer);
    expect(numbers.sort()).toEqual(
      [
        '#/components/schemas/GroupStatsDto/properties/success_rate',
        '#/components/schemas/QuickStatsDto/properties/success_rate',
        '#/components/schemas/RetentionFigureDto/properties/retention',
        '#/components/schemas/RetentionDto/properties/request_retention',
        '#/components/schemas/CardDto/properties/stability',
        '#/components/schemas/CardDto/properties/difficulty',
        '#/components/schemas/CardDto/properties/retrievability',
        '#/components/schemas/EvaluationDto/properties/log_loss',
        '#/components/schemas/EvaluationDto/properties/rmse',
        '#/components/schemas/SrsParametersDto/properties/parameters/items',
        '#/components/schemas/OptimizationDto/properties/parameters/items',
      ].sort(),
    );
  });

  it('types every instant as a string', () => {
    const instants = [...schemas(document)].filter(([, schema]) => schema.format === 'date-time');
    expect(instants.length).toBeGreaterThan(10);
    expect(instants.filter(([, schema]) => schema.type !== 'string').map(([pointer]) => pointer)).toEqual([]);
  });

  it('bounds every free text of a request body, as its validation does; the rest by the body limits', () => {
    type Operation = { requestBody?: { content: Record<string, { schema: unknown }> } };
    const bodies = Object.entries(document.paths as Record<string, Record<string, Operation>>).flatMap(
      ([path, operations]) =>
        Object.entries(operations).flatMap(([method, operation]) =>
          Object.entries(operation.requestBody?.content ?? {}).map(
            ([mediaType, { schema }]) => [`${method.toUpperCase()} ${path} ${mediaType}`, schema] as const,
          ),
        ),
    );
    const reached = new Set<string>();
    const unbounded: string[] = [];
    const visit = (value: unknown, pointer: string) => {
      for (const [at, schema] of schemas(value, pointer)) {
        if (schema.type === 'string' && !schema.enum && !schema.format && schema.maxLength === undefined) {
          unbounded.push(at);
        }
      }
      for (const [, name] of JSON.stringify(value).matchAll(/"\$ref":"#\/components\/schemas\/(\w+)"/g)) {
        if (!reached.has(name)) {
          reached.add(name);
          visit(document.components.schemas[name], `#/components/schemas/${name}`);
        }
      }
    };
    bodies.forEach(([label, schema]) => visit(schema, label));
    expect(reached.size).toBeGreaterThan(10);
    expect(unbounded.sort()).toEqual(
      [
        // A whole CSV file (IMPORT_BODY_LIMIT).
        'POST /api/v1/words/import text/csv',
        // Free-form parts, stored as sent (BODY_LIMIT).
        ...['CreateWordDto', 'UpdateWordDto', 'ImportWordDto'].flatMap((dto) =>
          ['phonetic', 'part_of_speech'].map((key) => `#/components/schemas/${dto}/properties/parts/properties/${key}`),
        ),
        // A JSON text in a form field beside the package (the form's limits).
        'POST /api/v1/import/anki multipart/form-data/properties/field_map',
      ].sort(),
    );
  });

  it('declares no default in a request body, which generated clients would make required', () => {
    const bodies = Object.entries(document.components.schemas).filter(([name]) => /^(Create|Update)/.test(name));
    expect(bodies.length).toBeGreaterThan(0);
    expect([...schemas(Object.fromEntries(bodies))].filter(([, schema]) => 'default' in schema)).toEqual([]);
  });

  it('shows each problem response an example of its own status', () => {
    for (const operation of Object.values(document.paths).flatMap((item) => Object.values(item as object))) {
      for (const [status, response] of Object.entries(operation.responses as Record<string, any>)) {
        if (Number(status) < 400) continue;
        const { example } = response.content['application/problem+json'];
        expect(example).toMatchObject({ type: 'about:blank', status: Number(status), title: response.description });
        expect('errors' in example).toBe(status === '400');
      }
    }
  });
});
