// Time limits, periods, frequencies, percentages and service hours: how a bid writes them
// (`30分钟`, `1个工作日`, `每季度`, `95%`, `工作日 8:00-18:00`), how they are held, written back in
// Chinese, and compared — only where the order is certain.

export const DURATION_UNITS = {
  minute: '分钟',
  hour: '小时',
  day: '日',
  workday: '个工作日',
  week: '周',
  month: '个月',
  year: '年',
} as const;
export type DurationUnit = keyof typeof DURATION_UNITS;

export interface AmountDuration {
  readonly kind: 'amount';
  readonly amount: number;
  readonly unit: DurationUnit;
  /** As the bid wrote it (`1个工作日`, `一周`, `7日`), so documents say it the same way. */
  readonly text: string;
}
export interface SpecialDuration {
  readonly kind: 'immediate' | 'negotiable' | 'lifetime';
  readonly text: string;
}
export type SimpleDuration = AmountDuration | SpecialDuration;
/** Different limits on working days and on rest days and holidays. */
export interface SplitDuration {
  readonly kind: 'split';
  readonly workday: SimpleDuration;
  readonly holiday: SimpleDuration;
  readonly text: string;
}
export type Duration = SimpleDuration | SplitDuration;
export type DurationKind = Duration['kind'];

export const SPECIAL_WORDS = {
  立即: 'immediate',
  协商确定: 'negotiable',
  终身: 'lifetime',
} as const;

// Unit words as bids write them → unit. Longest first so 个工作日 wins over 日.
const UNIT_WORDS: readonly (readonly [string, DurationUnit])[] = [
  ['个日历日', 'day'],
  ['日历日', 'day'],
  ['个自然日', 'day'],
  ['自然日', 'day'],
  ['个工作日', 'workday'],
  ['工作日', 'workday'],
  ['个小时', 'hour'],
  ['小时', 'hour'],
  ['分钟', 'minute'],
  ['个星期', 'week'],
  ['星期', 'week'],
  ['个月', 'month'],
  ['月', 'month'],
  ['周', 'week'],
  ['天', 'day'],
  ['日', 'day'],
  ['年', 'year'],
];

const TRADITIONAL: Record<string, string> = {
  時: '时',
  鐘: '钟',
  週: '周',
  個: '个',
  協: '协',
  確: '确',
  終: '终',
  隨: '随',
  內: '内',
  數: '数',
  節: '节',
  假: '假',
};

const CN_DIGITS: Record<string, number> = {
  零: 0,
  〇: 0,
  壹: 1,
  贰: 2,
  叁: 3,
  肆: 4,
  伍: 5,
  陆: 6,
  柒: 7,
  捌: 8,
  玖: 9,
  一: 1,
  二: 2,
  两: 2,
  三: 3,
  四: 4,
  五: 5,
  六: 6,
  七: 7,
  八: 8,
  九: 9,
};

/** 一, 两, 十二, 二十四, 一百二十, 半 → number (up to 999); undefined if not a Chinese numeral. */
export function parseCnNumber(s: string): number | undefined {
  if (s === '半') return 0.5;
  if (!/^[零〇一二两三四五六七八九十百壹贰叁肆伍陆柒捌玖拾佰]+$/.test(s)) return undefined;
  let total = 0;
  let cur = 0;
  for (const ch of s) {
    if (ch === '百' || ch === '佰') {
      total += (cur || 1) * 100;
      cur = 0;
    } else if (ch === '十' || ch === '拾') {
      total += (cur || 1) * 10;
      cur = 0;
    } else cur = CN_DIGITS[ch] ?? 0;
  }
  return total + cur;
}

export type Parsed<T> = { ok: true; value: T } | { ok: false; message: string };

const HELP =
  '请写成数字加单位（分钟、小时、日/天、工作日、周、月、年），例如“30分钟”“2小时”“1个工作日”“3个月”，或写“立即”“协商确定”“终身”';

function traditionalHint(s: string): string | undefined {
  const hits = [...s].filter((c) => TRADITIONAL[c]);
  if (!hits.length) return undefined;
  return `“${hits.join('')}”是繁体字，请写简体“${hits.map((c) => TRADITIONAL[c]).join('')}”`;
}

