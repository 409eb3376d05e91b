// Figures agree with the text and tables of the same document; charts stay readable at the extremes;
// a figure the bid has no data for is left out.
import { Resvg } from '@resvg/resvg-js';
import { unzipSync } from 'fflate';
import { describe, expect, it } from 'vitest';
import { renderAll } from '../src/build.js';
import { drawFigure } from '../src/figures/figures.js';
import { TEXT_WIDTH_PT } from '../src/ir/layout.js';
import { blockLines, flatBlocks, inlineText } from '../src/ir/text.js';
import type { Document, Figure, List, Table } from '../src/ir/types.js';
import { bidSchema, type BidInput, type BidParams, type Milestone } from '../src/schema/bid.js';
import type { Duration } from '../src/schema/duration.js';
import { channelLabels, milestoneLabels } from '../src/schema/labels.js';
import { docxWriter } from '../src/writers/docx/index.js';
import { pdfWriter, toPdfDefinition } from '../src/writers/pdf/index.js';
import pdfmake from 'pdfmake';
import { textWidth } from '../src/figures/svg.js';
import { EXAMPLES, loadExample } from './helpers.js';

interface ChartRow {
  name: string;
  negotiable: boolean;
  milestones: { kind: string; label: string; text: string; hours: number | null }[];
}
interface FlowData {
  steps: string[];
  severe: { name: string; text: string } | null;
}

const plan = (bid: BidParams) =>
  renderAll({ ...bid, documents: ['service-plan', 'training-plan'] });
const figures = (d: Document) => d.children.filter((b): b is Figure => b.type === 'figure');
const figure = (d: Document, id: string) => figures(d).find((f) => f.id === id);
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

/** The response-tiers clause of a document: per tier, `名称：定义` and its numbered stages. */
function tierList(d: Document): { head: string; stages: string[] }[] {
  const clause = d.children.find((b) => b.type === 'clause' && b.id === 'response-tiers');
  const list =
    clause?.type === 'clause'
      ? clause.children.find((b): b is List => b.type === 'list')
      : undefined;
  if (!list) throw new Error('no list of response tiers');
  return list.children.map((item) => {
    const [first, ...rest] = item.children;
    if (first?.type !== 'paragraph') throw new Error('a tier item starts with its name');
    return {
      head: inlineText(first.children),
      stages: rest.flatMap((b) =>
        b.type === 'list'
          ? b.children.map((i) =>
              i.children
                .map((p) => (p.type === 'paragraph' ? inlineText(p.children) : ''))
                .join(''),
            )
          : [],
      ),
    };
  });
}

/** Exact hours of a limit by the documented conversions (1日 = 24小时, 1周 = 7日), else null. */
const PER_HOUR: Partial<Record<string, number>> = { minute: 1 / 60, hour: 1, day: 24, week: 168 };
function exactHours(d: Duration): number | null {
  if (d.kind === 'immediate') return 0;
  if (d.kind !== 'amount') return null;
  const per = PER_HOUR[d.unit];
  return per === undefined ? null : d.amount * per;
}
/** The bar a milestone gets: its worst case, or null when some limit has no exact length. */
function barHours(m: Milestone): number | null {
  // Counted from another point than the report, or without travel: not on the common axis.
  if ((m.from && m.from !== 'report') || m.excludesTravel) return null;
  const hs = (m.cases ? m.cases.map((c) => c.within) : [m.within!]).map(exactHours);
  return hs.some((h) => h === null) ? null : Math.max(...(hs as number[]));
}
const timed = (m: Milestone) => Boolean(m.within || m.cases);

/** The bid as the schema parses it (durations parsed, defaults filled). */
const params = (input: BidInput): BidParams => bidSchema.parse(input);

