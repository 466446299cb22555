import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { zstdCompressSync } from 'node:zlib';
import Database from 'better-sqlite3';
import { unzipSync } from 'fflate';
import { jest } from '@jest/globals';
import { Logger } from '@nestjs/common';
import request from 'supertest';
import { asInteger, instantOf } from '../../src/database/dialect.js';
import { CardsService } from '../../src/reviews/cards.service.js';
import { ReviewsService } from '../../src/reviews/reviews.service.js';
import { allRows, API, expectInvalid, expectProblem, sql } from '../api.js';
import { useEmptyTestApp } from '../app.js';
import { referenceCard, SRS_SETTINGS } from '../fsrs-reference.js';
import {
  ankiPackage,
  AUDIO,
  type AnkiFormat,
  type CollectionSpec,
  corruptDatabase,
  FIRST_REVIEW,
  protoMessage,
  thaiCollection,
  zipOf,
} from '../fixtures/anki.js';

const MEDIA = mkdtempSync(join(tmpdir(), 'anki-media-'));

// A small unpacked limit, so that packages that unpack to more are cheap to make; in capitals, as a setting may be.
const SETTINGS = { ...SRS_SETTINGS, MEDIA_PATH: MEDIA, ANKI_UNPACKED_LIMIT: '1MB' };
const MORE_THAN_UNPACKED_LIMIT = 1024 * 1024 + 1;

/** Where a media file is served: under its content's SHA-256 and its extension. */
const mediaUrl = (content: Uint8Array, extension: string) =>
  `/media/${createHash('sha256').update(content).digest('hex')}.${extension}`;

const EXPECTED_REPORT = {
  dry_run: false,
  format: 'latest',
  notes: 5,
  words_created: 4,
  words_updated: 0,
  words_unchanged: 0,
  words_skipped: 0,
  notes_merged: 0,
  groups_created: ['Thai::Food', 'Thai', 'Thai::Animals'],
  reviews_imported: 12,
  reviews_already_imported: 0,
  reviews_skipped: 3,
  reviews_without_word: 1,
  cards_scheduled: 3,
  media_stored: 1,
  media_unchanged: 0,
  media_missing: 0,
  images_skipped: 1,
  failed_notes: [
    {
      note_id: 1700000001004,
      guid: 'hello4444',
      note_type: 'Basic',
      reason: 'no field is mostly Thai script (give a field_map for its note type)',
    },
  ],
};

