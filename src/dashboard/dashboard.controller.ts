import { Controller, Get } from '@nestjs/common';
import { ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { ApiProblems } from '../core/errors.js';
import { StudySessionDto } from '../study-sessions/dto/study-session.dto.js';
import { DashboardService } from './dashboard.service.js';
import { QuickStatsDto, StudyProgressDto } from './dto/dashboard.dto.js';

@ApiTags('dashboard')
@Controller()
export class DashboardController {
  constructor(private readonly dashboard: DashboardService) {}

  @Get('dashboard/last_study_session')
  @ApiOkResponse({ type: StudySessionDto, description: 'The newest study session.' })
  @ApiProblems(404)
  lastStudySession() {
    return this.dashboard.lastStudySession();
  }

  @Get('dashboard/study_progress')
  @ApiOkResponse({ type: StudyProgressDto })
  studyProgress() {
    return this.dashboard.studyProgress();
  }

  @Get('dashboard/quick_stats')
  @ApiOkResponse({ type: QuickStatsDto })
  quickStats() {
    return this.dashboard.quickStats();
  }
}
