import { Module } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { MulterModule } from '@nestjs/platform-express';
import { bytesOf, type Environment } from '../config.js';
import { FORM_LIMITS } from '../http/request-checks.guard.js';
import { ReviewsModule } from '../reviews/reviews.module.js';
import { WordsModule } from '../words/words.module.js';
import { AnkiController } from './anki.controller.js';
import { AnkiService } from './anki.service.js';

@Module({
  imports: [
    WordsModule,
    ReviewsModule,
    // The package is read in memory (one file, up to ANKI_IMPORT_LIMIT): this route's own body limit.
    MulterModule.registerAsync({
      inject: [ConfigService],
      useFactory: (config: ConfigService<Environment, true>) => ({
        limits: { ...FORM_LIMITS, fileSize: bytesOf(config.get('ANKI_IMPORT_LIMIT', { infer: true })) },
      }),
    }),
  ],
  controllers: [AnkiController],
  providers: [AnkiService],
  exports: [AnkiService],
})
export class AnkiModule {}
