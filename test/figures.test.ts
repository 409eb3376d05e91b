// Figures agree with the text and tables of the same document; charts stay readable at the extremes.
import { Resvg } from '@resvg/resvg-js';
import { unzipSync } from 'fflate';
import { describe, expect, it } from 'vitest';
import { renderAll } from '../src/build.js';
import { drawFigure } from '../src/figures/figures.js';
import { hoursText, minutesText } from '../src/format/cn-number.js';
import { TEXT_WIDTH_PT } from '../src/ir/layout.js';
import { blockLines, flatBlocks, inlineText } from '../src/ir/text.js';
import type { Document, Figure, Table } from '../src/ir/types.js';
import type { BidParams } from '../src/schema/bid.js';
import { docxWriter } from '../src/writers/docx/index.js';
import { EXAMPLES, loadExample } from './helpers.js';

const plan = (bid: BidParams) =>
  renderAll({ ...bid, documents: ['service-plan', 'training-plan'] });
const figures = (d: Document) => d.children.filter((b): b is Figure => b.type === 'figure');
const tableAfter = (d: Document, headerFirstCell: string): Table => {
  const t = flatBlocks(d.children).find(
    (b): b is Table =>
      b.type === 'table' &&
      inlineText(b.head[0]!.children[0]!.children) === headerFirstCell &&
      b.head[0]!.children.length > 3,
  );
  if (!t) throw new Error(`no table starting ${headerFirstCell}`);
  return t;
};
const cells = (t: Table, col: number) => t.body.map((r) => inlineText(r.children[col]!.children));

describe.each(EXAMPLES)('figures of %s', (name) => {
  const bid = loadExample(name);
  const [servicePlan, trainingPlan] = plan(bid);

  it('are numbered 图1, 图2 … with captions, and drawn within the text width', () => {
    const f = figures(servicePlan!);
    expect(f.map((x) => x.number)).toEqual(f.map((_, i) => i + 1));
    for (const x of [...f, ...figures(trainingPlan!)]) {
      expect(x.width).toBeLessThanOrEqual(TEXT_WIDTH_PT);
      expect(x.svg).toMatch(/^<svg [^>]*role="img"/);
      expect(x.svg).not.toMatch(/<text|<script|href=/); // text is outlines; nothing external
    }
  });

  it('show the same response times as the tier table beside them', () => {
    const chart = figures(servicePlan!).find((x) => x.id === 'tier-chart')!;
    const data = chart.data as {
      name: string;
      responseHours: number;
      onsiteHours: number | null;
      resolveHours: number | null;
    }[];
    const table = tableAfter(servicePlan!, '故障等级');
    expect(data.map((d) => d.name)).toEqual(cells(table, 0));
    expect(data.map((d) => `${minutesText(Math.round(d.responseHours * 60))}内`)).toEqual(
      cells(table, 2),
    );
    expect(
      data.map((d) =>
        d.resolveHours === null ? '双方协商确定' : `${hoursText(d.resolveHours)}内`,
      ),
    ).toEqual(cells(table, 4));
    data.forEach((d, i) => {
      if (d.onsiteHours !== null)
        expect(cells(table, 3)[i]).toContain(`本地${hoursText(d.onsiteHours)}内`);
    });
  });

  it('draw the escalation order the text states', () => {
    const flow = figures(servicePlan!).find((x) => x.id === 'escalation-flow')!;
    const steps = (flow.data as { steps: string[] }).steps;
    const text = blockLines(servicePlan!.children).join('\n');
    expect(text).toContain(`按${steps.slice(1, -1).join('→')}的顺序`);
  });

  it('draw every person of the roster table under their role', () => {
    const org = figures(servicePlan!).find((x) => x.id === 'org-chart');
    if (!bid.staff.roster.length) return expect(org).toBeUndefined();
    const roles = (org!.data as { roles: { role: string; names: string[] }[] }).roles;
    const table = tableAfter(servicePlan!, '序号');
    const fromTable = cells(table, 1)
      .map((n, i) => `${cells(table, 2)[i]}:${n}`)
      .sort();
    expect(roles.flatMap((r) => r.names.map((n) => `${r.role}:${n}`)).sort()).toEqual(fromTable);
  });

  it('schedule the training modules with the hours of the syllabus', () => {
    const gantt = figures(trainingPlan!).find((x) => x.id === 'training-gantt')!;
    const rows = (gantt.data as { rows: { module: string; hours: number }[] }).rows;
    const syllabus = tableAfter(trainingPlan!, '序号');
    expect(rows.map((r) => r.module)).toEqual(cells(syllabus, 1).slice(0, -1));
    expect(rows.map((r) => String(r.hours))).toEqual(cells(syllabus, 4).slice(0, -1));
  });

  it('put one PNG per figure in the .docx', async () => {
    const docx = await docxWriter.write(servicePlan!);
    const media = Object.keys(unzipSync(docx)).filter((f) => f.startsWith('word/media/'));
    expect(media).toHaveLength(figures(servicePlan!).length);
  });
});

describe('readable at the extremes', () => {
  const base = loadExample('hospital-his');
  const tier = (i: number) => ({
    name: `${'ABCD'[i]}类问题`,
    definition: '定义',
    responseMinutes: 30 * (i + 1),
    onsiteHoursLocal: 2 * (i + 1),
    resolveHours: 24 * (i + 1),
  });
  const person = (i: number) => ({
    name: `人员${i + 1}`,
    phone: '138-0000-0000',
    role: [
      '项目经理',
      '系统工程师',
      '网络工程师',
      '数据库工程师',
      '实施工程师',
      '客户经理',
      '值班工程师',
    ][i % 7]!,
  });

  it.each([2, 4])('a %i-tier chart draws every tier and value', (n) => {
    const f = drawFigure(
      'tier-chart',
      { ...base, responseTiers: Array.from({ length: n }, (_, i) => tier(i)) },
      '图',
    )!;
    expect((f.data as unknown[]).length).toBe(n);
    expect(f.height).toBeGreaterThan(40 + n * 40);
    const png = new Resvg(f.svg).render();
    expect(png.width).toBe(Math.round(f.width));
  });

  it.each([2, 12])('an organisation chart of %i people names everyone', (n) => {
    const roster = Array.from({ length: n }, (_, i) => person(i));
    const f = drawFigure(
      'org-chart',
      { ...base, staff: { ...base.staff, committedCount: n, roster } },
      '图',
    )!;
    const roles = (f.data as { roles: { names: string[] }[] }).roles;
    expect(roles.flatMap((r) => r.names).sort()).toEqual(roster.map((p) => p.name).sort());
    expect(f.width).toBeLessThanOrEqual(TEXT_WIDTH_PT);
    expect(new Resvg(f.svg).render().height).toBe(Math.round(f.height));
  });

  it('leaves out sections and figures a bid has no parameters for', () => {
    const bid = loadExample('dev-project-60m');
    const [doc] = plan({ ...bid, staff: { ...bid.staff, roster: [] } });
    const headings = blockLines(doc!.children).filter((l) => /^[一二三四五六七八九十]+、/.test(l));
    expect(headings.some((h) => h.includes('备品备件'))).toBe(false);
    expect(headings.some((h) => h.includes('应急预案'))).toBe(false);
    expect(figures(doc!).map((f) => f.id)).toEqual(['escalation-flow', 'tier-chart']);
    expect(figures(doc!).map((f) => f.number)).toEqual([1, 2]);
  });
});
