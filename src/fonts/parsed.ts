// The embedded fonts parsed by fontkit: glyph coverage (the PDF glyph check), outlines and advances
// (figures), and the fonts pdfkit subsets into each PDF. fontkit is loaded on first use, and as the
// same CommonJS module pdfkit loads, so a process that writes PDFs holds one copy of it.
import { readFileSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import type * as Fontkit from 'fontkit';
import { standInUnusedModules } from './lazy-deps.js';
import { FONT_FILES, FONT_KEYS, TYPO_METRICS, type FontKey } from './files.js';
import { readFontInPart } from './sparse.js';

const require = createRequire(import.meta.url);
let fontkit: typeof Fontkit | undefined;

/** fontkit, with stand-ins for the modules it loads and TenderKit never runs (lazy-deps.ts). */
function loadFontkit(): typeof Fontkit {
  standInUnusedModules();
  return require('fontkit') as typeof Fontkit;
}

const parsed: Partial<Record<FontKey, Fontkit.Font>> = {};

/**
 * One font, parsed on first use and kept for the process. pdfkit ≥ 0.20 accepts parsed fontkit
 * fonts (its documented route for fonts already in memory), so documents no longer re-parse ~47 MB
 * of CJK fonts each. Shared across documents: fontkit's caches on a font are pure; per-document
 * subsets live in pdfkit.
 */
export function parsedFont(key: FontKey): Fontkit.Font {
  let font = parsed[key];
  if (!font) {
    fontkit ??= loadFontkit();
    // Outlines read as glyphs are first used (sparse.ts): ~1.5 MB read instead of ~47 MB.
    const part = readFontInPart(FONT_FILES[key]);
    font = parsed[key] = withLineMetrics(fontkit.create(part.bytes), FONT_FILES[key]);
    part.attach(font);
  }
  return font;
}

/**
 * A built-in font measured by its typographic metrics (see `TYPO_METRICS`): its `ascent` and
 * `descent` — what pdfmake lays lines out with and pdfkit writes into the font descriptor — become
 * the OS/2 typographic ascender and descender, with no line gap. The font file embedded is
 * unchanged.
 */
function withLineMetrics(font: Fontkit.Font, file: string): Fontkit.Font {
  if (!TYPO_METRICS.has(file)) return font;
  const os2 = font['OS/2'];
  return Object.defineProperties(font, {
    ascent: { value: os2.typoAscender },
    descent: { value: os2.typoDescender },
    lineGap: { value: 0 },
  });
}

/** All four fonts, parsed (the PDF writer registers them all). */
export function parsedFonts(): Readonly<Record<FontKey, Fontkit.Font>> {
  return Object.fromEntries(FONT_KEYS.map((k) => [k, parsedFont(k)])) as Record<
    FontKey,
    Fontkit.Font
  >;
}

/** Names one version of a font file: its real path, size and modification time. */
export function fileVersionKey(file: string): string {
  const st = statSync(file);
  return `${file}\0${st.size}\0${st.mtimeMs}`;
}

const parsedFiles = new Map<string, Fontkit.Font>();

/**
 * A workspace font file (house style), parsed on first use and kept while the file is unchanged;
 * the few most recent are kept, so a long-running server does not hold every font it ever saw.
 * `face` chooses a face of a collection (.ttc) by its index; undefined for a single font.
 */
export function parsedFontFile(
  file: string,
  face?: number,
  version = fileVersionKey(file),
): Fontkit.Font {
  const key = `${version}\0${face ?? ''}`;
  let font = parsedFiles.get(key);
  if (!font) {
    fontkit ??= loadFontkit();
    const data = readFileSync(file);
    if (face === undefined) font = fontkit.create(data);
    else {
      // fontkit names a collection's faces by PostScript name (`create(data, name)`); the index
      // chosen when the settings were read is unambiguous even where two faces share a name.
      const chosen = (fontkit.create(data) as unknown as Fontkit.FontCollection).fonts[face];
      if (!chosen) throw new Error(`${file}: no face ${face}`);
      font = chosen;
    }
    parsedFiles.set(key, font);
    if (parsedFiles.size > 8) parsedFiles.delete(parsedFiles.keys().next().value!);
  }
  return font;
}
