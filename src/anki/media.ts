import { createHash } from 'node:crypto';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { extensionOf } from './anki-notes.js';

/** Where media files are kept and served from (/media/): MEDIA_PATH, else `media/` beside the database file. */
export function mediaDirectory(config: { MEDIA_PATH?: string; DATABASE_PATH: string }): string {
  if (config.MEDIA_PATH) {
    return resolve(config.MEDIA_PATH);
  }
  return config.DATABASE_PATH === ':memory:'
    ? join(tmpdir(), 'lang-portal-media')
    : join(dirname(resolve(config.DATABASE_PATH)), 'media');
}

/**
 * The name a media file is stored and served under: its content's SHA-256 and its extension (for its type).
 * Packages name files as they like, so two packages' `one.mp3` may differ: by content, different bytes never
 * share a name, and the same bytes are stored once, whatever they are called.
 */
export function storedMediaName(name: string, content: Uint8Array): string {
  return `${createHash('sha256').update(content).digest('hex')}.${extensionOf(name)}`;
}

/** Whether a file of the media folder is one this portal wrote (`storedMediaName`, or its `.part` while written). */
export const isStoredMediaName = (file: string) => /^[0-9a-f]{64}\.[a-z0-9]*(\.part)?$/.test(file);
