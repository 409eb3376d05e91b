// Which characters each embedded font (built in, or a workspace font of the house style) can draw,
// read straight from the font's `cmap` table (a few hundred KB at a known offset), so the glyph
// check of `lint` and `explain` needs neither fontkit nor the 47 MB of font files. The answer is fontkit's `hasGlyphForCodePoint` (same subtable
// preference, same lookup for formats 4 and 12; a font with another format is asked through
// fontkit); a test compares the two over every code point of every font.
import { closeSync, openSync, readSync } from 'node:fs';
import { FONT_FILES, type FontKey } from './files.js';
import { fileVersionKey, parsedFont, parsedFontFile } from './parsed.js';
import { fontTables } from './sfnt.js';

/** fontkit's order of preference among Unicode subtables: [platformID, encodingID]. */
const PREFERRED: readonly (readonly [number, number])[] = [
  [3, 10],
  [0, 6],
  [0, 4],
  [3, 1],
  [0, 3],
  [0, 2],
  [0, 1],
  [0, 0],
];

/** Code points with a glyph, as sorted inclusive ranges: start0, end0, start1, end1, … */
type Ranges = readonly number[];

function readAt(fd: number, offset: number, length: number): Buffer {
  const buf = Buffer.alloc(length);
  for (let at = 0; at < length;) {
    const n = readSync(fd, buf, at, length - at, offset + at);
    if (n === 0) throw new Error('font file ends inside a table');
    at += n;
  }
  return buf;
}

/** The font's `cmap` table (face `face` of a collection, else the file's only font). */
function cmapTable(file: string, face?: number): Buffer {
  const cmap = fontTables(file, face).get('cmap');
  if (!cmap) throw new Error('font has no cmap table');
  const fd = openSync(file, 'r');
  try {
    return readAt(fd, cmap.offset, cmap.length);
  } finally {
    closeSync(fd);
  }
}

/** Adds code point `cp` to `out`, merging it with the last range when adjacent. */
function add(out: number[], cp: number): void {
  if (out.length && out[out.length - 1] === cp - 1) out[out.length - 1] = cp;
  else out.push(cp, cp);
}

function format12(t: Buffer, at: number): Ranges {
  const groups = t.readUInt32BE(at + 12);
  const out: number[] = [];
  for (let g = 0; g < groups; g++) {
    const p = at + 16 + g * 12;
    const start = t.readUInt32BE(p);
    const end = t.readUInt32BE(p + 4);
    // glyph = startGlyphID + (cp - start): only the first can be glyph 0 (.notdef, no glyph).
    const first = t.readUInt32BE(p + 8) === 0 ? start + 1 : start;
    if (first > end) continue;
    if (out.length && out[out.length - 1] === first - 1) out[out.length - 1] = end;
    else out.push(first, end);
  }
  return out;
}

function format4(t: Buffer, at: number): Ranges {
  const segs = t.readUInt16BE(at + 6) / 2;
  const ends = at + 14;
  const starts = ends + segs * 2 + 2;
  const deltas = starts + segs * 2;
  const offsets = deltas + segs * 2;
  const glyphs = offsets + segs * 2;
  const out: number[] = [];
  for (let s = 0; s < segs; s++) {
    const start = t.readUInt16BE(starts + s * 2);
    const end = t.readUInt16BE(ends + s * 2);
    const delta = t.readInt16BE(deltas + s * 2);
    const rangeOffset = t.readUInt16BE(offsets + s * 2);
    for (let cp = start; cp <= end; cp++) {
      let gid: number;
      if (rangeOffset === 0) gid = cp + delta;
      else {
        const index = rangeOffset / 2 + (cp - start) - (segs - s);
        const p = glyphs + index * 2;
        gid = p >= glyphs && p + 2 <= t.length ? t.readUInt16BE(p) : 0;
        if (gid !== 0) gid += delta;
      }
      if ((gid & 0xffff) !== 0) add(out, cp);
    }
  }
  return out;
}

