// The figures drawn from a bid: response tiers, the escalation flow, the service organisation and
// the training schedule. Each returns its SVG and the data it drew (null when the bid has nothing
// to draw), so tests can compare a figure with the text beside it.
import { hoursText } from '../format/cn-number.js';
import { milestoneName, milestonePhrase, worstHours } from '../format/milestones.js';
import type { FigureId } from '../ir/figures.js';
import type { FigureMark, JsonValue } from '../ir/types.js';
import { TEXT_WIDTH_PT } from '../ir/layout.js';
import type { BidParams } from '../schema/bid.js';
import { channelLabels } from '../schema/labels.js';
import { arrow, box, label, line, raw, rect, svgDoc, textWidth, wrap } from './svg.js';

export interface DrawnFigure {
  readonly svg: string;
  /** The display list the SVG is serialised from (the PDF draws it natively). */
  readonly marks: readonly FigureMark[];
  readonly width: number;
  readonly height: number;
  readonly data: JsonValue;
}

const W = Math.floor(TEXT_WIDTH_PT);

const KIND_COLORS: Record<string, string> = {
  respond: '#1d4ed8',
  remote: '#6d28d9',
  onsite: '#0f766e',
  plan: '#b45309',
  restore: '#be123c',
  resolve: '#b45309',
  report: '#475569',
  custom: '#334155',
};

/** One bar per timed milestone of each tier, on a log scale of hours; other limits as text. */
/**
 * Text sizes in points at the figure's own width, which is the default text width: figures are
 * printed at that width, so this is their print size. The smallest is above 9 pt, leaving room for
 * a house style whose text area is a few millimetres narrower (the figure is then scaled down).
 */
const SMALL = 9.5;
const LABEL = 10.5;

/** One bar per timed milestone of each tier, on a log scale of hours; other limits as text. */
function tierChart(bid: BidParams, title: string): DrawnFigure | null {
  const tiers = bid.responseTiers ?? [];
  if (!tiers.length) return null;
  const rows = tiers.map((t) => ({
    name: t.name,
    negotiable: t.negotiable === true,
    milestones: (t.milestones ?? [])
      .filter((m) => m.within || m.cases)
      .map((m) => ({
        kind: m.kind,
        label: milestoneName(m),
        text: milestonePhrase(m),
        hours: worstHours(m),
      })),
  }));
  const values = rows.flatMap((r) =>
    r.milestones.map((m) => m.hours).filter((v): v is number => v !== null && v > 0),
  );
  const lo = Math.min(0.25, ...values);
  const hi = Math.max(1, ...values) * 1.15;
  const nameLines = rows.map((r) => wrap(r.name, LABEL, 72, { balanced: true }));
  const labelW = Math.max(48, ...nameLines.flat().map((l) => textWidth(l, LABEL, true) + 10));
  const nameW =
    Math.max(40, ...rows.flatMap((r) => r.milestones.map((m) => textWidth(m.label, SMALL)))) + 8;
  const x0 = labelW + 8 + nameW;
  const x1 = W - 150;
  const x = (v: number) =>
    x0 + ((Math.log(Math.max(v, lo)) - Math.log(lo)) / (Math.log(hi) - Math.log(lo))) * (x1 - x0);
  const top = 14;
  const lineH = 13;
  const textLineH = 12.5;
  // Each milestone's text starts after its bar (or at the axis) and wraps within the figure.
  const textX = (h: number | null) => (h === null ? x0 + 4 : x0 + Math.max(2, x(h) - x0) + 4);
  const lines = rows.map((r) =>
    r.milestones.map((m) => wrap(m.text, SMALL, W - textX(m.hours) - 2)),
  );
  const rowH = (n: number) => lineH + (n - 1) * textLineH;
  const heights = rows.map((r, i) =>
    Math.max(
      (r.milestones.length ? lines[i]!.reduce((a, l) => a + rowH(l.length), 0) : lineH) + 12,
      nameLines[i]!.length * LABEL * 1.3 + 8,
    ),
  );
  const height = top + heights.reduce((a, h) => a + h, 0) + 26;
  const marks: FigureMark[] = [];
  let lastTick = -Infinity;
  for (const t of [0.25, 0.5, 1, 2, 4, 8, 24, 48, 72, 168, 336, 720]) {
    if (t < lo || t > hi || x(t) - lastTick < 40) continue; // keep tick labels apart
    const tx = x(t);
    lastTick = tx;
    marks.push(raw(line(tx, top - 4, tx, height - 22, '#e2e8f0', 0.8), 'y1', 'y2'));
    marks.push(label(tx, height - 8, hoursText(t), { size: SMALL, fill: '#64748b' }));
  }
  let y = top;
  rows.forEach((r, i) => {
    const h = heights[i]!;
    const names = nameLines[i]!;
    names.forEach((l, k) => {
      const ly =
        y + h / 2 - ((names.length - 1) * LABEL * 1.3) / 2 + LABEL * 0.35 + k * LABEL * 1.3;
      marks.push(label(labelW, ly, l, { size: LABEL, anchor: 'end', bold: true }));
    });
    if (!r.milestones.length) {
      marks.push(
        label(x0 + 4, y + 10, r.negotiable ? '双方协商确定' : '未写时限', {
          size: SMALL,
          anchor: 'start',
          fill: '#64748b',
        }),
      );
    }
    let by = y;
    r.milestones.forEach((m, j) => {
      const text = lines[i]![j]!;
      marks.push(
        label(labelW + 8 + nameW - 4, by + 8.5, m.label, {
          size: SMALL,
          anchor: 'end',
          fill: '#334155',
        }),
      );
      if (m.hours !== null) {
        const bw = Math.max(2, x(m.hours) - x0);
        marks.push(
          raw(rect(x0, by, bw, 9, { fill: KIND_COLORS[m.kind] ?? '#334155' }), 'x', 'y', 'h'),
        );
      }
      text.forEach((line, k) => {
        marks.push(
          label(textX(m.hours), by + 8.5 + k * textLineH, line, {
            size: SMALL,
            anchor: 'start',
            ...(m.hours === null ? { fill: '#64748b' } : {}),
          }),
        );
      });
      by += rowH(text.length);
    });
    y += h;
  });
  marks.push(raw(line(x0, top - 4, x0, height - 22, '#94a3b8', 1), 'x1', 'y1', 'x2', 'y2'));
  return { svg: svgDoc(W, height, marks, title), marks, width: W, height, data: rows };
}