/** Parses `30分钟`, `1.5小时`, `两小时`, `一周`, `1个工作日`, `立即`, `协商确定`, `终身`. */
export function parseDurationText(input: string): Parsed<SimpleDuration> {
  // Full-width digits and letters (３年, ２ｈ) are read as their ASCII forms.
  const s = input.normalize('NFKC').trim().replace(/\s+/g, '');
  if (!s) return { ok: false, message: `时长不能为空。${HELP}` };
  const special = SPECIAL_WORDS[s as keyof typeof SPECIAL_WORDS];
  if (special) return { ok: true, value: { kind: special, text: s } };
  if (s === '协商' || s === '双方协商' || s === '双方协商确定')
    return { ok: true, value: { kind: 'negotiable', text: '协商确定' } };
  const trad = traditionalHint(s);
  if (trad) return { ok: false, message: `${trad}。${HELP}` };
  if (/^[+-]?\d+(?:\.\d+)?[a-zA-Z]/.test(s) || /^[a-zA-Z]/.test(s))
    return {
      ok: false,
      message: `时长要用中文单位书写（不接受“${input.trim()}”这样的英文写法）。${HELP}`,
    };
  if (/^-/.test(s))
    return { ok: false, message: `时长必须大于 0，不能为负数（“${input.trim()}”）` };
  if (/^[\d.一二两三四五六七八九十]+[-–—~～至到][\d.一二两三四五六七八九十]+/.test(s))
    return {
      ok: false,
      message: `时限不能写成范围（“${input.trim()}”）：承诺以上限为准，请写上限，例如“8小时”`,
    };
  // 一年半, 1年半, 两个月半: half a unit more, written after the unit.
  const after = /^(.+?)(年|个月|月|个小时|小时|天|日)半$/.exec(s);
  if (after) {
    const n = /^\d+$/.test(after[1]!)
      ? Number(after[1])
      : parseCnNumber(after[1]!.replace(/个$/, ''));
    const unit = UNIT_WORDS.find(([w]) => w === after[2])?.[1];
    if (n !== undefined && n > 0 && unit)
      return { ok: true, value: { kind: 'amount', amount: n + 0.5, unit, text: s } };
  }
  for (const [word, unit] of UNIT_WORDS) {
    if (!s.endsWith(word)) continue;
    const num = s.slice(0, -word.length);
    let amount: number | undefined;
    const half = /^(.+?)个?半$/.exec(num);
    if (/^\d+(?:\.\d+)?$/.test(num)) amount = Number(num);
    else if (half && /^\d+$/.test(half[1]!)) amount = Number(half[1]) + 0.5;
    else if (half && parseCnNumber(half[1]!) !== undefined) amount = parseCnNumber(half[1]!)! + 0.5;
    else if (/^\d+半$/.test(num)) amount = Number(num.slice(0, -1)) + 0.5;
    else amount = parseCnNumber(num.replace(/个$/, ''));
    if (amount === undefined) return { ok: false, message: `“${num}”不是一个数量。${HELP}` };
    if (!(amount > 0)) return { ok: false, message: `时长必须大于 0（“${input.trim()}”）` };
    if (!Number.isInteger(amount * 2))
      return { ok: false, message: `时长数量应为整数或半数（如 1.5），“${num}”不行` };
    if (amount > 100_000) return { ok: false, message: `时长过长（“${input.trim()}”）` };
    return { ok: true, value: { kind: 'amount', amount, unit, text: s } };
  }
  if (/^\d+(?:\.\d+)?$/.test(s))
    return { ok: false, message: `缺少单位：请写成“${s}分钟”“${s}小时”或“${s}个工作日”等` };
  return { ok: false, message: `无法识别的时长“${input.trim()}”。${HELP}` };
}

/** The canonical text of an amount in a unit: 2小时, 1个工作日, 3个月, 0.5小时 → 30分钟 stays 0.5小时. */
export function amountText(amount: number, unit: DurationUnit): string {
  return `${amount}${DURATION_UNITS[unit]}`;
}

export interface DurationObjectInput {
  amount?: unknown;
  unit?: unknown;
  workday?: unknown;
  holiday?: unknown;
}

const UNIT_KEYS: Record<string, DurationUnit> = Object.fromEntries([
  ...Object.keys(DURATION_UNITS).map((k) => [k, k as DurationUnit]),
  ...UNIT_WORDS.map(([w, u]) => [w, u]),
]);

