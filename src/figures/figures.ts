// The figures drawn from a bid: response tiers, the escalation flow, the service organisation and
// the training schedule. Each returns its SVG and the data it drew (null when the bid has nothing
// to draw), so tests can compare a figure with the text beside it.
import { hoursText } from '../format/cn-number.js';
import { milestoneName, milestonePhrase, worstHours } from '../format/milestones.js';
import type { FigureId } from '../ir/figures.js';
import type { JsonValue } from '../ir/types.js';
import { TEXT_WIDTH_PT } from '../ir/layout.js';
import type { BidParams } from '../schema/bid.js';
import { channelLabels } from '../schema/labels.js';
import { arrow, box, label, svgDoc, textWidth, wrap } from './svg.js';

export interface DrawnFigure {
  readonly svg: string;
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
  const labelW = Math.max(60, ...rows.map((r) => textWidth(r.name, 10) + 12));
  const nameW = 64;
  const x0 = labelW + 8 + nameW;
  const x1 = W - 150;
  const x = (v: number) =>
    x0 + ((Math.log(Math.max(v, lo)) - Math.log(lo)) / (Math.log(hi) - Math.log(lo))) * (x1 - x0);
  const top = 14;
  const lineH = 12;
  const textLineH = 10;
  // Each milestone's text starts after its bar (or at the axis) and wraps within the figure.
  const textX = (h: number | null) => (h === null ? x0 + 4 : x0 + Math.max(2, x(h) - x0) + 4);
  const lines = rows.map((r) => r.milestones.map((m) => wrap(m.text, 8, W - textX(m.hours) - 2)));
  const rowH = (n: number) => lineH + (n - 1) * textLineH;
  const heights = rows.map(
    (r, i) =>
      (r.milestones.length ? lines[i]!.reduce((a, l) => a + rowH(l.length), 0) : lineH) + 12,
  );
  const height = top + heights.reduce((a, h) => a + h, 0) + 24;
  let body = '';
  let lastTick = -Infinity;
  for (const t of [0.25, 0.5, 1, 2, 4, 8, 24, 48, 72, 168, 336, 720]) {
    if (t < lo || t > hi || x(t) - lastTick < 36) continue; // keep tick labels apart
    const tx = x(t);
    lastTick = tx;
    body += `<line x1="${tx.toFixed(1)}" y1="${top - 4}" x2="${tx.toFixed(1)}" y2="${height - 20}" stroke="#e2e8f0" stroke-width="0.8"/>`;
    body += label(tx, height - 8, hoursText(t), { size: 7.5, fill: '#64748b' });
  }
  let y = top;
  rows.forEach((r, i) => {
    const h = heights[i]!;
    body += label(labelW, y + h / 2, r.name, { size: 10, anchor: 'end', bold: true });
    if (!r.milestones.length) {
      body += label(x0 + 4, y + 10, r.negotiable ? '双方协商确定' : '未写时限', {
        size: 8,
        anchor: 'start',
        fill: '#64748b',
      });
    }
    let by = y;
    r.milestones.forEach((m, j) => {
      const text = lines[i]![j]!;
      body += label(labelW + 8 + nameW - 4, by + 8, m.label, {
        size: 8,
        anchor: 'end',
        fill: '#334155',
      });
      if (m.hours !== null) {
        const bw = Math.max(2, x(m.hours) - x0);
        body += `<rect x="${x0}" y="${by}" width="${bw.toFixed(1)}" height="9" fill="${KIND_COLORS[m.kind] ?? '#334155'}"/>`;
      }
      text.forEach((line, k) => {
        body += label(textX(m.hours), by + 8 + k * textLineH, line, {
          size: 8,
          anchor: 'start',
          ...(m.hours === null ? { fill: '#64748b' } : {}),
        });
      });
      by += rowH(text.length);
    });
    y += h;
  });
  body += `<line x1="${x0}" y1="${top - 4}" x2="${x0}" y2="${height - 20}" stroke="#94a3b8" stroke-width="1"/>`;
  return { svg: svgDoc(W, height, body, title), width: W, height, data: rows };
}

