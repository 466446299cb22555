import { protoFields, protoMessage } from '../../src/anki/protobuf.js';

/** A message of raw bytes: a key (field and wire type) as a varint, then the value's bytes as given. */
const bytes = (...values: number[]) => Uint8Array.from(values);

describe('protoFields (the reader of Anki’s meta and media files)', () => {
  it('reads varints of one to ten bytes and field numbers up to the largest protobuf allows', () => {
    const fields = [
      { field: 1, varint: 0 },
      { field: 2, varint: 300 },
      { field: 3, varint: 2 ** 35 + 1 },
      { field: 2 ** 29 - 1, varint: Number.MAX_SAFE_INTEGER },
    ];
    expect(protoFields(protoMessage(fields))).toEqual(fields);
    // 2^63, the longest varint there is: ten bytes.
    expect(protoFields(bytes(0x08, ...Array(9).fill(0x80), 0x01))).toEqual([{ field: 1, varint: 2 ** 63 }]);
  });

  it('reads length-delimited fields up to the end of the message, and skips fixed 64- and 32-bit ones', () => {
    const text = new TextEncoder().encode('sound.mp3');
    expect(protoFields(protoMessage([{ field: 1, bytes: text }]))).toEqual([{ field: 1, bytes: text }]);
    const fixed = bytes(0x09, ...Array(8).fill(0xff), 0x15, ...Array(4).fill(0xff), 0x18, 0x07);
    expect(protoFields(fixed)).toEqual([{ field: 3, varint: 7 }]);
  });

  it.each([
    ['a varint of more than ten bytes', bytes(0x08, ...Array(10).fill(0x80), 0x01), /varint runs past the end/],
    ['a varint cut short', bytes(0x08, 0x80), /varint runs past the end/],
    ['a field numbered 0', bytes(0x00, 0x01), /field numbered 0/],
    ['a length past the end', bytes(0x0a, 0x03, 0x61, 0x62), /field runs past the end/],
    ['a fixed 64-bit value cut short', bytes(0x09, ...Array(7).fill(0)), /field runs past the end/],
    ['a fixed 32-bit value cut short', bytes(0x0d, 0, 0, 0), /field runs past the end/],
    ['a group (wire type 3)', bytes(0x0b), /wire type 3 is not read here/],
  ])('refuses %s', (_case, data, message) => {
    expect(() => protoFields(data)).toThrow(message);
  });
});
