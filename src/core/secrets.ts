import { createHash, timingSafeEqual } from 'node:crypto';

/** The SHA-256 of a text: how a secret is stored, and compared. */
export const sha256 = (text: string): Buffer => createHash('sha256').update(text).digest();

/** Whether a secret sent is the one expected, compared as hashes: of equal lengths, so the time tells neither length. */
export const sameSecret = (sent: string, expected: string): boolean => timingSafeEqual(sha256(sent), sha256(expected));
