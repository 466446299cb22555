import { Migration } from '@mikro-orm/migrations';
import { thaiSortKey } from '../../src/words/thai.js';

/**
 * Search and Thai order of words (src/words/search.ts, src/words/thai.ts): the columns the database derives
 * from a word (thai without tone marks, the lower-case romanization), the Thai sort key, their indexes, the
 * FTS5 trigram index `words_search` over them and the triggers that keep it, declared on the Word entity.
 * Existing words get their sort key here and are indexed by `rebuild`.
 */
export class Migration20261201090000_search extends Migration {
  override name = 'Migration20261201090000_search';

  override async up(): Promise<void> {
    const words = (await this.execute('select `id`, `thai` from `words` order by `id`')) as {
      id: number;
      thai: string;
    }[];

    this.addSql(
      "alter table `words` add column `thai_plain` text generated always as (replace(replace(replace(replace(replace(replace(replace(thai, char(3656), ''), char(3657), ''), char(3658), ''), char(3659), ''), char(3655), ''), char(3660), ''), char(3662), '')) virtual;",
    );
    this.addSql(
      "alter table `words` add column `romanization_lower` text generated always as (lower(json_extract(parts, '$.romanization'))) virtual;",
    );
    this.addSql("alter table `words` add column `thai_sort` text not null default '';");
    this.addSql('create index `words_english_index` on `words` (`english`);');
    this.addSql('create index `words_thai_plain_index` on `words` (`thai_plain`);');
    this.addSql('create index `words_romanization_lower_index` on `words` (`romanization_lower`);');
    this.addSql('create index `words_thai_sort_index` on `words` (`thai_sort`);');

    this.addSql(
      "create virtual table `words_search` using fts5(thai, thai_plain, english, romanization_lower, content='words', content_rowid='id', tokenize='trigram');",
    );
    this.addSql("insert into `words_search` (`words_search`) values ('rebuild');");
    this.addSql(
      'create trigger `word_indexed_for_search` AFTER INSERT on `words` for each ROW begin insert into words_search (rowid, thai, thai_plain, english, romanization_lower) values (new.id, new.thai, new.thai_plain, new.english, new.romanization_lower); end;',
    );
    this.addSql(`create trigger \`word_reindexed_for_search\` AFTER UPDATE on \`words\` for each ROW
  when old.thai is not new.thai or old.english is not new.english or old.romanization_lower is not new.romanization_lower begin insert into words_search (words_search, rowid, thai, thai_plain, english, romanization_lower) values ('delete', old.id, old.thai, old.thai_plain, old.english, old.romanization_lower); insert into words_search (rowid, thai, thai_plain, english, romanization_lower) values (new.id, new.thai, new.thai_plain, new.english, new.romanization_lower); end;`);
    this.addSql(
      "create trigger `word_unindexed_for_search` AFTER DELETE on `words` for each ROW begin insert into words_search (words_search, rowid, thai, thai_plain, english, romanization_lower) values ('delete', old.id, old.thai, old.thai_plain, old.english, old.romanization_lower); end;",
    );

    // The sort key is computed in JavaScript (as the Word entity does on every write); it holds only
    // hexadecimal digits and spaces, so it is written as a literal.
    for (let start = 0; start < words.length; start += 500) {
      const rows = words
        .slice(start, start + 500)
        .map((word) => `(${Number(word.id)}, '${thaiSortKey(word.thai)}')`)
        .join(', ');
      this.addSql(
        `update \`words\` set \`thai_sort\` = k.column2 from (values ${rows}) as k where \`words\`.\`id\` = k.column1;`,
      );
    }
  }

  override down(): void | Promise<void> {
    for (const trigger of ['word_indexed_for_search', 'word_reindexed_for_search', 'word_unindexed_for_search']) {
      this.addSql(`drop trigger if exists \`${trigger}\`;`);
    }
    this.addSql('drop table if exists `words_search`;');
    for (const column of ['english', 'thai_plain', 'romanization_lower', 'thai_sort']) {
      this.addSql(`drop index if exists \`words_${column}_index\`;`);
    }
    for (const column of ['thai_sort', 'romanization_lower', 'thai_plain']) {
      this.addSql(`alter table \`words\` drop column \`${column}\`;`);
    }
  }
}
