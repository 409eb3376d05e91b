// Reads just enough of a TrueType/OpenType file to accept it as a PDF font: the table directory
// (is it an sfnt font with outlines and a cmap?) and its names (family for Word and HTML,
// PostScript name as a PDF shows it). A collection (`.ttc`: a `ttcf` header, then one table
// directory per face, every table offset counted from the file's start) is read face by face. No
// font parser: it runs while settings are checked.
import { closeSync, fstatSync, openSync, readSync } from 'node:fs';

export interface SfntInfo {
  /** `truetype` (glyf outlines) or `cff` (PostScript outlines, `.otf`). */
  readonly outlines: 'truetype' | 'cff';
  /** Family name as Word and browsers match it (English name when the font has one). */
  readonly family: string;
  /** PostScript name, which `pdffonts` shows after the subset tag. */
  readonly postscriptName: string;
  /** Every family name the font gives (name IDs 1 and 16, in every language), e.g. SimSun, 宋体. */
  readonly familyNames: readonly string[];
}

/** The faces of a font file: one for a single font, each face of a collection in order. */
export interface SfntFile {
  readonly collection: boolean;
  readonly faces: readonly SfntInfo[];
}

/** A font file that cannot be used; `message` is Chinese, for the user. */
export class FontFileProblem extends Error {}

/** Most faces a collection may hold (Windows' largest hold a few dozen). */
const MAX_FACES = 256;

function readAt(fd: number, offset: number, length: number): Buffer {
  const buf = Buffer.alloc(length);
  let at = 0;
  while (at < length) {
    const n = readSync(fd, buf, at, length - at, offset + at);
    if (n === 0) break;
    at += n;
  }
  if (at < length) throw new FontFileProblem('字体文件不完整（表目录指向文件末尾之后）');
  return buf;
}

/** UTF-16BE (Windows and Unicode platform names) or Mac Roman treated as Latin-1. */
function decodeName(raw: Buffer, platform: number): string {
  if (platform === 1) return raw.toString('latin1');
  const swapped = Buffer.from(raw);
  swapped.swap16();
  return swapped.toString('utf16le');
}

function names(t: Buffer): { best: Map<number, string>; families: string[] } {
  const count = t.readUInt16BE(2);
  const strings = t.readUInt16BE(4);
  // Preference per name id: Windows English (US), other Windows English, Unicode, Mac, any.
  const rank = (platform: number, lang: number) =>
    platform === 3 && lang === 0x409
      ? 0
      : platform === 3 && (lang & 0xff) === 0x09
        ? 1
        : platform === 0
          ? 2
          : platform === 1 && lang === 0
            ? 3
            : 4;
  const best = new Map<number, { rank: number; value: string }>();
  const families = new Set<string>();
  for (let i = 0; i < count; i++) {
    const p = 6 + i * 12;
    if (p + 12 > t.length) break;
    const platform = t.readUInt16BE(p);
    const encoding = t.readUInt16BE(p + 2);
    const lang = t.readUInt16BE(p + 4);
    const id = t.readUInt16BE(p + 6);
    const length = t.readUInt16BE(p + 8);
    const offset = strings + t.readUInt16BE(p + 10);
    if (![1, 4, 6, 16].includes(id) || offset + length > t.length) continue;
    const r = rank(platform, lang);
    const have = best.get(id);
    // Family names in every language (a collection's face is named by any of them), as far as
    // they are Unicode (Windows encodings 1 and 10, the Unicode platform) or Mac Roman English.
    const family =
      (id === 1 || id === 16) &&
      (platform === 0 ||
        (platform === 3 && (encoding === 1 || encoding === 10)) ||
        (platform === 1 && encoding === 0 && lang === 0));
    if (have && have.rank <= r && !family) continue;
    const value = decodeName(t.subarray(offset, offset + length), platform).trim();
    if (!value) continue;
    if (family) families.add(value);
    if (!have || have.rank > r) best.set(id, { rank: r, value });
  }
  return { best: new Map([...best].map(([id, v]) => [id, v.value])), families: [...families] };
}

