import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsBoolean, IsOptional } from 'class-validator';
import { QueryBoolean } from './http.js';

export class ForceQueryDto {
  @ApiPropertyOptional({ type: Boolean, default: false, description: 'Also delete the learning history.' })
  @IsOptional()
  @QueryBoolean()
  @IsBoolean()
  force: boolean = false;
}