/** The preferred Unicode subtable's coverage, or null when fontkit must be asked. */
function readCoverage(file: string, face?: number): Ranges | null {
  const t = cmapTable(file, face);
  const n = t.readUInt16BE(2);
  for (const [platform, encoding] of PREFERRED) {
    for (let i = 0; i < n; i++) {
      if (t.readUInt16BE(4 + i * 8) !== platform || t.readUInt16BE(6 + i * 8) !== encoding)
        continue;
      const at = t.readUInt32BE(8 + i * 8);
      const format = t.readUInt16BE(at);
      if (format === 12) return format12(t, at);
      if (format === 4) return format4(t, at);
      return null;
    }
  }
  return null;
}

/** Coverage by font file (built-in or a workspace font), read once per file version. */
const coverage = new Map<string, Ranges | null>();

function rangesOf(file: string, cacheKey: string, face?: number): Ranges | null {
  if (!coverage.has(cacheKey)) {
    let r: Ranges | null;
    try {
      r = readCoverage(file, face);
    } catch {
      r = null; // unexpected layout: fontkit reads it (and reports what is wrong)
    }
    coverage.set(cacheKey, r);
    if (coverage.size > 32) coverage.delete(coverage.keys().next().value!);
  }
  return coverage.get(cacheKey)!;
}

function inRanges(r: Ranges, cp: number): boolean {
  let lo = 0;
  let hi = r.length / 2 - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (cp < r[mid * 2]!) hi = mid - 1;
    else if (cp > r[mid * 2 + 1]!) lo = mid + 1;
    else return true;
  }
  return false;
}

/**
 * A test answering for the code points in `r`, one bit per code point up to its last range (a
 * built-in font's test answers for every character of every document `lint` checks).
 */
function rangeTest(r: Ranges): (cp: number) => boolean {
  const bits = new Uint8Array(r.length ? (r[r.length - 1]! >> 3) + 1 : 0);
  const set = (from: number, to: number) => {
    for (let cp = from; cp <= to; cp++) bits[cp >> 3]! |= 1 << (cp & 7);
  };
  for (let i = 0; i < r.length; i += 2) {
    const start = r[i]!;
    const end = r[i + 1]!;
    if (end - start < 16) set(start, end);
    else {
      // Whole bytes at once: a CJK font's ranges span tens of thousands of code points.
      set(start, start | 7);
      bits.fill(0xff, (start >> 3) + 1, end >> 3);
      set(end & ~7, end);
    }
  }
  return (cp) => ((bits[cp >> 3] ?? 0) & (1 << (cp & 7))) !== 0;
}

/** The built-in fonts' tests, made on first use. */
const builtIn: Partial<Record<FontKey, (cp: number) => boolean>> = {};

/** A test answering as `hasGlyph(key, cp)` does, looking the font up once. */
export function fontGlyphTest(key: FontKey): (cp: number) => boolean {
  let t = builtIn[key];
  if (!t) {
    const r = rangesOf(FONT_FILES[key], key);
    if (r) t = rangeTest(r);
    else {
      const font = parsedFont(key);
      t = (cp) => font.hasGlyphForCodePoint(cp);
    }
    builtIn[key] = t;
  }
  return t;
}

/** Whether the font has a glyph for code point `cp` (as fontkit's `hasGlyphForCodePoint`). */
export function hasGlyph(key: FontKey, cp: number): boolean {
  return fontGlyphTest(key)(cp);
}

/**
 * A test for one font file of the workspace (`.ttf`/`.otf`, or face `face` of a `.ttc`), answering
 * as `hasGlyph` does. Made once per check: the file's size and time name its version, so an edited
 * font is read again.
 */
export function glyphTest(file: string, face?: number): (cp: number) => boolean {
  const version = fileVersionKey(file);
  const r = rangesOf(file, `${version}\0${face ?? ''}`, face);
  if (r) return (cp) => inRanges(r, cp);
  const font = parsedFontFile(file, face, version);
  return (cp) => font.hasGlyphForCodePoint(cp);
}
