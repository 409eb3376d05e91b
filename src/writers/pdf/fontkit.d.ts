// The few fontkit calls the glyph check makes (fontkit 2 ships no types).
declare module 'fontkit' {
  export interface Font {
    hasGlyphForCodePoint(codePoint: number): boolean;
    readonly postscriptName: string;
  }
  export function openSync(path: string): Font;
  export function create(data: Uint8Array): Font;
}
