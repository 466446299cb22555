import { MikroOrmModule } from '@mikro-orm/nestjs';
import { Module } from '@nestjs/common';
import { StudySessionsModule } from '../study-sessions/study-sessions.module.js';
import { WordsModule } from '../words/words.module.js';
import { Group } from './group.entity.js';
import { GroupsController } from './groups.controller.js';
import { GroupsService } from './groups.service.js';
import { WordGroup } from './word-group.entity.js';

@Module({
  imports: [MikroOrmModule.forFeature([Group, WordGroup]), WordsModule, StudySessionsModule],
  controllers: [GroupsController],
  providers: [GroupsService],
})
export class GroupsModule {}
