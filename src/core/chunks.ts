/** `items` in runs of `size` (the last one shorter), in order: writes and look-ups bounded per statement. */
export const chunksOf = <T>(items: T[], size: number): T[][] =>
  Array.from({ length: Math.ceil(items.length / size) }, (_, i) => items.slice(i * size, (i + 1) * size));
