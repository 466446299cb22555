/** The example app as an older seed stored it, and apps of other names, some at the portal's own app path. */
const LAUNCH_URLS = [
  ['Example Flashcards', 'http://127.0.0.1:3000/apps/flashcards/'],
  ['Flashcards', 'http://127.0.0.1:3000/apps/flashcards/'],
  ['Example flashcards at school', 'https://portal.school.example/lang/apps/flashcards/'],
  ['Typing', 'https://apps.example/typing/'],
] as const;

/** `values` of rows of learning_apps (id, name, name_folded, launch_url, created_at, updated_at) at `now`. */
export const appsWithLaunchUrls = (now: string) =>
  LAUNCH_URLS.map(
    ([name, url], index) => `(${index + 1}, '${name}', '${name.toLowerCase()}', '${url}', ${now}, ${now})`,
  ).join(', ');

/** The seeded app's address is its path now; an app by another name keeps its own, even one the portal serves. */
export function expectAppPathsMigrated(rows: { launch_url: string }[]): void {
  expect(rows.map((row) => row.launch_url)).toEqual([
    '/apps/flashcards/',
    'http://127.0.0.1:3000/apps/flashcards/',
    'https://portal.school.example/lang/apps/flashcards/',
    'https://apps.example/typing/',
  ]);
}
