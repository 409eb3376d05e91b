// The CJK fonts embedded in PDFs, installed by npm: Noto Serif SC (宋体 role) and Noto Sans SC (黑体
// role), both TrueType (fontkit subsets TrueType outlines several times faster than CFF ones).
// Only paths and bytes here (no font parser), so provenance can hash them without loading fontkit.
import { createHash } from 'node:crypto';
import { closeSync, existsSync, openSync, readFileSync, readSync, realpathSync } from 'node:fs';
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

/**
 * The font files as TenderKit ships and tests them: each package's version and each file's
 * SHA-256. A file of that version with other bytes is damaged (a disk error, an interrupted
 * install, an edit): the PDFs made with it could show no text or lay out on hundreds of pages.
 * Another version of the package (an update within the range package.json allows) is not
 * judged here.
 */
const SHIPPED: Readonly<Record<FontKey, readonly [version: string, sha256: string]>> = {
  serifRegular: ['0.4.3', 'c358a69de3df5f423a8946a7b03e3126fb6ba116f1130a463455b4e39e1f0742'],
  serifBold: ['0.4.3', '9c6a2ba736e4b499c84f65ce366bd3625c0401885fd3e585ace50fb738b96ff6'],
  sansRegular: ['0.4.3', 'd45f67f0a7c0ca3f256950777ce6a61cc7ce5f9696d02900cbbaac25f8aa7d16'],
  sansBold: ['0.4.3', '9a38ae0ab28cd5a256f9ea8e00dedc688aac17f7915fcb000572990afa956b96'],
};

/**
 * What is wrong with a built-in font whose SHA-256 is `sha256`, in Chinese for the user: it is not
 * the file its package version shipped. Undefined when it is, or for another package version.
 */
export function damagedFont(key: FontKey, sha256: string): string | undefined {
  const [pkg, rel] = FONT_SOURCES[key];
  const [version, expected] = SHIPPED[key];
  if (sha256 === expected) return undefined;
  let installed: unknown;
  try {
    installed = (
      JSON.parse(readFileSync(path.join(packageDir(pkg), 'package.json'), 'utf8')) as {
        version?: unknown;
      }
    ).version;
  } catch {
    installed = undefined;
  }
  if (installed !== version) return undefined;
  return `内置字体 ${pkg}/${rel} 与 ${pkg}@${version} 发布的文件不同（SHA-256 为 ${sha256.slice(0, 12)}…，应为 ${expected.slice(0, 12)}…），文件可能已损坏`;
}

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
