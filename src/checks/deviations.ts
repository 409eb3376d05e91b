// Compares a bid with the tender's requirements: 正偏离 / 无偏离 / 负偏离 per item, with reasons.
import { diagnostic, type Diagnostic } from '../diagnostics/diagnostic.js';
import type { FieldPath, LoadedYaml } from '../load/yaml-file.js';
import { labelAt, parseFieldPath, schemaAt, unwrap } from '../load/zod-issues.js';
import { bidSchema, type BidParams } from '../schema/bid.js';
import type { Condition, Requirement, TenderFile } from '../schema/tender.js';
import { OPERATORS } from '../schema/tender.js';

export type DeviationStatus = 'positive' | 'none' | 'negative';
export const STATUS_LABELS: Record<DeviationStatus, string> = {
  positive: '正偏离',
  none: '无偏离',
  negative: '负偏离',
};

export interface Deviation {
  readonly seq: number;
  readonly item: string;
  readonly star: boolean;
  /** The tender's wording. */
  readonly requirement: string;
  /** The bid field the condition reads. */
  readonly field: string;
  readonly required: string;
  readonly actual: string;
  readonly status: DeviationStatus;
  readonly statusLabel: string;
  readonly explanation: string;
  /** The bid's reason, when it acknowledges a negative deviation. */
  readonly acknowledgement?: string;
}

type Segment = string | number; // '*' is a wildcard over a list

/** The schema path for a field path (wildcards as index 0), or undefined if the bid has no such field. */
export function fieldExists(field: string): boolean {
  const path = parseFieldPath(field).map((s) => (s === '*' ? 0 : s));
  return schemaAt(bidSchema, path) !== undefined;
}

function resolve(bid: unknown, segs: Segment[]): unknown[] {
  let cur: unknown[] = [bid];
  for (const s of segs) {
    const next: unknown[] = [];
    for (const v of cur) {
      if (v === null || typeof v !== 'object') continue;
      if (s === '*') {
        if (Array.isArray(v)) next.push(...v);
      } else next.push((v as Record<string | number, unknown>)[s]);
    }
    cur = next;
  }
  return cur;
}

function actualValue(bid: BidParams, c: Condition): unknown {
  const segs = parseFieldPath(c.field);
  const values = resolve(bid, segs);
  if (!segs.includes('*')) return values[0];
  if (c.op === 'includes') return values;
  const nums = values.filter((v): v is number => typeof v === 'number');
  switch (c.aggregate) {
    case 'sum':
      return nums.reduce((a, b) => a + b, 0);
    case 'min':
      return nums.length ? Math.min(...nums) : undefined;
    case 'max':
      return nums.length ? Math.max(...nums) : undefined;
    case 'count':
      return values.length;
    default:
      return undefined;
  }
}

function show(v: unknown, c: Condition): string {
  if (v === undefined || v === null) return '未响应';
  if (Array.isArray(v)) return v.map((x) => show(x, c)).join('、') || '无';
  if (typeof v === 'boolean') return v ? '是' : '否';
  if (typeof v === 'string') {
    const path = parseFieldPath(c.field).map((s) => (s === '*' ? 0 : s));
    const labels = (unwrap(schemaAt(bidSchema, path))?.meta()?.enumLabels ?? {}) as Record<
      string,
      string
    >;
    return labels[v] ?? v;
  }
  return `${String(v)}${c.unit ?? ''}`;
}

function compare(actual: unknown, c: Condition): DeviationStatus {
  if (actual === undefined || actual === null) return 'negative';
  switch (c.op) {
    case '>=':
    case '<=': {
      if (typeof actual !== 'number' || typeof c.value !== 'number')
        return actual === c.value ? 'none' : 'negative';
      if (actual === c.value) return 'none';
      const better = c.op === '>=' ? actual > c.value : actual < c.value;
      return better ? 'positive' : 'negative';
    }
    case '==':
      return actual === c.value ? 'none' : 'negative';
    case 'includes':
      return Array.isArray(actual) && actual.includes(c.value) ? 'none' : 'negative';
  }
}

function explain(status: DeviationStatus, required: string, actual: string): string {
  if (status === 'positive') return `优于招标要求：招标要求${required}，我方响应为${actual}`;
  if (status === 'none') return `满足招标要求：我方响应为${actual}`;
  return `未满足招标要求：招标要求${required}，我方响应为${actual}`;
}

export function computeDeviations(bid: BidParams, tender: TenderFile): Deviation[] {
  const acks = new Map((bid.tender?.acknowledged ?? []).map((a) => [a.item, a.reason]));
  return tender.requirements.map((r: Requirement, i) => {
    const c = r.condition;
    const actualRaw = actualValue(bid, c);
    const status = compare(actualRaw, c);
    const required = `${OPERATORS[c.op]}${show(c.value, c)}`;
    const actual = show(actualRaw, c);
    const ack = status === 'negative' ? acks.get(r.item) : undefined;
    return {
      seq: i + 1,
      item: r.item,
      star: r.star,
      requirement: r.text,
      field: c.field,
      required,
      actual,
      status,
      statusLabel: STATUS_LABELS[status],
      explanation: explain(status, required, actual) + (ack ? `。偏离说明：${ack}` : ''),
      ...(ack ? { acknowledgement: ack } : {}),
    };
  });
}

/** ★ negative deviations without an acknowledgement are errors; other negatives are warnings. */
export function deviationDiagnostics(
  devs: readonly Deviation[],
  bid: BidParams,
  bidSource: LoadedYaml,
): Diagnostic[] {
  const out: Diagnostic[] = [];
  for (const d of devs) {
    if (d.status !== 'negative') continue;
    const segs = parseFieldPath(d.field);
    const path: FieldPath = segs
      .slice(0, segs.includes('*') ? segs.indexOf('*') : segs.length)
      .filter((s): s is string | number => s !== '*');
    const where = {
      location: bidSource.locate(path),
      path: d.field,
      label: labelAt(bidSchema, path),
    };
    const what = `${d.star ? '★ ' : ''}条目 ${d.item}“${d.requirement}”负偏离：要求${d.required}，投标为${d.actual}`;
    if (d.star && !d.acknowledgement) out.push(diagnostic('StarDeviation', what, where));
    else
      out.push(
        diagnostic(
          'NegativeDeviation',
          d.acknowledgement ? `${what}（已确认：${d.acknowledgement}）` : what,
          { ...where, severity: 'warning' },
        ),
      );
  }
  const items = new Set(devs.map((d) => d.item));
  (bid.tender?.acknowledged ?? []).forEach((a, i) => {
    if (!items.has(a.item)) {
      out.push(
        diagnostic(
          'TenderFileInvalid',
          `已确认负偏离的条目“${a.item}”不在招标要求文件中（共有：${[...items].join('、')}）`,
          {
            location: bidSource.locate(['tender', 'acknowledged', i, 'item']),
            path: `tender.acknowledged[${i}].item`,
          },
        ),
      );
    }
  });
  return out;
}
