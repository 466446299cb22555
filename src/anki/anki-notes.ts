import type { AnkiNote } from './anki-package.js';

/**
 * How a note becomes a word: which field is `thai` and which `english` (a field map per note type, or the
 * field that is mostly Thai script and the first other non-empty field), their text without HTML,
 * entities or `[sound:…]`, the other fields, tags and guid in `parts`, and the media it refers to.
 */

/** For a note type (by name), which of its fields is thai and which is english. */
export type FieldMap = Record<string, { thai: string; english: string }>;

const AUDIO_EXTENSIONS = new Set(['mp3', 'ogg', 'oga', 'opus', 'wav', 'm4a', 'aac', 'flac', 'webm', 'spx']);

const ENTITIES = new Map(Object.entries({ amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", nbsp: ' ' }));
const SOUND = /\[sound:([^\]]+)\]/g;
const IMAGE = /<img\b[^>]*?\bsrc\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>]+))/gi;

const ENTITY = /&(#x[0-9a-f]+|#[0-9]+|[a-z]+);/gi;

const decodedEntity = (entity: string, name: string) => {
  if (name[0] === '#') {
    const code = name[1] === 'x' || name[1] === 'X' ? parseInt(name.slice(2), 16) : parseInt(name.slice(1), 10);
    return code > 0 && code <= 0x10ffff && !(code >= 0xd800 && code <= 0xdfff) ? String.fromCodePoint(code) : entity;
  }
  return ENTITIES.get(name.toLowerCase()) ?? entity;
};

/** Text of a field: `[sound:…]` and tags removed (a line break or block becomes a space), entities decoded, spaces collapsed. */
function plainText(html: string): string {
  return html
    .replace(SOUND, ' ')
    .replace(/<(br|div|p|li|tr)\b[^>]*>/gi, ' ')
    .replace(/<[^>]*>/g, '')
    .replace(ENTITY, decodedEntity)
    .replace(/[\s\u00a0]+/g, ' ')
    .trim();
}

/** Whether most of the letters of the text are Thai. */
function isMostlyThai(text: string): boolean {
  const letters = text.match(/\p{L}|\p{M}/gu) ?? [];
  const thai = letters.filter((letter) => /[\u0e00-\u0e7f]/.test(letter)).length;
  return letters.length > 0 && thai * 2 > letters.length;
}

export const extensionOf = (name: string) => /\.([a-z0-9]+)$/i.exec(name)?.[1].toLowerCase() ?? '';

export interface MappedNote {
  thai: string;
  english: string;
  parts: Record<string, unknown>;
  /** Audio files the note refers to (`[sound:…]`), in order. */
  audio: string[];
  /** Images it refers to (`<img src>`): not stored. */
  images: string[];
}

/** The word a note becomes, or why it cannot become one. */
export function mapNote(note: AnkiNote, fieldMap: FieldMap | undefined): MappedNote | { reason: string } {
  const texts = note.fields.map((field) => ({ name: field.name, text: plainText(field.value) }));
  // Own keys only: a note type may be named `constructor` or `toString`, as a field or an entity may.
  const mapping = fieldMap && Object.hasOwn(fieldMap, note.noteType) ? fieldMap[note.noteType] : undefined;
  let thai: { name: string; text: string } | undefined;
  let english: { name: string; text: string } | undefined;
  if (mapping) {
    thai = texts.find((field) => field.name === mapping.thai);
    english = texts.find((field) => field.name === mapping.english);
    if (!thai || !english) {
      const missing = !thai ? mapping.thai : mapping.english;
      return { reason: `note type "${note.noteType}" has no field "${missing}" (field_map)` };
    }
  } else {
    thai = texts.find((field) => isMostlyThai(field.text));
    english = texts.find((field) => field !== thai && field.text !== '');
    if (!thai) {
      return { reason: 'no field is mostly Thai script (give a field_map for its note type)' };
    }
  }
  if (thai.text === '' || !english || english.text === '') {
    return { reason: `${thai.text === '' ? 'thai' : 'english'} is empty` };
  }
  const audio: string[] = [];
  const images: string[] = [];
  for (const field of note.fields) {
    for (const match of field.value.matchAll(SOUND)) {
      // Anki reads the name with its entities decoded (rslib decode_entities): its editor writes `&` as `&amp;`.
      const name = match[1].replace(ENTITY, decodedEntity).trim();
      if (AUDIO_EXTENSIONS.has(extensionOf(name)) && !audio.includes(name)) {
        audio.push(name);
      }
    }
    for (const match of field.value.matchAll(IMAGE)) {
      images.push(match[1] ?? match[2] ?? match[3]);
    }
  }
  const others = new Map<string, string>();
  for (const field of texts) {
    if (field !== thai && field !== english && field.text !== '' && !others.has(field.name)) {
      others.set(field.name, field.text);
    }
  }
  // Defined, not assigned: a field named `__proto__` is a part as any other.
  const parts: Record<string, unknown> = Object.fromEntries(others);
  if (note.tags.length > 0) {
    parts.tags = note.tags;
  }
  parts.anki_guid = note.guid;
  return { thai: thai.text, english: english.text, parts, audio, images };
}
