import { type ArgumentMetadata, ValidationPipe } from '@nestjs/common';

/** Whether a value came out of class-transformer as a DTO (or a list of them) rather than as plain JSON. */
const isDto = (value: unknown): boolean =>
  Array.isArray(value)
    ? value.some(isDto)
    : value !== null && typeof value === 'object' && Object.getPrototypeOf(value) !== Object.prototype;

/**
 * Validation that keeps free-form JSON (parts, id lists) exactly as sent: ValidationPipe and
 * class-transformer would rebuild nested objects, dropping keys such as "constructor". Nested DTOs
 * (a batch's answers) stay as validated and transformed.
 */
export class ValidationKeepingJson extends ValidationPipe {
  override async transform(value: unknown, metadata: ArgumentMetadata): Promise<unknown> {
    const sent: unknown = metadata.type === 'body' ? structuredClone(value) : undefined;
    const dto: unknown = await super.transform(value, metadata);
    if (dto && typeof dto === 'object' && sent && typeof sent === 'object') {
      for (const [field, raw] of Object.entries(sent)) {
        if (raw !== null && typeof raw === 'object' && !isDto((dto as Record<string, unknown>)[field])) {
          (dto as Record<string, unknown>)[field] = raw;
        }
      }
    }
    return dto;
  }
}
