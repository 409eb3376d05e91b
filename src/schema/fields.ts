// Field builders shared by every schema: text without control characters, bounded numbers, dates, money.
import { z } from 'zod';
import {
  parseDuration,
  parseFrequency,
  parsePercent,
  parseServiceHours,
  DURATION_UNITS,
  type DurationKind,
  type DurationUnit,
  type Parsed,
} from './duration.js';

export interface FieldMeta {
  /** Chinese label shown in errors, the web form and the field reference. */
  readonly label: string;
  /** One sentence of help, in Chinese. */
  readonly help?: string;
  /** Multi-line input in the web form. */
  readonly multiline?: boolean;
}

// C0 controls except tab/newline, DEL, C1 controls, lone surrogates, U+FFFE/FFFF and private-use
// characters (the renderer uses private-use characters as value markers).
/* eslint-disable no-control-regex -- matching control characters is the point */
const FORBIDDEN =
  /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F\uFFFE\uFFFF\uE000-\uF8FF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/u;
/* eslint-enable no-control-regex */

export function firstForbiddenChar(s: string): string | undefined {
  const m = FORBIDDEN.exec(s);
  return m ? m[0] : undefined;
}

export function codePointName(ch: string): string {
  return `U+${(ch.codePointAt(0) ?? 0).toString(16).toUpperCase().padStart(4, '0')}`;
}

/** A trimmed, non-empty string with no control characters; single line unless `multiline`. */
export function text(meta: FieldMeta, max = 200) {
  return z
    .string()
    .trim()
    .min(1, { message: '不能为空' })
    .max(max, { message: `不能超过 ${max} 个字符` })
    .superRefine((s, ctx) => {
      const bad = firstForbiddenChar(s);
      if (bad !== undefined) {
        ctx.addIssue({
          code: 'custom',
          message: `含有不允许的字符 ${codePointName(bad)}`,
          params: { problem: 'InvalidText' },
        });
      } else if (!meta.multiline && /[\r\n]/.test(s)) {
        ctx.addIssue({
          code: 'custom',
          message: '应为单行文本，不能换行',
          params: { problem: 'InvalidText' },
        });
      }
    })
    .meta({ ...meta });
}

export function int(meta: FieldMeta, min: number, max: number) {
  return z
    .number()
    .int({ message: '应为整数' })
    .min(min)
    .max(max)
    .meta({ ...meta });
}

/** Positive hours, in steps of half an hour. */
export function hours(meta: FieldMeta, max = 10_000) {
  return z
    .number()
    .positive()
    .max(max)
    .refine((n) => Number.isInteger(n * 2), { message: '应为 0.5 的整数倍' })
    .meta({ ...meta });
}

export function bool(meta: FieldMeta) {
  return z.boolean().meta({ ...meta });
}

export function isRealDate(s: string): boolean {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(s);
  if (!m) return false;
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const dt = new Date(Date.UTC(y, mo - 1, d));
  return dt.getUTCFullYear() === y && dt.getUTCMonth() === mo - 1 && dt.getUTCDate() === d;
}

/** A calendar date written `2026-11-22` (quote it or not: YAML 1.2 keeps it a string). */
export function date(meta: FieldMeta) {
  return z
    .string()
    .regex(/^\d{4}-\d{2}-\d{2}$/, { message: '日期应写成 YYYY-MM-DD，例如 2026-11-22' })
    .refine(isRealDate, { message: '不是一个真实存在的日期' })
    .meta({ ...meta, format: 'date' });
}

/** Integer fen (分). */
export type Fen = number;

/**
 * Money written in yuan (`5000`, `"5000.50"`), held as integer fen so no arithmetic ever sees a
 * binary fraction. Negative amounts and more than two decimals are refused.
 */
