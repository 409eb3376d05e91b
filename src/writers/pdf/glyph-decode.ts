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
  const decode = proto._decode;
  proto._decode = function (this: TrueTypeGlyph): unknown {
    if (this._font?._variationProcessor) return decode.call(this);
    if (decoded.has(this)) return decoded.get(this);
    const glyph = decode.call(this);
    decoded.set(this, glyph);
    return glyph;
  };
}
