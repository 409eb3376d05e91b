// The .docx zip (zip.ts) is byte for byte what fflate's zipSync makes of the same parts in UTC: for
// every document of the examples, for odd names and sizes, and when parts are taken from the memo
// of parts deflated before; and the same in any time zone.
import { strToU8, unzipSync, zipSync } from 'fflate';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { renderAll } from '../../build.js';
import { EXAMPLES, prepareExample } from '../../../test/helpers.js';
import { pdfWriter } from '../pdf/index.js';
import { docxParts, docxWriter } from './index.js';
import { zipParts } from './zip.js';

const media = (k: string) => k.startsWith('word/media/');
function viaFflate(parts: Record<string, Uint8Array>, mtime: Date): Buffer {
  return Buffer.from(
    zipSync(
      Object.fromEntries(
        Object.entries(parts).map(([k, v]) => [k, [v, { mtime, level: media(k) ? 0 : 6 }]]),
      ) as Parameters<typeof zipSync>[0],
    ),
  );
}

// fflate dates entries in local time: compare in UTC.
const savedTz = process.env.TZ;
beforeAll(() => {
  process.env.TZ = 'UTC';
});
afterAll(() => {
  if (savedTz === undefined) delete process.env.TZ;
  else process.env.TZ = savedTz;
});

describe('the .docx zip', () => {
  it('is fflate’s zip of the same parts, for every document of the examples', async () => {
    for (const name of EXAMPLES) {
      const bid = prepareExample(name);
      for (const doc of renderAll(bid.params, undefined, bid.extra)) {
        await pdfWriter.write(doc); // the contents' page numbers, as a build has them
        const parts = await docxParts(doc);
        const mtime = new Date(`${doc.meta.date}T00:00:00Z`);
        const expected = viaFflate(parts, mtime);
        // Twice: the second time the shared parts come from the memo.
        expect(zipParts(parts, mtime, media).equals(expected), doc.meta.title).toBe(true);
        expect(zipParts(parts, mtime, media).equals(expected), doc.meta.title).toBe(true);
        expect((await docxWriter.write(doc)).equals(expected), doc.meta.title).toBe(true);
      }
    }
  });

  it('handles non-ASCII names, empty and stored parts, and reads back', () => {
    const parts = {
      'a.txt': strToU8('甲乙丙'.repeat(500)),
      '目录/说明.xml': strToU8('<x>中文</x>'),
      'empty.xml': new Uint8Array(0),
      'word/media/raw.bin': Uint8Array.from({ length: 70_000 }, (_, i) => (i * 7919) % 251),
    };
    const mtime = new Date(2031, 4, 6, 7, 8, 10);
    const zip = zipParts(parts, mtime, media);
    expect(zip.equals(viaFflate(parts, mtime))).toBe(true);
    const back = unzipSync(zip);
    expect(Object.keys(back)).toEqual(Object.keys(parts));
    for (const [k, v] of Object.entries(parts)) expect(Buffer.from(back[k]!).equals(v)).toBe(true);
    expect(() => zipParts(parts, new Date(1979, 0, 1), media)).toThrow();
  });

  it('dates entries in UTC whatever the time zone: the same .docx in Beijing and in UTC', async () => {
    const bid = prepareExample('hospital-his');
    const [doc] = renderAll({ ...bid.params, documents: ['commitment-letter'] });
    const inUtc = await docxWriter.write(doc!);
    try {
      for (const tz of ['Asia/Shanghai', 'America/Los_Angeles']) {
        process.env.TZ = tz; // Node applies a new TZ at once
        expect(new Date('2026-11-22T00:00:00Z').getHours(), tz).not.toBe(0);
        expect((await docxWriter.write(doc!)).equals(inUtc), tz).toBe(true);
        const zip = zipParts({ 'a.xml': strToU8('<a/>') }, new Date('2026-11-22T00:00:00Z'), media);
        expect(zip.readUInt16LE(10), tz).toBe(0); // 00:00
        expect(zip.readUInt16LE(12), tz).toBe(((2026 - 1980) << 9) | (11 << 5) | 22);
      }
    } finally {
      process.env.TZ = 'UTC';
    }
  });
});
