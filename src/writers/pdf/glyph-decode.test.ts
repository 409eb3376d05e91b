// Subsets made with TenderKit's shortcuts (glyphs decoded once per thread, glyphs of contours not
// decoded at all) are byte for byte fontkit's own, composite glyphs included.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { FONT_FILES } from '../../fonts/files.js';
import { sharedGlyphDecode } from './glyph-decode.js';

const require = createRequire(import.meta.url);
interface Glyph {
  id: number;
  _decodeSimple(...args: unknown[]): unknown;
}
interface Font {
  layout(text: string): { glyphs: Glyph[] };
  createSubset(): { includeGlyph(glyph: Glyph): number; encode(): Uint8Array };
  getGlyph(id: number): Glyph;
}
const fontkit = require('fontkit') as { create(data: Uint8Array): Font };
const ROBOTO = path.join(
  path.dirname(require.resolve('pdfmake/package.json')),
  'fonts/Roboto/Roboto-Regular.ttf',
);
const CASES = [
  [FONT_FILES.serifRegular, '售后服务承诺书：质保期 3 年，7×24 小时响应。“引号” ABC'],
  [FONT_FILES.sansBold, '一、服务响应（A 类问题）'],
  [ROBOTO, 'ÄéñÅ fi fl Warranty 3 years'], // Ä, é, ñ, Å are composite glyphs
] as const;

function subset(file: string, text: string): Buffer {
  const font = fontkit.create(readFileSync(file));
  const s = font.createSubset();
  for (const g of font.layout(text).glyphs) s.includeGlyph(g);
  return Buffer.from(s.encode());
}

describe('subsets without decoding glyphs of contours', () => {
  it('are byte for byte what fontkit makes, and decode no simple glyph', () => {
    const before = CASES.map(([file, text]) => subset(file, text));
    sharedGlyphDecode(fontkit.create(readFileSync(FONT_FILES.serifRegular)) as never);
    const proto = Object.getPrototypeOf(
      fontkit.create(readFileSync(FONT_FILES.serifRegular)).getGlyph(1),
    ) as Glyph;
    const decodeSimple = proto._decodeSimple;
    let decodedSimple = 0;
    proto._decodeSimple = function (this: Glyph, ...args: unknown[]) {
      decodedSimple++;
      return decodeSimple.apply(this, args);
    };
    try {
      const after = CASES.map(([file, text]) => subset(file, text));
      for (const [i, b] of after.entries()) expect(b.equals(before[i]!), CASES[i]![0]).toBe(true);
      // Roboto's composites are decoded (their parts' numbers are rewritten); their parts, and
      // every CJK glyph, are not.
      expect(decodedSimple).toBe(0);
    } finally {
      proto._decodeSimple = decodeSimple;
    }
  });
});
