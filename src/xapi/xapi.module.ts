import { Module } from '@nestjs/common';
import { ReviewsModule } from '../reviews/reviews.module.js';
import { WordsModule } from '../words/words.module.js';
import { DocumentsController } from './documents.controller.js';
import { DocumentsService } from './documents.service.js';
import { XapiController } from './xapi.controller.js';
import { XapiGuard } from './xapi.guard.js';
import { XapiService } from './xapi.service.js';

/** The xAPI Learning Record Store at /xapi; statements about the portal's words are recorded as their answers. */
@Module({
  imports: [ReviewsModule, WordsModule],
  controllers: [XapiController, DocumentsController],
  providers: [XapiService, DocumentsService, XapiGuard],
})
export class XapiModule {}
