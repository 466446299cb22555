import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';

/** Where media files are kept and served from (/media/): MEDIA_PATH, else `media/` beside the database file. */
export function mediaDirectory(config: { MEDIA_PATH?: string; DATABASE_PATH: string }): string {
  if (config.MEDIA_PATH) {
    return resolve(config.MEDIA_PATH);
  }
  return config.DATABASE_PATH === ':memory:'
    ? join(tmpdir(), 'lang-portal-media')
    : join(dirname(resolve(config.DATABASE_PATH)), 'media');
}

/** Bytes of a size as the configuration writes it (`200mb`, `512kb`, `100000b`). */
export function bytesOf(size: string): number {
  const [amount, unit] = /^(\d+)(b|kb|mb)$/i.exec(size)?.slice(1) ?? ['0', 'b'];
  return Number(amount) * { b: 1, kb: 1024, mb: 1024 * 1024 }[unit!.toLowerCase() as 'b' | 'kb' | 'mb'];
}
