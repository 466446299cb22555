import { Controller, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { IdParams } from '../core/http.js';
import { ApiProblems, ApiRateLimited } from '../http/problem-document.js';
import { OptimizationDto, QueueDto, QueueQueryDto, SrsParametersDto, WordScheduleDto } from './dto/srs.dto.js';
import { SrsService } from './srs.service.js';

@ApiTags('spaced repetition')
@ApiRateLimited()
@Controller()
export class SrsController {
  constructor(private readonly srs: SrsService) {}

  @Get('reviews/queue')
  @ApiOperation({
    summary: 'The words to study now',
    description:
      'Words whose card is due, least likely to be recalled first (lowest retrievability), then words never ' +
      'answered (oldest first) up to what is left of the day’s new-word allowance (SRS_NEW_WORDS_PER_DAY, days in APP_TIMEZONE).',
  })
  @ApiOkResponse({ type: QueueDto })
  @ApiProblems(400, 404)
  queue(@Query() query: QueueQueryDto) {
    return this.srs.queue(query);
  }

  @Get('words/:id/schedule')
  @ApiOperation({
    summary: "A word's schedule",
    description:
      'Its card, when a right or a wrong answer now would bring it back, and every answer with the card after it.',
  })
  @ApiOkResponse({ type: WordScheduleDto })
  @ApiProblems(400, 404)
  schedule(@Param() { id }: IdParams) {
    return this.srs.schedule(id);
  }

  @Get('srs/parameters')
  @ApiOperation({ summary: 'The FSRS parameters in use, where they came from, and how they scored' })
  @ApiOkResponse({ type: SrsParametersDto })
  @ApiProblems(400)
  parameters() {
    return this.srs.parameters();
  }

  @Post('srs/optimize')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Fit the FSRS parameters to the review log',
    description:
      'Fits the 21 parameters to the answers of the most recently answered words (all of each word’s, ' +
      'SRS_OPTIMIZE_MAX_ANSWERS at most: 100,000 by default), evaluates the defaults and the fit on those answers, ' +
      'and puts the fit in use (rebuilding every card) only when its log-loss is lower. 422 when they are too few to ' +
      'fit; 409 ' +
      'when answers were deleted while it was being fitted (a reset, a forced delete): optimize again.',
  })
  @ApiOkResponse({ type: OptimizationDto })
  @ApiProblems(400, 409, 422)
  optimize() {
    return this.srs.optimize();
  }
}
