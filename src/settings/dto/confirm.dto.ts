import { ApiProperty } from '@nestjs/swagger';
import { Equals } from 'class-validator';
import { Trim } from '../../core/http.js';

/**
 * The resets take a JSON body naming themselves: a browser must then ask before sending one from
 * another origin (a preflight), which only `CORS_ORIGINS` pass.
 */
export class ConfirmResetHistoryDto {
  @ApiProperty({ enum: ['reset_history'], description: 'The name of this reset, to confirm it.' })
  @Trim()
  @Equals('reset_history', { message: '$property must be "reset_history" to confirm this reset' })
  confirm!: 'reset_history';
}

export class ConfirmFullResetDto {
  @ApiProperty({ enum: ['full_reset'], description: 'The name of this reset, to confirm it.' })
  @Trim()
  @Equals('full_reset', { message: '$property must be "full_reset" to confirm this reset' })
  confirm!: 'full_reset';
}
