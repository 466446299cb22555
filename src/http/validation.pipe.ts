import { type ArgumentMetadata, ValidationPipe } from '@nestjs/common';

/**
 * Validation that keeps nested JSON (parts, id lists) exactly as sent: every DTO is flat, and
 * ValidationPipe and class-transformer would rebuild nested objects, dropping keys such as "constructor".
 */
export class ValidationKeepingJson extends ValidationPipe {
  override async transform(value: unknown, metadata: ArgumentMetadata): Promise<unknown> {
    const sent: unknown = metadata.type === 'body' ? structuredClone(value) : undefined;
    const dto: unknown = await super.transform(value, metadata);
    if (dto && typeof dto === 'object' && sent && typeof sent === 'object') {
      for (const [field, raw] of Object.entries(sent)) {
        if (raw !== null && typeof raw === 'object') {
          (dto as Record<string, unknown>)[field] = raw;
        }
      }
    }
    return dto;
  }
}