/**
 * Any accepted input form: shorthand text (also `工作日24小时、节假日48小时`), `{ amount, unit }`,
 * or `{ workday, holiday }`.
 */
export function parseDuration(v: unknown): Parsed<Duration> {
  if (typeof v === 'string') {
    const split = /^\s*工作日(.+?)[、，,；;]\s*节假日(.+?)\s*$/.exec(v);
    return split ? parseDuration({ workday: split[1], holiday: split[2] }) : parseDurationText(v);
  }
  if (typeof v === 'number')
    return {
      ok: false,
      message: `缺少单位：请写成“${v}分钟”“${v}小时”或“${v}个工作日”等（时长要写单位）`,
    };
  if (v && typeof v === 'object' && !Array.isArray(v)) {
    const o = v as DurationObjectInput;
    const keys = Object.keys(o);
    if ('workday' in o || 'holiday' in o) {
      const bad = keys.filter((k) => k !== 'workday' && k !== 'holiday');
      if (bad.length || !('workday' in o) || !('holiday' in o))
        return {
          ok: false,
          message: '分别写工作日和节假日时限时，须同时写 workday 和 holiday 两项，且只写这两项',
        };
      const w = parseDuration(o.workday);
      if (!w.ok) return { ok: false, message: `workday：${w.message}` };
      const h = parseDuration(o.holiday);
      if (!h.ok) return { ok: false, message: `holiday：${h.message}` };
      if (w.value.kind === 'split' || h.value.kind === 'split')
        return { ok: false, message: 'workday 和 holiday 各写一个时长' };
      return {
        ok: true,
        value: {
          kind: 'split',
          workday: w.value,
          holiday: h.value,
          text: `工作日${w.value.text}、节假日${h.value.text}`,
        },
      };
    }
    const bad = keys.filter((k) => k !== 'amount' && k !== 'unit');
    if (bad.length)
      return {
        ok: false,
        message: `时长的对象写法只有 amount 和 unit 两项，不认识“${bad.join('、')}”`,
      };
    const unit =
      typeof o.unit === 'string' && Object.hasOwn(UNIT_KEYS, o.unit)
        ? UNIT_KEYS[o.unit]
        : undefined;
    if (!unit)
      return {
        ok: false,
        message: `unit 应为 ${Object.keys(DURATION_UNITS).join('、')} 或中文单位（分钟、小时、日、工作日、周、月、年）`,
      };
    if (typeof o.amount !== 'number' || !(o.amount > 0) || !Number.isInteger(o.amount * 2))
      return { ok: false, message: 'amount 应为大于 0 的数字（整数或半数）' };
    if (o.amount > 100_000) return { ok: false, message: `时长过长（amount: ${o.amount}）` };
    return {
      ok: true,
      value: { kind: 'amount', amount: o.amount, unit, text: amountText(o.amount, unit) },
    };
  }
  return { ok: false, message: `时长应为文本（如“2小时”）或 { amount, unit }。${HELP}` };
}

// ---------------------------------------------------------------- comparison

const MIN = { minute: 1, hour: 60, day: 1440, week: 10080 } as const;

/**
 * Elapsed time in minutes as an interval [lo, hi]. Documented conversions: 1小时 = 60分钟,
 * 1日 = 24小时, 1周 = 7日 exactly; a month is 28–31 days and a year 365–366 days; a working day
 * is at least 8 hours of elapsed time but has no upper bound (weekends and holidays intervene);
 * 立即 is 0; 终身 is unbounded; 协商确定 has no value.
 */
export function interval(d: Duration): readonly [number, number] | null {
  switch (d.kind) {
    case 'immediate':
      return [0, 0];
    case 'negotiable':
      return null;
    case 'lifetime':
      return [Infinity, Infinity];
    case 'split': {
      const a = interval(d.workday);
      const b = interval(d.holiday);
      return a && b ? [Math.min(a[0], b[0]), Math.max(a[1], b[1])] : null;
    }
    case 'amount': {
      const n = d.amount;
      switch (d.unit) {
        case 'minute':
        case 'hour':
        case 'day':
        case 'week':
          return [n * MIN[d.unit], n * MIN[d.unit]];
        case 'month':
          return [n * 28 * 1440, n * 31 * 1440];
        case 'year':
          return [n * 365 * 1440, n * 366 * 1440];
        case 'workday':
          return [n * 8 * 60, Infinity];
      }
    }
  }
}

