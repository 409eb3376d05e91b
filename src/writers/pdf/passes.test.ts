// The PDF writer's shortcuts for pdfmake's layout passes: a document is measured once however
// often pdfmake lays it out again for a page break the keep rules ask for (measure-once.ts), and
// pdfkit gathers content as text (streams.ts). A break found by `pageBreakBefore` (a layout pass
// more) must give the very file that the same break written into the definition gives in one pass
// — with justified lines, a word too long for its line (pdfmake splits it while laying out) and a
// table, whose pieces layout changes — and the measuring must happen once.
import { createRequire } from 'node:module';
import pdfmake from 'pdfmake';
import type { Content, TDocumentDefinitions } from 'pdfmake/interfaces.js';
import { beforeAll, describe, expect, it } from 'vitest';
import { renderAll } from '../../build.js';
import { loadExample } from '../../../test/helpers.js';
import { pdfWriter } from './index.js';

const require = createRequire(import.meta.url);
const measurer = (require('pdfmake/js/DocMeasure.js') as { default: { prototype: object } }).default
  .prototype as { measureLeaf(node: object): object };
const builder = (require('pdfmake/js/LayoutBuilder.js') as { default: { prototype: object } })
  .default.prototype as { tryLayoutDocument(...args: unknown[]): unknown };

const LONG = 'TenderKitAfterSalesCommitment'.repeat(12);
const PARAGRAPH =
  '系统出现影响业务连续性的异常，需按等级在承诺时限内响应、到场并排除，排除后提交故障处理报告。'.repeat(
    3,
  );

/** A document of headings, justified paragraphs, a long word and tables: content after `breakAt`. */
function definition(breakAt: ReadonlySet<string>, ask: boolean): TDocumentDefinitions {
  const content: Content[] = [];
  for (let i = 1; i <= 30; i++) {
    const id = `h${i}`;
    content.push({
      text: `第${i}节 售后服务`,
      font: 'Hei',
      bold: true,
      fontSize: 14,
      headlineLevel: 1,
      id,
      ...(breakAt.has(id) && !ask ? { pageBreak: 'before' as const } : {}),
    } as Content);
    content.push({ text: [PARAGRAPH, { text: '重要承诺', bold: true }], alignment: 'justify' });
    if (i % 5 === 0) content.push({ text: LONG, alignment: 'justify' });
    if (i % 7 === 0)
      content.push({
        table: {
          headerRows: 1,
          widths: ['*', '*'],
          body: [
            ['项目', '承诺'],
            ...Array.from({ length: 4 }, (_, r) => [`第${r + 1}项`, PARAGRAPH.slice(0, 40)]),
          ],
        },
      });
  }
  return {
    pageSize: 'A4',
    info: { creationDate: new Date(Date.UTC(2025, 0, 1)), modDate: new Date(Date.UTC(2025, 0, 1)) },
    defaultStyle: { font: 'Song', fontSize: 12, lineHeight: 1.25 },
    content,
    ...(ask
      ? { pageBreakBefore: (node) => typeof node.id === 'string' && breakAt.has(node.id) }
      : {}),
  };
}

/** The PDF of a definition, how many layout passes it took and how many texts were measured. */
async function render(def: TDocumentDefinitions) {
  let passes = 0;
  let leaves = 0;
  const { tryLayoutDocument } = builder;
  const { measureLeaf } = measurer;
  builder.tryLayoutDocument = function (this: unknown, ...args: unknown[]) {
    passes++;
    return tryLayoutDocument.apply(this, args);
  };
  measurer.measureLeaf = function (this: unknown, node: object) {
    leaves++;
    return measureLeaf.call(this, node);
  };
  try {
    const bytes = await pdfmake.createPdf(def).getBuffer();
    return { bytes, passes, leaves };
  } finally {
    builder.tryLayoutDocument = tryLayoutDocument;
    measurer.measureLeaf = measureLeaf;
  }
}

describe('layout passes of the PDF writer', () => {
  beforeAll(async () => {
    // Fonts and the writer's shortcuts are put in place by its first document.
    await pdfWriter.write(renderAll(loadExample('minimal'))[0]!);
  });

  it('gives the same file whether pdfmake finds the page breaks or is told them', async () => {
    const breaks = new Set(['h4', 'h11', 'h23']);
    const found = await render(definition(breaks, true));
    const told = await render(definition(breaks, false));
    expect(found.passes).toBe(4); // one pass, then one more for each break found
    expect(told.passes).toBe(1);
    expect(found.bytes.length).toBeGreaterThan(10_000);
    expect(Buffer.from(found.bytes).equals(Buffer.from(told.bytes))).toBe(true);
    // Measured once: as many texts as the one pass measured (the footers of no page here).
    expect(found.leaves).toBe(told.leaves);
  });
});
