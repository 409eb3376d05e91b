// Property-based tests: whatever the schema accepts renders everywhere, deterministically, with
// every user string shown literally; numerals round-trip.
import fc from 'fast-check';
import nzh from 'nzh';
import { describe, expect, it } from 'vitest';
import { renderAll } from '../src/build.js';
import { TenderKitError } from '../src/diagnostics/diagnostic.js';
import { cnLower, cnUpper, rmbUpper } from '../src/format/cn-number.js';
import { blockLines } from '../src/ir/text.js';
import type { BidInput } from '../src/schema/bid.js';
import { validateInput } from '../src/server/form-values.js';
import { docxPart, docxWriter } from '../src/writers/docx/index.js';
import { htmlWriter } from '../src/writers/html/index.js';
import { pdfWriter } from '../src/writers/pdf/index.js';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parse } from 'yaml';
import { readFileSync } from 'node:fs';
import { exampleFile } from './helpers.js';

const base = (): BidInput => {
  const b = parse(readFileSync(exampleFile('hospital-his'), 'utf8')) as BidInput;
  delete b.tender;
  return b;
};

/** Text a user might type: Chinese, Latin, digits, punctuation, Markdown, template and XML syntax. */
const userText = fc
  .array(
    fc.oneof(
      fc.constantFrom(
        '医',
        '院',
        '项',
        '目',
        '服',
        '务',
        '承',
        '诺',
        '（',
        '）',
        '：',
        '、',
        '—',
        '·',
        '★',
        '×',
      ),
      fc.constantFrom(
        '{{',
        '}}',
        '{%',
        '%}',
        '**',
        '|',
        '#',
        '- ',
        '1. ',
        '<',
        '>',
        '&',
        '"',
        "'",
        '\\',
        '`',
        '[',
        ']',
        '(',
        ')',
      ),
      fc.constantFrom('a', 'Z', '0', '9', ' ', '-', '.', '@', 'é', 'ß', '😀', '𠀀'),
    ),
    { minLength: 1, maxLength: 24 },
  )
  .map((parts) => parts.join('').trim())
  .filter((s) => s.length > 0);

const tier = (i: number) =>
  fc.record({
    name: userText,
    definition: userText,
    responseMinutes: fc.integer({ min: 1, max: 600 }).map((m) => m + i * 600),
  });

const bidArb = fc
  .record({
    tenderee: userText,
    bidder: userText,
    project: userText,
    softwareMonths: fc.integer({ min: 1, max: 240 }),
    hardwareMonths: fc.option(fc.integer({ min: 1, max: 240 }), { nil: undefined }),
    committed: fc.integer({ min: 1, max: 4 }),
    tiers: fc
      .integer({ min: 1, max: 4 })
      .chain((n) => fc.tuple(...Array.from({ length: n }, (_, i) => tier(i)))),
    fee: fc.option(fc.integer({ min: 0, max: 99_999_999 }), { nil: undefined }),
    extraExclusion: fc.option(userText, { nil: undefined }),
  })
  .map((r) => {
    const b = base();
    b.tenderee!.name = r.tenderee;
    b.bidder!.name = r.bidder;
    b.project!.name = r.project;
    b.warranty = {
      ...b.warranty!,
      softwareMonths: r.softwareMonths,
      hardwareMonths: r.hardwareMonths,
    };
    b.staff = { ...b.staff!, committedCount: r.committed };
    b.responseTiers = r.tiers;
    b.outOfWarranty = {
      ...b.outOfWarranty,
      annualFee: r.fee === undefined ? undefined : (r.fee / 100).toFixed(2),
    };
    b.exclusions = { extra: r.extraExclusion ? [r.extraExclusion] : [] };
    return { input: b, strings: [r.tenderee, r.bidder, r.project] };
  });

/** Validates; a bid the schema or rules refuse is not this property's business. */
function accepted(input: BidInput) {
  const v = validateInput(input);
  return v.params;
}

