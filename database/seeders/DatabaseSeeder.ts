import { readdirSync, readFileSync } from 'node:fs';
import type { EntityManager, EntityName, MikroORM } from '@mikro-orm/core';
import { Seeder } from '@mikro-orm/seeder';
import { Group } from '../../src/groups/group.entity.js';
import { WordGroup } from '../../src/groups/word-group.entity.js';
import { LearningApp } from '../../src/learning-apps/learning-app.entity.js';
import { Word, type WordParts } from '../../src/words/word.entity.js';

interface SeedGroup {
  group: string;
  words: { thai: string; english: string; parts: WordParts }[];
}

interface SeedLearningApp {
  name: string;
  description: string;
  launch_url: string;
  thumbnail_url: string | null;
}

const SEEDS = new URL('../seeds/', import.meta.url);

function readJson<T>(relativePath: string): T {
  return JSON.parse(readFileSync(new URL(relativePath, SEEDS), 'utf8')) as T;
}

/**
 * Loads the vocabulary (one file per group under database/seeds/words) and the example learning app
 * into a fresh install: a database holding any word, group or app is left as it is.
 */
export class DatabaseSeeder extends Seeder {
  async run(em: EntityManager): Promise<void> {
    const seeded: EntityName<any>[] = [Word, Group, LearningApp];
    const counts = await Promise.all(seeded.map((entity) => em.count(entity, {})));
    if (counts.some((count) => count > 0)) {
      return;
    }
    const files = readdirSync(new URL('words/', SEEDS))
      .filter((file) => file.endsWith('.json'))
      .sort();
    const words = new Map<string, Word>();
    for (const file of files) {
      const seed = readJson<SeedGroup>(`words/${file}`);
      const group = em.create(Group, { name: seed.group });
      for (const { thai, english, parts } of seed.words) {
        const key = `${thai}\u0000${english.toLowerCase()}`;
        const word = words.get(key) ?? em.create(Word, { thai, english, parts });
        words.set(key, word);
        em.create(WordGroup, { word, group });
      }
    }
    for (const app of readJson<SeedLearningApp[]>('learning-apps.json')) {
      em.create(LearningApp, {
        name: app.name,
        description: app.description,
        // An app built into the portal is a path on it (`/apps/…`), at the address each client reaches it at.
        launchUrl: app.launch_url,
        thumbnailUrl: app.thumbnail_url,
      });
    }
    await em.flush();
  }
}

/** Loads the seed data into an empty database (a fresh install), in one transaction; how many words it loaded. */
export async function seed(orm: MikroORM): Promise<number> {
  return orm.em.fork().transactional(async (em: EntityManager) => {
    const before = await em.count(Word, {});
    await new DatabaseSeeder().run(em);
    return (await em.count(Word, {})) - before;
  });
}
