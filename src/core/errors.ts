import { STATUS_CODES } from 'node:http';
import { applyDecorators, BadRequestException, HttpStatus } from '@nestjs/common';
import { ApiExtraModels, ApiProperty, ApiPropertyOptional, ApiResponse, getSchemaPath } from '@nestjs/swagger';

export class FieldErrorDto {
  @ApiProperty({ example: 'per_page' })
  field!: string;

  @ApiProperty({ example: 'must not be greater than 500' })
  message!: string;
}

/** An RFC 9457 problem document: the body of every error response. */
export class ProblemDto {
  @ApiProperty({ example: 'about:blank' })
  type!: string;

  @ApiProperty({ example: 'Bad Request' })
  title!: string;

  @ApiProperty({ example: 400 })
  status!: number;

  @ApiProperty({ example: 'per_page must not be greater than 500' })
  detail!: string;

  @ApiPropertyOptional({ type: [FieldErrorDto], description: 'Present for validation failures.' })
  errors?: FieldErrorDto[];
}

/** Invalid input, with one entry per offending field. */
export class ValidationFailedException extends BadRequestException {
  constructor(readonly errors: FieldErrorDto[]) {
    super(errors.map((error) => `${error.field} ${error.message}`).join('; '));
  }
}

/** Documents the problem responses an endpoint can answer with. */
export function ApiProblems(...statuses: HttpStatus[]) {
  return applyDecorators(
    ApiExtraModels(ProblemDto),
    ...statuses.map((status) =>
      ApiResponse({
        status,
        description: STATUS_CODES[status],
        content: { 'application/problem+json': { schema: { $ref: getSchemaPath(ProblemDto) } } },
      }),
    ),
  );
}
