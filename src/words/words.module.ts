import { Module } from '@nestjs/common';
import { GroupsModule } from '../groups/groups.module.js';
import { WordTransferController } from './word-transfer.controller.js';
import { WordTransferService } from './word-transfer.service.js';
import { WordsController } from './words.controller.js';
import { WordsService } from './words.service.js';

@Module({
  imports: [GroupsModule],
  // First: /words/import and /words/export are routed before /words/:id.
  controllers: [WordTransferController, WordsController],
  providers: [WordsService, WordTransferService],
  exports: [WordsService, WordTransferService],
})
export class WordsModule {}
