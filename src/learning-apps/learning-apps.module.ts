import { Module } from '@nestjs/common';
import { LearningAppsController } from './learning-apps.controller.js';
import { LearningAppsService } from './learning-apps.service.js';

@Module({
  controllers: [LearningAppsController],
  providers: [LearningAppsService],
  exports: [LearningAppsService],
})
export class LearningAppsModule {}
