// Times written in free text (培训时间, 培训日程, 应急措施), read only where the wording is
// unambiguous, so that rules can hold them against the structured commitments. Every number is
// parsed by src/schema/duration.ts; anything this reader does not recognise is left alone.
import {
  parseCnNumber,
  parseDurationText,
  type AmountDuration,
  type SimpleDuration,
} from '../schema/duration.js';

const NUM = '(\\d+(?:\\.\\d+)?|[零〇一二两三四五六七八九十百]+)';
const STOP = '，,；;。、：:（）()';

/** Whitespace removed and full-width forms folded, as the duration parser reads them. */
export function squashText(s: string): string {
  return s.normalize('NFKC').replace(/\s+/g, '');
}

/** “15日”, “十个工作日”, “3周” → a duration; undefined when the parser refuses it. */
function amount(num: string, unit: string): AmountDuration | undefined {
  const r = parseDurationText(`${num}${unit}`);
  return r.ok && r.value.kind === 'amount' ? r.value : undefined;
}

/** A promised window: “<anchor>前/后 N<unit>内”, e.g. 系统交工验收前15日内. */
export interface TimeWindow {
  readonly anchor: string;
  readonly side: '前' | '后';
  readonly length: AmountDuration;
  /** The words as written (without spaces), for messages. */
  readonly text: string;
}

const WINDOW = new RegExp(
  `([^${STOP}]+?)(前|后)${NUM}(个工作日|工作日|个日历日|日历日|个自然日|自然日|天|日|个星期|星期|周|个月|月|年)(?:以|之)?内`,
  'gu',
);

/** Every window a timing text promises (a text may promise several: 上线前…内，上线后…内). */
export function timeWindows(text: string): TimeWindow[] {
  const out: TimeWindow[] = [];
  // 半个月 / 半年 (not 一个半月): half a month or year, as the duration parser writes it.
  const halves = squashText(text).replace(
    /(前|后)半(个月|月|年)/gu,
    (_, side: string, unit: string) => `${side}0.5${unit === '年' ? '年' : '个月'}`,
  );
  for (const m of halves.matchAll(WINDOW)) {
    const length = amount(m[3]!, m[4]!);
    // The words as written: a half is quoted as 半, not as the parser's 0.5.
    const words = /半/u.test(text)
      ? m[0].replace(/0\.5个月/u, '半个月').replace(/0\.5年/u, '半年')
      : m[0];
    if (length) out.push({ anchor: m[1]!, side: m[2] as '前' | '后', length, text: words });
  }
  return out;
}

/** A schedule row counted in weeks from an event: “<anchor>前/后第 k 周”. */
export interface WeekSlot {
  readonly anchor: string;
  readonly side: '前' | '后';
  readonly week: number;
}

const WEEK = new RegExp(`^(.+?)(前|后)第${NUM}(?:个星期|星期|周)`, 'u');

export function weekSlot(phase: string): WeekSlot | undefined {
  const m = WEEK.exec(squashText(phase));
  if (!m) return undefined;
  const week = /^\d+$/.test(m[3]!) ? Number(m[3]) : parseCnNumber(m[3]!);
  if (week === undefined || !Number.isInteger(week) || week < 1) return undefined;
  return { anchor: m[1]!, side: m[2] as '前' | '后', week };
}

/** Two anchors name the same event when one contains the other (交工验收 / 系统交工验收). */
export function sameAnchor(a: string, b: string): boolean {
  return a.length > 0 && b.length > 0 && (a.includes(b) || b.includes(a));
}

/** The last day of week k counted from the event, as a duration (第3周 ends on day 21). */
export function weekEnd(week: number): SimpleDuration {
  return amount(String(week * 7), '日')!;
}

/** What a free-text time promises: arriving on site, or responding. */
export type TextTimeKind = 'onsite' | 'respond';

export interface TextTime {
  readonly kind: TextTimeKind;
  readonly within: AmountDuration;
  /** The phrase as written (without spaces): 4小时内到达. */
  readonly text: string;
}

// “N<unit>内[up to six words]到达/到场/赶到/抵达/赶赴” or “N<unit>内响应”, inside one clause.
const TEXT_TIME = new RegExp(
  `${NUM}(分钟|个小时|小时|个工作日|工作日|天|日)(?:以|之)?内([^${STOP}]{0,6}?)(到达|到场|赶到|抵达|赶赴|响应)`,
  'gu',
);

/** The arrival and response times a free text states, e.g. 抢修队伍4小时内到达断点. */
export function textTimes(text: string): TextTime[] {
  const out: TextTime[] = [];
  for (const m of squashText(text).matchAll(TEXT_TIME)) {
    const within = amount(m[1]!, m[2]!);
    if (!within) continue;
    out.push({ kind: m[4] === '响应' ? 'respond' : 'onsite', within, text: m[0] });
  }
  return out;
}

// ---------------------------------------------------------------- consultation tiers

/**
 * The words that make a response tier (or its definition) one for consultations — questions about
 * using the system rather than faults — as bid teams write them: 使用咨询, 技术咨询, 答疑, 使用疑问解答,
 * 用户问询, 疑难解答, 常见问题解答, 操作指导, 使用指导. The one list every check asks. Left out on
 * purpose, because fault tiers use them too: bare 指导 (远程指导排除故障), 解答 (电话解答后到场),
 * 疑难 (疑难故障), 询问 (经询问确认…), 使用问题 (严重影响使用问题), 非故障类问题 and 改进建议.
 */
export const CONSULTATION_WORDS = [
  '咨询',
  '答疑',
  '疑问',
  '问询',
  '疑难解答',
  '问题解答',
  '操作指导',
  '使用指导',
] as const;

// Clauses end at these marks; a list (、) stays inside its clause, so 不含使用咨询、操作指导 excludes both.
const CLAUSE_END = /[，,；;。！!？?（）()【】[\]：:\n]/u;
/** 不含/不包括…咨询, 非咨询类: the words name what the tier leaves out. */
const EXCLUDED_BEFORE = /(?:不含|不包含|不包括|不涉及|非(?:使用|技术|业务|操作)?$)/u;
/** 咨询除外, 咨询以外的问题. */
const EXCLUDED_AFTER = /^[^、]*?(?:除外|以外|之外)/u;
const CONSULTATION = new RegExp(CONSULTATION_WORDS.join('|'), 'gu');
/** 除使用咨询外 (not 排除/删除/清除…). */
const EXCEPT = /(?:^|[^排删清解消去免拆剔])除(?!外)/u;

/**
 * The phrase of `text` that says it covers consultations, as written (`使用疑问解答`, the list
 * item without a trailing 等…), or undefined when no consultation word is there or every one is
 * excluded (非咨询类, 不含使用咨询, 除咨询外).
 */
export function consultationPhrase(text: string | undefined): string | undefined {
  for (const clause of (text ?? '').split(CLAUSE_END)) {
    for (const m of clause.matchAll(CONSULTATION)) {
      const at = m.index;
      const before = clause.slice(0, at);
      const after = clause.slice(at + m[0].length);
      if (EXCLUDED_BEFORE.test(before) || EXCLUDED_AFTER.test(after)) continue;
      if (EXCEPT.test(before) && /外/u.test(after)) continue;
      // The list item holding the word, up to a 等 after it (使用咨询等非故障类问题 → 使用咨询).
      const head = before.slice(before.lastIndexOf('、') + 1);
      const tail = after.split('、')[0]!;
      const upTo = tail.indexOf('等');
      return `${head}${m[0]}${upTo < 0 ? tail : tail.slice(0, upTo)}`.trim();
    }
  }
  return undefined;
}