/** Months when the unit is a month or a year (1年 = 12个月 exactly), else undefined. */
function months(d: Duration): number | undefined {
  if (d.kind !== 'amount') return undefined;
  if (d.unit === 'month') return d.amount;
  if (d.unit === 'year') return d.amount * 12;
  return undefined;
}

/** -1: a is shorter, 0: equal, 1: a is longer, null: the order is not certain. */
export function compareDurations(a: Duration, b: Duration): -1 | 0 | 1 | null {
  if (a.kind === 'amount' && b.kind === 'amount' && a.unit === b.unit)
    return Math.sign(a.amount - b.amount) as -1 | 0 | 1;
  const ma = months(a);
  const mb = months(b);
  if (ma !== undefined && mb !== undefined) return Math.sign(ma - mb) as -1 | 0 | 1;
  if (a.kind === b.kind && a.kind !== 'amount' && a.kind !== 'split' && a.kind !== 'negotiable')
    return 0;
  const x = interval(a);
  const y = interval(b);
  if (!x || !y) return null;
  if (x[0] === x[1] && y[0] === y[1] && x[0] === y[0]) return 0;
  // Strictly apart only: a range that touches the other value (1个月 against 31日) may be equal.
  if (x[1] < y[0]) return -1;
  if (x[0] > y[1]) return 1;
  return null;
}

/** A limit as a phrase: 30分钟内, 立即, 协商确定的时限内. */
export function withinText(d: Duration): string {
  switch (d.kind) {
    case 'immediate':
      return '立即';
    case 'negotiable':
      return '在双方协商确定的时限内';
    case 'lifetime':
      return '终身';
    case 'split':
      return `工作日${withinText(d.workday)}、节假日${withinText(d.holiday)}`;
    case 'amount':
      return `${d.text}内`;
  }
}

// ---------------------------------------------------------------- frequency

export interface Frequency {
  /** `regular` is 定期 and `irregular` 不定期: promised without a number, so never compared. */
  readonly kind: 'every' | 'unlimited' | 'regular' | 'irregular';
  /** Times per year, for comparison (unlimited: Infinity; 定期/不定期: NaN). */
  readonly perYear: number;
  /** 每季度一次, 每年4次, 不限次数. */
  readonly text: string;
}

const PERIOD_WORDS: Record<string, { text: string; perYear: number }> = {
  每日: { text: '每日', perYear: 365 },
  每天: { text: '每天', perYear: 365 },
  每周: { text: '每周', perYear: 52 },
  每月: { text: '每月', perYear: 12 },
  每季度: { text: '每季度', perYear: 4 },
  每半年: { text: '每半年', perYear: 2 },
  每年: { text: '每年', perYear: 1 },
};

/** `每季度`, `每月`, `每3个月`, `每年4次`, `每季度一次`, `一年不少于4次`, `不限次数`. */
export function parseFrequency(v: unknown): Parsed<Frequency> {
  const help =
    '请写成“每月”“每季度”“每半年”“每年”“每3个月”“每年4次”“不限次数”，或不写次数的“定期”“不定期”';
  if (typeof v !== 'string') return { ok: false, message: `频次应为文本。${help}` };
  const s = v.trim().replace(/\s+/g, '');
  if (s === '不限次数' || s === '不限')
    return { ok: true, value: { kind: 'unlimited', perYear: Infinity, text: '不限次数' } };
  if (s === '定期') return { ok: true, value: { kind: 'regular', perYear: NaN, text: '定期' } };
  if (s === '不定期')
    return { ok: true, value: { kind: 'irregular', perYear: NaN, text: '不定期' } };
  const trad = traditionalHint(s);
  if (trad) return { ok: false, message: `${trad}。${help}` };
  const m = /^(?:每|一)(.+?)(?:不少于)?(?:(\d+|[一二两三四五六七八九十]+)次)?$/.exec(s);
  if (!m) return { ok: false, message: `无法识别的频次“${v.trim()}”。${help}` };
  const periodWord = `每${m[1]!}`;
  let base = PERIOD_WORDS[periodWord];
  if (!base) {
    const d = parseDurationText(m[1]!);
    if (
      !d.ok ||
      d.value.kind !== 'amount' ||
      !['day', 'week', 'month', 'year'].includes(d.value.unit)
    )
      return { ok: false, message: `无法识别的频次“${v.trim()}”。${help}` };
    const per = { day: 365, week: 52, month: 12, year: 1 }[
      d.value.unit as 'day' | 'week' | 'month' | 'year'
    ];
    base = { text: `每${d.value.text}`, perYear: per / d.value.amount };
  }
  const timesRaw = m[2];
  const times =
    timesRaw === undefined
      ? 1
      : /^\d+$/.test(timesRaw)
        ? Number(timesRaw)
        : parseCnNumber(timesRaw);
  if (!times || times < 1) return { ok: false, message: `次数应为正整数（“${v.trim()}”）` };
  const atLeast = s.includes('不少于');
  // 一年不少于4次 stays as written; 一季度 (no count) is 每季度一次 — 一月 alone reads as January.
  const text =
    s.startsWith('一') && timesRaw !== undefined
      ? s
      : `${base.text}${atLeast ? '不少于' : ''}${timesRaw === undefined ? '一次' : `${timesRaw}次`}`;
  return { ok: true, value: { kind: 'every', perYear: base.perYear * times, text } };
}