/** The table directory at `at` (0 for a single font, a face's offset in a collection). */
function tableDirectory(fd: number, at: number): Map<string, { offset: number; length: number }> {
  const head = readAt(fd, at, 12);
  const tag = head.toString('latin1', 0, 4);
  const version = head.readUInt32BE(0);
  if (version !== 0x00010000 && tag !== 'OTTO' && tag !== 'true')
    throw new FontFileProblem('不是 TrueType 或 OpenType 字体文件');
  const count = head.readUInt16BE(4);
  if (count === 0 || count > 200) throw new FontFileProblem('字体文件的表目录无效');
  const dir = readAt(fd, at + 12, count * 16);
  const size = fstatSync(fd).size;
  const tables = new Map<string, { offset: number; length: number }>();
  for (let i = 0; i < count; i++) {
    const tag = dir.toString('latin1', i * 16, i * 16 + 4);
    const t = { offset: dir.readUInt32BE(i * 16 + 8), length: dir.readUInt32BE(i * 16 + 12) };
    // Every table must lie in the file: the PDF writer reads them all (glyf, loca, hmtx…).
    if (t.offset + t.length > size)
      throw new FontFileProblem(`字体文件不完整（${tag.trim()} 表超出文件末尾）`);
    tables.set(tag, t);
  }
  return tables;
}

/** Where each face's table directory starts: [0] for a single font, the `ttcf` header's offsets. */
function faceOffsets(fd: number): { collection: boolean; offsets: number[] } {
  const head = readAt(fd, 0, 12);
  const tag = head.toString('latin1', 0, 4);
  if (tag === 'wOFF' || tag === 'wOF2')
    throw new FontFileProblem('这是网页字体（WOFF），请使用 .ttf、.otf 或 .ttc 文件');
  if (tag !== 'ttcf') return { collection: false, offsets: [0] };
  const major = head.readUInt16BE(4);
  const count = head.readUInt32BE(8);
  if ((major !== 1 && major !== 2) || count === 0 || count > MAX_FACES)
    throw new FontFileProblem('字体集合文件（.ttc）的文件头无效');
  const offsets = readAt(fd, 12, count * 4);
  return {
    collection: true,
    offsets: Array.from({ length: count }, (_, i) => offsets.readUInt32BE(i * 4)),
  };
}

/** One face: its table directory at `at`, checked, and its names. */
function readFace(fd: number, at: number): SfntInfo {
  const tables = tableDirectory(fd, at);
  const outlines = tables.has('glyf') ? 'truetype' : tables.has('CFF ') ? 'cff' : undefined;
  if (!outlines) throw new FontFileProblem('字体没有字形轮廓（glyf 或 CFF 表），无法嵌入 PDF');
  for (const t of ['cmap', 'head', 'hhea', 'hmtx', 'maxp', 'name'])
    if (!tables.has(t)) throw new FontFileProblem(`字体缺少必需的 ${t.trim()} 表`);
  const nameTable = tables.get('name')!;
  const n = names(readAt(fd, nameTable.offset, Math.min(nameTable.length, 1 << 20)));
  const family = n.best.get(16) ?? n.best.get(1);
  const postscriptName = n.best.get(6) ?? family?.replace(/[^\x21-\x7e]/g, '');
  if (!family || !postscriptName) throw new FontFileProblem('字体文件没有字体名称（name 表）');
  return { outlines, family, postscriptName, familyNames: n.families };
}

/**
 * Checks that `file` is one TrueType or CFF OpenType font, or a collection of them (`.ttc`), and
 * reads the names of each face.
 */
export function readSfntFile(file: string): SfntFile {
  const fd = openSync(file, 'r');
  try {
    const { collection, offsets } = faceOffsets(fd);
    const faces = offsets.map((at, i) => {
      try {
        return readFace(fd, at);
      } catch (e) {
        if (collection && e instanceof FontFileProblem)
          throw new FontFileProblem(`集合中的第 ${i + 1} 个字体：${e.message}`);
        throw e;
      }
    });
    return { collection, faces };
  } catch (e) {
    if (e instanceof FontFileProblem) throw e;
    throw new FontFileProblem('无法读取字体文件（文件损坏或不是字体）');
  } finally {
    closeSync(fd);
  }
}

/**
 * The tables of one font in `file` — face `face` of a collection, or the file's only font when
 * `face` is undefined — by tag, with offsets from the file's start (in a collection too).
 */
export function fontTables(
  file: string,
  face?: number,
): Map<string, { offset: number; length: number }> {
  const fd = openSync(file, 'r');
  try {
    const { collection, offsets } = faceOffsets(fd);
    const at = offsets[face ?? 0];
    if (at === undefined || collection !== (face !== undefined))
      throw new FontFileProblem(
        collection ? '这是字体集合文件（.ttc），需指明其中的字体' : '字体文件不是字体集合（.ttc）',
      );
    return tableDirectory(fd, at);
  } finally {
    closeSync(fd);
  }
}
