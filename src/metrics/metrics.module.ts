import { Module } from '@nestjs/common';
import { PrometheusModule } from '@willsoto/nestjs-prometheus';
import { ReviewsModule } from '../reviews/reviews.module.js';
import { StudySessionsModule } from '../study-sessions/study-sessions.module.js';
import { WordsModule } from '../words/words.module.js';
import { MetricsController } from './metrics.controller.js';
import { PortalGauges, workerLabels } from './metrics.service.js';

@Module({
  imports: [
    PrometheusModule.register({
      path: '/metrics',
      controller: MetricsController,
      defaultMetrics: { enabled: true, config: { labels: workerLabels } },
    }),
    WordsModule,
    StudySessionsModule,
    ReviewsModule,
  ],
  providers: [PortalGauges],
})
export class MetricsModule {}