/** Milestones that end the handling of a fault, as far as a tier commits to one. */
const OUTCOMES: readonly string[] = ['resolve', 'restore', 'plan'];

/** What one tier commits its handling ends with (see `flowEnd`). */
function tierEnd(tier: NonNullable<BidParams['responseTiers']>[number]): string {
  const ms = !tier.negotiable ? (tier.milestones ?? []) : [];
  const outcome = [...ms].reverse().find((m) => OUTCOMES.includes(m.kind));
  const end = outcome ? milestoneName(outcome) : '处理完毕';
  return ms.some((m) => m.kind === 'report') ? `${end}并${milestoneName({ kind: 'report' })}` : end;
}

/**
 * The flow's last box, which every fault reaches: what every tier commits the handling ends with
 * (its last outcome milestone — 排除故障, 恢复运行, 提交解决方案 or the tier's own label — and
 * 提交故障报告 when it commits to a report). Where the tiers end differently, or commit to no
 * outcome, or there is no tier, it reads 处理完毕: the figure never promises for all faults what
 * the text promises for the most severe tier only (its limits are noted under the flow).
 */
export function flowEnd(tiers: NonNullable<BidParams['responseTiers']>): string {
  const ends = new Set(tiers.map(tierEnd));
  return ends.size === 1 ? [...ends][0]! : '处理完毕';
}

