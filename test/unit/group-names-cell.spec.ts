import { groupNamesCell, groupNamesOf } from '../../src/words/dto/word-transfer.dto.js';

describe('a CSV cell of group names', () => {
  it.each([
    ['Fruit|Food & Drink', ['Fruit', 'Food & Drink']],
    ['Fruit', ['Fruit']],
    ['', ['']],
    ['A||B|', ['A', '', 'B', '']],
    ['Fruit\\|Veg', ['Fruit|Veg']],
    ['C:\\\\Docs|x', ['C:\\Docs', 'x']],
    // A backslash before any other character, or at the end, is itself: a cell written before names were escaped
    // reads the same, unless a name in it held `\|` or `\\`.
    ['a\\b|c\\', ['a\\b', 'c\\']],
  ])('%j holds %j', (cell, names) => {
    expect(groupNamesOf(cell)).toEqual(names);
  });

  it.each([[['Fruit|Veg \\ Misc', '\\|', 'Plain']], [['\\']], [['|', '|']], [['a\\', 'b']]])(
    'writes %j so that it reads back as itself',
    (names) => {
      expect(groupNamesOf(groupNamesCell(names))).toEqual(names);
    },
  );
});
