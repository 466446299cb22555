/** Any JSON value, and a JSON object. */
export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
export type JsonObject = { [key: string]: Json };

/** Whether a parsed JSON value is an object: not null, not an array. */
export const isJsonObject = (value: unknown): value is JsonObject =>
  value !== null && typeof value === 'object' && !Array.isArray(value);

/** What a validation error says of text the database cannot store (`isStorableText`). */
export const UNSTORABLE_TEXT = 'must not contain U+0000 or unpaired surrogate code points';

/** Whether the database can store the text: U+0000 ends SQLite's SQL text (PostgreSQL refuses it), a lone surrogate is no Unicode. */
export const isStorableText = (text: string): boolean => !text.includes('\u0000') && text.isWellFormed();

/**
 * Whether text has at most `max` characters as JSON Schema's `maxLength` (the OpenAPI document's) counts them: code
 * points. class-validator's `maxLength` leaves out the variation selectors U+FE0E and U+FE0F, so twice the documented
 * length passed it.
 */
export function hasAtMostCharacters(text: string, max: number): boolean {
  // A code point is one or two UTF-16 units: text of at most `max` units has at most `max` code points.
  if (text.length <= max) {
    return true;
  }
  let count = 0;
  for (let unit = 0; unit < text.length; unit += text.codePointAt(unit)! > 0xffff ? 2 : 1) {
    if (++count > max) {
      return false;
    }
  }
  return true;
}

/**
 * Walks a parsed JSON value without recursion: how deep it nests, the most fields an object of it has (arrays aside),
 * and the path (`a.0.b`; '' for the value itself) of its first text, a key or a value, that the database cannot store.
 */
export function inspectJson(value: unknown): { depth: number; widest: number; unstorable?: string } {
  let deepest = 0;
  let widest = 0;
  const pending: [unknown, number, string][] = [[value, 0, '']];
  for (let next = pending.pop(); next; next = pending.pop()) {
    const [item, depth, path] = next;
    if (typeof item === 'string' && !isStorableText(item)) {
      return { depth: deepest, widest, unstorable: path };
    }
    if (item !== null && typeof item === 'object') {
      deepest = Math.max(deepest, depth + 1);
      const entries = Object.entries(item);
      if (!Array.isArray(item)) {
        widest = Math.max(widest, entries.length);
      }
      for (const [key, child] of entries) {
        const childPath = path ? `${path}.${key}` : key;
        if (!isStorableText(key)) {
          return { depth: deepest, widest, unstorable: childPath };
        }
        pending.push([child, depth + 1, childPath]);
      }
    }
  }
  return { depth: deepest, widest };
}

/** The text without what the database cannot store: U+0000 dropped, an unpaired surrogate made U+FFFD (as UTF-8 decoders do). */
export const storableText = (text: string): string => text.replaceAll('\u0000', '').toWellFormed();
