import { Controller, Get, Query } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ApiProblems } from '../http/problem-document.js';
import { StudySessionDto } from '../study-sessions/dto/study-session.dto.js';
import { DashboardService } from './dashboard.service.js';
import { ForecastDto, ForecastQueryDto, QuickStatsDto, RetentionDto, StudyProgressDto } from './dto/dashboard.dto.js';

@ApiTags('dashboard')
@Controller()
export class DashboardController {
  constructor(private readonly dashboard: DashboardService) {}

  @Get('dashboard/last_study_session')
  @ApiOperation({ summary: 'Get the last study session' })
  @ApiOkResponse({ type: StudySessionDto, description: 'The newest study session.' })
  @ApiProblems(400, 404)
  lastStudySession() {
    return this.dashboard.lastStudySession();
  }

  @Get('dashboard/study_progress')
  @ApiOperation({ summary: 'Get the study progress' })
  @ApiOkResponse({ type: StudyProgressDto, description: 'How many words have been studied, of all words.' })
  @ApiProblems(400)
  studyProgress() {
    return this.dashboard.studyProgress();
  }

  @Get('dashboard/quick_stats')
  @ApiOperation({ summary: 'Get quick statistics' })
  @ApiOkResponse({
    type: QuickStatsDto,
    description: 'The success rate, the number of study sessions and active groups, and the study streak.',
  })
  @ApiProblems(400)
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