function escalationFlow(bid: BidParams, title: string): DrawnFigure | null {
  const escalation = bid.service?.escalation;
  if (!escalation?.length) return null;
  const tiers = bid.responseTiers ?? [];
  const steps = ['接到报修', ...escalation.map((c) => channelLabels[c]), flowEnd(tiers)];
  const perRow = steps.length > 6 ? Math.ceil(steps.length / 2) : steps.length;
  const gap = 18;
  const bw = (W - 20 - (perRow - 1) * gap) / perRow;
  const labels = steps.map((s) => wrap(s, LABEL, bw - 8, { balanced: true }));
  const lh = LABEL * 1.35;
  const bh = Math.max(42, ...labels.map((l) => l.length * lh + 12));
  const rowsN = Math.ceil(steps.length / perRow);
  const severe = tiers[0];
  const severeText = severe
    ? severe.negotiable
      ? '时限由双方协商确定'
      : (severe.milestones ?? [])
          .filter((m) => m.within || m.cases)
          .map(milestonePhrase)
          .join('，')
    : '';
  // The most severe tier's limits under the flow, wrapped to the figure's width.
  const noteLines = severe ? wrap(`${severe.name}：${severeText}`, SMALL, W - 20) : [];
  const noteH = SMALL * 1.35;
  const height = 16 + rowsN * (bh + 30) + (severe ? 12 + noteLines.length * noteH : 4);
  const marks: FigureMark[] = [];
  steps.forEach((_s, i) => {
    const row = Math.floor(i / perRow);
    const col = row % 2 === 0 ? i % perRow : perRow - 1 - (i % perRow); // snake so arrows stay short
    const bx = 10 + col * (bw + gap);
    const by = 16 + row * (bh + 30);
    const first = i === 0;
    const last = i === steps.length - 1;
    marks.push(
      ...box(bx, by, bw, bh, labels[i]!, {
        size: LABEL,
        fill: first || last ? '#ecfdf3' : '#eef2ff',
        stroke: first || last ? '#067647' : '#1d4ed8',
      }),
    );
    if (i < steps.length - 1) {
      const nrow = Math.floor((i + 1) / perRow);
      if (nrow === row) {
        const dir = row % 2 === 0 ? 1 : -1;
        const ax = dir > 0 ? bx + bw : bx;
        marks.push(...arrow(ax, by + bh / 2, ax + dir * gap, by + bh / 2));
      } else marks.push(...arrow(bx + bw / 2, by + bh, bx + bw / 2, by + bh + 30));
    }
  });
  noteLines.forEach((line, i) => {
    marks.push(
      label(W / 2, height - 8 - (noteLines.length - 1 - i) * noteH, line, {
        size: SMALL,
        fill: '#334155',
      }),
    );
  });
  return {
    svg: svgDoc(W, height, marks, title),
    marks,
    width: W,
    height,
    data: { steps, severe: severe ? { name: severe.name, text: severeText } : null },
  };
}

/** A role that leads others (项目经理, 售后服务经理, 技术负责人, 主管): drawn a level above. */
const LEADING_ROLE = /(经理|总监|负责人|主管|组长|队长)$/;

/**
 * The service organisation: the bidder's team at the top, the leading roles (managers) below it,
 * the other roles (engineers) below them, each role a box with its people's names.
 */
