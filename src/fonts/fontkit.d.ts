// The few fontkit calls TenderKit makes (fontkit 2 ships no types).
declare module 'fontkit' {
  export interface Font {
    hasGlyphForCodePoint(codePoint: number): boolean;
    glyphForCodePoint(codePoint: number): { advanceWidth: number };
    readonly unitsPerEm: number;
    readonly ascent: number;
    readonly descent: number;
    readonly lineGap: number;
    readonly hhea: { readonly ascent: number; readonly descent: number };
    readonly 'OS/2': { readonly typoAscender: number; readonly typoDescender: number };
    readonly familyName: string;
    layout(text: string): {
      glyphs: { path: Path }[];
      positions: { xAdvance: number; yAdvance: number; xOffset: number; yOffset: number }[];
    };
    readonly postscriptName: string;
  }
  /** A collection (.ttc): what `create` returns for one. */
  export interface FontCollection {
    readonly fonts: Font[];
  }
  export interface Path {
    translate(x: number, y: number): Path;
    toSVG(): string;
  }
  export function openSync(path: string): Font;
  export function create(data: Uint8Array): Font;
}
