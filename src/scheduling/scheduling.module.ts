import { Module } from '@nestjs/common';
import { SchedulingService } from './scheduling.service.js';

/** FSRS behind one service: the scheduler with this learner's parameters, and the optimizer that fits them. */
@Module({
  providers: [SchedulingService],
  exports: [SchedulingService],
})
export class SchedulingModule {}
