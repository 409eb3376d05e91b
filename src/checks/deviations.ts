// Compares a bid with the tender's requirements: 正偏离 / 无偏离 / 负偏离 per item, with reasons.
import { diagnostic, type Diagnostic } from '../diagnostics/diagnostic.js';
import type { FieldPath, LoadedYaml } from '../load/yaml-file.js';
import { labelAt, metaOf, parseFieldPath, schemaAt, unwrap } from '../load/zod-issues.js';
import { bidSchema, type BidParams } from '../schema/bid.js';
import type { Condition, Requirement, TenderFile } from '../schema/tender.js';
import { OPERATORS } from '../schema/tender.js';
import {
  compareDurations,
  parseDuration,
  parseFrequency,
  parsePercent,
  parseServiceHours,
  type Duration,
  type Frequency,
  type ServiceHours,
} from '../schema/duration.js';

export type DeviationStatus = 'positive' | 'none' | 'negative' | 'undetermined';
export const STATUS_LABELS: Record<DeviationStatus, string> = {
  positive: '正偏离',
  none: '无偏离',
  negative: '负偏离',
  undetermined: '无法判定',
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

type Segment = string | number; // '*' is a wildcard over a list; 'key=value' selects list items

const isSelector = (s: Segment): s is string => typeof s === 'string' && s.includes('=');

/** The field path as the schema sees it: wildcards and selectors become index 0. */
function schemaPath(field: string): (string | number)[] {
  return parseFieldPath(field).map((s) => (s === '*' || isSelector(s) ? 0 : s));
}

/** Whether the bid schema has the field a condition names. */
export function fieldExists(field: string): boolean {
  return schemaAt(bidSchema, schemaPath(field)) !== undefined;
}

function valueKindOf(field: string): string | undefined {
  const meta = metaOf(schemaAt(bidSchema, schemaPath(field))) as { valueKind?: string };
  if (meta.valueKind) return meta.valueKind;
  // A milestone compares by its limit(s).
  return /milestones\[[^\]]+\]$|fallback$/.test(field) ? 'milestone' : undefined;
}

function resolve(bid: unknown, segs: Segment[]): unknown[] {
  let cur: unknown[] = [bid];
  for (const s of segs) {
    const next: unknown[] = [];
    for (const v of cur) {
      if (v === null || typeof v !== 'object') continue;
      if (s === '*') {
        if (Array.isArray(v)) next.push(...v);
      } else if (isSelector(s)) {
        const [k, want] = s.split('=') as [string, string];
        const hit = Array.isArray(v)
          ? v.find((x) => x && typeof x === 'object' && (x as Record<string, unknown>)[k] === want)
          : undefined;
        if (hit !== undefined) next.push(hit);
      } else next.push((v as Record<string | number, unknown>)[s]);
    }
    cur = next;
  }
  return cur;
}

/**
 * The path to point a finding at: selectors (`[kind=onsite]`) become the index of the item they
 * select; the path stops at a wildcard, or at a selector that selects nothing.
 */
