import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { glyphTest, hasGlyph } from './coverage.js';
import { FONT_KEYS } from './files.js';
import { parsedFont, parsedFontFile } from './parsed.js';

describe('font coverage read from the cmap table', () => {
  it.each(FONT_KEYS)('answers as fontkit does for every code point (%s)', (key) => {
    const font = parsedFont(key);
    const differ: number[] = [];
    let covered = 0;
    for (let cp = 0; cp <= 0x10ffff; cp++) {
      const ours = hasGlyph(key, cp);
      if (ours) covered++;
      if (ours !== font.hasGlyphForCodePoint(cp)) differ.push(cp);
    }
    expect(differ).toEqual([]);
    // Sanity: a CJK font of this size covers tens of thousands of characters, and not these.
    expect(covered).toBeGreaterThan(30_000);
    expect(hasGlyph(key, 0x4e2d)).toBe(true); // 中
    expect(hasGlyph(key, 0x41)).toBe(true); // A
    expect(hasGlyph(key, 0x13000)).toBe(false); // 𓀀, Egyptian hieroglyph
  });
});

describe('coverage of a workspace font file', () => {
  it('answers as fontkit does for every code point (the test fixture)', () => {
    const file = path.resolve(
      import.meta.dirname,
      '../../test/fixtures/style/wqy-microhei-subset.ttf',
    );
    const has = glyphTest(file);
    const font = parsedFontFile(file);
    const differ: number[] = [];
    for (let cp = 0; cp <= 0x10ffff; cp++)
      if (has(cp) !== font.hasGlyphForCodePoint(cp)) differ.push(cp);
    expect(differ).toEqual([]);
    expect(has(0x4e2d)).toBe(true); // 中
    expect(has(0x9f98)).toBe(false); // 龘, left out of the subset
  });
});