describe('any bid the schema accepts', () => {
  it('renders in every format, or fails with a clear TenderKit error (placeholders, missing glyphs)', async () => {
    await fc.assert(
      fc.asyncProperty(bidArb, async ({ input, strings }) => {
        const params = accepted(input);
        fc.pre(params !== undefined);
        let docs;
        try {
          docs = renderAll(params!);
        } catch (e) {
          expect(e).toBeInstanceOf(TenderKitError);
          return;
        }
        const lines = docs.flatMap((d) => blockLines(d.children)).join('\n');
        for (const s of strings) expect(lines).toContain(s); // shown literally, never evaluated
        for (const d of docs) {
          const docx = await docxWriter.write(d);
          const xml = docxPart(docx, 'word/document.xml');
          expect(xml.startsWith('<?xml')).toBe(true);
          const html = (await htmlWriter.write(d)).toString('utf8');
          expect(html).not.toMatch(/<script|<b>/);
          try {
            await pdfWriter.write(d);
          } catch (e) {
            expect(e).toBeInstanceOf(TenderKitError); // a character no font can draw
          }
        }
      }),
      { numRuns: 25, seed: 20261122 },
    );
  });

  it('keeps the .docx well-formed XML whatever the characters (checked by a strict parser)', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'tk-prop-'));
    const xmls: string[] = [];
    await fc.assert(
      fc.asyncProperty(bidArb, async ({ input }) => {
        const params = accepted(input);
        fc.pre(params !== undefined);
        let docs;
        try {
          docs = renderAll({ ...params!, documents: ['commitment-letter'] });
        } catch (e) {
          expect(e).toBeInstanceOf(TenderKitError);
          return;
        }
        xmls.push(docxPart(await docxWriter.write(docs[0]!), 'word/document.xml'));
      }),
      { numRuns: 60, seed: 7 },
    );
    xmls.forEach((x, i) => writeFileSync(path.join(dir, `${i}.xml`), x));
    execFileSync('python3', [
      '-c',
      'import sys,glob,xml.dom.minidom as m\nfor f in glob.glob(sys.argv[1]+"/*.xml"): m.parse(f)',
      dir,
    ]);
    expect(xmls.length).toBeGreaterThan(10);
  });

  it('is deterministic: the same bid twice gives the same .docx and PDF bytes', async () => {
    await fc.assert(
      fc.asyncProperty(bidArb, async ({ input }) => {
        const params = accepted(input);
        fc.pre(params !== undefined);
        let a, b;
        try {
          [a] = renderAll({ ...params!, documents: ['commitment-letter'] });
          [b] = renderAll(structuredClone({ ...params!, documents: ['commitment-letter'] }));
        } catch (e) {
          expect(e).toBeInstanceOf(TenderKitError);
          return;
        }
        expect((await docxWriter.write(a!)).equals(await docxWriter.write(b!))).toBe(true);
        const pa = await pdfWriter.write(a!).catch(() => null);
        const pb = await pdfWriter.write(b!).catch(() => null);
        expect(pa === null ? pb === null : pb !== null && pa.equals(pb)).toBe(true);
      }),
      { numRuns: 10, seed: 42 },
    );
  });
});

describe('Chinese numerals and amounts round-trip', () => {
  it('cnUpper and cnLower decode back to the number', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 999_999_999 }), (n) => {
        expect(nzh.cn.decodeB(cnUpper(n))).toBe(n);
        expect(nzh.cn.decodeS(cnLower(n))).toBe(n);
      }),
      { numRuns: 500 },
    );
  });

  it('rmbUpper writes every fen amount so that it reads back exactly', () => {
    const DIGIT = '零壹贰叁肆伍陆柒捌玖';
    const decode = (s: string): number => {
      const m = /^人民币(?:(.+?)元)?(?:(.)角)?零?(?:(.)分)?(整)?$/.exec(s); // 元零壹分 when 角 is zero
      if (!m) throw new Error(`unexpected amount form ${s}`);
      const yuan = m[1] ? Number(nzh.cn.decodeB(m[1])) : 0;
      const jiao = m[2] ? DIGIT.indexOf(m[2].replace('零', '')) : 0;
      const fen = m[3] ? DIGIT.indexOf(m[3]) : 0;
      return yuan * 100 + Math.max(jiao, 0) * 10 + fen;
    };
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 99_999_999_999 }), (fen) => {
        const s = rmbUpper(fen);
        expect(decode(s)).toBe(fen);
        expect(s.endsWith('整')).toBe(fen % 100 === 0);
      }),
      { numRuns: 500 },
    );
  });
});
