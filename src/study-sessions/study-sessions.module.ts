import { MikroOrmModule } from '@mikro-orm/nestjs';
import { Module } from '@nestjs/common';
import { ReviewsModule } from '../reviews/reviews.module.js';
import { StudyActivity } from './study-activity.entity.js';
import { StudySession } from './study-session.entity.js';
import { StudySessionsController } from './study-sessions.controller.js';
import { StudySessionsService } from './study-sessions.service.js';

@Module({
  imports: [MikroOrmModule.forFeature([StudySession, StudyActivity]), ReviewsModule],
  controllers: [StudySessionsController],
  providers: [StudySessionsService],
  exports: [StudySessionsService],
})
export class StudySessionsModule {}
