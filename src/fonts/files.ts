// The CJK fonts embedded in PDFs, installed by npm: Noto Serif SC (宋体 role) and Noto Sans SC (黑体
// role), both TrueType (fontkit subsets TrueType outlines several times faster than CFF ones).
// Only paths and bytes here (no font parser), so provenance can hash them without loading fontkit.
import { createHash } from 'node:crypto';
import { closeSync, existsSync, openSync, readSync, realpathSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';

/** Each font's package and its file in it. */
const FONT_SOURCES = {
  serifRegular: ['@expo-google-fonts/noto-serif-sc', '400Regular/NotoSerifSC_400Regular.ttf'],
  serifBold: ['@expo-google-fonts/noto-serif-sc', '700Bold/NotoSerifSC_700Bold.ttf'],
  sansRegular: ['@expo-google-fonts/noto-sans-sc', '400Regular/NotoSansSC_400Regular.ttf'],
  sansBold: ['@expo-google-fonts/noto-sans-sc', '700Bold/NotoSansSC_700Bold.ttf'],
} as const;

export type FontKey = keyof typeof FONT_SOURCES;
export const FONT_KEYS = Object.keys(FONT_SOURCES) as FontKey[];

const packageDirs = new Map<string, string>();

/**
 * An installed package's folder, found once per process: the folder of that name in the first
 * `node_modules` that Node's lookup reaches holding a package.json (its real path, as
 * `require.resolve` gives), else the folder holding the package.json above its main entry (not
 * every package exports package.json).
 */
function packageDir(pkg: string): string {
  let dir = packageDirs.get(pkg);
  if (dir) return dir;
  const require = createRequire(import.meta.url);
  for (const nm of require.resolve.paths(pkg) ?? []) {
    const d = path.join(nm, pkg);
    if (existsSync(path.join(d, 'package.json'))) {
      dir = realpathSync(d);
      break;
    }
  }
  if (!dir) {
    dir = path.dirname(require.resolve(pkg));
    while (!existsSync(path.join(dir, 'package.json')) && path.dirname(dir) !== dir)
      dir = path.dirname(dir);
  }
  packageDirs.set(pkg, dir);
  return dir;
}

/**
 * The font files' paths, each found on first use (a command that draws or checks no text of a
 * font never looks for its package).
 */
export const FONT_FILES: Readonly<Record<FontKey, string>> = Object.defineProperties(
  {} as Record<FontKey, string>,
  Object.fromEntries(
    FONT_KEYS.map((k) => {
      let file: string | undefined;
      const [pkg, rel] = FONT_SOURCES[k];
      return [k, { enumerable: true, get: () => (file ??= path.join(packageDir(pkg), rel)) }];
    }),
  ),
);

/**
 * The built-in fonts whose lines are measured by their OS/2 typographic ascender and descender
 * rather than `hhea`. Noto Sans SC's TrueType release sets `hhea` to its clipping box (1160/−288
 * per 1000, a line 1.45 em tall), while its typographic metrics are the design's em box
 * (880/−120): the line the 黑体 role has always had (the CFF edition TenderKit embedded before
 * carried these values in `hhea`), so headings, tables and figure labels keep their pitch. Noto
 * Serif SC keeps its `hhea` (1151/−286), as it always has.
 */
export const TYPO_METRICS: Pick<ReadonlySet<string>, 'has'> = {
  has: (file) => file === FONT_FILES.sansRegular || file === FONT_FILES.sansBold,
};

/** A font file's SHA-256, read in pieces (provenance; nothing of the file is kept). */
export function fontFileSha256(key: FontKey): string {
  const hash = createHash('sha256');
  const fd = openSync(FONT_FILES[key], 'r');
  try {
    const chunk = Buffer.allocUnsafe(1 << 20);
    for (let n; (n = readSync(fd, chunk, 0, chunk.length, null)) > 0;)
      hash.update(chunk.subarray(0, n));
  } finally {
    closeSync(fd);
  }
  return hash.digest('hex');
}
