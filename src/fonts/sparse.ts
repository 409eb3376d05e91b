// A TrueType font read in part. The built-in CJK fonts are ~47 MB, almost all of it glyph
// outlines (`glyf`), and a document draws a few hundred to a few thousand of their ~65 000
// glyphs. So a font is read as a buffer of the file's size in which every table but `glyf` is
// filled at once (~450 KB per font) and each glyph's outline is read from the file when fontkit
// first makes that glyph: every way fontkit reaches an outline (a path, a bounding box, a subset
// for a PDF, a composite glyph's parts) starts from the glyph object `_getBaseGlyph` makes, and
// the bytes are in place before that object exists. The rest of the buffer stays zero and, never
// written, takes no memory.
//
// What fontkit reads is byte for byte what a whole read gives (the tests compare every glyph a
// document uses, and the PDFs). A file that is not a plain TrueType font — a collection, CFF
// outlines, tables outside the file — is read whole.
import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import type * as Fontkit from 'fontkit';

/** fontkit's font as this module reaches into it. */
interface FontkitInternals {
  _glyphs: Record<number, unknown>;
  _getBaseGlyph(gid: number, characters?: number[]): unknown;
}

/** The bytes to hand to fontkit, and what to install on the font it makes of them. */
export interface FontBytes {
  readonly bytes: Buffer;
  /** Makes `font` (parsed from `bytes`) read each glyph's outline on first use. */
  attach(font: Fontkit.Font): void;
}

function readFully(fd: number, into: Buffer, at: number, length: number, position: number): void {
  for (let done = 0; done < length;) {
    const n = readSync(fd, into, at + done, length - done, position + done);
    if (n === 0) throw new Error('font file shorter than its table directory says');
    done += n;
  }
}

/** The whole file, when it is not a font this module can read in part. */
function whole(fd: number, size: number): FontBytes {
  const bytes = Buffer.allocUnsafe(size);
  readFully(fd, bytes, 0, size, 0);
  return { bytes, attach: () => {} };
}

/**
 * `file` for fontkit, its glyph outlines read on demand. The file stays open while the font is
 * used (the built-in fonts: for the process), so every glyph comes from the same file version.
 */
export function readFontInPart(file: string): FontBytes {
  const fd = openSync(file, 'r');
  let keepOpen = false;
  try {
    const size = fstatSync(fd).size;
    const head = Buffer.alloc(Math.min(size, 12));
    readFully(fd, head, 0, head.length, 0);
    const version = head.length === 12 ? head.readUInt32BE(0) : 0;
    // TrueType outlines only ('true' or 0x00010000); a collection ('ttcf') or CFF ('OTTO') whole.
    if (version !== 0x00010000 && version !== 0x74727565) return whole(fd, size);
    const count = head.readUInt16BE(4);
    const dirLength = 12 + 16 * count;
    if (dirLength > size) return whole(fd, size);
    const dir = Buffer.alloc(dirLength);
    readFully(fd, dir, 0, dirLength, 0);
    const tables = new Map<string, { offset: number; length: number }>();
    for (let i = 0; i < count; i++) {
      const p = 12 + 16 * i;
      const offset = dir.readUInt32BE(p + 8);
      const length = dir.readUInt32BE(p + 12);
      if (offset + length > size) return whole(fd, size);
      tables.set(dir.toString('latin1', p, p + 4), { offset, length });
    }
    const glyf = tables.get('glyf');
    const loca = tables.get('loca');
    const headTable = tables.get('head');
    const maxp = tables.get('maxp');
    if (!glyf || !loca || !headTable || headTable.length < 54 || !maxp || maxp.length < 6)
      return whole(fd, size);

    // Zero-filled, so pages never written are never touched (calloc'd memory).
    const bytes = Buffer.alloc(size);
    // Everything before and after the outlines: the directory and every other table.
    readFully(fd, bytes, 0, glyf.offset, 0);
    const after = glyf.offset + glyf.length;
    readFully(fd, bytes, after, size - after, after);
    // Other tables may not overlap the outlines' bytes (then nothing is left to read later).
    for (const [tag, t] of tables)
      if (tag !== 'glyf' && t.offset < after && t.offset + t.length > glyf.offset)
        return whole(fd, size);

    const longOffsets = bytes.readInt16BE(headTable.offset + 50) === 1;
    const glyphCount = bytes.readUInt16BE(maxp.offset + 4);
    if (loca.length < (glyphCount + 1) * (longOffsets ? 4 : 2)) return whole(fd, size);
    const offsetOf = (gid: number) =>
      longOffsets
        ? bytes.readUInt32BE(loca.offset + 4 * gid)
        : 2 * bytes.readUInt16BE(loca.offset + 2 * gid);
    const loaded = new Uint8Array(glyphCount);

    const load = (gid: number) => {
      if (!Number.isInteger(gid) || gid < 0 || gid >= glyphCount || loaded[gid]) return;
      loaded[gid] = 1;
      const start = offsetOf(gid);
      // An empty glyph still has its bounding box read (fontkit's `_getCBox` decodes a 10-byte
      // header there, the next glyph's): the same bytes as a whole read, then.
      const end = Math.min(Math.max(offsetOf(gid + 1), start + 10), glyf.length);
      if (end > start) readFully(fd, bytes, glyf.offset + start, end - start, glyf.offset + start);
    };
    keepOpen = true;
    return {
      bytes,
      attach(font) {
        const f = font as unknown as FontkitInternals;
        const base = f._getBaseGlyph;
        f._getBaseGlyph = function (gid, characters) {
          if (!this._glyphs[gid]) load(gid);
          return base.call(this, gid, characters);
        };
      },
    };
  } finally {
    if (!keepOpen) closeSync(fd);
  }
}
