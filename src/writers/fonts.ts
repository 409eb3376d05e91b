// The CJK fonts embedded in PDFs, installed by npm: Noto Serif SC (宋体 role), Noto Sans SC (黑体 role).
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import * as fontkit from 'fontkit';

const require = createRequire(import.meta.url);

/** A file inside an installed package (found from its main entry: not every package exports package.json). */
function pkgFile(pkg: string, rel: string): string {
  let dir = path.dirname(require.resolve(pkg));
  while (!existsSync(path.join(dir, 'package.json')) && path.dirname(dir) !== dir)
    dir = path.dirname(dir);
  return path.join(dir, rel);
}

export const FONT_FILES = {
  serifRegular: pkgFile(
    '@expo-google-fonts/noto-serif-sc',
    '400Regular/NotoSerifSC_400Regular.ttf',
  ),
  serifBold: pkgFile('@expo-google-fonts/noto-serif-sc', '700Bold/NotoSerifSC_700Bold.ttf'),
  sansRegular: pkgFile('@embedpdf/fonts-sc', 'fonts/NotoSansHans-Regular.otf'),
  sansBold: pkgFile('@embedpdf/fonts-sc', 'fonts/NotoSansHans-Bold.otf'),
} as const;

let bytes: Record<keyof typeof FONT_FILES, Buffer> | undefined;
/**
 * The font files' bytes, read once per process and shared by the PDF writer (pdfmake's virtual
 * file system), the glyph check and provenance hashing.
 */
export function fontBytes(): Readonly<Record<keyof typeof FONT_FILES, Buffer>> {
  bytes ??= Object.fromEntries(
    Object.entries(FONT_FILES).map(([k, f]) => [k, readFileSync(f)]),
  ) as Record<keyof typeof FONT_FILES, Buffer>;
  return bytes;
}

let parsed: Record<keyof typeof FONT_FILES, fontkit.Font> | undefined;
/**
 * The fonts parsed once per process. pdfkit ≥ 0.20 accepts parsed fontkit fonts (its documented
 * route for fonts already in memory), so documents no longer re-parse ~47 MB of CJK fonts each.
 * Shared across documents: fontkit's caches on a font are pure; per-document subsets live in pdfkit.
 */
export function parsedFonts(): Readonly<Record<keyof typeof FONT_FILES, fontkit.Font>> {
  parsed ??= Object.fromEntries(
    Object.entries(fontBytes()).map(([k, b]) => [k, fontkit.create(b)]),
  ) as Record<keyof typeof FONT_FILES, fontkit.Font>;
  return parsed;
}

/** Word font names: the body in 宋体 and headings in 黑体, with Latin fallbacks. */
export const WORD_FONTS = {
  body: { ascii: 'Times New Roman', hAnsi: 'Times New Roman', eastAsia: '宋体' },
  heading: { ascii: 'Arial', hAnsi: 'Arial', eastAsia: '黑体' },
} as const;
