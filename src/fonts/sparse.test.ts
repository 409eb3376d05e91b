// A font read in part must give fontkit exactly what the whole file gives, for every way fontkit
// reaches an outline: layout, paths, bounding boxes, a PDF subset, and a composite glyph's parts.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import type * as Fontkit from 'fontkit';
import { afterAll, describe, expect, it } from 'vitest';
import { FONT_FILES, FONT_KEYS } from './files.js';
import { parsedFont } from './parsed.js';
import { readFontInPart } from './sparse.js';

const require = createRequire(import.meta.url);

/** The parts of fontkit these tests reach (fontkit.d.ts declares only what the code uses). */
interface Glyph {
  id: number;
  path: Fontkit.Path;
  cbox: { minX: number; minY: number; maxX: number; maxY: number };
}
interface Font {
  layout(text: string): { glyphs: Glyph[]; positions: { xAdvance: number }[] };
  glyphForCodePoint(codePoint: number): Glyph;
  createSubset(): { includeGlyph(glyph: Glyph): number; encode(): Uint8Array };
  directory: { tables: Record<string, { offset: number; length: number }> };
  loca: { offsets: number[] };
}
const fontkit = require('fontkit') as { create(data: Uint8Array): Font };
/** Roboto as pdfmake ships it: TrueType with composite glyphs (Ä is A and a dieresis). */
const ROBOTO = path.join(
  path.dirname(require.resolve('pdfmake/package.json')),
  'fonts/Roboto/Roboto-Regular.ttf',
);

const TEXT = '售后服务承诺书：质保期 3 年，7×24 小时响应（A 类问题 2 小时到场）。ÄéñÅ fi fl “引号”';

function inPart(file: string) {
  const part = readFontInPart(file);
  const font = fontkit.create(part.bytes);
  part.attach(font as unknown as Fontkit.Font);
  return { font, bytes: part.bytes };
}

/** What fontkit makes of `text`: glyph ids, advances, outlines and boxes. */
function seen(font: Font, text: string) {
  const run = font.layout(text);
  return run.glyphs.map((g, i) => ({
    id: g.id,
    advance: run.positions[i]!.xAdvance,
    path: g.path.toSVG(),
    box: [g.cbox.minX, g.cbox.minY, g.cbox.maxX, g.cbox.maxY],
  }));
}

/** The TrueType subset pdfkit would embed for `text`. */
function subset(font: Font, text: string): Buffer {
  const s = font.createSubset();
  for (const g of font.layout(text).glyphs) s.includeGlyph(g);
  return Buffer.from(s.encode());
}

const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

describe('fonts read in part', () => {
  it.each([...FONT_KEYS.map((k) => [k, FONT_FILES[k]] as const), ['Roboto', ROBOTO] as const])(
    '%s: layout, outlines, boxes and subsets equal the whole file’s',
    (_name, file) => {
      const whole = fontkit.create(readFileSync(file));
      const { font } = inPart(file);
      expect(seen(font, TEXT)).toEqual(seen(whole, TEXT));
      expect(subset(font, TEXT).equals(subset(whole, TEXT))).toBe(true);
    },
  );

  it('reads a composite glyph’s parts when the composite is drawn or subset', () => {
    const whole = fontkit.create(readFileSync(ROBOTO));
    // Nothing else drawn first: Ä's parts (A and the dieresis) are read only through Ä.
    const { font } = inPart(ROBOTO);
    const a = font.glyphForCodePoint('Ä'.codePointAt(0)!);
    expect(a.path.toSVG()).toBe(whole.glyphForCodePoint('Ä'.codePointAt(0)!).path.toSVG());
    expect(a.path.toSVG().length).toBeGreaterThan(50);
    const fresh = inPart(ROBOTO).font;
    expect(subset(fresh, 'Å').equals(subset(whole, 'Å'))).toBe(true);
  });

  it('reads only the outlines of glyphs that were used', () => {
    const { font, bytes } = inPart(FONT_FILES.serifRegular);
    const whole = readFileSync(FONT_FILES.serifRegular);
    font.layout('质保期');
    const glyf = font.directory.tables.glyf!;
    const offsets = font.loca.offsets;
    const range = (gid: number): [number, number] => [
      glyf.offset + offsets[gid]!,
      glyf.offset + offsets[gid + 1]!,
    ];
    const [s0, e0] = range(font.glyphForCodePoint('质'.codePointAt(0)!).id);
    expect(bytes.subarray(s0, e0).equals(whole.subarray(s0, e0))).toBe(true);
    // A glyph never made: its outline was not read.
    const untouched = font.layout('质').glyphs[0]!.id + 1;
    const [s2, e2] = range(untouched);
    expect(e2).toBeGreaterThan(s2);
    expect(bytes.subarray(s2, e2).every((b) => b === 0)).toBe(true);
    expect(whole.subarray(s2, e2).some((b) => b !== 0)).toBe(true);
    // Every table other than the outlines is in place.
    const loca = font.directory.tables.loca!;
    expect(
      bytes
        .subarray(loca.offset, loca.offset + loca.length)
        .equals(whole.subarray(loca.offset, loca.offset + loca.length)),
    ).toBe(true);
  });

  it('reads other files whole: a collection, CFF outlines, a directory pointing past the end', () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'tk-sparse-'));
    dirs.push(dir);
    const roboto = readFileSync(ROBOTO);
    const cases = {
      'collection.ttc': Buffer.concat([Buffer.from('ttcf'), roboto.subarray(4)]),
      'cff.otf': Buffer.concat([Buffer.from('OTTO'), roboto.subarray(4)]),
      'truncated.ttf': roboto.subarray(0, 4096),
      'tiny.ttf': Buffer.from([0, 1, 0]),
    };
    for (const [name, data] of Object.entries(cases)) {
      const file = path.join(dir, name);
      writeFileSync(file, data);
      expect(readFontInPart(file).bytes.equals(data), name).toBe(true);
    }
  });

  it('the built-in fonts are parsed from partial reads', () => {
    const font = parsedFont('sansRegular') as unknown as { _getBaseGlyph: unknown };
    expect(Object.hasOwn(font, '_getBaseGlyph')).toBe(true);
  });
});
