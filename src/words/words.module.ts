import { MikroOrmModule } from '@mikro-orm/nestjs';
import { Module } from '@nestjs/common';
import { WordsController } from './words.controller.js';
import { WordsService } from './words.service.js';
import { Word } from './word.entity.js';

@Module({
  imports: [MikroOrmModule.forFeature([Word])],
  controllers: [WordsController],
  providers: [WordsService],
  exports: [WordsService],
})
export class WordsModule {}