export function money(meta: FieldMeta) {
  return z
    .union([z.number(), z.string()])
    .transform((v, ctx): Fen => {
      const s = typeof v === 'number' ? String(v) : v.trim().replace(/,/g, '');
      const m = /^(\d{1,12})(?:\.(\d{1,2}))?$/.exec(s);
      if (!m) {
        ctx.addIssue({
          code: 'custom',
          message: '金额应为不小于 0 的数字（单位：元，最多两位小数）',
          params: { problem: 'InvalidValue' },
        });
        return z.NEVER;
      }
      return Number(m[1]) * 100 + Number((m[2] ?? '').padEnd(2, '0'));
    })
    .meta({ ...meta, unit: '元' });
}

/** An enum whose every value has a Chinese label (for documents, the form and errors). */
export function choice<const T extends Record<string, string>>(labels: T, meta: FieldMeta) {
  const keys = Object.keys(labels) as [keyof T & string, ...(keyof T & string)[]];
  return z.enum(keys).meta({ ...meta, enumLabels: labels });
}

/** Reports a parse failure from `duration.ts` as one Zod issue with the parser's own message. */
function parsed<T>(
  parse: (v: unknown) => Parsed<T>,
  check?: (v: T) => string | undefined,
): (v: unknown, ctx: z.RefinementCtx) => T {
  return (v, ctx) => {
    const r = parse(v);
    const problem = r.ok ? check?.(r.value) : r.message;
    if (problem !== undefined || !r.ok) {
      ctx.addIssue({ code: 'custom', message: problem ?? '', params: { problem: 'InvalidValue' } });
      return z.NEVER;
    }
    return r.value;
  };
}

const looseValue = () => z.union([z.string(), z.number(), z.looseObject({})]);

const KIND_WORDS: Record<DurationKind, string> = {
  amount: '具体时长',
  immediate: '“立即”',
  negotiable: '“协商确定”',
  lifetime: '“终身”',
  split: '分工作日和节假日的时长',
};

/**
 * A time limit or period: `30分钟`, `2小时`, `1个工作日`, `一周`, `3个月`, `10年`, `立即`, `协商确定`,
 * `终身`, `{ amount: 2, unit: hour }` or `{ workday: 24小时, holiday: 48小时 }`. `allow` names the
 * kinds that make sense for the field (a warranty cannot be 立即; a response cannot be 终身).
 */
export function duration(
  meta: FieldMeta,
  allow: readonly DurationKind[],
  /** Units a length may use (periods are counted in days or longer); all when absent. */
  units?: readonly DurationUnit[],
) {
  return looseValue()
    .transform(
      parsed(parseDuration, (d) => {
        if (!allow.includes(d.kind))
          return `这里不能写${KIND_WORDS[d.kind]}；可以写${allow.map((k) => KIND_WORDS[k]).join('、')}`;
        if (units && d.kind === 'amount' && !units.includes(d.unit))
          return `这里的期限应以${units.map((u) => DURATION_UNITS[u].replace('个', '')).join('、')}计，不能写“${d.text}”`;
        return undefined;
      }),
    )
    .meta({
      ...meta,
      valueKind: 'duration',
      allow: [...allow],
      // The units a length may use, for the field reference and the editor schema.
      ...(allow.includes('amount')
        ? { units: [...(units ?? (Object.keys(DURATION_UNITS) as DurationUnit[]))] }
        : {}),
    });
}

/** How often: `每月`, `每季度`, `每3个月`, `每年4次`, `不限次数`. */
export function frequency(meta: FieldMeta) {
  return z
    .string()
    .transform(parsed(parseFrequency))
    .meta({ ...meta, valueKind: 'frequency' });
}

/** A percentage: `95%` or 95. */
export function percent(meta: FieldMeta) {
  return z
    .union([z.string(), z.number()])
    .transform(parsed(parsePercent))
    .meta({ ...meta, valueKind: 'percent' });
}

/** Service hours: `7x24`, `工作日 8:00-18:00`, `每天 8:00-24:00`, `工作日每天8小时`. */
export function serviceHours(meta: FieldMeta) {
  return z
    .string()
    .transform(parsed(parseServiceHours))
    .meta({ ...meta, valueKind: 'service-hours' });
}
