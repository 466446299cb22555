/**
 * Bulk import and export at the size a school brings in at once: BENCH_IMPORT_ROWS (default 50,000)
 * generated words in one CSV request, each in two of the 21 groups the import creates. Timed once
 * each, on the server `run.ts` started: a dry run, the import, the same file again with
 * `on_duplicate=skip`, and an export of everything as CSV.
 */

const ROWS = Number(process.env.BENCH_IMPORT_ROWS ?? 50_000);

const CONSONANTS = ['ก', 'ข', 'ค', 'ง', 'จ', 'ช', 'ด', 'ต', 'ท', 'น', 'บ', 'ป', 'พ', 'ม', 'ย', 'ร', 'ล', 'ว', 'ส', 'ห'];
const VOWELS = ['า', 'ำ', 'ิ', 'ี', 'ึ', 'ื', 'ุ', 'ู'];
const TONES = ['', '่', '้'];

/** A Thai-looking word of three syllables (consonant, vowel, tone), different for every i below 480³. */
export function thaiWord(i: number): string {
  let word = '';
  for (let syllable = 0; syllable < 3; syllable++) {
    const n = Math.floor(i / 480 ** syllable) % 480;
    const [consonant, vowel, tone] = [CONSONANTS[n % 20], VOWELS[Math.floor(n / 20) % 8], TONES[Math.floor(n / 160)]];
    // A tone mark follows a vowel written above or below the consonant, and precedes า and ำ.
    word += consonant + (vowel === 'า' || vowel === 'ำ' ? tone + vowel : vowel + tone);
  }
  return word;
}

function generatedCsv(rows: number): string {
  const lines = ['thai,english,romanization,part_of_speech,groups'];
  for (let i = 0; i < rows; i++) {
    lines.push(`${thaiWord(i)},"word ${i}, generated",kham ${i},noun,Bench ${i % 20}|Bench`);
  }
  return `${lines.join('\n')}\n`;
}

async function timed(name: string, request: () => Promise<Response>, summary: (body: string) => string): Promise<void> {
  const started = performance.now();
  const response = await request();
  const body = await response.text();
  const seconds = (performance.now() - started) / 1000;
  if (!response.ok) {
    throw new Error(`${name}: ${response.status} ${body.slice(0, 500)}`);
  }
  process.stdout.write(`${name.padEnd(44)} ${seconds.toFixed(2).padStart(7)} s   ${summary(body)}\n`);
}

export async function benchImport(base: string): Promise<void> {
  const csv = generatedCsv(ROWS);
  const mb = (Buffer.byteLength(csv) / 1024 / 1024).toFixed(1);
  const post = (query: string) => () =>
    fetch(`${base}/words/import?${query}`, { method: 'POST', headers: { 'content-type': 'text/csv' }, body: csv });
  const counts = (body: string) => {
    const { created, updated, unchanged, skipped, groups_created } = JSON.parse(body);
    return JSON.stringify({ created, updated, unchanged, skipped, groups_created: groups_created.length });
  };
  process.stdout.write(`\nImport and export of ${ROWS} words (CSV, ${mb} MB), one request each\n`);
  await timed('POST /words/import?dry_run=true', post('dry_run=true'), counts);
  await timed('POST /words/import', post('on_duplicate=error'), counts);
  await timed('POST /words/import?on_duplicate=skip (again)', post('on_duplicate=skip'), counts);
  await timed(
    'GET /words/export?format=csv',
    () => fetch(`${base}/words/export?format=csv`),
    (body) => `${body.split('\n').length - 2} words, ${(Buffer.byteLength(body) / 1024 / 1024).toFixed(1)} MB`,
  );
  const { rss, heapUsed } = process.memoryUsage();
  process.stdout.write(
    `this runner's memory after (not the portal's): rss ${Math.round(rss / 2 ** 20)} MB, heap used ${Math.round(heapUsed / 2 ** 20)} MB\n`,
  );
}
