import { ApiProperty } from '@nestjs/swagger';

export class SuccessDto {
  @ApiProperty({ example: true })
  success!: true;

  @ApiProperty({ example: 'Study history has been reset' })
  message!: string;
}
