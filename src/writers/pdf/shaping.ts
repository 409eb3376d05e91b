// Text shaping shared between documents. pdfkit (under pdfmake) shapes every word it measures or
// draws with fontkit and keeps the result for one document only, so each document shapes its
// characters again (a tenth of a long document's time). Here the shaped runs are kept per parsed
// font for the whole thread, bounded: a run depends only on the font and the word (pdfkit shapes
// without features here; with features it does not use the cache), and pdfkit only reads it, so
// the PDF is byte for byte the one pdfkit makes on its own.
import { createRequire } from 'node:module';
import type * as Fontkit from 'fontkit';

interface Run {
  readonly glyphs: unknown[];
  readonly positions: unknown[];
  readonly advanceWidth: number;
}
interface EmbeddedFont {
  readonly font: Fontkit.Font;
  layoutCache?: Record<string, Run>;
  layoutRun(text: string, features?: unknown): Run;
  layoutCached(text: string): Run;
}

/** Words kept per font before the cache starts again (a server renders many bids). */
const MAX_WORDS = 20_000;
const runs = new WeakMap<Fontkit.Font, Map<string, Run>>();

let installed = false;

/** Makes pdfkit's per-document cache of shaped words one per font and thread (once per thread). */
export function sharedShaping(font: Fontkit.Font): void {
  if (installed) return;
  installed = true;
  let probe: EmbeddedFont | undefined;
  try {
    const require = createRequire(createRequire(import.meta.url).resolve('pdfmake'));
    const PDFDocument = require('pdfkit') as new (options: object) => {
      font(src: Fontkit.Font): { _font?: EmbeddedFont };
    };
    // The class pdfkit embeds fonts with is not exported: the prototype of a font it opened.
    probe = new PDFDocument({ autoFirstPage: false }).font(font)._font;
  } catch {
    return; // pdfkit laid out differently (bundled): it keeps shaping per document
  }
  const proto = probe && (Object.getPrototypeOf(probe) as EmbeddedFont);
  if (!proto || typeof proto.layoutCached !== 'function' || typeof proto.layoutRun !== 'function')
    return;
  proto.layoutCached = function (this: EmbeddedFont, text: string): Run {
    // pdfkit told not to cache (fontLayoutCache: false) shapes every time, as before.
    if (!this.layoutCache) return this.layoutRun(text);
    let own = runs.get(this.font);
    if (!own) runs.set(this.font, (own = new Map()));
    let run = own.get(text);
    if (!run) {
      run = this.layoutRun(text);
      if (own.size >= MAX_WORDS) own.clear();
      own.set(text, run);
    }
    return run;
  };
}
