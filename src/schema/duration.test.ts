import { describe, expect, it } from 'vitest';
import {
  compareDurations,
  parseDuration,
  parseFrequency,
  parsePercent,
  parseServiceHours,
  type Duration,
} from './duration.js';

const d = (v: unknown): Duration => {
  const r = parseDuration(v);
  if (!r.ok) throw new Error(r.message);
  return r.value;
};
const problem = (v: unknown): string => {
  const r = parseDuration(v);
  if (r.ok) throw new Error(`accepted ${JSON.stringify(v)}`);
  return r.message;
};

describe('durations', () => {
  it('reads the shorthand bids write and keeps the wording', () => {
    expect(d('30分钟')).toEqual({ kind: 'amount', amount: 30, unit: 'minute', text: '30分钟' });
    expect(d('1个工作日')).toMatchObject({ amount: 1, unit: 'workday', text: '1个工作日' });
    expect(d('一周')).toMatchObject({ amount: 1, unit: 'week', text: '一周' });
    expect(d('7日')).toMatchObject({ amount: 7, unit: 'day', text: '7日' });
    expect(d('30个日历日')).toMatchObject({ amount: 30, unit: 'day', text: '30个日历日' });
    expect(d('15自然日')).toMatchObject({ amount: 15, unit: 'day' });
    expect(d('两小时')).toMatchObject({ amount: 2, unit: 'hour', text: '两小时' });
    expect(d('二十四小时')).toMatchObject({ amount: 24, unit: 'hour' });
    expect(d('1.5小时')).toMatchObject({ amount: 1.5, unit: 'hour' });
    expect(d('半小时')).toMatchObject({ amount: 0.5, unit: 'hour' });
    expect(d('一年半')).toMatchObject({ amount: 1.5, unit: 'year', text: '一年半' });
    expect(d('1年半')).toMatchObject({ amount: 1.5, unit: 'year' });
    expect(d('一个半小时')).toMatchObject({ amount: 1.5, unit: 'hour' });
    expect(d('３年')).toMatchObject({ amount: 3, unit: 'year', text: '3年' });
    expect(d('壹年')).toMatchObject({ amount: 1, unit: 'year', text: '壹年' });
    expect(d('叁拾个月')).toMatchObject({ amount: 30, unit: 'month' });
    expect(d('3个月')).toMatchObject({ amount: 3, unit: 'month' });
    expect(d(' 10 年 ')).toMatchObject({ amount: 10, unit: 'year', text: '10年' });
    expect(d('立即')).toEqual({ kind: 'immediate', text: '立即' });
    expect(d('协商确定')).toEqual({ kind: 'negotiable', text: '协商确定' });
    expect(d('终身')).toEqual({ kind: 'lifetime', text: '终身' });
  });

  it('takes the object forms, including separate working-day and holiday limits', () => {
    expect(d({ amount: 2, unit: 'hour' })).toEqual({
      kind: 'amount',
      amount: 2,
      unit: 'hour',
      text: '2小时',
    });
    expect(d({ amount: 20, unit: '工作日' })).toMatchObject({
      unit: 'workday',
      text: '20个工作日',
    });
    expect(d({ workday: '24小时', holiday: '48小时' })).toMatchObject({
      kind: 'split',
      text: '工作日24小时、节假日48小时',
    });
    expect(d('工作日24小时、节假日48小时')).toEqual(d({ workday: '24小时', holiday: '48小时' }));
  });

  it('says what to write for each mistake', () => {
    expect(problem('2 hours')).toContain('中文单位');
    expect(problem('-1小时')).toContain('不能为负数');
    expect(problem('2小時')).toContain('“時”是繁体字，请写简体“时”');
    expect(problem('0小时')).toContain('大于 0');
    expect(problem(30)).toContain('缺少单位');
    expect(problem('30')).toContain('缺少单位');
    expect(problem('1.3小时')).toContain('整数或半数');
    expect(problem('很快')).toContain('无法识别的时长');
    expect(problem('4-8小时')).toContain('请写上限');
    expect(problem({ amount: 2 })).toContain('unit');
    expect(problem({ workday: '24小时' })).toContain('同时写 workday 和 holiday');
    // A unit is looked up as the object's own key, never through the prototype.
    for (const unit of ['constructor', '__proto__', 'toString', 'hasOwnProperty'])
      expect(problem({ amount: 1, unit })).toContain('unit 应为');
    expect(problem({ amount: 1e9, unit: 'hour' })).toContain('时长过长');
  });

  it('compares only where the order is certain', () => {
    expect(compareDurations(d('2小时'), d('120分钟'))).toBe(0);
    expect(compareDurations(d('1年'), d('12个月'))).toBe(0);
    expect(compareDurations(d('7日'), d('一周'))).toBe(0);
    expect(compareDurations(d('30分钟'), d('1小时'))).toBe(-1);
    expect(compareDurations(d('立即'), d('10分钟'))).toBe(-1);
    expect(compareDurations(d('2小时'), d('1个工作日'))).toBe(-1);
    expect(compareDurations(d('3个工作日'), d('1个工作日'))).toBe(1);
    expect(compareDurations(d('终身'), d('10年'))).toBe(1);
    // No certain conversion: a working day against 24 hours, a month against 30 days.
    expect(compareDurations(d('1个工作日'), d('24小时'))).toBeNull();
    expect(compareDurations(d('1个月'), d('30日'))).toBeNull();
    expect(compareDurations(d('协商确定'), d('1小时'))).toBeNull();
    expect(compareDurations(d('1个月'), d('7日'))).toBe(1);
    expect(compareDurations(d({ workday: '24小时', holiday: '48小时' }), d('72小时'))).toBe(-1);
    expect(compareDurations(d({ workday: '24小时', holiday: '48小时' }), d('36小时'))).toBeNull();
  });
});

