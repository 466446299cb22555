import { applyDecorators, Body, Controller, HttpCode, HttpStatus, Post } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ApiProblems, ApiRateLimited } from '../http/problem-document.js';
import { DestroysData } from '../http/destructive.js';
import { ConfirmFullResetDto, ConfirmResetHistoryDto } from './dto/confirm.dto.js';
import { SuccessDto } from './dto/success.dto.js';
import { FULL_RESET_BUSY, SettingsService } from './settings.service.js';

/** A reset: `POST` to its name, 200 with a message, one transaction, data destroyed. */
const Reset = (name: string, summary: string, description: string) =>
  applyDecorators(
    Post(name),
    ApiOperation({ summary }),
    HttpCode(HttpStatus.OK),
    ApiOkResponse({ type: SuccessDto, description: `${description}, in one transaction.` }),
    ApiProblems(400, 413, 415),
    DestroysData(),
  );

@ApiTags('settings')
@ApiRateLimited()
@Controller()
export class SettingsController {
  constructor(private readonly settings: SettingsService) {}

  @Reset(
    'reset_history',
    'Reset the study history',
    'Deletes every study session, study activity and review and zeroes every counter',
  )
  async resetHistory(@Body() _confirmed: ConfirmResetHistoryDto): Promise<SuccessDto> {
    await this.settings.resetHistory();
    return { success: true, message: 'Study history has been reset' };
  }

  @Reset('full_reset', 'Reset the portal to a fresh install', 'Deletes everything and loads the seed data again')
  @ApiProblems([503, FULL_RESET_BUSY])
  async fullReset(@Body() _confirmed: ConfirmFullResetDto): Promise<SuccessDto> {
    await this.settings.fullReset();
    return { success: true, message: 'The portal has been reset to a fresh install' };
  }
}
