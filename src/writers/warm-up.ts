// A small document a writer thread writes (and throws away) while the main thread is still loading
// and rendering the bid: it parses the fonts, builds their subsetting tables and compiles the
// writer's code paths (headings, body text, bold, a table, a figure, the signature) before the
// first real document arrives. Writers keep no state between documents, so it changes no output.
import type { Document, Inline } from '../ir/types.js';
import type { Writer } from './types.js';

const text = (value: string): Inline => ({ type: 'text', value });

export const WARM_UP_DOCUMENT: Document = {
  type: 'document',
  meta: {
    id: 'warm-up',
    title: '预热',
    date: '2026-01-01',
    author: '投标人',
    subject: '预热',
    draft: false,
  },
  children: [
    { type: 'title', children: [text('售后服务承诺书')] },
    { type: 'heading', level: 1, label: '一、', children: [text('服务响应')] },
    {
      type: 'paragraph',
      align: 'left',
      indent: true,
      children: [
        text('我方承诺在接到故障通知后30分钟内响应，'),
        { type: 'strong', children: [text('2小时内到达现场')] },
        text('，24小时内排除故障（ABC-123）。'),
      ],
    },
    {
      type: 'list',
      ordered: true,
      start: 1,
      depth: 0,
      children: [
        {
          type: 'listItem',
          children: [
            {
              type: 'paragraph',
              align: 'left',
              indent: false,
              children: [text('质保期内免费维修。')],
            },
          ],
        },
      ],
    },
    {
      type: 'table',
      columns: [{ align: 'left' }, { align: 'center' }],
      head: [
        {
          type: 'tableRow',
          children: [
            { type: 'tableCell', children: [text('故障等级')] },
            { type: 'tableCell', children: [text('响应时间')] },
          ],
        },
      ],
      body: [
        {
          type: 'tableRow',
          children: [
            { type: 'tableCell', children: [text('一级故障')] },
            { type: 'tableCell', children: [text('30分钟')] },
          ],
        },
      ],
    },
    {
      type: 'figure',
      id: 'tier-chart',
      number: 1,
      caption: '响应时限',
      svg:
        '<svg xmlns="http://www.w3.org/2000/svg" width="40" height="20" viewBox="0 0 40 20">' +
        '<rect x="0" y="0" width="40" height="20" fill="#ffffff"/>' +
        '<path transform="translate(2 12) scale(0.01 -0.01)" fill="#1f2933" d="M0 0L500 0L500 700Z"/>' +
        '<line x1="0" y1="18" x2="40" y2="18" stroke="#e2e8f0" stroke-width="0.8"/></svg>',
      marks: [
        { type: 'rect', x: 1, y: 1, w: 38, h: 14, r: 2, fill: '#eef2ff', stroke: '#1d4ed8' },
        { type: 'line', x1: 0, y1: 18, x2: 40, y2: 18, stroke: '#e2e8f0', lineWidth: 0.8 },
        {
          type: 'polygon',
          points: [
            [40, 18],
            [36, 16],
            [36, 20],
          ],
          fill: '#475569',
        },
        {
          type: 'text',
          x: 20,
          y: 12,
          text: '响应',
          size: 9.5,
          bold: false,
          anchor: 'middle',
          width: 19,
          fill: '#1f2933',
        },
      ],
      width: 40,
      height: 20,
      data: null,
    },
    {
      type: 'signature',
      children: [{ type: 'signatureLine', label: '投标人', children: [text('（盖章）')] }],
    },
  ],
};

/** Writes the warm-up document once; a failure here only means the first real one is slower. */
export async function warmUp(writer: Writer): Promise<void> {
  try {
    await writer.write(WARM_UP_DOCUMENT);
  } catch {
    // Warming up is an optimisation: the real documents report any real problem.
  }
}
