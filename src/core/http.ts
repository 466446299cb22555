import { applyDecorators } from '@nestjs/common';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform, Type } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayMinSize,
  IsArray,
  IsBoolean,
  IsInt,
  IsNotEmpty,
  IsOptional,
  IsString,
  Max,
  Min,
  ValidateBy,
  ValidateIf,
  ValidateNested,
  type ValidationOptions,
} from 'class-validator';
import { hasAtMostCharacters, isJsonObject } from './json.js';

/** The checks of a value's type: a value of the wrong type fails its range and length checks too, which say nothing more. */
export const TYPE_CONSTRAINTS = new Set(['isInt', 'isNumber', 'isString', 'isBoolean', 'isIso8601']);

/**
 * An integer written in plain decimal digits without a leading zero, as ids in a path (query strings, environment),
 * or with a minus sign (which the range then refuses, saying so); anything else fails `@IsInt`.
 */
const DecimalInt = () =>
  Transform(({ value }) => (typeof value === 'string' && /^-?(0|[1-9]\d*)$/.test(value) ? Number(value) : value));

/** An integer between `minimum` and `maximum`, written in plain decimal digits (query strings, environment). */
export const DecimalIntIn = (minimum: number, maximum = Number.MAX_SAFE_INTEGER) =>
  applyDecorators(DecimalInt(), IsInt(), Min(minimum), Max(maximum));

/** Trims a string field; other values pass unchanged for the validators to judge. */
export const Trim = () => Transform(({ value }) => (typeof value === 'string' ? value.trim() : value));

/** A query-string boolean: only `true` and `false` become booleans, anything else fails `@IsBoolean`. */
export const QueryBoolean = () =>
  Transform(({ value }) => (value === 'true' ? true : value === 'false' ? false : value));

/** Text of at most `max` characters, counted as the OpenAPI document's `maxLength` counts them (`hasAtMostCharacters`). */
export const MaxCharacters = (max: number) =>
  ValidateBy({
    name: 'maxLength',
    constraints: [max],
    validator: {
      validate: (value) => typeof value === 'string' && hasAtMostCharacters(value, max),
      defaultMessage: () => `$property must be shorter than or equal to ${max} characters`,
    },
  });

/** An array of `minimum` to `maximum` items, its messages counting items (class-validator's say "at least 1 elements"). */
export const ItemCount = (minimum: number, maximum: number) =>
  applyDecorators(
    IsArray(),
    ...(minimum > 0
      ? [
          ArrayMinSize(minimum, {
            message: `$property must contain at least ${minimum} item${minimum === 1 ? '' : 's'}`,
          }),
        ]
      : []),
    ArrayMaxSize(maximum, { message: `$property must contain no more than ${maximum} items` }),
  );

/** A required text field: trimmed, not empty, at most `maxLength` characters; documented with an example. */
export const RequiredText = (maxLength: number, example: string, description?: string) =>
  applyDecorators(
    // minLength: an empty string is refused (and one of whitespace only, which trimming empties).
    ApiProperty({ example, minLength: 1, maxLength, ...(description && { description }) }),
    Trim(),
    IsString(),
    IsNotEmpty(),
    MaxCharacters(maxLength),
  );

/**
 * An array of `type`s, each item validated as one, and refused (naming it: `answers.1`) unless it is an object:
 * `@ValidateNested` alone takes an item that is an array as a list of them.
 */
export const EachNested = (type: () => new () => object) =>
  applyDecorators(
    ValidateBy({
      name: 'isObject',
      validator: {
        validate: (value: unknown) => !Array.isArray(value) || value.every(isJsonObject),
        defaultMessage: (args) =>
          `$property.${(args!.value as unknown[]).findIndex((item) => !isJsonObject(item))} must be an object`,
      },
    }),
    ValidateNested({ each: true }),
    Type(type),
  );

/** The field may be left out, but `null` is not a value for it (unlike `@IsOptional`). */
export const IsOmittable = () => ValidateIf((_, value) => value !== undefined);

/** An id: a positive integer that a JavaScript number holds exactly (a larger one would be rounded). */
export const IsId = (options?: ValidationOptions) =>
  applyDecorators(IsInt(options), Min(1, options), Max(Number.MAX_SAFE_INTEGER, options));

/** The OpenAPI schema of an id, as `IsId` checks it. */
export const ID_SCHEMA = { type: 'integer', minimum: 1, maximum: Number.MAX_SAFE_INTEGER } as const;

/**
 * An optional integer query parameter between `minimum` and `maximum`, written in plain decimal
 * digits, documented as an integer with its description and default.
 */
export const QueryInt = (
  minimum: number,
  maximum: number,
  apiOptions: { description?: string; default?: number } = {},
) =>
  applyDecorators(
    ApiPropertyOptional({ type: 'integer', minimum, maximum, ...apiOptions }),
    IsOptional(),
    DecimalIntIn(minimum, maximum),
  );

/** An optional id query parameter (a filter): a positive integer that a JavaScript number holds exactly. */
export const QueryId = (description: string) => QueryInt(ID_SCHEMA.minimum, ID_SCHEMA.maximum, { description });

/** A path id: a positive integer written without sign, exponent or leading zero (`1e3` is no id). */
const PathId = () =>
  applyDecorators(
    ApiProperty({ ...ID_SCHEMA, example: 1 }),
    Transform(({ value }) => (typeof value === 'string' && /^[1-9]\d*$/.test(value) ? Number(value) : value)),
    IsInt({ message: '$property must be a positive integer' }),
    Min(1, { message: '$property must be a positive integer' }),
    Max(Number.MAX_SAFE_INTEGER),
  );

export class IdParams {
  @PathId()
  id!: number;
}

export class IdAndWordIdParams extends IdParams {
  @PathId()
  word_id!: number;
}

export class ForceQueryDto {
  @ApiPropertyOptional({ type: Boolean, default: false, description: 'Also delete the learning history.' })
  @IsOptional()
  @QueryBoolean()
  @IsBoolean()
  force: boolean = false;
}
