import { Controller, Get, Query } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { GetOperation } from '../http/endpoints.js';
import { ApiProblems, ApiRateLimited } from '../http/problem-document.js';
import { StudySessionDto } from '../study-sessions/dto/study-session.dto.js';
import { DashboardService } from './dashboard.service.js';
import { ForecastDto, ForecastQueryDto, QuickStatsDto, RetentionDto, StudyProgressDto } from './dto/dashboard.dto.js';

@ApiTags('dashboard')
@ApiRateLimited()
@Controller()
export class DashboardController {
  constructor(private readonly dashboard: DashboardService) {}

  @Get('dashboard/last_study_session')
  @GetOperation('Get the last study session', StudySessionDto, 'The newest study session.', 404)
  lastStudySession() {
    return this.dashboard.lastStudySession();
  }

  @Get('dashboard/study_progress')
  @GetOperation('Get the study progress', StudyProgressDto, 'How many words have been studied, of all words.')
  studyProgress() {
    return this.dashboard.studyProgress();
  }

  @Get('dashboard/quick_stats')
  @GetOperation(
    'Get quick statistics',
    QuickStatsDto,
    'The success rate, the number of study sessions and active groups, and the study streak.',
  )
  quickStats() {
    return this.dashboard.quickStats();
  }

  @Get('dashboard/forecast')
  @ApiOperation({
    summary: 'Reviews due per day',
    description: 'Days in APP_TIMEZONE, today first; overdue cards count on today.',
  })
  @ApiOkResponse({ type: ForecastDto })
  @ApiProblems(400)
  forecast(@Query() query: ForecastQueryDto) {
    return this.dashboard.forecast(query.days);
  }

  @Get('dashboard/retention')
  @ApiOperation({
    summary: 'True retention',
    description:
      'The share of right answers among the answers given to words in review state (learnt, not in learning steps), ' +
      'over the last 7, 30 and 365 days, with the number of answers behind each figure.',
  })
  @ApiOkResponse({ type: RetentionDto })
  @ApiProblems(400)
  retention() {
    return this.dashboard.retention();
  }
}