describe('Anki import (POST /import/anki)', () => {
  const t = useEmptyTestApp(SETTINGS);
  afterAll(() => rmSync(MEDIA, { recursive: true, force: true }));
  beforeEach(() => {
    rmSync(MEDIA, { recursive: true, force: true });
  });

  const upload = (file: Buffer, query = '', name = 'deck.apkg', fields: Record<string, string> = {}) => {
    let req = request(t.http).post(`${API}/import/anki${query}`);
    for (const [key, value] of Object.entries(fields)) {
      req = req.field(key, value);
    }
    return req.attach('file', file, name);
  };

  /** The id of the imported word with this thai. */
  async function idOfWord(thai: string): Promise<number> {
    const [word] = await sql<{ id: number }>(t, 'select id from words where thai = ?', [thai]);
    return word.id;
  }

  /** What an import leaves: words with their groups and counters, and the review log, without ids. */
  async function imported() {
    const words = await sql<{
      id: number;
      thai: string;
      english: string;
      parts: string | Record<string, unknown>;
      correct_count: number;
      wrong_count: number;
    }>(t, 'select id, thai, english, parts, correct_count, wrong_count from words order by thai');
    const groups = await sql<{ word_id: number; name: string }>(
      t,
      'select wg.word_id, g.name from words_groups wg join groups g on g.id = wg.group_id order by g.name',
    );
    const reviews = await sql<{
      thai: string;
      correct: number;
      reviewed_at: number | string;
      card_state: number;
      anki_revlog_id: number;
    }>(
      t,
      `select w.thai, ${asInteger('r.correct')} as correct, r.reviewed_at, r.card_state, r.anki_revlog_id
        from words_review_items r join words w on w.id = r.word_id order by r.reviewed_at`,
    );
    // JSON is text in SQLite and parsed in PostgreSQL; times are epoch ms in SQLite and timestamptz there.
    return {
      words: words.map(({ id, parts, ...word }) => ({
        ...word,
        parts: (typeof parts === 'string' ? JSON.parse(parts) : parts) as Record<string, unknown>,
        groups: groups.filter((group) => group.word_id === id).map((group) => group.name),
      })),
      reviews: reviews.map((review) => ({ ...review, reviewed_at: instantOf(review.reviewed_at)!.getTime() })),
    };
  }

  it('imports the latest format: words from notes, groups from decks, the review log, audio; cards as FSRS replays them', async () => {
    const response = await upload(ankiPackage(thaiCollection(), 'latest'));
    expect(response.status).toBe(200);
    expect(response.body).toEqual(EXPECTED_REPORT);

    const { words, reviews } = await imported();
    expect(words).toEqual([
      {
        thai: 'ข้าว',
        english: 'rice & food',
        parts: { Romanization: 'khao', tags: ['food', 'noun'], anki_guid: 'kh@o+Rice1', audio: mediaUrl(AUDIO, 'mp3') },
        correct_count: 5,
        wrong_count: 2,
        groups: ['Thai::Food'],
      },
      {
        thai: 'น้ำ',
        english: 'water',
        parts: { Romanization: 'nam', tags: ['drink'], anki_guid: 'nam,Water5' },
        correct_count: 0,
        wrong_count: 0,
        groups: ['Thai::Food'],
      },
      {
        thai: 'หมา',
        english: 'dog',
        parts: { anki_guid: 'ma~Dog333' },
        correct_count: 2,
        wrong_count: 0,
        groups: ['Thai::Animals'],
      },
      {
        thai: 'แมว',
        english: 'cat',
        parts: { Romanization: 'maeo', tags: ['animal'], anki_guid: 'maeo/Cat22' },
        correct_count: 3,
        wrong_count: 0,
        groups: ['Thai', 'Thai::Animals'],
      },
    ]);
    const spec = thaiCollection();
    const noteOfCard = new Map(spec.cards.map((card) => [card.id, card.noteId]));
    const answered = spec.revlog
      .filter((entry) => entry.type <= 3 && entry.ease > 0 && noteOfCard.get(entry.cardId) !== 1700000001004)
      .sort((a, b) => a.id - b.id);
    expect(reviews.map((review) => review.anki_revlog_id)).toEqual(answered.map((entry) => entry.id));
    expect(reviews.map((review) => Boolean(review.correct))).toEqual(answered.map((entry) => entry.ease >= 2));

    // Each word's card is ts-fsrs's replay of its imported answers.
    const cards = (
      await sql<{
        thai: string;
        due: number | string;
        stability: number;
        difficulty: number;
        reps: number;
        lapses: number;
        state: number;
        last_review: number | string;
      }>(
        t,
        'select w.thai, c.due, c.stability, c.difficulty, c.reps, c.lapses, c.state, c.last_review from cards c join words w on w.id = c.word_id order by w.thai',
      )
    ).map((card) => ({
      ...card,
      due: instantOf(card.due)!.getTime(),
      last_review: instantOf(card.last_review)!.getTime(),
    }));
    expect(cards.map((card) => card.thai)).toEqual(['ข้าว', 'หมา', 'แมว']);
    for (const card of cards) {
      const expected = referenceCard(
        reviews
          .filter((review) => review.thai === card.thai)
          .map((review) => ({ correct: Boolean(review.correct), at: new Date(Number(review.reviewed_at)) })),
      );
      expect(card).toEqual({
        thai: card.thai,
        due: expected.due.getTime(),
        stability: expect.closeTo(expected.stability, 10),
        difficulty: expect.closeTo(expected.difficulty, 10),
        reps: expected.reps,
        lapses: expected.lapses,
        state: expected.state,
        last_review: expected.last_review!.getTime(),
      });
    }
    // The card state each answer was given in, as a replay says (the retention counts review-state answers).
    const kao = reviews.filter((review) => review.thai === 'ข้าว').map((review) => review.card_state);
    expect(kao[0]).toBe(0);
    expect(kao).toContain(2);

    const audio = await request(t.http).get(mediaUrl(AUDIO, 'mp3'));
    expect(audio.status).toBe(200);
    expect(Buffer.from(audio.body as Buffer)).toEqual(Buffer.from(AUDIO));
    expect((await request(t.http).get('/media/dog.jpg')).status).toBe(404);
  });

  it('answers a folder of the media, or the media themselves, with a 404 problem document, not a redirect', async () => {
    mkdirSync(join(MEDIA, 'sub'), { recursive: true });
    for (const path of ['/media/sub', '/media/sub/', '/media', '/media/']) {
      expectProblem(await request(t.http).get(path), 404);
    }
  });

  it.each<[AnkiFormat, string]>([
    ['legacy1', 'deck.apkg'],
    ['legacy2', 'deck.apkg'],
    ['latest', 'collection.colpkg'],
  ])('imports %s (%s) to the same words, groups and reviews as the latest format', async (format, name) => {
    await upload(ankiPackage(thaiCollection(), 'latest')).expect(200);
    const latest = await imported();
    await sql(t, 'delete from words');
    await sql(t, 'delete from groups');
    rmSync(MEDIA, { recursive: true, force: true });

    const response = await upload(ankiPackage(thaiCollection(), format), '', name);
    expect(response.status).toBe(200);
    expect(response.body).toEqual({ ...EXPECTED_REPORT, format });
    expect(await imported()).toEqual(latest);
  });

  it('reads a legacy 2 package without meta (Anki before 2.1.50) from its collection.anki21, not the stub beside it', async () => {
    const files = unzipSync(ankiPackage(thaiCollection(), 'legacy2'));
    delete files.meta;
    // The collection.anki2 Anki writes beside a newer one: a note asking to update Anki.
    files['collection.anki2'] = unzipSync(ankiPackage(thaiCollection(), 'latest'))['collection.anki2'];
    const response = await upload(zipOf(files)).expect(200);
    expect(response.body).toEqual({ ...EXPECTED_REPORT, format: 'legacy2' });
  });

  it('leaves no audio behind a full reset: the words it belonged to are gone, as on a fresh install', async () => {
    await upload(ankiPackage(thaiCollection(), 'latest')).expect(200);
    await request(t.http).get(mediaUrl(AUDIO, 'mp3')).expect(200);
    // MEDIA_PATH may name a folder shared with files the portal did not write: those stay.
    // Those named like the portal's files, within a longer name, too.
    const stored = readdirSync(MEDIA)[0];
    const others = ['README.txt', `copy of ${stored}`, `${stored}.bak`];
    others.forEach((name) => writeFileSync(join(MEDIA, name), "not the portal's"));
    // A file an import was writing when its server stopped goes with the stored ones.
    writeFileSync(join(MEDIA, `${stored}.part`), 'cut short');
    await request(t.http).post(`${API}/full_reset`).send({ confirm: 'full_reset' }).expect(200);
    expectProblem(await request(t.http).get(mediaUrl(AUDIO, 'mp3')), 404);
    expect(readdirSync(MEDIA).sort()).toEqual(others.sort());
    // Imported again, the package stores its audio again.
    const again = await upload(ankiPackage(thaiCollection(), 'latest')).expect(200);
    expect(again.body).toMatchObject({ media_stored: 1, media_unchanged: 0 });
    await request(t.http).get(mediaUrl(AUDIO, 'mp3')).expect(200);
  });

  it('keeps every word and its audio when a full reset cannot read the media folder, its last step', async () => {
    await upload(ankiPackage(thaiCollection(), 'latest')).expect(200);
    const before = await allRows(t);
    // The folder set aside, a file stands in its place.
    renameSync(MEDIA, `${MEDIA}.aside`);
    writeFileSync(MEDIA, 'not a folder');
    const logged = jest.spyOn(Logger.prototype, 'error').mockImplementation(() => undefined);
    try {
      expectProblem(await request(t.http).post(`${API}/full_reset`).send({ confirm: 'full_reset' }), 500);
      expect(logged).toHaveBeenCalledWith(expect.stringContaining('ENOTDIR'));
    } finally {
      jest.restoreAllMocks();
      rmSync(MEDIA);
      renameSync(`${MEDIA}.aside`, MEDIA);
    }
    expect(await allRows(t)).toEqual(before);
    await request(t.http).get(mediaUrl(AUDIO, 'mp3')).expect(200);
  });

  it('writes nothing on a dry run, and reports what the import would do', async () => {
    const before = await allRows(t);
    const response = await upload(ankiPackage(thaiCollection(), 'latest'), '?dry_run=true');
    expect(response.status).toBe(200);
    expect(response.body).toEqual({ ...EXPECTED_REPORT, dry_run: true });
    expect(await allRows(t)).toEqual(before);
    expect((await request(t.http).get(mediaUrl(AUDIO, 'mp3'))).status).toBe(404);
  });

  it.each([
    ['?on_duplicate=replace', 'on_duplicate'],
    ['?dry_run=yes', 'dry_run'],
  ])('refuses the query %s (400 naming %s) and writes nothing', async (query, field) => {
    const before = await allRows(t);
    expectInvalid(await upload(ankiPackage(thaiCollection(), 'latest'), query), field);
    expect(await allRows(t)).toEqual(before);
  });

  it.each([
    ['in the future', Date.parse('2100-01-01T00:00:00Z')],
    ['before 1970', -5],
  ])('skips and counts a review log entry dated %s, as no answer', async (_when, id) => {
    const spec = thaiCollection();
    spec.revlog.push({ id, cardId: 1700000002006, ease: 3, type: 1, time: 3000 });
    const response = await upload(ankiPackage(spec, 'latest'));
    expect(response.status).toBe(200);
    expect(response.body).toEqual({ ...EXPECTED_REPORT, reviews_skipped: EXPECTED_REPORT.reviews_skipped + 1 });

    const { words, reviews } = await imported();
    expect(words.find((word) => word.thai === 'น้ำ')).toMatchObject({ correct_count: 0, wrong_count: 0 });
    expect(reviews.map((review) => review.anki_revlog_id)).not.toContain(id);
    const wordId = await idOfWord('น้ำ');
    expect((await request(t.http).get(`${API}/words/${wordId}`)).body.last_reviewed_at).toBeNull();
    expect((await request(t.http).get(`${API}/words/${wordId}/schedule`)).status).toBe(200);
  });

  it('stores audio of the same content once, counts audio the package lacks, and skips an answer of no known ease', async () => {
    const spec = thaiCollection();
    spec.notes[4].fields[3] = '[sound:nam.mp3]';
    spec.notes[1].fields[3] = '[sound:maeo.mp3]';
    spec.media['nam.mp3'] = AUDIO;
    spec.revlog.push({ id: FIRST_REVIEW + 7 * 60 * 1000, cardId: 1700000002006, ease: 5, type: 1, time: 3000 });
    const response = await upload(ankiPackage(spec, 'latest')).expect(200);
    expect(response.body).toEqual({
      ...EXPECTED_REPORT,
      reviews_skipped: EXPECTED_REPORT.reviews_skipped + 1,
      media_missing: 1,
    });
  });

  it('keeps the parts a word was given in the portal when its note is imported again', async () => {
    await upload(ankiPackage(thaiCollection(), 'latest')).expect(200);
    const rice = await idOfWord('ข้าว');
    const { body: word } = await request(t.http).get(`${API}/words/${rice}`).expect(200);
    await request(t.http)
      .patch(`${API}/words/${rice}`)
      .send({ parts: { ...word.parts, tones: ['falling'] } })
      .expect(200);
    const again = await upload(ankiPackage(thaiCollection(), 'latest')).expect(200);
    expect(again.body).toMatchObject({ words_updated: 0, words_unchanged: 4 });
    expect((await request(t.http).get(`${API}/words/${rice}`).expect(200)).body.parts).toEqual({
      ...word.parts,
      tones: ['falling'],
    });
  });

  it('changes nothing when the same package is imported again, and adds only what is new from a later export', async () => {
    await upload(ankiPackage(thaiCollection(), 'latest')).expect(200);
    const before = await allRows(t);
    const again = await upload(ankiPackage(thaiCollection(), 'legacy2'));
    expect(again.status).toBe(200);
    expect(again.body).toEqual({
      ...EXPECTED_REPORT,
      format: 'legacy2',
      words_created: 0,
      words_unchanged: 4,
      groups_created: [],
      reviews_imported: 0,
      reviews_already_imported: 12,
      cards_scheduled: 0,
      media_stored: 0,
      media_unchanged: 1,
    });
    expect(await allRows(t)).toEqual(before);

    // A later export: one more review of น้ำ, แมว's english edited, and หมา's thai alone.
    const later = thaiCollection();
    later.notes[1].fields[1] = 'cat (animal)';
    later.notes[2].fields[1] = 'ลูกหมา <img src="dog.jpg">';
    later.revlog.push({ id: Date.parse('2026-07-01T08:00:00Z'), cardId: 1700000002006, ease: 3, type: 0, time: 3000 });
    const response = await upload(ankiPackage(later, 'latest'));
    expect(response.body).toMatchObject({
      words_created: 0,
      words_updated: 2,
      reviews_imported: 1,
      reviews_already_imported: 12,
      cards_scheduled: 1,
    });
    const { words } = await imported();
    expect(words.map((word) => [word.thai, word.english, word.correct_count])).toEqual([
      ['ข้าว', 'rice & food', 5],
      ['น้ำ', 'water', 1],
      ['ลูกหมา', 'dog', 2],
      ['แมว', 'cat (animal)', 3],
    ]);
  });

  it('moves the card states of the answers that a later package’s earlier review comes before, as a rebuild does', async () => {
    await upload(ankiPackage(thaiCollection(), 'latest')).expect(200);
    const later = thaiCollection();
    const day = 24 * 60 * 60 * 1000;
    const earlier = FIRST_REVIEW - 2 * day;
    later.revlog.push(
      { id: earlier - day, cardId: 1700000002001, ease: 3, type: 0, time: 3000 },
      { id: earlier, cardId: 1700000002001, ease: 3, type: 0, time: 3000 },
    );
    // An answer given in the portal at the instant of one of them: stored first, it comes first.
    const rice = await idOfWord('ข้าว');
    await request(t.http)
      .post(`${API}/reviews`)
      .send({ word_id: rice, correct: false, reviewed_at: new Date(earlier).toISOString() })
      .expect(201);
    const before = (await imported()).reviews;
    await upload(ankiPackage(later, 'latest')).expect(200);

    const { reviews } = await imported();
    const key = (review: (typeof reviews)[number]) => `${review.reviewed_at} ${review.anki_revlog_id}`;
    const statesBefore = new Map(before.map((review) => [key(review), review.card_state]));
    const moved = reviews.filter(
      (review) => statesBefore.has(key(review)) && statesBefore.get(key(review)) !== review.card_state,
    );
    // The portal's answer, first of its word's log until the import, among them.
    expect(moved).toContainEqual(expect.objectContaining({ reviewed_at: earlier, anki_revlog_id: null }));
    const replayed = await allRows(t);
    await sql(t, 'update cards set stale = (1 = 1)');
    await request(t.http).get(`${API}/reviews/queue`).expect(200);
    expect(await allRows(t)).toEqual(replayed);
  });

  it('fails a note with the guid of an earlier note of the package, so that importing it again changes nothing', async () => {
    const collection = thaiCollection();
    collection.notes[4].guid = collection.notes[0].guid;
    const first = await upload(ankiPackage(collection, 'latest')).expect(200);
    expect(first.body).toMatchObject({
      words_created: 3,
      failed_notes: [
        EXPECTED_REPORT.failed_notes[0],
        {
          note_id: 1700000001005,
          guid: 'kh@o+Rice1',
          note_type: 'Thai Vocabulary',
          reason: 'its guid is the earlier note 1700000001001’s too, and a guid names one note',
        },
      ],
    });
    const before = await allRows(t);
    const again = await upload(ankiPackage(collection, 'legacy2'));
    expect(again.status).toBe(200);
    expect(again.body).toMatchObject({ words_created: 0, words_updated: 0, words_unchanged: 3 });
    expect(await allRows(t)).toEqual(before);
  });

  it('keeps an edited note’s word and history, and makes a new note with the note’s old text a new word', async () => {
    await upload(ankiPackage(thaiCollection(), 'latest')).expect(200);
    const later = thaiCollection();
    later.notes[1].fields[1] = 'kitten';
    later.notes.push({
      id: 1700000001009,
      guid: 'new/Cat99',
      noteTypeId: 1700000000001,
      fields: ['แมว', 'cat', '', ''],
      tags: [],
    });

    const response = await upload(ankiPackage(later, 'latest'));

    expect(response.body).toMatchObject({ words_created: 1, words_updated: 1 });
    const { words } = await imported();
    const cats = words.filter((word) => word.thai === 'แมว');
    expect(cats.map(({ english, correct_count, parts }) => [english, correct_count, parts.anki_guid]).sort()).toEqual([
      ['cat', 0, 'new/Cat99'],
      ['kitten', 3, 'maeo/Cat22'],
    ]);
  });

  it('refuses a note edited into another word’s text with a 409 naming both, changing nothing', async () => {
    await upload(ankiPackage(thaiCollection(), 'latest')).expect(200);
    const other = await request(t.http).post(`${API}/words`).send({ thai: 'แมว', english: 'Kitten' }).expect(201);
    const before = await allRows(t);
    const later = thaiCollection();
    later.notes[1].fields[1] = 'kitten';

    const problem = expectProblem(await upload(ankiPackage(later, 'latest')), 409);

    expect(problem.detail).toMatch(
      new RegExp(`"แมว" with english "kitten" is word ${other.body.id} already, not the word \\d+ this row changes`),
    );
    expect(await allRows(t)).toEqual(before);
  });

  it('writes notes that pass their texts along in turn, and refuses notes that exchange them (409), changing nothing', async () => {
    await upload(ankiPackage(thaiCollection(), 'latest')).expect(200);
    // แมว takes หมา's text, as หมา takes a new one.
    const passed = thaiCollection();
    passed.notes[1].fields.splice(0, 2, 'หมา', 'dog');
    passed.notes[2].fields = ['puppy', 'หมา'];
    expect((await upload(ankiPackage(passed, 'latest')).expect(200)).body).toMatchObject({ words_updated: 2 });
    const dogs = (await imported()).words.filter((word) => word.thai === 'หมา');
    expect(dogs.map(({ english, correct_count, parts }) => [english, correct_count, parts.anki_guid]).sort()).toEqual([
      ['dog', 3, 'maeo/Cat22'],
      ['puppy', 2, 'ma~Dog333'],
    ]);

    const before = await allRows(t);
    const exchanged = thaiCollection();
    exchanged.notes[1].fields.splice(0, 2, 'หมา', 'puppy');
    exchanged.notes[2].fields = ['dog', 'หมา'];
    const problem = expectProblem(await upload(ankiPackage(exchanged, 'latest')), 409);
    expect(problem.detail).toMatch(/^2 of 4 rows exchange texts with others, so nothing was imported: /);
    expect(await allRows(t)).toEqual(before);
  });

  it('keeps an answer sent during an import of its word’s history waiting, and its card follows both', async () => {
    await upload(ankiPackage(thaiCollection(), 'latest')).expect(200);
    const later = thaiCollection();
    const lastImported = '2026-07-01T08:00:00.000Z';
    later.revlog.push({ id: Date.parse(lastImported), cardId: 1700000002006, ease: 3, type: 0, time: 3000 });
    const water = await idOfWord('น้ำ');
    // The answer is sent once the import has read the word's history to replay it, before it writes.
    const replayImported = CardsService.prototype.replayImported;
    let answered: Promise<request.Response> | undefined;
    jest.spyOn(CardsService.prototype, 'replayImported').mockImplementation(async function (
      this: CardsService,
      answers,
    ) {
      const replayed = await replayImported.call(this, answers);
      answered ??= Promise.resolve(request(t.http).post(`${API}/reviews`).send({ word_id: water, correct: false }));
      // The answer finishes, or waits for the import's transaction.
      await Promise.race([answered, new Promise((resolve) => setTimeout(resolve, 500))]);
      return replayed;
    });
    try {
      expect((await upload(ankiPackage(later, 'latest'))).body).toMatchObject({ reviews_imported: 1 });
    } finally {
      jest.restoreAllMocks();
    }
    const answer = await answered!;
    expect(answer.status).toBe(201);
    // The stored card, as the queue reads it: written after the answer, it would have left it out.
    const [card] = await sql<{ reps: number; last_review: number | string }>(
      t,
      `select reps, last_review from cards where word_id = ${water}`,
    );
    expect({ reps: card.reps, last_review: instantOf(card.last_review)!.toISOString() }).toEqual({
      reps: 2,
      last_review: answer.body.created_at,
    });
  });

  it('keeps an answer in a session of a group it adds words to waiting, instead of a deadlock', async () => {
    // The package's deck "Thai" is this group: the import adds its notes to it, then writes their history.
    const group = (await request(t.http).post(`${API}/groups`).send({ name: 'Thai' }).expect(201)).body;
    const word = (
      await request(t.http)
        .post(`${API}/words`)
        .send({ thai: 'ไฟ', english: 'fire', group_ids: [group.id] })
        .expect(201)
    ).body;
    const session = (await request(t.http).post(`${API}/study_sessions`).send({ group_id: group.id }).expect(201)).body;
    const importHistory = ReviewsService.prototype.importHistory;
    let answered: Promise<request.Response> | undefined;
    jest.spyOn(ReviewsService.prototype, 'importHistory').mockImplementation(async function (
      this: ReviewsService,
      ...args
    ) {
      answered ??= Promise.resolve(
        request(t.http).post(`${API}/study_sessions/${session.id}/words/${word.id}/review`).send({ correct: true }),
      );
      // The answer finishes, or waits for the import's transaction.
      await Promise.race([answered, new Promise((resolve) => setTimeout(resolve, 500))]);
      return importHistory.apply(this, args);
    });
    try {
      await upload(ankiPackage(thaiCollection(), 'latest')).expect(200);
    } finally {
      jest.restoreAllMocks();
    }
    expect((await answered!).status).toBe(201);
  });

  it('stores audio by its content: another package’s file of the same name is another file, the same bytes one', async () => {
    await upload(ankiPackage(thaiCollection(), 'latest')).expect(200);
    const other = Uint8Array.from(Buffer.from('ID3\u0003\u0000another recording', 'utf8'));
    const sticky = (media: Uint8Array): CollectionSpec => ({
      ...thaiCollection(),
      notes: [
        {
          id: 1700000009001,
          guid: 'sticky9999',
          noteTypeId: 1700000000001,
          fields: ['ข้าวเหนียว', 'sticky rice', 'khao niao', '[sound:khao.mp3]'],
          tags: [],
        },
      ],
      cards: [{ id: 1700000009002, noteId: 1700000009001, deckId: 1700000000101 }],
      revlog: [],
      media: { 'khao.mp3': media },
    });

    const response = await upload(ankiPackage(sticky(other), 'legacy2'));
    expect(response.body).toMatchObject({ words_created: 1, media_stored: 1, media_unchanged: 0 });
    const audioOf = async (thai: string) => (await imported()).words.find((word) => word.thai === thai)!.parts.audio;
    expect(await audioOf('ข้าว')).toBe(mediaUrl(AUDIO, 'mp3'));
    expect(await audioOf('ข้าวเหนียว')).toBe(mediaUrl(other, 'mp3'));
    for (const content of [AUDIO, other]) {
      const served = await request(t.http).get(mediaUrl(content, 'mp3')).expect(200);
      expect(Buffer.from(served.body as Buffer)).toEqual(Buffer.from(content));
    }

    // The first package again changes nothing; bytes stored already under another name are not stored again.
    const before = await allRows(t);
    const again = await upload(ankiPackage(thaiCollection(), 'latest'));
    expect(again.body).toMatchObject({ words_unchanged: 4, media_stored: 0, media_unchanged: 1 });
    expect(await allRows(t)).toEqual(before);
    const renamed = sticky(AUDIO);
    renamed.notes[0].fields[3] = '[sound:rice.mp3]';
    renamed.media = { 'rice.mp3': AUDIO };
    expect((await upload(ankiPackage(renamed, 'latest'))).body).toMatchObject({ media_stored: 0, media_unchanged: 1 });
    expect(await audioOf('ข้าวเหนียว')).toBe(mediaUrl(AUDIO, 'mp3'));
  });

  it('finds the audio of a [sound:…] name with entities, as Anki decodes them (its editor writes & as &amp;)', async () => {
    const collection = thaiCollection();
    collection.notes[0].fields[3] = '[sound:khao &amp; nam.mp3]';
    collection.media = { 'khao & nam.mp3': AUDIO };
    const response = await upload(ankiPackage(collection, 'latest')).expect(200);
    expect(response.body).toMatchObject({ media_stored: 1, media_missing: 0 });
    expect((await imported()).words.find((word) => word.thai === 'ข้าว')!.parts.audio).toBe(mediaUrl(AUDIO, 'mp3'));
  });

  it('counts each image it skips once, its src quoted either way or not at all', async () => {
    const collection = thaiCollection();
    // Beside หมา's "dog.jpg" in the package.
    collection.notes[0].fields[3] = `<img src='khao.jpg'><img src='rice.jpg'> <IMG alt="rice" SRC = khao.png><img src=rice.png> <img src="dog.jpg">`;
    const response = await upload(ankiPackage(collection, 'latest')).expect(200);
    expect(response.body.images_skipped).toBe(5);
  });

  it('merges notes of one word: its decks once each, its reviews, the first audio of a note and each image once', async () => {
    const collection = thaiCollection();
    const SECOND_AUDIO = Uint8Array.from(Buffer.from('ID3\u0003\u0000another fake mp3', 'utf8'));
    collection.media['second.mp3'] = SECOND_AUDIO;
    collection.notes[0].fields[3] = '[sound:khao.mp3] [sound:second.mp3]';
    collection.notes.push({
      id: 1700000001006,
      guid: 'khao-again',
      noteTypeId: 1700000000001,
      fields: ['ข้าว', 'rice &amp; food', 'khao', '<img src="dog.jpg">'],
      tags: [],
    });
    collection.cards.push(
      { id: 1700000002007, noteId: 1700000001006, deckId: 1700000000101 },
      { id: 1700000002008, noteId: 1700000001006, deckId: 1700000000102 },
    );
    collection.revlog.push({
      id: FIRST_REVIEW + 20 * 24 * 60 * 60 * 1000,
      cardId: 1700000002008,
      ease: 3,
      type: 1,
      time: 1,
    });
    const response = await upload(ankiPackage(collection, 'latest')).expect(200);
    expect(response.body).toMatchObject({
      notes: 6,
      words_created: 4,
      notes_merged: 1,
      reviews_imported: 13,
      images_skipped: 1,
      failed_notes: EXPECTED_REPORT.failed_notes,
    });
    const rice = (await imported()).words.find((word) => word.thai === 'ข้าว')!;
    expect(rice).toMatchObject({ correct_count: 6, groups: ['Thai::Animals', 'Thai::Food'] });
    expect(rice.parts.audio).toBe(mediaUrl(AUDIO, 'mp3'));
  });

  it('with on_duplicate=skip, leaves a word the portal has alone: its note’s reviews are not its answers', async () => {
    const rice = await request(t.http)
      .post(`${API}/words`)
      .send({ thai: 'ข้าว', english: 'rice & food', parts: {} })
      .expect(201);
    const response = await upload(ankiPackage(thaiCollection(), 'latest'), '?on_duplicate=skip').expect(200);
    expect(response.body).toMatchObject({ words_created: 3, words_skipped: 1, reviews_imported: 5 });
    expect(response.body.reviews_without_word).toBe(EXPECTED_REPORT.reviews_without_word + 7);
    const { words, reviews } = await imported();
    expect(words.find((word) => word.thai === 'ข้าว')).toMatchObject({
      parts: {},
      correct_count: 0,
      wrong_count: 0,
    });
    expect(reviews.filter((review) => review.thai === 'ข้าว')).toEqual([]);
    expect(rice.body.id).toBe(await idOfWord('ข้าว'));
  });

  it('updates a word from its note’s fields when a later package changed them', async () => {
    await upload(ankiPackage(thaiCollection(), 'latest')).expect(200);
    const later = thaiCollection();
    later.notes[0].fields[2] = 'khaao';
    const response = await upload(ankiPackage(later, 'latest'), '?on_duplicate=update').expect(200);
    expect(response.body).toMatchObject({ words_updated: 1 });
    const rice = (await imported()).words.find((word) => word.thai === 'ข้าว')!;
    expect(rice.parts).toMatchObject({ Romanization: 'khaao' });
  });

  it('takes no manual or rescheduled entry as an answer, whatever its ease, nor an entry whose id is no whole number', async () => {
    const collection = thaiCollection();
    collection.revlog.push({
      id: FIRST_REVIEW + 30 * 24 * 60 * 60 * 1000,
      cardId: 1700000002001,
      ease: 3,
      type: 4,
      time: 0,
    });
    const file = withCollection((db) => {
      db.exec('create table entries as select * from revlog; drop table revlog; alter table entries rename to revlog');
      db.exec('update revlog set id = id + 0.5 where id = (select max(id) from revlog where type = 1)');
    }, collection);
    const response = await upload(file).expect(200);
    expect(response.body).toMatchObject({ reviews_imported: 11, reviews_skipped: 5 });
  });

  it('decodes numeric entities of a character, and leaves those of no character and unknown names as written', async () => {
    const collection = thaiCollection();
    collection.notes[0].fields[1] = 'rice &#38; food&#x2F;&#X2F;grain &#0;&#xd800;&#1114112;&bogus;&LT;';
    await upload(ankiPackage(collection, 'latest')).expect(200);
    expect((await imported()).words.find((word) => word.thai === 'ข้าว')!.english).toBe(
      'rice & food//grain &#0;&#xd800;&#1114112;&bogus;<',
    );
  });

  it('fails a note whose english has no text, or whose thai has none in the field field_map names', async () => {
    const collection = thaiCollection();
    collection.notes[1].fields = ['แมว', '<br>', ' ', ''];
    collection.notes[4].fields[0] = '<div>&nbsp;</div>';
    const response = await upload(ankiPackage(collection, 'latest'), '', 'deck.apkg', {
      field_map: JSON.stringify({ 'Thai Vocabulary': { thai: 'Thai', english: 'English' } }),
    }).expect(200);
    expect(response.body.failed_notes).toEqual([
      expect.objectContaining({ note_id: collection.notes[1].id, reason: 'english is empty' }),
      ...EXPECTED_REPORT.failed_notes,
      expect.objectContaining({ note_id: collection.notes[4].id, reason: 'thai is empty' }),
    ]);
    const failedWithoutMap = await upload(ankiPackage(collection, 'latest'), '?dry_run=true').expect(200);
    expect(failedWithoutMap.body.failed_notes).toContainEqual(
      expect.objectContaining({ note_id: collection.notes[1].id, reason: 'english is empty' }),
    );
  });

  it('a field named romanization is the word’s, checked as POST /words checks it: too long, the note fails', async () => {
    const collection = thaiCollection();
    collection.noteTypes[0].fields[2] = 'romanization';
    collection.notes[1].fields[2] = 'm'.repeat(201);
    const response = await upload(ankiPackage(collection, 'latest')).expect(200);
    expect(response.body.failed_notes).toEqual([
      expect.objectContaining({
        note_id: collection.notes[1].id,
        reason: 'romanization must be shorter than or equal to 200 characters',
      }),
      ...EXPECTED_REPORT.failed_notes,
    ]);
    const { words } = await imported();
    expect(words.find((word) => word.thai === 'ข้าว')!.parts).toMatchObject({ romanization: 'khao' });
    expect(words.some((word) => word.thai === 'แมว')).toBe(false);
  });

  it('fails a note whose text is longer than a word’s, or whose deck’s name is longer than a group’s', async () => {
    const collection = thaiCollection();
    collection.notes[2].fields[0] = 'd'.repeat(201);
    collection.decks[2].name = `Thai::${'F'.repeat(95)}`;
    const response = await upload(ankiPackage(collection, 'latest')).expect(200);
    const failure = (index: number, reason: string) => ({
      note_id: collection.notes[index].id,
      guid: collection.notes[index].guid,
      note_type: expect.any(String),
      reason,
    });
    const longDeck = `deck "Thai::${'F'.repeat(95)}" is longer than 100 characters, which a group name cannot be`;
    expect(response.body.failed_notes).toEqual(
      expect.arrayContaining([
        failure(0, longDeck),
        failure(2, 'english is longer than 200 characters'),
        failure(4, longDeck),
        ...EXPECTED_REPORT.failed_notes,
      ]),
    );
    expect(response.body.failed_notes).toHaveLength(4);
    expect((await imported()).words.map((word) => word.thai)).toEqual(['แมว']);
  });

  it.each(['latest', 'legacy2'] as const)(
    'stores the text of a %s package as the database can: U+0000 dropped, an unpaired surrogate replaced (U+FFFD)',
    async (format) => {
      const collection = thaiCollection();
      collection.noteTypes[0].fields[2] = 'Roman\u0000ization';
      collection.notes[0].fields[1] = 'ri\u0000ce';
      collection.notes[1].fields[2] = 'ma\u0000eo\ud800';
      collection.notes[1].tags = ['ani\u0000mal'];
      collection.notes[1].guid = 'maeo/\u0000Cat22';
      collection.decks[3].name = 'Thai::Ani\u0000mals\udfff';

      await upload(ankiPackage(collection, format)).expect(200);

      const { words } = await imported();
      expect(words.find((word) => word.thai === 'ข้าว')).toMatchObject({ english: 'rice' });
      expect(words.find((word) => word.thai === 'แมว')).toMatchObject({
        parts: { Romanization: 'maeo\ufffd', tags: ['animal'], anki_guid: 'maeo/Cat22' },
        groups: ['Thai', 'Thai::Animals\ufffd'],
      });
    },
  );

  it.each(['latest', 'legacy2'] as const)(
    'names a group after a %s deck as a group is named: each level trimmed, blank ones left out; a blank deck is none',
    async (format) => {
      const collection = thaiCollection();
      collection.decks[1].name = '   ';
      collection.decks[2].name = ' Thai :: Food ';
      collection.decks[3].name = 'Thai::::Animals ';

      const response = await upload(ankiPackage(collection, format));
      expect(response.status).toBe(200);
      expect(response.body.groups_created).toEqual(['Thai::Food', 'Thai::Animals']);

      const { words } = await imported();
      expect(words.map((word) => [word.thai, word.groups])).toEqual([
        ['ข้าว', ['Thai::Food']],
        ['น้ำ', ['Thai::Food']],
        ['หมา', ['Thai::Animals']],
        ['แมว', ['Thai::Animals']],
      ]);
      expect(await sql(t, 'select name from groups order by name')).toEqual([
        { name: 'Thai::Animals' },
        { name: 'Thai::Food' },
      ]);
    },
  );

  it('a field named tones is the word’s list of tones, as POST /words takes it: the notes with text fail', async () => {
    const collection = thaiCollection();
    collection.noteTypes[0].fields[2] = 'tones';
    const response = await upload(ankiPackage(collection, 'latest')).expect(200);
    expect(response.body.failed_notes).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          note_id: collection.notes[0].id,
          reason: 'tones must be an array of mid, low, falling, high, rising',
        }),
      ]),
    );
    expect((await imported()).words.some((word) => 'tones' in word.parts)).toBe(false);
  });

  it('follows field_map for a note type, and maps the others automatically', async () => {
    const response = await upload(ankiPackage(thaiCollection(), 'latest'), '?dry_run=false', 'deck.apkg', {
      field_map: JSON.stringify({
        Basic: { thai: 'Back', english: 'Front' },
        'Thai Vocabulary': { thai: 'Thai', english: 'Romanization' },
      }),
    });
    expect(response.status).toBe(200);
    const { words } = await imported();
    // A field map is followed even where the field is not Thai.
    expect(words.map((word) => [word.thai, word.english])).toEqual([
      ['bonjour', 'hello'],
      ['ข้าว', 'khao'],
      ['น้ำ', 'nam'],
      ['หมา', 'dog'],
      ['แมว', 'maeo'],
    ]);
    expect(words[1].parts).toMatchObject({ English: 'rice & food' });
    expect(response.body.failed_notes).toEqual([]);
    const unknownField = await upload(ankiPackage(thaiCollection(), 'latest'), '?dry_run=true', 'deck.apkg', {
      field_map: JSON.stringify({ Basic: { thai: 'Thai', english: 'Front' } }),
    });
    expect(unknownField.body.failed_notes).toEqual([
      expect.objectContaining({ note_id: 1700000001003, reason: 'note type "Basic" has no field "Thai" (field_map)' }),
      expect.objectContaining({ note_id: 1700000001004, reason: 'note type "Basic" has no field "Thai" (field_map)' }),
    ]);
    const unknownEnglish = await upload(ankiPackage(thaiCollection(), 'latest'), '?dry_run=true', 'deck.apkg', {
      field_map: JSON.stringify({ Basic: { thai: 'Back', english: 'Meaning' } }),
    });
    expect(unknownEnglish.body.failed_notes).toEqual([
      expect.objectContaining({
        note_id: 1700000001003,
        reason: 'note type "Basic" has no field "Meaning" (field_map)',
      }),
      expect.objectContaining({
        note_id: 1700000001004,
        reason: 'note type "Basic" has no field "Meaning" (field_map)',
      }),
    ]);
  });

  it('reads note types, fields and entities named as properties of every object (constructor, __proto__) as any other', async () => {
    const collection = thaiCollection();
    collection.noteTypes[0] = {
      ...collection.noteTypes[0],
      name: 'constructor',
      fields: ['Thai', 'English', 'toString', '__proto__'],
    };
    collection.notes[0].fields = ['ข้าว', 'rice &constructor; &toString;', 'khao', 'food'];
    const response = await upload(ankiPackage(collection, 'latest'), '', 'deck.apkg', {
      field_map: JSON.stringify({ Basic: { thai: 'Back', english: 'Front' } }),
    });
    expect(response.status).toBe(200);
    expect(response.body.failed_notes).toEqual([]);
    const rice = (await imported()).words.find((word) => word.thai === 'ข้าว')!;
    expect(rice.english).toBe('rice &constructor; &toString;');
    expect(Object.entries(rice.parts).sort()).toEqual(
      [
        ['__proto__', 'food'],
        ['anki_guid', 'kh@o+Rice1'],
        ['tags', ['food', 'noun']],
        ['toString', 'khao'],
      ].sort(),
    );
  });

  it.each(['[1]', 'not json', 'null', '{"Basic": {"thai": "Front"}}', '{"Basic": {"thai": 1, "english": "Back"}}'])(
    'refuses field_map %s with a 400 naming it, writing nothing',
    async (fieldMap) => {
      const before = await allRows(t);
      const problem = expectProblem(
        await upload(ankiPackage(thaiCollection(), 'latest'), '', 'deck.apkg', { field_map: fieldMap }),
        400,
      );
      expect(problem.errors).toEqual([
        { field: 'field_map', message: expect.stringMatching(/JSON object of note type names/) },
      ]);
      expect(await allRows(t)).toEqual(before);
    },
  );

  it.each(['constructor', 'toString', '__proto__', 'prototype', 'deck'])(
    'refuses an unknown form field %s with a 400 naming it, as in a JSON body, writing nothing',
    async (field) => {
      const before = await allRows(t);
      const problem = expectProblem(
        await upload(ankiPackage(thaiCollection(), 'latest'), '', 'deck.apkg', { [field]: '1' }),
        400,
      );
      expect(problem.errors).toEqual([{ field, message: 'is not a known field' }]);
      expect(await allRows(t)).toEqual(before);
    },
  );

  it.each([
    [
      'more fields than it may have',
      Object.fromEntries(Array.from({ length: 11 }, (_, index) => [`field${index}`, '1'])),
      { detail: 'The form has more than 10 fields' },
    ],
    [
      'a field longer than 1 MB',
      { field_map: ' '.repeat(1024 * 1024 + 1) },
      { errors: [{ field: 'field_map', message: 'is longer than 1048576 bytes' }] },
    ],
    ['a field without a name', { '': '1' }, { detail: 'A field of the form has no name' }],
  ])('refuses a form with %s with a 400 saying so, writing nothing', async (_case, fields, problem) => {
    const before = await allRows(t);
    const response = await upload(ankiPackage(thaiCollection(), 'latest'), '', 'deck.apkg', fields);
    expect(expectProblem(response, 400)).toMatchObject(problem);
    expect(await allRows(t)).toEqual(before);
  });

  it('refuses a file sent in another field than file with a 400 naming that field, writing nothing', async () => {
    const before = await allRows(t);
    const sent = request(t.http)
      .post(`${API}/import/anki`)
      .attach('package', ankiPackage(thaiCollection(), 'latest'), 'deck.apkg');
    expect(expectProblem(await sent, 400).errors).toEqual([
      { field: 'package', message: "is not a known field: the form's file is file" },
    ]);
    expect(await allRows(t)).toEqual(before);
  });

  it('refuses a form with two files with a 400 saying the file is given more than once, writing nothing', async () => {
    const before = await allRows(t);
    const sent = upload(ankiPackage(thaiCollection(), 'latest')).attach(
      'file',
      ankiPackage(thaiCollection(), 'latest'),
    );
    expect(expectProblem(await sent, 400).errors).toEqual([{ field: 'file', message: 'is given more than once' }]);
    expect(await allRows(t)).toEqual(before);
  });

  it('refuses a form field with U+0000 in it with a 400 naming it, as in a JSON body', async () => {
    const problem = expectProblem(
      await upload(ankiPackage(thaiCollection(), 'latest'), '', 'deck.apkg', {
        field_map: '{"Basic": {"thai": "Back\u0000", "english": "Front"}}',
      }),
      400,
    );
    expect(problem.errors).toEqual([
      { field: 'field_map', message: 'must not contain U+0000 or unpaired surrogate code points' },
    ]);
  });

  it('refuses form fields nested deeper than a JSON body may be (the body is level 1)', async () => {
    const problem = expectProblem(
      await upload(ankiPackage(thaiCollection(), 'latest'), '', 'deck.apkg', { [`field_map${'[a]'.repeat(32)}`]: '1' }),
      400,
    );
    expect(problem.detail).toBe('The request is nested deeper than 32 levels');
  });

  it.each(['gzip', 'x-zip'])(
    'refuses a form sent with Content-Encoding: %s (415), which it would read as its bytes come, writing nothing',
    async (encoding) => {
      const before = await allRows(t);
      const response = await upload(ankiPackage(thaiCollection(), 'latest')).set('Content-Encoding', encoding);
      expect(expectProblem(response, 415).detail).toBe(
        `The form must be sent without a Content-Encoding (it has ${encoding})`,
      );
      expect(await allRows(t)).toEqual(before);
      await upload(ankiPackage(thaiCollection(), 'latest')).set('Content-Encoding', 'identity').expect(200);
    },
  );

  it('takes a blank field_map as none', async () => {
    const blank = await upload(ankiPackage(thaiCollection(), 'latest'), '?dry_run=true', 'deck.apkg', {
      field_map: '  ',
    }).expect(200);
    const none = await upload(ankiPackage(thaiCollection(), 'latest'), '?dry_run=true', 'deck.apkg').expect(200);
    expect(blank.body).toEqual(none.body);
  });

  it('reads a note type without its list of fields by the fields’ places and a deck without a name as none (Anki writes neither)', async () => {
    const file = withCollection((db) =>
      db.exec(`update col set models = (select json_group_object(key, json_remove(value, '$.flds')) from json_each(models)),
        decks = (select json_group_object(key, json_set(value, '$.name', null)) from json_each(decks))`),
    );
    const response = await upload(file).expect(200);
    // Their fields named by their place, the words are the fixture's; a deck without a name is no group.
    expect(response.body).toMatchObject({ words_created: 4, groups_created: [] });
  });

  describe('refuses a package it cannot read with a 400, writing nothing', () => {
    const latest = () => ankiPackage(thaiCollection(), 'latest');
    it.each<[string, () => Buffer, RegExp]>([
      ['not a zip', () => Buffer.from('this is not a zip file at all'), /not a zip/],
      ['a zip without a collection', () => zipOf({ 'notes.txt': Buffer.from('hello') }), /no Anki collection/],
      [
        'a corrupt collection',
        () => zipOf({ 'collection.anki21': corruptDatabase() }),
        /^The collection cannot be read as an Anki collection \(file is not a database\)$/,
      ],
      [
        'an SQLite file that is no collection',
        () => zipOf({ 'collection.anki2': emptySqlite() }),
        /^The collection cannot be read as an Anki collection \(no such table: col\)$/,
      ],
      [
        'an unknown version',
        () => zipOf({ meta: protoMessage([{ field: 1, varint: 9 }]), 'collection.anki21b': Buffer.from('x') }),
        /version 9/,
      ],
      [
        'a version 2 package without its collection.anki21',
        () => zipOf({ meta: protoMessage([{ field: 1, varint: 2 }]), 'collection.anki2': Buffer.from('x') }),
        /no collection\.anki21, the collection its version 2 says it holds/,
      ],
      [
        'a version 3 collection that is not zstd',
        () => zipOf({ meta: protoMessage([{ field: 1, varint: 3 }]), 'collection.anki21b': Buffer.from('plain') }),
        /zstd/,
      ],
      ['a truncated package', () => latest().subarray(0, 200), /not a zip/],
      [
        'a meta file that is no PackageMetadata message',
        () => zipOf({ meta: Uint8Array.of(0x08), 'collection.anki21b': Buffer.from('x') }),
        /^The package's meta file is not a PackageMetadata message \(/,
      ],
      [
        'a media list that is no JSON (a legacy package)',
        () => zipOf({ ...unzipSync(ankiPackage(thaiCollection(), 'legacy1')), media: Buffer.from('{"0": ') }),
        /^The package's media list cannot be read \(/,
      ],
      [
        'a media list that is no protobuf message (the latest format)',
        () => zipOf({ ...unzipSync(latest()), media: zstdCompressSync(Uint8Array.of(0x0a, 0x05, 0x01)) }),
        /^The package's media list cannot be read \(/,
      ],
      [
        'a collection without its col row',
        () => withCollection((db) => db.exec('delete from col')),
        /^The collection has no col row$/,
      ],
      [
        'a collection that unpacks to more than ANKI_UNPACKED_LIMIT',
        () => zipOf({ 'collection.anki21': new Uint8Array(MORE_THAN_UNPACKED_LIMIT) }),
        /^The package's collection\.anki21 unpacks to more than 1048576 bytes/,
      ],
      [
        'files read together that unpack to more than ANKI_UNPACKED_LIMIT',
        () =>
          zipOf({
            media: new Uint8Array(600_000),
            'collection.anki21': new Uint8Array(600_000),
          }),
        /and the files read with it unpack to more than 1048576 bytes/,
      ],
      [
        'a version 3 collection that unpacks to more than ANKI_UNPACKED_LIMIT (zstd)',
        () =>
          zipOf({
            meta: protoMessage([{ field: 1, varint: 3 }]),
            'collection.anki21b': zstdCompressSync(new Uint8Array(MORE_THAN_UNPACKED_LIMIT)),
          }),
        /^The collection unpacks to more than 1048576 bytes/,
      ],
      [
        'a review log that is a view, computing its rows (here without end)',
        () =>
          withCollection((db) =>
            db.exec(`drop table revlog; create view revlog as with recursive r(x) as (select 1 union all
              select x + 1 from r) select 1700000000000 + x as id, 1700000002001 as cid, 3 as ease, 0 as type,
              0 as time from r`),
          ),
        /^The collection's revlog is a view, not a table:/,
      ],
      [
        'a review log that is a virtual table',
        () =>
          withCollection((db) => db.exec('drop table revlog; create virtual table revlog using fts5(id, cid, ease)')),
        /^The collection's revlog is a virtual table, not a table:/,
      ],
      [
        'notes with a generated column, computing its text',
        () =>
          withCollection((db) =>
            db.exec(`alter table notes rename to stored; create table notes (id integer primary key, guid text,
              mid integer, tags text, flds text as (printf('%.*c', 100, 'x')))`),
          ),
        /^The collection's notes has a computed column, not a table's stored one:/,
      ],
      ...['[]', 'not json', '{"1": "Basic"}'].map((models): [string, () => Buffer, RegExp] => [
        `note types (col.models) that are not Anki's JSON: ${models}`,
        () => withCollection((db) => db.prepare('update col set models = ?').run(models)),
        /^The collection's note types \(col\.models\) are not Anki's JSON: an object of them by id$/,
      ]),
      [
        "decks (col.decks) that are not Anki's JSON",
        () => withCollection((db) => db.exec("update col set decks = 'null'")),
        /^The collection's decks \(col\.decks\) are not Anki's JSON: an object of them by id$/,
      ],
      ...(['legacy2', 'latest'] as const).map((format): [string, () => Buffer, RegExp] => [
        `a ${format} audio file that unpacks to more than ANKI_UNPACKED_LIMIT`,
        () => {
          const spec = thaiCollection();
          spec.media['khao.mp3'] = new Uint8Array(MORE_THAN_UNPACKED_LIMIT);
          return ankiPackage(spec, format);
        },
        /^The media file khao\.mp3 unpacks to more than 1048576 bytes/,
      ]),
    ])('%s', async (_name, file, detail) => {
      await upload(ankiPackage(thaiCollection(), 'legacy1')).expect(200);
      const before = await allRows(t);
      const problem = expectProblem(await upload(file()), 400);
      expect(problem.detail).toMatch(detail);
      expect(await allRows(t)).toEqual(before);
    });

    it('without a file', async () => {
      const problem = expectProblem(await request(t.http).post(`${API}/import/anki`).field('field_map', '{}'), 400);
      expect(problem.errors).toEqual([{ field: 'file', message: 'must be an Anki package (.apkg or .colpkg)' }]);
    });
  });
});

