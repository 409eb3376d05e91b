import { strToU8, unzipSync, zipSync } from 'fflate';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { renderAll } from '../../build.js';
import { loadExample } from '../../../test/helpers.js';
import { pdfWriter } from '../pdf/index.js';
import { docxWriter } from './index.js';
import { setZipTimes } from './zip-times.js';

afterEach(() => vi.useRealTimers());

describe('zip entry times', () => {
  it('dates every entry in both headers and keeps the contents', () => {
    const zip = Buffer.from(
      zipSync(
        { 'a.txt': strToU8('甲'), 'b/c.xml': strToU8('<x/>') },
        { mtime: new Date('2031-05-06T07:08:10Z') },
      ),
    );
    const fixed = setZipTimes(Buffer.from(zip), new Date('2026-11-22T00:00:00Z'));
    const dos = ((2026 - 1980) << 9) | (11 << 5) | 22;
    expect(fixed.readUInt16LE(12)).toBe(dos); // first local header
    const files = unzipSync(fixed);
    expect(new TextDecoder().decode(files['a.txt'])).toBe('甲');
    expect(Object.keys(files)).toEqual(['a.txt', 'b/c.xml']);
  });

  it('refuses something that is not a zip file', () => {
    expect(() => setZipTimes(Buffer.alloc(100), new Date())).toThrow(/not a zip/);
  });
});

describe('same input, same bytes, whatever the clock says', () => {
  it('gives identical .docx and PDF built years apart', async () => {
    const [doc] = renderAll(loadExample('dev-project-60m'));
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(new Date('2024-01-01T08:00:00Z'));
    const [d1, p1] = [await docxWriter.write(doc!), await pdfWriter.write(doc!)];
    vi.setSystemTime(new Date('2031-07-09T17:45:13Z'));
    const [d2, p2] = [await docxWriter.write(doc!), await pdfWriter.write(doc!)];
    expect(d1.equals(d2)).toBe(true);
    expect(p1.equals(p2)).toBe(true);
  });
});

describe('shared parsed fonts', () => {
  it('leak nothing from one PDF into the next: A, then B, then A again gives the same bytes', async () => {
    const [a] = renderAll(loadExample('dev-project-60m'));
    const [, b] = renderAll(loadExample('highway-monitoring'));
    const first = await pdfWriter.write(a!);
    await pdfWriter.write(b!);
    const again = await pdfWriter.write(a!);
    expect(again.equals(first)).toBe(true);
  });
});
