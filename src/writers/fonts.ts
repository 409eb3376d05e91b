// The CJK fonts embedded in PDFs, installed by npm: Noto Serif SC (宋体 role), Noto Sans SC (黑体 role).
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';

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

/** Word font names: the body in 宋体 and headings in 黑体, with Latin fallbacks. */
export const WORD_FONTS = {
  body: { ascii: 'Times New Roman', hAnsi: 'Times New Roman', eastAsia: '宋体' },
  heading: { ascii: 'Arial', hAnsi: 'Arial', eastAsia: '黑体' },
} as const;
