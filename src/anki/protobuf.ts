/**
 * The little of the protobuf wire format Anki's package files need (`meta`: PackageMetadata, `media`:
 * MediaEntries): a message read as its fields, each a varint or length-delimited bytes.
 */

export interface ProtoField {
  field: number;
  varint?: number;
  bytes?: Uint8Array;
}

function varint(data: Uint8Array, at: number): [value: number, next: number] {
  let value = 0;
  let scale = 1;
  for (let i = at; i < data.length && i < at + 10; i++) {
    value += (data[i] & 0x7f) * scale;
    scale *= 128;
    if ((data[i] & 0x80) === 0) {
      return [value, i + 1];
    }
  }
  throw new Error('a protobuf varint runs past the end of its message');
}

/** The fields of one message, in order; throws on bytes that are no protobuf message. */
export function protoFields(data: Uint8Array): ProtoField[] {
  const fields: ProtoField[] = [];
  for (let at = 0; at < data.length;) {
    const [key, afterKey] = varint(data, at);
    const field = Math.floor(key / 8);
    const wireType = key % 8;
    if (field === 0) {
      throw new Error('a protobuf field numbered 0');
    }
    if (wireType === 0) {
      const [value, next] = varint(data, afterKey);
      fields.push({ field, varint: value });
      at = next;
    } else if (wireType === 2) {
      const [length, start] = varint(data, afterKey);
      if (start + length > data.length) {
        throw new Error('a protobuf field runs past the end of its message');
      }
      fields.push({ field, bytes: data.subarray(start, start + length) });
      at = start + length;
    } else if (wireType === 1 || wireType === 5) {
      at = afterKey + (wireType === 1 ? 8 : 4);
      if (at > data.length) {
        throw new Error('a protobuf field runs past the end of its message');
      }
    } else {
      throw new Error(`protobuf wire type ${wireType} is not read here`);
    }
  }
  return fields;
}

/** Writes a message of varint and length-delimited fields (for test fixtures). */
export function protoMessage(fields: ProtoField[]): Uint8Array {
  const out: number[] = [];
  const writeVarint = (value: number) => {
    let rest = value;
    while (rest >= 0x80) {
      out.push((rest % 128) | 0x80);
      rest = Math.floor(rest / 128);
    }
    out.push(rest);
  };
  for (const { field, varint: value, bytes } of fields) {
    if (bytes) {
      writeVarint(field * 8 + 2);
      writeVarint(bytes.length);
      out.push(...bytes);
    } else {
      writeVarint(field * 8);
      writeVarint(value ?? 0);
    }
  }
  return Uint8Array.from(out);
}
