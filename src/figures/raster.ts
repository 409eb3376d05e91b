// PNG of a figure's SVG for Word, rendered by resvg (installed from npm) at print resolution.
// The SVG's text is glyph outlines, so no fonts are needed here. Cached: the same figure in many
// documents (or builds) is rendered once per process.
import { createHash } from 'node:crypto';
import { Resvg } from '@resvg/resvg-js';

export const PRINT_DPI = 300;
const cache = new Map<string, Buffer>();

export function figurePng(svg: string): Buffer {
  const key = createHash('sha256').update(svg).digest('hex');
  let png = cache.get(key);
  if (!png) {
    png = new Resvg(svg, {
      fitTo: { mode: 'zoom', value: PRINT_DPI / 72 },
      font: { loadSystemFonts: false },
    })
      .render()
      .asPng();
    cache.set(key, png);
    if (cache.size > 32) cache.delete(cache.keys().next().value!);
  }
  return png;
}