function escalationFlow(bid: BidParams, title: string): DrawnFigure | null {
  const escalation = bid.service?.escalation;
  if (!escalation?.length) return null;
  const tiers = bid.responseTiers ?? [];
  const reports = tiers.some((t) => (t.milestones ?? []).some((m) => m.kind === 'report'));
  const steps = [
    '接到报修',
    ...escalation.map((c) => channelLabels[c]),
    reports ? '故障排除并提交报告' : '故障排除',
  ];
  const perRow = steps.length > 6 ? Math.ceil(steps.length / 2) : steps.length;
  const gap = 18;
  const bw = (W - 20 - (perRow - 1) * gap) / perRow;
  const bh = 42;
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
  const noteLines = severe ? wrap(`${severe.name}：${severeText}`, 9, W - 20) : [];
  const height = 16 + rowsN * (bh + 30) + (severe ? 12 + noteLines.length * 12 : 4);
  let body = '';
  steps.forEach((s, i) => {
    const row = Math.floor(i / perRow);
    const col = row % 2 === 0 ? i % perRow : perRow - 1 - (i % perRow); // snake so arrows stay short
    const bx = 10 + col * (bw + gap);
    const by = 16 + row * (bh + 30);
    const first = i === 0;
    const last = i === steps.length - 1;
    body += box(bx, by, bw, bh, wrap(s, 10, bw - 8), {
      fill: first || last ? '#ecfdf3' : '#eef2ff',
      stroke: first || last ? '#067647' : '#1d4ed8',
    });
    if (i < steps.length - 1) {
      const nrow = Math.floor((i + 1) / perRow);
      if (nrow === row) {
        const dir = row % 2 === 0 ? 1 : -1;
        const ax = dir > 0 ? bx + bw : bx;
        body += arrow(ax, by + bh / 2, ax + dir * gap, by + bh / 2);
      } else body += arrow(bx + bw / 2, by + bh, bx + bw / 2, by + bh + 30);
    }
  });
  noteLines.forEach((line, i) => {
    body += label(W / 2, height - 8 - (noteLines.length - 1 - i) * 12, line, {
      size: 9,
      fill: '#334155',
    });
  });
  return {
    svg: svgDoc(W, height, body, title),
    width: W,
    height,
    data: { steps, severe: severe ? { name: severe.name, text: severeText } : null },
  };
}