describe.each(EXAMPLES)('figures of %s', (name) => {
  const bid = loadExample(name);
  const [servicePlan, trainingPlan] = plan(bid);

  it('are numbered 图1, 图2 … with captions, and drawn within the text width', () => {
    const f = figures(servicePlan!);
    expect(f.length).toBeGreaterThan(0);
    expect(f.map((x) => x.number)).toEqual(f.map((_, i) => i + 1));
    for (const x of [...f, ...figures(trainingPlan!)]) {
      expect(x.caption).not.toBe('');
      expect(x.width).toBeLessThanOrEqual(TEXT_WIDTH_PT);
      expect(x.svg).toMatch(/^<svg [^>]*role="img"/);
      expect(x.svg).not.toMatch(/<text|<script|href=/); // text is outlines; nothing external
    }
  });

  it('chart one bar per timed milestone, each saying what the tier list beside it says', () => {
    const chart = figure(servicePlan!, 'tier-chart')!;
    const rows = chart.data as unknown as ChartRow[];
    const listed = tierList(servicePlan!);
    const tiers = bid.responseTiers!;
    expect(rows.map((r) => r.name)).toEqual(tiers.map((t) => t.name));
    expect(listed.map((t) => t.head)).toEqual(
      tiers.map((t) => (t.definition ? `${t.name}：${t.definition}` : t.name)),
    );
    rows.forEach((row, i) => {
      const stages = listed[i]!.stages;
      const tier = tiers[i]!;
      expect(row.negotiable).toBe(tier.negotiable === true);
      if (row.negotiable) {
        expect(row.milestones).toEqual([]);
        expect(stages).toEqual(['处理时限由双方协商确定。']);
        return;
      }
      const own = tier.milestones!;
      expect(stages).toHaveLength(own.length);
      const timedOwn = own.filter(timed);
      expect(row.milestones.map((m) => m.kind)).toEqual(timedOwn.map((m) => m.kind));
      row.milestones.forEach((m, j) => {
        const bm = timedOwn[j]!;
        const stage = stages[own.indexOf(bm)]!;
        expect(m.label).toBe(bm.label ?? milestoneLabels[bm.kind]);
        expect(m.hours).toBe(barHours(bm));
        // The chart says everything the list says about the stage: clock start, cases,
        // travel, performer, fallback.
        expect(stage.replace(/[；。]$/, '')).toBe(m.text);
        for (const c of bm.cases ?? []) expect(m.text).toContain(c.when);
      });
    });
    // One bar (a 9pt rect) per milestone with an exact length.
    const bars = rows.flatMap((r) => r.milestones).filter((m) => m.hours !== null);
    expect(chart.svg.match(/<rect [^>]*height="9"/g) ?? []).toHaveLength(bars.length);
  });

  it('draw the escalation order the text states, and the severest tier as the chart shows it', () => {
    const flow = figure(servicePlan!, 'escalation-flow')!;
    const { steps, severe } = flow.data as unknown as FlowData;
    const text = blockLines(servicePlan!.children).join('\n');
    expect(steps.slice(1, -1)).toEqual(bid.service!.escalation!.map((c) => channelLabels[c]));
    expect(text).toContain(`按${steps.slice(1, -1).join('→')}的顺序`);
    // The last box, which every fault reaches, says what every tier commits the handling ends
    // with, nothing more: where the tiers end differently, 处理完毕.
    const endOf = (t: NonNullable<typeof bid.responseTiers>[number]) => {
      const kinds = t.negotiable ? [] : (t.milestones ?? []).map((m) => m.kind);
      const outcome = kinds.filter((k) => ['resolve', 'restore', 'plan'].includes(k)).at(-1);
      const end = outcome ? milestoneLabels[outcome] : '处理完毕';
      return kinds.includes('report') ? `${end}并提交故障报告` : end;
    };
    const ends = new Set(bid.responseTiers!.map(endOf));
    expect(steps.at(-1)).toBe(ends.size === 1 ? [...ends][0] : '处理完毕');
    if (steps.at(-1) !== '处理完毕') expect(text).toContain(steps.at(-1)!.split('并')[0]!);
    const first = (figure(servicePlan!, 'tier-chart')!.data as unknown as ChartRow[])[0]!;
    expect(severe).toEqual({
      name: first.name,
      text: first.negotiable
        ? '时限由双方协商确定'
        : first.milestones.map((m) => m.text).join('，'),
    });
  });

  it('draw every person of the roster table under their role', () => {
    const org = figure(servicePlan!, 'org-chart');
    if (!bid.staff?.roster.length) return expect(org).toBeUndefined();
    const roles = (org!.data as { roles: { role: string; names: string[] }[] }).roles;
    const table = tableAfter(servicePlan!, '序号');
    const fromTable = cells(table, 1)
      .map((n, i) => `${cells(table, 2)[i]}:${n}`)
      .sort();
    expect(roles.flatMap((r) => r.names.map((n) => `${r.role}:${n}`)).sort()).toEqual(fromTable);
  });

  it('schedule the training modules with the hours of the syllabus', () => {
    // A bid without training.schedule states no schedule: the 培训方案 draws none.
    if (!bid.training?.schedule.length)
      return expect(figure(trainingPlan!, 'training-gantt')).toBeUndefined();
    const gantt = figure(trainingPlan!, 'training-gantt')!;
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

describe('the A/B/C/D tiers of highway-monitoring', () => {
  const [servicePlan] = plan(loadExample('highway-monitoring'));
  const rows = figure(servicePlan!, 'tier-chart')!.data as unknown as ChartRow[];

  it('bar the worst case of a staged limit, write inexact limits as text, and mark a negotiated tier', () => {
    expect(
      rows.map((r) => [r.name, r.negotiable, r.milestones.map((m) => [m.text, m.hours])]),
    ).toEqual([
      [
        'A类问题',
        false,
        [
          ['自接到报修起立即响应', 0],
          ['自接到报修起郴州市区2小时内、其他市县24小时内到达现场', 24],
          ['自接到报修起48小时内提交解决方案', 48],
          [
            '自接到报修起工作日48小时内、节假日72小时内恢复运行；如未能按时完成，则1个工作日内启用第二套方案恢复运行',
            null,
          ],
          ['自上一环节完成起3个工作日内提交故障报告', null],
        ],
      ],
      [
        'B类问题',
        false,
        [
          ['自接到报修起1小时内响应', 1],
          ['自接到报修起48小时内到达现场', 48],
          ['自接到报修起72小时内提交解决方案', 72],
        ],
      ],
      [
        'C类问题',
        false,
        [
          ['自接到报修起72小时内响应', 72],
          ['自接到报修起108小时内提交解决方案', 108],
        ],
      ],
      ['D类问题', true, []],
    ]);
  });
});

describe('readable at the extremes', () => {
  const base = loadExample('hospital-his');
  const hospitalInput = (): BidInput => ({
    version: 2,
    tenderee: { name: base.tenderee.name },
    bidder: { name: base.bidder.name },
    project: { name: base.project.name },
    signature: { signer: base.signature.signer, date: base.signature.date },
  });
  const tier = (i: number) => ({
    name: `${'ABCD'[i]}类问题`,
    definition: '定义',
    milestones: [
      { kind: 'respond' as const, within: `${30 * (i + 1)}分钟` },
      {
        kind: 'onsite' as const,
        cases: [
          { when: '市区', within: { amount: 2 * (i + 1), unit: 'hour' } },
          { when: '郊县', within: `${4 * (i + 1)}小时` },
        ],
      },
      { kind: 'restore' as const, within: { workday: `${i + 1}日`, holiday: `${i + 2}日` } },
      { kind: 'resolve' as const, within: `${i + 1}周` },
      { kind: 'report' as const },
    ],
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

  it.each([1, 2, 4, 10])('a %i-tier chart draws every timed milestone as its own bar', (n) => {
    const bid = params({
      ...hospitalInput(),
      responseTiers: Array.from({ length: n }, (_, i) => tier(i)),
    });
    const f = drawFigure('tier-chart', bid, '图')!;
    const rows = f.data as unknown as ChartRow[];
    expect(rows).toHaveLength(n);
    expect(rows.every((r) => r.milestones.length === 4)).toBe(true); // the report has no limit
    const bars = [
      ...f.svg.matchAll(/<rect x="([\d.]+)" y="([\d.]+)" width="([\d.]+)" height="9"/g),
    ];
    expect(bars).toHaveLength(n * 3); // the split restore limit has no single length
    // Bars are 9pt high and never overlap, within a tier or across tiers.
    const ys = bars.map((b) => Number(b[2])).sort((a, b) => a - b);
    ys.slice(1).forEach((y, i) => expect(y - ys[i]!).toBeGreaterThanOrEqual(9));
    expect(ys.at(-1)! + 9).toBeLessThanOrEqual(f.height);
    for (const [, x, , w] of bars) expect(Number(x) + Number(w)).toBeLessThanOrEqual(f.width);
    // Longer limits get longer bars: bars follow the hours, worst case first.
    rows.forEach((r, i) => {
      const widths = bars.slice(i * 3, i * 3 + 3).map((b) => Number(b[3]));
      expect(widths).toEqual([...widths].sort((a, b) => a - b));
      expect(r.milestones.map((m) => m.hours)).toEqual([
        0.5 * (i + 1),
        4 * (i + 1),
        null,
        168 * (i + 1),
      ]);
    });
    // Every timed milestone (the split one too, as text) gets a line of its own.
    expect(f.height).toBeGreaterThan(n * 4 * 9);
    const png = new Resvg(f.svg).render();
    expect(png.width).toBe(Math.round(f.width));
    expect(png.height).toBe(Math.round(f.height));
  });

  it.each([2, 12])('an organisation chart of %i people names everyone', (n) => {
    const roster = Array.from({ length: n }, (_, i) => person(i));
    const f = drawFigure(
      'org-chart',
      params({ ...hospitalInput(), staff: { committedCount: n, roster } }),
      '图',
    )!;
    const roles = (f.data as { roles: { names: string[] }[] }).roles;
    expect(roles.flatMap((r) => r.names).sort()).toEqual(roster.map((p) => p.name).sort());
    expect(f.width).toBeLessThanOrEqual(TEXT_WIDTH_PT);
    expect(new Resvg(f.svg).render().height).toBe(Math.round(f.height));
  });
});

describe('figures a bid has no data for', () => {
  const dev = loadExample('dev-project-60m');
  const hospital = loadExample('hospital-his');
  const ids = (bid: BidParams) => figures(plan(bid)[0]!).map((f) => [f.number, f.id]);

  it('leave out the sections and figures without parameters, numbering the rest 图1, 图2', () => {
    const [doc] = plan({ ...dev, staff: { ...dev.staff!, roster: [] } });
    const headings = blockLines(doc!.children).filter((l) => /^[一二三四五六七八九十]+、/.test(l));
    expect(headings.some((h) => h.includes('备品备件'))).toBe(false);
    expect(headings.some((h) => h.includes('应急预案'))).toBe(false);
    expect(figures(doc!).map((f) => [f.number, f.id])).toEqual([
      [1, 'escalation-flow'],
      [2, 'tier-chart'],
    ]);
    expect(blockLines(doc!.children)).not.toContain('图1　售后服务组织机构');
  });

  it('no escalation order: no flow; the other figures keep their order', () => {
    expect(ids({ ...hospital, service: { ...hospital.service!, escalation: undefined } })).toEqual([
      [1, 'org-chart'],
      [2, 'tier-chart'],
    ]);
  });

  it('no response tiers: no tier chart, and the flow names no tier', () => {
    const bid = { ...hospital, responseTiers: undefined };
    expect(ids(bid)).toEqual([
      [1, 'org-chart'],
      [2, 'escalation-flow'],
    ]);
    const flow = figure(plan(bid)[0]!, 'escalation-flow')!.data as unknown as FlowData;
    expect(flow.severe).toBeNull();
    expect(flow.steps.at(-1)).toBe('处理完毕');
  });

  it('the minimal bid: a service plan without any figure', () => {
    const minimal = params({
      version: 2,
      tenderee: { name: '青溪县人民政府办公室' },
      bidder: { name: '青溪信达科技有限公司' },
      project: { name: '青溪县政务办公系统运维服务项目' },
      signature: { signer: '刘文涛', date: '2026-11-22' },
    });
    const [doc] = renderAll({ ...minimal, documents: ['service-plan'] });
    expect(figures(doc!)).toEqual([]);
    expect(blockLines(doc!.children).some((l) => /^图\d/.test(l))).toBe(false);
    for (const id of ['tier-chart', 'escalation-flow', 'org-chart', 'training-gantt'] as const)
      expect(drawFigure(id, minimal, '图')).toBeNull();
  });
});

describe('the training schedule chart', () => {
  const hospital = loadExample('hospital-his');
  const t = hospital.training!;
  const gantt = (schedule: { phase: string; modules: string[] }[]) => {
    const drawn = drawFigure(
      'training-gantt',
      { ...hospital, training: { ...t, schedule } },
      '培训',
    );
    return drawn!.data as unknown as { rows: { module: string; phases: string[] }[] };
  };

  it('never puts a module the schedule does not place into a phase: it says 未排期', () => {
    const [first, ...rest] = t.modules;
    const schedule = [{ phase: '第 1 周', modules: rest.map((m) => m.id) }];
    const rows = gantt(schedule).rows;
    expect(rows.find((r) => r.module === first!.title)!.phases).toEqual([]);
    expect(rows.filter((r) => r.phases.length).every((r) => r.phases[0] === '第 1 周')).toBe(true);
    const svg = drawFigure(
      'training-gantt',
      { ...hospital, training: { ...t, schedule } },
      '培训',
    )!.svg;
    // One bar per placed module; the unplaced one has none (its 未排期 note is drawn as outlines).
    expect(svg.match(/fill="#0f766e"/g)).toHaveLength(rest.length);
  });

  it('draws a module in every phase the schedule lists it under', () => {
    const id = t.modules[0]!.id;
    const rows = gantt([
      { phase: '上线前', modules: [id] },
      { phase: '上线后', modules: t.modules.map((m) => m.id) },
    ]).rows;
    expect(rows[0]!.phases).toEqual(['上线前', '上线后']);
    expect(rows[1]!.phases).toEqual(['上线后']);
  });
});

describe('a figure’s display list', () => {
  const hospital = loadExample('hospital-his');
  const highway = loadExample('highway-monitoring');

  it('is what the SVG is made of: one element per mark, text as outlines', () => {
    for (const bid of [hospital, highway])
      for (const f of figures(plan(bid)[0]!)) {
        const count = (type: string) => f.marks.filter((m) => m.type === type).length;
        // The white ground is the SVG's own first rect.
        expect((f.svg.match(/<rect /g) ?? []).length, f.id).toBe(count('rect') + 1);
        expect((f.svg.match(/<line /g) ?? []).length, f.id).toBe(count('line'));
        expect((f.svg.match(/<polygon /g) ?? []).length, f.id).toBe(count('polygon'));
        expect((f.svg.match(/<path /g) ?? []).length, f.id).toBe(count('text'));
        for (const m of f.marks) {
          if (m.type !== 'text') continue;
          // Each label stays within the figure, at its measured width.
          const left =
            m.anchor === 'start' ? m.x : m.anchor === 'end' ? m.x - m.width : m.x - m.width / 2;
          expect(left, m.text).toBeGreaterThanOrEqual(-0.5);
          expect(left + m.width, m.text).toBeLessThanOrEqual(f.width + 0.5);
          expect(m.y, m.text).toBeLessThanOrEqual(f.height);
          expect(m.width).toBeCloseTo(textWidth(m.text, m.size, m.bold), 6);
        }
      }
  });

  it('keeps its arrow heads in place in the PDF when pdfmake lays the pages out again', async () => {
    // pdfmake moves canvas shapes in place and lays the whole document out again after each page
    // break the writer asks for: an arrow head moved further on each pass would stretch the
    // figure's canvas (measured anew on each pass) and push it down the pages.
    let checked = 0;
    for (const bid of [hospital, highway]) {
      const doc = plan(bid)[0]!;
      await pdfWriter.write(doc); // registers the fonts
      const def = toPdfDefinition(doc);
      const ask = def.pageBreakBefore!;
      let breaks = 0;
      def.pageBreakBefore = (node, q) => {
        const yes = ask(node, q);
        if (yes) breaks++;
        return yes;
      };
      await pdfmake.createPdf(def).getBuffer();
      if (!breaks) continue;
      const canvases: { canvas: { type: string }[]; _minHeight: number; _minWidth: number }[] = [];
      const walk = (c: unknown): void => {
        if (Array.isArray(c)) c.forEach(walk);
        else if (c && typeof c === 'object') {
          const o = c as { canvas?: unknown; stack?: unknown };
          if (o.canvas) canvases.push(c as (typeof canvases)[number]);
          if (o.stack) walk(o.stack);
        }
      };
      walk(def.content);
      const drawn = canvases.filter((c) => c.canvas.some((v) => v.type === 'polyline'));
      const flows = figures(doc).filter((f) => f.marks.some((m) => m.type === 'polygon'));
      expect(drawn).toHaveLength(flows.length);
      drawn.forEach((c, i) => {
        expect(c._minHeight).toBeCloseTo(flows[i]!.height, 6);
        expect(c._minWidth).toBeLessThanOrEqual(TEXT_WIDTH_PT + 1);
        checked++;
      });
    }
    expect(checked).toBeGreaterThan(0);
  });
});

describe('the escalation flow’s last box', () => {
  const endOf = (b: BidParams) =>
    (figure(plan(b)[0]!, 'escalation-flow')!.data as unknown as FlowData).steps.at(-1);
  it('promises for every fault only what every tier commits to', () => {
    // highway-monitoring: only its A tier restores operation and reports (B/C submit a plan, D is
    // negotiable); hospital-his: its 一般故障 commits to no report. Neither may promise for all
    // faults what one tier promises: 处理完毕 (a bid evaluator read “恢复运行并提交故障报告” as
    // the end of every fault's handling).
    expect(endOf(loadExample('highway-monitoring'))).toBe('处理完毕');
    expect(endOf(loadExample('hospital-his'))).toBe('处理完毕');
  });
  it('says the common end when every tier commits to it', () => {
    const b = loadExample('hospital-his');
    const tiers = b.responseTiers!.map((t) => ({
      ...t,
      negotiable: false,
      milestones: [
        ...(t.milestones ?? []).filter((m) => m.kind !== 'report'),
        { kind: 'report' as const },
      ],
    }));
    const ends = new Set(
      tiers.map((t) =>
        (t.milestones ?? [])
          .map((m) => m.kind)
          .filter((k) => ['resolve', 'restore', 'plan'].includes(k))
          .at(-1),
      ),
    );
    expect(ends).toEqual(new Set(['resolve'])); // every tier ends in 排除故障 here
    expect(endOf({ ...b, responseTiers: tiers } as BidParams)).toBe('排除故障并提交故障报告');
  });
});