// ---------------------------------------------------------------- percentage

/** `95%`, `95`, `99.5%` → 95 (0 < p ≤ 100). */
export function parsePercent(v: unknown): Parsed<number> {
  const s =
    typeof v === 'number' ? String(v) : typeof v === 'string' ? v.trim().replace(/[%％]$/, '') : '';
  if (!/^\d+(?:\.\d+)?$/.test(s)) return { ok: false, message: '百分比应写成“95%”或 95' };
  const n = Number(s);
  if (!(n > 0 && n <= 100)) return { ok: false, message: '百分比应大于 0 且不超过 100' };
  return { ok: true, value: n };
}

// ---------------------------------------------------------------- service hours

export interface ServiceHours {
  readonly days: 'all' | 'workdays';
  readonly from?: string;
  readonly to?: string;
  readonly perDay?: number;
  /** 7×24小时, 工作日8:00–18:00, 每天8:00–24:00, 法定工作日每天8小时. */
  readonly text: string;
}

const CLOCK = /^([01]?\d|2[0-4])[:：]([0-5]\d)$/;

function clock(s: string): string | undefined {
  const m = CLOCK.exec(s);
  if (!m) return undefined;
  if (Number(m[1]) === 24 && m[2] !== '00') return undefined;
  return `${Number(m[1])}:${m[2]}`;
}

/** `7x24`, `7×24`, `工作日 8:00-18:00`, `法定工作日 8:30-17:30`, `每天 8:00-24:00`, `工作日每天8小时`. */
export function parseServiceHours(v: unknown): Parsed<ServiceHours> {
  const help = '请写成“7x24”“工作日 8:00-18:00”“每天 8:00-24:00”或“工作日每天8小时”';
  if (typeof v !== 'string') return { ok: false, message: `服务时间应为文本。${help}` };
  const s = v.trim().replace(/\s+/g, '');
  if (/^7[x×*X]24(小时)?$/.test(s) || s === '全天候')
    return { ok: true, value: { days: 'all', text: '7×24小时' } };
  const m = /^(法定工作日|工作日|每天|每日)(?:每天)?(.*)$/.exec(s);
  if (!m) return { ok: false, message: `无法识别的服务时间“${v.trim()}”。${help}` };
  const days = m[1]!.includes('工作日') ? 'workdays' : 'all';
  const rest = m[2]!;
  const per = /^(\d+(?:\.\d+)?)小时$/.exec(rest);
  if (per) {
    const n = Number(per[1]);
    if (!(n > 0 && n <= 24)) return { ok: false, message: '每天服务小时数应在 0 到 24 之间' };
    return {
      ok: true,
      value: {
        days,
        perDay: n,
        text: `${m[1]!.replace('每日', '每天')}${days === 'workdays' ? '每天' : ''}${n}小时`,
      },
    };
  }
  const range = /^(.+?)[-–—~～至到](.+)$/.exec(rest);
  const from = range ? clock(range[1]!) : undefined;
  const to = range ? clock(range[2]!) : undefined;
  if (!from || !to)
    return {
      ok: false,
      message: `服务时段应写成“8:00-18:00”这样的起止时间（“${v.trim()}”）。${help}`,
    };
  return { ok: true, value: { days, from, to, text: `${m[1]}${from}–${to}` } };
}