describe('frequencies, percentages and service hours', () => {
  it('reads frequencies and counts them per year', () => {
    const f = (s: string) => {
      const r = parseFrequency(s);
      if (!r.ok) throw new Error(r.message);
      return r.value;
    };
    expect(f('每季度')).toEqual({ kind: 'every', perYear: 4, text: '每季度一次' });
    expect(f('每年4次')).toMatchObject({ perYear: 4, text: '每年4次' });
    expect(f('每3个月')).toMatchObject({ perYear: 4, text: '每3个月一次' });
    expect(f('一年不少于4次')).toMatchObject({ perYear: 4, text: '一年不少于4次' });
    expect(f('每月')).toMatchObject({ perYear: 12 });
    expect(f('一季度')).toMatchObject({ perYear: 4, text: '每季度一次' });
    expect(f('定期')).toMatchObject({ kind: 'regular', text: '定期' });
    expect(f('不限次数')).toMatchObject({ kind: 'unlimited', text: '不限次数' });
    expect(parseFrequency('经常').ok).toBe(false);
  });

  it('reads percentages', () => {
    expect(parsePercent('95%')).toEqual({ ok: true, value: 95 });
    expect(parsePercent(99.5)).toEqual({ ok: true, value: 99.5 });
    expect(parsePercent('120%').ok).toBe(false);
  });

  it('reads service hours', () => {
    const h = (s: string) => {
      const r = parseServiceHours(s);
      if (!r.ok) throw new Error(r.message);
      return r.value;
    };
    expect(h('7x24')).toEqual({ days: 'all', text: '7×24小时' });
    expect(h('工作日 8:00-18:00')).toMatchObject({
      days: 'workdays',
      from: '8:00',
      to: '18:00',
      text: '工作日8:00–18:00',
    });
    expect(h('每天 8:00–24:00')).toMatchObject({ days: 'all', to: '24:00' });
    expect(h('法定工作日每天8小时')).toMatchObject({ days: 'workdays', perDay: 8 });
    expect(parseServiceHours('白天').ok).toBe(false);
    expect(parseServiceHours('工作日 8:00-25:00').ok).toBe(false);
  });
});
