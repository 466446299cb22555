import { Module } from '@nestjs/common';
import { ReviewsModule } from '../reviews/reviews.module.js';
import { StudySessionsModule } from '../study-sessions/study-sessions.module.js';
import { WordsModule } from '../words/words.module.js';
import { DocumentsController } from './documents.controller.js';
import { DocumentsService } from './documents.service.js';
import { LaunchController } from './launch.controller.js';
import { LaunchService } from './launch.service.js';
import { XapiController } from './xapi.controller.js';
import { XapiGuard } from './xapi.guard.js';
import { XapiService } from './xapi.service.js';

/**
 * The xAPI Learning Record Store at /xapi; statements about the portal's words are recorded as their answers,
 * in the study session whose registration they carry (launched xAPI apps).
 */
@Module({
  imports: [ReviewsModule, WordsModule, StudySessionsModule],
  controllers: [XapiController, DocumentsController, LaunchController],
  providers: [XapiService, DocumentsService, LaunchService, XapiGuard],
})
export class XapiModule {}
