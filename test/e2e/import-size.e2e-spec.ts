import request from 'supertest';
import { API, countRows, expectProblem } from '../api.js';
import { useEmptyTestApp } from '../app.js';

/** The most words an import takes: 100,000, whatever the body limit lets through (here one that takes more). */
const t = useEmptyTestApp({ IMPORT_BODY_LIMIT: '8mb' });

const importCsv = (csv: string, query = '') =>
  request(t.http).post(`${API}/words/import${query}`).set('Content-Type', 'text/csv').send(csv);
const csvOf = (count: number) =>
  `thai,english\n${Array.from({ length: count }, (_, i) => `ก${i},w${i}`).join('\n')}\n\n\n`;

describe('POST /words/import of more than 100,000 words', () => {
  it('as CSV: a 400 naming the file; 100,000 words and empty rows are fine', async () => {
    const problem = expectProblem(await importCsv(csvOf(100_001)), 400);
    expect(problem.errors).toEqual([{ field: 'csv', message: 'has more than 100000 words: import it in parts' }]);
    const dryRun = await importCsv(csvOf(100_000), '?dry_run=true').expect(200);
    expect(dryRun.body).toMatchObject({ rows: 100_000, created: 100_000 });
    expect(await countRows(t, 'words')).toBe(0);
  });

  it('as JSON: a 400 naming words', async () => {
    const words = Array.from({ length: 100_001 }, () => ({}));
    const problem = expectProblem(await request(t.http).post(`${API}/words/import`).send({ words }), 400);
    expect(problem.errors).toEqual([{ field: 'words', message: 'must contain no more than 100000 items' }]);
    expect(await countRows(t, 'words')).toBe(0);
  });
});
