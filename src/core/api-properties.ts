import type { Type } from '@nestjs/common';
import { ApiProperty, getSchemaPath } from '@nestjs/swagger';

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

/**
 * An object of the schema `type`, or null. OpenAPI 3.0's `nullable` only widens a `type` beside it, so the usual
 * `nullable` with a `$ref` (made an `allOf`) lets no null through a validator: null is the other branch here.
 */
export const NullableObjectProperty = (type: Type, description: string) =>
  ApiProperty({
    oneOf: [{ $ref: getSchemaPath(type) }, { type: 'object', nullable: true, enum: [null] }],
    description,
  });