function orgChart(bid: BidParams, title: string): DrawnFigure | null {
  if (!(bid.staff?.roster ?? []).length) return null;
  const roles: { role: string; names: string[] }[] = [];
  for (const p of bid.staff?.roster ?? []) {
    const r = roles.find((x) => x.role === p.role);
    if (r) r.names.push(p.name);
    else roles.push({ role: p.role, names: [p.name] });
  }
  const perRow = Math.min(roles.length, 5);
  const gap = 12;
  const bw = (W - 20 - (perRow - 1) * gap) / perRow;
  const roleLines = (role: string) => wrap(role, 10, bw - 8).slice(0, 2);
  const rootW = Math.min(W - 40, Math.max(160, textWidth(bid.bidder.name, 10) + 30));
  const rootH = 40;
  const rowHeights: number[] = [];
  for (let i = 0; i < roles.length; i += perRow) {
    const chunk = roles.slice(i, i + perRow);
    rowHeights.push(
      22 +
        Math.max(
          ...chunk.map((r) => roleLines(r.role).length * 13 + Math.ceil(r.names.length / 2) * 14),
        ) +
        8,
    );
  }
  const height = 12 + rootH + 26 + rowHeights.reduce((a, b) => a + b + 26, 0);
  let body = box(
    (W - rootW) / 2,
    12,
    rootW,
    rootH,
    [
      ...wrap(bid.bidder.name, 10, rootW - 10).slice(0, 1),
      `售后服务团队（${(bid.staff?.roster ?? []).length}人）`,
    ],
    { fill: '#ecfdf3', stroke: '#067647', bold: true },
  );
  let y = 12 + rootH + 26;
  const busY = 12 + rootH + 13;
  body += `<line x1="${W / 2}" y1="${12 + rootH}" x2="${W / 2}" y2="${busY}" stroke="#475569" stroke-width="1"/>`;
  rowHeights.forEach((h, ri) => {
    const chunk = roles.slice(ri * perRow, ri * perRow + perRow);
    const left = 10 + ((perRow - chunk.length) * (bw + gap)) / 2;
    const centers = chunk.map((_, i) => left + i * (bw + gap) + bw / 2);
    // Later rows hang from a line down the left margin, so no connector crosses a box.
    const busLeft = ri > 0 ? 3 : Math.min(...centers, W / 2);
    body += `<line x1="${busLeft.toFixed(1)}" y1="${(y - 13).toFixed(1)}" x2="${Math.max(...centers, W / 2).toFixed(1)}" y2="${(y - 13).toFixed(1)}" stroke="#475569" stroke-width="1"/>`;
    if (ri === 1)
      body += `<line x1="3" y1="${busY}" x2="3" y2="${(y - 13).toFixed(1)}" stroke="#475569" stroke-width="1"/><line x1="3" y1="${busY}" x2="${Math.min(...centers, W / 2).toFixed(1)}" y2="${busY}" stroke="#475569" stroke-width="1"/>`;
    if (ri > 1)
      body += `<line x1="3" y1="${(y - 13 - h - 26).toFixed(1)}" x2="3" y2="${(y - 13).toFixed(1)}" stroke="#475569" stroke-width="1"/>`;
    chunk.forEach((r, i) => {
      const bx = left + i * (bw + gap);
      body += `<line x1="${centers[i]!.toFixed(1)}" y1="${(y - 13).toFixed(1)}" x2="${centers[i]!.toFixed(1)}" y2="${y}" stroke="#475569" stroke-width="1"/>`;
      body += `<rect x="${bx.toFixed(1)}" y="${y}" width="${bw.toFixed(1)}" height="${h}" rx="4" fill="#eef2ff" stroke="#1d4ed8"/>`;
      const lines = roleLines(r.role);
      lines.forEach(
        (l, k) => (body += label(bx + bw / 2, y + 15 + k * 13, l, { size: 10, bold: true })),
      );
      r.names.forEach((n, j) => {
        const col = r.names.length > 1 ? j % 2 : 0.5;
        body += label(
          bx + bw * (col === 0.5 ? 0.5 : col === 0 ? 0.28 : 0.72),
          y + 19 + lines.length * 13 + Math.floor(j / 2) * 14,
          n,
          { size: 9 },
        );
      });
    });
    y += h + 26;
  });
  return {
    svg: svgDoc(W, height, body, title),
    width: W,
    height,
    data: { root: bid.bidder.name, roles },
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
  const labelW = Math.min(150, Math.max(80, ...rows.map((r) => textWidth(r.module, 9) + 12)));
  const cw = (W - labelW - 10) / phases.length;
  const headH = 34;
  const rowH = 20;
  const height = headH + rows.length * rowH + 10;
  const maxHours = Math.max(...rows.map((r) => r.hours));
  let body = '';
  phases.forEach((p, i) => {
    const cx = labelW + i * cw;
    body += `<rect x="${cx.toFixed(1)}" y="0" width="${cw.toFixed(1)}" height="${height - 10}" fill="${i % 2 ? '#f8fafc' : '#ffffff'}" stroke="#e2e8f0"/>`;
    wrap(p, 9, cw - 8)
      .slice(0, 2)
      .forEach(
        (line, j) => (body += label(cx + cw / 2, 14 + j * 12, line, { size: 9, bold: true })),
      );
  });
  rows.forEach((r, i) => {
    const y = headH + i * rowH;
    body += label(labelW - 6, y + 13, wrap(r.module, 9, labelW - 12)[0]!, {
      size: 9,
      anchor: 'end',
    });
    if (!r.phases.length) {
      body += label(labelW + 6, y + 13.5, '未排期', { size: 8, anchor: 'start' });
      return;
    }
    // Hours belong to the module, not to each phase: written once, after its last bar.
    const last = r.phases.length - 1;
    r.phases.forEach((phase, k) => {
      const bx = labelW + phases.indexOf(phase) * cw + 6;
      const bw = Math.max(18, ((cw - 40) * r.hours) / maxHours / r.phases.length);
      body += `<rect x="${bx.toFixed(1)}" y="${y + 4}" width="${bw.toFixed(1)}" height="12" rx="2" fill="#0f766e"/>`;
      if (k === last)
        body += label(bx + bw + 4, y + 13.5, `${last ? '共' : ''}${r.hours}学时`, {
          size: 8,
          anchor: 'start',
        });
    });
  });
  return { svg: svgDoc(W, height, body, title), width: W, height, data: { phases, rows } };
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