describe('Anki import over ANKI_IMPORT_LIMIT', () => {
  const t = useEmptyTestApp({ ...SETTINGS, ANKI_IMPORT_LIMIT: '2kb' });

  it('refuses a package larger than the limit with a 413 stating it, writing nothing', async () => {
    const file = ankiPackage(thaiCollection(), 'latest');
    expect(file.length).toBeGreaterThan(2048);
    const before = await allRows(t);
    const response = await request(t.http).post(`${API}/import/anki`).attach('file', file, 'deck.apkg');
    expect(expectProblem(response, 413).detail).toBe('The file is larger than the limit of 2048 bytes');
    expect(await allRows(t)).toEqual(before);
  });
});

/** An SQLite database with a table, but none of a collection's. */
function emptySqlite(): Buffer {
  const db = new Database(':memory:');
  db.exec('create table something (id integer)');
  const data = db.serialize();
  db.close();
  return data;
}

/** The fixture's legacy 1 package, its collection changed by `edit`. */
function withCollection(edit: (db: Database.Database) => void, collection = thaiCollection()): Buffer {
  const files = unzipSync(ankiPackage(collection, 'legacy1'));
  const db = new Database(Buffer.from(files['collection.anki2']));
  edit(db);
  files['collection.anki2'] = new Uint8Array(db.serialize());
  db.close();
  return zipOf(files);
}
