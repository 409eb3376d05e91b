// TrueType glyphs decoded once per thread. To embed a font pdfkit has fontkit build a subset of it
// for each PDF, and fontkit decodes every glyph it puts in the subset — all its outline points —
// only to learn whether it is made of other glyphs (whose numbers it then rewrites), and copies the
// glyph's bytes as they are. The fonts are parsed once per thread (fonts/parsed.ts) and fontkit
// keeps one glyph object per glyph of a font, so here the decoded glyph is kept on that object
// and the next PDF using the glyph reuses it. A decoded glyph depends only on the font's bytes and
// the glyph's number, and fontkit only reads it; a variable font (whose glyphs depend on the
// chosen variation) is decoded every time, as before. The PDF is byte for byte the one pdfkit makes
// on its own (the tests compare).
import type * as Fontkit from 'fontkit';

interface TrueTypeGlyph {
  _font: { _variationProcessor?: unknown };
  _decode(): unknown;
  _decodeSimple?: unknown;
}

/** fontkit's TrueType subset, as far as `_addGlyph` goes. */
interface TrueTypeSubset {
  font: {
    _variationProcessor?: unknown;
    loca: { offsets: number[] };
    getGlyph(id: number): TrueTypeGlyph;
    _getTableStream(tag: string): { pos: number; readInt16BE(): number };
  };
  _addGlyph(gid: number): number;
}

const decoded = new WeakMap<object, unknown>();

let installed = false;

/** Makes fontkit keep each TrueType glyph it decodes (once per thread). */
export function sharedGlyphDecode(font: Fontkit.Font): void {
  if (installed) return;
  installed = true;
  let proto: TrueTypeGlyph | undefined;
  try {
    const glyphOf = font as unknown as { getGlyph(id: number): object };
    proto = Object.getPrototypeOf(glyphOf.getGlyph(0)) as TrueTypeGlyph;
  } catch {
    return;
  }
  // Not a TrueType glyph (a CFF font's): it keeps decoding as it does.
  if (typeof proto?._decode !== 'function' || typeof proto._decodeSimple !== 'function') return;
  keepSimpleGlyphsUndecoded(font);
  const decode = proto._decode;
  proto._decode = function (this: TrueTypeGlyph): unknown {
    if (this._font?._variationProcessor) return decode.call(this);
    if (decoded.has(this)) return decoded.get(this);
    const glyph = decode.call(this);
    decoded.set(this, glyph);
    return glyph;
  };
}

/** What `_decode` gives `_addGlyph` for a glyph made of contours: all it reads of it. */
const CONTOURS = Object.freeze({ numberOfContours: 1 });

/**
 * A subset copies each glyph's bytes as they are and decodes the glyph only to learn whether it
 * is made of other glyphs (a negative contour count), whose numbers it then rewrites. So for a
 * glyph of contours (every glyph of the built-in CJK fonts) the count is read from the glyph's
 * header, and the decoding of all its points — most of the time a subset took — is skipped; an
 * empty glyph decodes to nothing, as fontkit's own `_decode` says. Composite glyphs and variable
 * fonts are decoded as before.
 */
function keepSimpleGlyphsUndecoded(font: Fontkit.Font): void {
  let proto: TrueTypeSubset | undefined;
  try {
    proto = Object.getPrototypeOf(
      (font as unknown as { createSubset(): object }).createSubset(),
    ) as TrueTypeSubset;
  } catch {
    return;
  }
  const add = proto?._addGlyph;
  if (typeof add !== 'function') return;
  proto._addGlyph = function (this: TrueTypeSubset, gid: number): number {
    const f = this.font;
    const glyph = f.getGlyph(gid); // made first: its bytes are in place (fonts/sparse.ts)
    if (f._variationProcessor || !glyph || decoded.has(glyph)) return add.call(this, gid);
    const start = f.loca.offsets[gid]!;
    let header: unknown = null;
    if (f.loca.offsets[gid + 1] !== start) {
      const stream = f._getTableStream('glyf');
      stream.pos += start;
      if (stream.readInt16BE() < 0) return add.call(this, gid);
      header = CONTOURS;
    }
    glyph._decode = () => header;
    try {
      return add.call(this, gid);
    } finally {
      delete (glyph as Partial<TrueTypeGlyph>)._decode;
    }
  };
}
