import { ApiProperty } from '@nestjs/swagger';

interface PropertyOptions {
  nullable?: boolean;
  description?: string;
}

/** An integer property: TypeScript's `number` alone would document any number. */
export const IntegerProperty = (example: number, { nullable, description }: PropertyOptions = {}) =>
  ApiProperty({ type: 'integer', ...(nullable && { nullable }), example, ...(description && { description }) });

/** An instant as an ISO 8601 string; `type` is given because a nullable one's TypeScript type documents nothing. */
export const DateTimeProperty = ({ nullable, description }: PropertyOptions = {}) =>
  ApiProperty({
    type: String,
    format: 'date-time',
    ...(nullable && { nullable }),
    ...(description && { description }),
  });
