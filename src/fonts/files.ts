// The CJK fonts embedded in PDFs, installed by npm: Noto Serif SC (宋体 role) and Noto Sans SC (黑体
// role), both TrueType (fontkit subsets TrueType outlines several times faster than CFF ones).
// Only paths and bytes here (no font parser), so provenance can hash them without loading fontkit.
import { closeSync, existsSync, fstatSync, openSync, readFileSync, readSync } from 'node:fs';
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
  sansRegular: pkgFile('@expo-google-fonts/noto-sans-sc', '400Regular/NotoSansSC_400Regular.ttf'),
  sansBold: pkgFile('@expo-google-fonts/noto-sans-sc', '700Bold/NotoSansSC_700Bold.ttf'),
} as const;

/**
 * The built-in fonts whose lines are measured by their OS/2 typographic ascender and descender
 * rather than `hhea`. Noto Sans SC's TrueType release sets `hhea` to its clipping box (1160/−288
 * per 1000, a line 1.45 em tall), while its typographic metrics are the design's em box
 * (880/−120): the line the 黑体 role has always had (the CFF edition TenderKit embedded before
 * carried these values in `hhea`), so headings, tables and figure labels keep their pitch. Noto
 * Serif SC keeps its `hhea` (1151/−286), as it always has.
 */
export const TYPO_METRICS: ReadonlySet<string> = new Set([
  FONT_FILES.sansRegular,
  FONT_FILES.sansBold,
]);

export type FontKey = keyof typeof FONT_FILES;
export const FONT_KEYS = Object.keys(FONT_FILES) as FontKey[];

const bytes: Partial<Record<FontKey, Buffer>> = {};

/** One font file's bytes, read on first use (figures need only the sans fonts, PDFs all four). */
export function fontData(key: FontKey): Buffer {
  return (bytes[key] ??= readFileSync(FONT_FILES[key]));
}

/**
 * The font files' bytes, read once per process and shared by the PDF writer (pdfmake's virtual
 * file system), the glyph check and provenance hashing.
 */
export function fontBytes(): Readonly<Record<FontKey, Buffer>> {
  return Object.fromEntries(FONT_KEYS.map((k) => [k, fontData(k)])) as Record<FontKey, Buffer>;
}

/** Reads a whole file into memory that other threads can use without a copy. */
function readShared(file: string): Buffer {
  const fd = openSync(file, 'r');
  try {
    const size = fstatSync(fd).size;
    const buf = Buffer.from(new SharedArrayBuffer(size));
    for (let at = 0; at < size;) {
      const n = readSync(fd, buf, at, size - at, at);
      if (n === 0) throw new Error(`${file}: file shrank while being read`);
      at += n;
    }
    return buf;
  } finally {
    closeSync(fd);
  }
}

/**
 * The font files in shared memory, for a writer thread (which then reads nothing itself): the
 * ~47 MB are held once per process instead of once per thread.
 */
export function sharedFontData(): Record<FontKey, SharedArrayBuffer> {
  return Object.fromEntries(
    FONT_KEYS.map((k) => {
      let b = bytes[k];
      if (!(b?.buffer instanceof SharedArrayBuffer)) bytes[k] = b = readShared(FONT_FILES[k]);
      return [k, b.buffer as SharedArrayBuffer];
    }),
  ) as Record<FontKey, SharedArrayBuffer>;
}

/** In a writer thread: use the font bytes another thread shared. */
export function useSharedFontData(shared: Readonly<Record<FontKey, SharedArrayBuffer>>): void {
  for (const k of FONT_KEYS) bytes[k] ??= Buffer.from(shared[k]);
}
