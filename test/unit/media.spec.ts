import { bytesOf } from '../../src/anki/media.js';

/** The sizes the configuration writes (ANKI_IMPORT_LIMIT, ANKI_UNPACKED_LIMIT), as the body limits count them. */
it.each([
  ['100000b', 100_000],
  ['512kb', 524_288],
  ['200mb', 209_715_200],
  ['1MB', 1_048_576],
])('reads %s as %d bytes', (size, bytes) => {
  expect(bytesOf(size)).toBe(bytes);
});
