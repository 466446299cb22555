import { Body, Controller, HttpCode, HttpStatus, Post } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ApiProblems } from '../core/errors.js';
import { DestroysData } from '../http/destructive.js';
import { ConfirmFullResetDto, ConfirmResetHistoryDto } from './dto/confirm.dto.js';
import { SuccessDto } from './dto/success.dto.js';
import { SettingsService } from './settings.service.js';

@ApiTags('settings')
@Controller()
export class SettingsController {
  constructor(private readonly settings: SettingsService) {}

  @Post('reset_history')
  @ApiOperation({ summary: 'Reset the study history' })
  @HttpCode(HttpStatus.OK)
  @ApiOkResponse({
    type: SuccessDto,
    description: 'Deletes every study session, study activity and review and zeroes every counter, in one transaction.',
  })
  @ApiProblems(400, 413, 415)
  @DestroysData()
  async resetHistory(@Body() _confirmed: ConfirmResetHistoryDto): Promise<SuccessDto> {
    await this.settings.resetHistory();
    return { success: true, message: 'Study history has been reset' };
  }

  @Post('full_reset')
  @ApiOperation({ summary: 'Reset the portal to a fresh install' })
  @HttpCode(HttpStatus.OK)
  @ApiOkResponse({
    type: SuccessDto,
    description: 'Deletes everything and loads the seed data again, in one transaction.',
  })
  @ApiProblems(400, 413, 415)
  @DestroysData()
  async fullReset(@Body() _confirmed: ConfirmFullResetDto): Promise<SuccessDto> {
    await this.settings.fullReset();
    return { success: true, message: 'The portal has been reset to a fresh install' };
  }
}
