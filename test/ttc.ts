// Builds a TrueType collection (.ttc) from single TrueType/OpenType fonts, as the house-style tests
// need one and no collection is small enough to commit: a `ttcf` header (version 1.0, the number of
// faces, the offset of each face's table directory), then each face's table directory with every
// table's offset rewritten to count from the file's start, then the tables (4-byte aligned).
// Checksums stay as they are: each table's bytes are unchanged.

/** A `.ttc` holding `fonts` (each a single-font .ttf/.otf file's bytes), in this order. */
export function makeTtc(fonts: readonly Buffer[]): Buffer {
  const pad = (n: number) => (n + 3) & ~3;
  const faces = fonts.map((font) => {
    const count = font.readUInt16BE(4);
    const tables = Array.from({ length: count }, (_, i) => {
      const p = 12 + i * 16;
      const offset = font.readUInt32BE(p + 8);
      const length = font.readUInt32BE(p + 12);
      return { record: font.subarray(p, p + 16), bytes: font.subarray(offset, offset + length) };
    });
    return { head: font.subarray(0, 12), tables };
  });
  const header = 12 + 4 * fonts.length;
  const dirOffsets: number[] = [];
  let at = header;
  for (const f of faces) {
    dirOffsets.push(at);
    at += 12 + 16 * f.tables.length;
  }
  const parts: Buffer[] = [];
  const head = Buffer.alloc(header);
  head.write('ttcf', 0, 'latin1');
  head.writeUInt16BE(1, 4);
  head.writeUInt16BE(0, 6);
  head.writeUInt32BE(fonts.length, 8);
  dirOffsets.forEach((o, i) => head.writeUInt32BE(o, 12 + 4 * i));
  parts.push(head);
  const data: Buffer[] = [];
  let dataAt = pad(at);
  for (const f of faces) {
    parts.push(f.head);
    for (const t of f.tables) {
      const record = Buffer.from(t.record);
      record.writeUInt32BE(dataAt, 8);
      parts.push(record);
      const padded = Buffer.alloc(pad(t.bytes.length));
      t.bytes.copy(padded);
      data.push(padded);
      dataAt += padded.length;
    }
  }
  parts.push(Buffer.alloc(pad(at) - at));
  return Buffer.concat([...parts, ...data]);
}
