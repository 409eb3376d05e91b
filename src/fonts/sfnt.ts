// Reads just enough of a TrueType/OpenType file to accept it as a PDF font: the table directory
// (is it a single sfnt font with outlines and a cmap?) and its names (family for Word and HTML,
// PostScript name as a PDF shows it). No font parser: it runs while settings are checked.
import { closeSync, openSync, readSync } from 'node:fs';

export interface SfntInfo {
  /** `truetype` (glyf outlines) or `cff` (PostScript outlines, `.otf`). */
  readonly outlines: 'truetype' | 'cff';
  /** Family name as Word and browsers match it (English name when the font has one). */
  readonly family: string;
  /** PostScript name, which `pdffonts` shows after the subset tag. */
  readonly postscriptName: string;
}

/** A font file that cannot be used; `message` is Chinese, for the user. */
export class FontFileProblem extends Error {}

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

function names(t: Buffer): Map<number, string> {
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
  for (let i = 0; i < count; i++) {
    const p = 6 + i * 12;
    if (p + 12 > t.length) break;
    const platform = t.readUInt16BE(p);
    const lang = t.readUInt16BE(p + 4);
    const id = t.readUInt16BE(p + 6);
    const length = t.readUInt16BE(p + 8);
    const offset = strings + t.readUInt16BE(p + 10);
    if (![1, 4, 6, 16].includes(id) || offset + length > t.length) continue;
    const r = rank(platform, lang);
    const have = best.get(id);
    if (have && have.rank <= r) continue;
    const value = decodeName(t.subarray(offset, offset + length), platform).trim();
    if (value) best.set(id, { rank: r, value });
  }
  return new Map([...best].map(([id, v]) => [id, v.value]));
}

/** Checks that `file` is one TrueType or CFF OpenType font and reads its names. */
export function readSfntInfo(file: string): SfntInfo {
  const fd = openSync(file, 'r');
  try {
    const head = readAt(fd, 0, 12);
    const tag = head.toString('latin1', 0, 4);
    if (tag === 'ttcf')
      throw new FontFileProblem('这是字体集合文件（.ttc），请使用其中单个字体的 .ttf 或 .otf 文件');
    if (tag === 'wOFF' || tag === 'wOF2')
      throw new FontFileProblem('这是网页字体（WOFF），请使用 .ttf 或 .otf 文件');
    const version = head.readUInt32BE(0);
    if (version !== 0x00010000 && tag !== 'OTTO' && tag !== 'true')
      throw new FontFileProblem('不是 TrueType 或 OpenType 字体文件');
    const count = head.readUInt16BE(4);
    if (count === 0 || count > 200) throw new FontFileProblem('字体文件的表目录无效');
    const dir = readAt(fd, 12, count * 16);
    const tables = new Map<string, { offset: number; length: number }>();
    for (let i = 0; i < count; i++)
      tables.set(dir.toString('latin1', i * 16, i * 16 + 4), {
        offset: dir.readUInt32BE(i * 16 + 8),
        length: dir.readUInt32BE(i * 16 + 12),
      });
    const outlines = tables.has('glyf') ? 'truetype' : tables.has('CFF ') ? 'cff' : undefined;
    if (!outlines) throw new FontFileProblem('字体没有字形轮廓（glyf 或 CFF 表），无法嵌入 PDF');
    for (const t of ['cmap', 'head', 'hhea', 'hmtx', 'maxp', 'name'])
      if (!tables.has(t)) throw new FontFileProblem(`字体缺少必需的 ${t.trim()} 表`);
    const nameTable = tables.get('name')!;
    const n = names(readAt(fd, nameTable.offset, Math.min(nameTable.length, 1 << 20)));
    const family = n.get(16) ?? n.get(1);
    const postscriptName = n.get(6) ?? family?.replace(/[^\x21-\x7e]/g, '');
    if (!family || !postscriptName) throw new FontFileProblem('字体文件没有字体名称（name 表）');
    return { outlines, family, postscriptName };
  } catch (e) {
    if (e instanceof FontFileProblem) throw e;
    throw new FontFileProblem('无法读取字体文件（文件损坏或不是字体）');
  } finally {
    closeSync(fd);
  }
}