function orgChart(bid: BidParams, title: string): DrawnFigure | null {
  if (!(bid.staff?.roster ?? []).length) return null;
  const roles: { role: string; names: string[] }[] = [];
  for (const p of bid.staff?.roster ?? []) {
    const r = roles.find((x) => x.role === p.role);
    if (r) r.names.push(p.name);
    else roles.push({ role: p.role, names: [p.name] });
  }
  const leads = roles.filter((r) => LEADING_ROLE.test(r.role));
  const staff = roles.filter((r) => !LEADING_ROLE.test(r.role));
  // One level when every role leads or none does; otherwise managers above engineers.
  const levels = leads.length && staff.length ? [leads, staff] : [roles];
  const perRow = Math.min(Math.max(...levels.map((l) => l.length)), 5);
  const gap = 12;
  const bw = (W - 20 - (perRow - 1) * gap) / perRow;
  const nameH = SMALL * 1.45;
  const roleLines = (role: string) => wrap(role, LABEL, bw - 8, { balanced: true });
  const namesPerLine = (names: string[]) =>
    names.length > 1 && names.every((n) => textWidth(n, SMALL) * 2 + 14 <= bw) ? 2 : 1;
  const boxH = (r: { role: string; names: string[] }) =>
    10 +
    roleLines(r.role).length * LABEL * 1.3 +
    Math.ceil(r.names.length / namesPerLine(r.names)) * nameH +
    6;
  const rootLines = [
    ...wrap(bid.bidder.name, LABEL, W - 60, { balanced: true }),
    `售后服务团队（${(bid.staff?.roster ?? []).length}人）`,
  ];
  const rootW = Math.min(
    W - 40,
    Math.max(160, ...rootLines.map((l) => textWidth(l, LABEL, true) + 30)),
  );
  const rootH = rootLines.length * LABEL * 1.35 + 12;
  // Rows of at most perRow boxes, level by level.
  const rows = levels.flatMap((level, li) => {
    const out: { level: number; chunk: typeof roles }[] = [];
    for (let i = 0; i < level.length; i += perRow)
      out.push({ level: li, chunk: level.slice(i, i + perRow) });
    return out;
  });
  const rowHeights = rows.map((r) => Math.max(...r.chunk.map(boxH)));
  const height = 12 + rootH + rowHeights.reduce((a, h) => a + 26 + h, 0) + 8;
  const link = (x1: number, y1: number, x2: number, y2: number) =>
    line(x1, y1, x2, y2, '#475569', 1);
  const marks: FigureMark[] = box((W - rootW) / 2, 12, rootW, rootH, rootLines, {
    size: LABEL,
    fill: '#ecfdf3',
    stroke: '#067647',
    bold: true,
  });
  // Where each level hangs from: the root box, then the first box of the level above.
  let parent = { x: W / 2, y: 12 + rootH };
  let y = 12 + rootH + 26;
  let lastLevel = 0;
  let spine: { x: number; y: number } | null = null;
  rows.forEach((row, ri) => {
    const h = rowHeights[ri]!;
    const left = 10 + ((perRow - row.chunk.length) * (bw + gap)) / 2;
    const centers = row.chunk.map((_, i) => left + i * (bw + gap) + bw / 2);
    const busY = y - 13;
    if (ri > 0 && row.level === lastLevel && spine) {
      // A further row of the same level hangs from a line down the left margin.
      marks.push(link(3, spine.y, 3, busY), link(3, busY, Math.max(...centers), busY));
    } else {
      const from = ri > 0 && row.level !== lastLevel ? parent : { x: W / 2, y: 12 + rootH };
      marks.push(link(from.x, from.y, from.x, busY));
      marks.push(link(Math.min(...centers, from.x), busY, Math.max(...centers, from.x), busY));
      if (rows.filter((r) => r.level === row.level).length > 1) {
        // The same level continues in the next row: start the left spine here.
        marks.push(link(3, busY, Math.min(...centers, from.x), busY));
        spine = { x: 3, y: busY };
      } else spine = null;
    }
    row.chunk.forEach((r, i) => {
      const bx = left + i * (bw + gap);
      const lead = row.level === 0 && levels.length > 1;
      marks.push(link(centers[i]!, busY, centers[i]!, y));
      marks.push(
        rect(bx, y, bw, h, {
          r: 4,
          fill: lead ? '#fff7ed' : '#eef2ff',
          stroke: lead ? '#c2410c' : '#1d4ed8',
        }),
      );
      const lines = roleLines(r.role);
      lines.forEach((l, k) =>
        marks.push(
          label(bx + bw / 2, y + 6 + LABEL + k * LABEL * 1.3, l, {
            size: LABEL,
            bold: true,
          }),
        ),
      );
      const per = namesPerLine(r.names);
      r.names.forEach((n, j) => {
        const col = per === 2 ? j % 2 : 0.5;
        marks.push(
          label(
            bx + bw * (col === 0.5 ? 0.5 : col === 0 ? 0.28 : 0.72),
            y + 8 + lines.length * LABEL * 1.3 + SMALL + Math.floor(j / per) * nameH,
            n,
            { size: SMALL },
          ),
        );
      });
    });
    // The next level hangs from the first (leading) box of this one.
    if (row.level === 0 && ri === rows.findIndex((x) => x.level === 0))
      parent = { x: centers[0]!, y: y + h };
    lastLevel = row.level;
    y += h + 26;
  });
  return {
    svg: svgDoc(W, height, marks, title),
    marks,
    width: W,
    height,
    data: {
      root: bid.bidder.name,
      roles,
      levels: levels.map((l) => l.map((r) => r.role)),
    },
  };
}

