import type { Type as ClassType } from '@nestjs/common';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsOptional } from 'class-validator';
import type { RawBuilder } from 'kysely';
import { QueryInt } from './http.js';
import { IntegerProperty } from './api-properties.js';

const MAX_PER_PAGE = 500;
// Keeps page × per_page far inside SQLite's integer range.
const MAX_PAGE = 1_000_000_000;

export class PaginationQueryDto {
  @QueryInt(1, MAX_PAGE, { default: 1, description: 'The page to return, from 1.' })
  page: number = 1;

  @QueryInt(1, MAX_PER_PAGE, { default: 100, description: 'Items per page.' })
  per_page: number = 100;
}

/** How many items the requested page skips. */
export function offsetOf(query: PaginationQueryDto): number {
  return (query.page - 1) * query.per_page;
}

export const ORDERS = ['asc', 'desc'] as const;
export type Order = (typeof ORDERS)[number];
/** An expression a list is ordered by, with its direction. */
export type OrderKey = [RawBuilder<unknown>, Order];

/** A list query sorted by one of `fields` (as `description` says, if given); ties are always broken by id. */
export function SortedQueryDto<const F extends string>(
  fields: readonly F[],
  defaultField: F,
  defaultOrder: Order = 'asc',
  description?: string,
) {
  class SortedQuery extends PaginationQueryDto {
    @ApiPropertyOptional({ enum: fields, default: defaultField, ...(description && { description }) })
    @IsOptional()
    @IsIn(fields)
    sort_by: F = defaultField;

    @ApiPropertyOptional({ enum: ORDERS, default: defaultOrder })
    @IsOptional()
    @IsIn(ORDERS)
    order: Order = defaultOrder;
  }
  return SortedQuery;
}

export class PaginationDto {
  @IntegerProperty(1)
  current_page!: number;

  @IntegerProperty(3)
  total_pages!: number;

  @IntegerProperty(250)
  total_items!: number;

  @IntegerProperty(100)
  items_per_page!: number;
}

export interface Page<T> {
  items: T[];
  pagination: PaginationDto;
}

export function page<T>(items: T[], totalItems: number, query: PaginationQueryDto): Page<T> {
  return {
    items,
    pagination: {
      current_page: query.page,
      total_pages: Math.ceil(totalItems / query.per_page),
      total_items: totalItems,
      items_per_page: query.per_page,
    },
  };
}

/** The OpenAPI schema of a page of `item`. */
export function PageDto<T>(item: ClassType<T>): ClassType<Page<T>> {
  class ItemPage {
    @ApiProperty({ type: [item] })
    items!: T[];

    @ApiProperty({ type: PaginationDto })
    pagination!: PaginationDto;
  }
  Object.defineProperty(ItemPage, 'name', { value: `${item.name.replace(/Dto$/, '')}PageDto` });
  return ItemPage;
}