function concretePath(bid: unknown, segs: Segment[]): FieldPath {
  const out: (string | number)[] = [];
  let cur: unknown = bid;
  for (const s of segs) {
    if (s === '*') break;
    if (isSelector(s)) {
      const [k, want] = s.split('=') as [string, string];
      const i = Array.isArray(cur)
        ? cur.findIndex(
            (x) => x && typeof x === 'object' && (x as Record<string, unknown>)[k] === want,
          )
        : -1;
      if (i < 0) break;
      out.push(i);
      cur = (cur as unknown[])[i];
      continue;
    }
    out.push(s);
    cur = cur && typeof cur === 'object' ? (cur as Record<string | number, unknown>)[s] : undefined;
  }
  return out;
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

/** The limits a milestone (or a duration) stands for: one, or one per case. */
function limitsOf(v: unknown): { when: string; d: Duration }[] {
  if (!v || typeof v !== 'object') return [];
  const m = v as { within?: Duration; cases?: { when: string; within: Duration }[]; kind?: string };
  // Separate working-day and holiday limits are two limits, each judged on its own.
  const split = (when: string, d: Duration) =>
    d.kind === 'split'
      ? [
          { when: `${when}工作日`, d: d.workday },
          { when: `${when}节假日`, d: d.holiday },
        ]
      : [{ when, d }];
  if (m.cases) return m.cases.flatMap((c) => split(c.when, c.within));
  if (m.within) return split('', m.within);
  if (typeof m.kind === 'string' && typeof (v as { text?: unknown }).text === 'string')
    return split('', v as Duration);
  return [];
}

/** The tender's value parsed in the field's own kind (durations, percentages, frequencies). */
function requiredValue(
  c: Condition,
): { ok: true; value: unknown } | { ok: false; message: string } {
  const kind = valueKindOf(c.field);
  if (kind === 'duration' || kind === 'milestone') {
    const r = parseDuration(c.value);
    return r.ok ? r : { ok: false, message: r.message };
  }
  if (kind === 'percent') return parsePercent(c.value);
  if (kind === 'frequency') return parseFrequency(c.value);
  if (kind === 'service-hours') return parseServiceHours(c.value);
  return { ok: true, value: c.value };
}

/**
 * What is wrong with a condition in the tender file itself (not the bid): a value that cannot be
 * read in the field's kind, a number for a duration, a selector naming a value the field cannot
 * take. Undefined when the condition is well formed.
 */
export function conditionProblem(
  c: Condition,
): { message: string; at: 'value' | 'field' } | undefined {
  const segs = parseFieldPath(c.field);
  for (let i = 0; i < segs.length; i++) {
    const sel = segs[i]!;
    if (!isSelector(sel)) continue;
    const [k, want] = sel.split('=') as [string, string];
    const base = segs.slice(0, i).map((s) => (s === '*' || isSelector(s) ? 0 : s));
    const labels = metaOf(schemaAt(bidSchema, [...base, 0, k])).enumLabels as
      Record<string, string> | undefined;
    if (labels && !(want in labels))
      return {
        at: 'field',
        message: `“${k}=${want}”选不到任何一项：${k} 只能是 ${Object.keys(labels).join('、')}`,
      };
  }
  if (c.op === 'includes') return undefined;
  const kind = valueKindOf(c.field);
  if (kind) {
    const r = requiredValue(c);
    return r.ok
      ? undefined
      : { at: 'value', message: `要求的值无法按该字段的类型读取：${r.message}` };
  }
  const node = unwrap(schemaAt(bidSchema, schemaPath(c.field)));
  const wantsNumber = node?.type === 'number' || c.aggregate !== undefined;
  if (wantsNumber && typeof c.value !== 'number')
    return { at: 'value', message: `该字段是数字，要求的值应写数字，不能写“${String(c.value)}”` };
  return undefined;
}

function show(v: unknown, c: Condition): string {
  if (v === undefined || v === null) return '未响应';
  if (Array.isArray(v)) return v.map((x) => show(x, c)).join('、') || '无';
  if (typeof v === 'boolean') return v ? '是' : '否';
  const kind = valueKindOf(c.field);
  if (typeof v === 'object') {
    const limits = limitsOf(v);
    if (limits.length) return limits.map((l) => `${l.when}${l.d.text}`).join('、');
    const text = (v as { text?: unknown }).text;
    return typeof text === 'string' ? text : '—';
  }
  if (kind === 'percent') return `${String(v)}%`;
  if (typeof v === 'string') {
    const labels = (unwrap(schemaAt(bidSchema, schemaPath(c.field)))?.meta()?.enumLabels ??
      {}) as Record<string, string>;
    return labels[v] ?? v;
  }
  return `${String(v)}${c.unit ?? ''}`;
}

/**
 * -1, 0, 1 or null (order not certain) for the bid's value against the tender's, in the field's own
 * kind; for a duration "more" means longer, for a frequency more often.
 */
function order(actual: unknown, required: unknown, kind: string | undefined): -1 | 0 | 1 | null {
  if (kind === 'duration' || kind === 'milestone') {
    const limits = limitsOf(actual);
    if (!limits.length) return null;
    const rs = limits.map((l) => compareDurations(l.d, required as Duration));
    if (rs.some((r) => r === null)) return null;
    // Several cases (areas, hours of the day): the worst case decides.
    return Math.max(...(rs as number[])) as -1 | 0 | 1;
  }
  if (kind === 'service-hours') {
    // Round the clock covers any other service hours; otherwise only the same hours compare.
    const a = actual as ServiceHours;
    const b = required as ServiceHours;
    const full = (h: ServiceHours) => h.days === 'all' && !h.from && !h.perDay;
    if (a.text === b.text || (full(a) && full(b))) return 0;
    if (full(a)) return 1;
    if (full(b)) return -1;
    return null;
  }
  if (kind === 'frequency') {
    const a = (actual as Frequency).perYear;
    const b = (required as Frequency).perYear;
    // 定期/不定期 have no number: they compare with nothing.
    if (Number.isNaN(a) || Number.isNaN(b)) return null;
    return a === b ? 0 : a < b ? -1 : 1;
  }
  if (typeof actual === 'number' && typeof required === 'number')
    return actual === required ? 0 : actual < required ? -1 : 1;
  return actual === required ? 0 : null;
}

function compare(actual: unknown, c: Condition, required: unknown): DeviationStatus {
  if (actual === undefined || actual === null) return 'negative';
  if (c.op === 'includes')
    return Array.isArray(actual) && actual.includes(required) ? 'none' : 'negative';
  const kind = valueKindOf(c.field);
  const o = order(actual, required, kind);
  // For a duration or a milestone with several cases, the worst case decides `>=`/`>` too.
  const oLow =
    kind === 'duration' || kind === 'milestone'
      ? (() => {
          const rs = limitsOf(actual).map((l) => compareDurations(l.d, required as Duration));
          return rs.some((r) => r === null) || !rs.length
            ? null
            : (Math.min(...(rs as number[])) as -1 | 0 | 1);
        })()
      : o;
  switch (c.op) {
    case '==':
      if (kind === 'service-hours' && o === 1) return 'positive';
      return o === 0 ? 'none' : o === null ? 'undetermined' : 'negative';
    case '<=':
      return o === null ? 'undetermined' : o === 0 ? 'none' : o < 0 ? 'positive' : 'negative';
    case '<':
      return o === null ? 'undetermined' : o < 0 ? 'none' : 'negative';
    case '>=':
      return oLow === null
        ? 'undetermined'
        : oLow === 0
          ? 'none'
          : oLow > 0
            ? 'positive'
            : 'negative';
    case '>':
      return oLow === null ? 'undetermined' : oLow > 0 ? 'none' : 'negative';
  }
}

function explain(status: DeviationStatus, required: string, actual: string): string {
  if (status === 'positive') return `优于招标要求：招标要求${required}，我方响应为${actual}`;
  if (status === 'none') return `满足招标要求：我方响应为${actual}`;
  if (status === 'undetermined')
    return `无法判定：招标要求${required}，我方响应为${actual}，两者单位之间没有确定的换算`;
  return `未满足招标要求：招标要求${required}，我方响应为${actual}`;
}

export function computeDeviations(bid: BidParams, tender: TenderFile): Deviation[] {
  const acks = new Map((bid.tender?.acknowledged ?? []).map((a) => [a.item, a.reason]));
  return tender.requirements.map((r: Requirement, i) => {
    const c = r.condition;
    const actualRaw = actualValue(bid, c);
    const req = requiredValue(c);
    const reqValue = req.ok ? req.value : c.value;
    const status = req.ok ? compare(actualRaw, c, reqValue) : 'undetermined';
    const opText =
      valueKindOf(c.field) === 'percent' && (c.op === '>=' || c.op === '>')
        ? c.op === '>='
          ? '不低于'
          : '高于'
        : OPERATORS[c.op];
    const required = `${opText}${show(reqValue, c)}`;
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
    if (d.status !== 'negative' && d.status !== 'undetermined') continue;
    const segs = parseFieldPath(d.field);
    const path = concretePath(bid, segs);
    const where = {
      location: bidSource.locate(path),
      path: d.field,
      label: labelAt(bidSchema, path),
    };
    if (d.status === 'undetermined') {
      out.push(
        diagnostic(
          'DeviationUndetermined',
          `条目 ${d.item}“${d.requirement}”无法判定偏离：要求${d.required}，投标为${d.actual}`,
          where,
        ),
      );
      continue;
    }
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
