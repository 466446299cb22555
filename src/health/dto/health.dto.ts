import { ApiProperty } from '@nestjs/swagger';

const CHECKS = {
  type: 'object',
  additionalProperties: { type: 'object', properties: { status: { type: 'string', example: 'up' } } },
} as const;

/** A passing health check, as `@nestjs/terminus` answers it: each check by name, under `info` and `details`. */
export class HealthDto {
  @ApiProperty({ enum: ['ok'], example: 'ok' })
  status!: 'ok';

  @ApiProperty({ ...CHECKS, example: { database: { status: 'up' } }, description: 'The checks that passed.' })
  info!: Record<string, object>;

  @ApiProperty({ ...CHECKS, example: {}, description: 'The checks that failed: none when the status is ok.' })
  error!: Record<string, object>;

  @ApiProperty({ ...CHECKS, example: { database: { status: 'up' } }, description: 'Every check.' })
  details!: Record<string, object>;
}