function trainingGantt(bid: BidParams, title: string): DrawnFigure | null {
  const t = bid.training;
  // A schedule needs every module's hours and somewhere to put them; otherwise there is nothing to draw.
  if (!t || !t.modules.length || t.modules.some((m) => m.hours === undefined)) return null;
  const phases = t.schedule.length ? t.schedule.map((s) => s.phase) : t.timing ? [t.timing] : [];
  if (!phases.length) return null;
  // A module sits in every phase the schedule lists it under; with no schedule, the one stated
  // timing holds them all. A module the schedule does not place is drawn without a bar and says so:
  // the chart never invents a time the bid did not give.
  const rows = t.modules.map((m) => ({
    module: m.title,
    phases: t.schedule.length
      ? t.schedule.filter((s) => s.modules.includes(m.id)).map((s) => s.phase)
      : phases,
    hours: m.hours!,
  }));
  const labelW = Math.min(150, Math.max(80, ...rows.map((r) => textWidth(r.module, SMALL) + 12)));
  const cw = (W - labelW - 10) / phases.length;
  const lh = SMALL * 1.3;
  const phaseLines = phases.map((p) => wrap(p, SMALL, cw - 8, { balanced: true }));
  const headH = 12 + Math.max(...phaseLines.map((l) => l.length)) * lh;
  const moduleLines = rows.map((r) => wrap(r.module, SMALL, labelW - 12, { balanced: true }));
  const rowHs = moduleLines.map((l) => Math.max(20, l.length * lh + 7));
  const height = headH + rowHs.reduce((a, b) => a + b, 0) + 10;
  const maxHours = Math.max(...rows.map((r) => r.hours));
  const marks: FigureMark[] = [];
  phases.forEach((_p, i) => {
    const cx = labelW + i * cw;
    marks.push(
      raw(
        rect(cx, 0, cw, height - 10, { fill: i % 2 ? '#f8fafc' : '#ffffff', stroke: '#e2e8f0' }),
        'y',
        'h',
      ),
    );
    phaseLines[i]!.forEach((line, j) =>
      marks.push(label(cx + cw / 2, 6 + SMALL + j * lh, line, { size: SMALL, bold: true })),
    );
  });
  let y = headH;
  rows.forEach((r, i) => {
    const rh = rowHs[i]!;
    const mid = y + rh / 2;
    const names = moduleLines[i]!;
    names.forEach((l, k) => {
      marks.push(
        label(labelW - 6, mid - ((names.length - 1) * lh) / 2 + SMALL * 0.35 + k * lh, l, {
          size: SMALL,
          anchor: 'end',
        }),
      );
    });
    if (!r.phases.length) {
      marks.push(label(labelW + 6, mid + SMALL * 0.35, '未排期', { size: SMALL, anchor: 'start' }));
      y += rh;
      return;
    }
    // Hours belong to the module, not to each phase: written once, after its last bar.
    const last = r.phases.length - 1;
    r.phases.forEach((phase, k) => {
      const bx = labelW + phases.indexOf(phase) * cw + 6;
      const bw = Math.max(18, ((cw - 48) * r.hours) / maxHours / r.phases.length);
      marks.push(raw(rect(bx, mid - 6, bw, 12, { r: 2, fill: '#0f766e' }), 'h'));
      if (k === last)
        marks.push(
          label(bx + bw + 4, mid + SMALL * 0.35, `${last ? '共' : ''}${r.hours}学时`, {
            size: SMALL,
            anchor: 'start',
          }),
        );
    });
    y += rh;
  });
  return {
    svg: svgDoc(W, height, marks, title),
    marks,
    width: W,
    height,
    data: { phases, rows },
  };
}

export function drawFigure(id: FigureId, bid: BidParams, title: string): DrawnFigure | null {
  switch (id) {
    case 'tier-chart':
      return tierChart(bid, title);
    case 'escalation-flow':
      return escalationFlow(bid, title);
    case 'org-chart':
      return orgChart(bid, title);
    case 'training-gantt':
      return trainingGantt(bid, title);
  }
}
