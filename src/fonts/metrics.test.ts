// The built-in Noto Sans SC is the TrueType edition, measured by its OS/2 typographic metrics: the
// PDF writer (through fontkit), the .docx pagination (reading the file's tables itself) and the
// PDF's font descriptor must all see the same 880/−120 line, or headings change their pitch.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { lineUnit } from '../writers/docx/pagination.js';
import { FONT_FILES, TYPO_METRICS } from './files.js';
import { parsedFont } from './parsed.js';

describe('built-in font line metrics', () => {
  it('Noto Sans SC is TrueType and measured by its typographic ascender and descender', () => {
    for (const key of ['sansRegular', 'sansBold'] as const) {
      expect(readFileSync(FONT_FILES[key]).readUInt32BE(0)).toBe(0x00010000); // TrueType outlines
      expect(TYPO_METRICS.has(FONT_FILES[key])).toBe(true);
      const f = parsedFont(key);
      expect([f.ascent, f.descent, f.lineGap]).toEqual([880, -120, 0]);
      // The file's own hhea is the taller clipping box, which must not be what lines use.
      expect(f.hhea.ascent - f.hhea.descent).toBeGreaterThan(1400);
    }
    expect(lineUnit({ kind: 'builtin', name: 'noto-sans-sc' })).toBe(1);
  });

  it('Noto Serif SC keeps its hhea metrics, read the same way by the PDF and the .docx', () => {
    const f = parsedFont('serifRegular');
    expect([f.ascent, f.descent]).toEqual([f.hhea.ascent, f.hhea.descent]);
    expect(lineUnit({ kind: 'builtin', name: 'noto-serif-sc' })).toBeCloseTo(
      (f.ascent - f.descent) / f.unitsPerEm,
      12,
    );
  });

  it('the PDF font descriptors carry the same ascent and descent (through the real CLI)', () => {
    const out = mkdtempSync(path.join(os.tmpdir(), 'tk-metrics-'));
    const r = spawnSync(
      process.execPath,
      ['bin/tenderkit.js', 'build', 'examples/minimal.yaml', '--format', 'pdf', '--out', out],
      { encoding: 'utf8' },
    );
    expect(r.status, r.stderr).toBe(0);
    const pdf = readFileSync(
      path.join(
        out,
        readdirSync(out).find((f) => f.endsWith('.pdf'))!,
      ),
      'latin1',
    );
    const sans = [
      ...pdf.matchAll(
        /\/FontName \/[A-Z]{6}\+NotoSansSC-\w+[^>]*?\/Ascent (-?\d+)\s*\/Descent (-?\d+)/g,
      ),
    ];
    expect(sans.length).toBeGreaterThan(0);
    for (const m of sans) expect([m[1], m[2]]).toEqual(['880', '-120']);
  });
});
