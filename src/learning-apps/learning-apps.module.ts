import { MikroOrmModule } from '@mikro-orm/nestjs';
import { Module } from '@nestjs/common';
import { StudySessionsModule } from '../study-sessions/study-sessions.module.js';
import { LearningApp } from './learning-app.entity.js';
import { LearningAppsController } from './learning-apps.controller.js';
import { LearningAppsService } from './learning-apps.service.js';

@Module({
  imports: [MikroOrmModule.forFeature([LearningApp]), StudySessionsModule],
  controllers: [LearningAppsController],
  providers: [LearningAppsService],
})
export class LearningAppsModule {}
