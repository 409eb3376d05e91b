import { describe, expect, it } from 'vitest';
import {
  cnDate,
  cnLower,
  cnUpper,
  hoursText,
  minutesText,
  periodUpper,
  rmbFigures,
  rmbUpper,
} from './cn-number.js';

describe('Chinese numerals', () => {
  it('writes counts and headings in lower-case numerals', () => {
    expect([1, 10, 12, 20, 101, 110].map(cnLower)).toEqual([
      '一',
      '十',
      '十二',
      '二十',
      '一百零一',
      '一百一十',
    ]);
  });
  it('writes formal periods in financial numerals', () => {
    expect([1, 3, 10, 12, 36].map(cnUpper)).toEqual(['壹', '叁', '壹拾', '壹拾贰', '叁拾陆']);
    expect(periodUpper(12)).toBe('壹年');
    expect(periodUpper(36)).toBe('叁年');
    expect(periodUpper(60)).toBe('伍年');
    expect(periodUpper(18)).toBe('壹拾捌个月');
  });
  it('refuses negative and fractional input', () => {
    expect(() => cnUpper(-1)).toThrow(RangeError);
    expect(() => cnLower(1.5)).toThrow(RangeError);
  });
});

describe('money', () => {
  it('writes fen as 人民币…元整 in contract form', () => {
    expect(rmbUpper(500_000)).toBe('人民币伍仟元整');
    expect(rmbUpper(1_000_500)).toBe('人民币壹万零伍元整');
    expect(rmbUpper(18_500_000)).toBe('人民币壹拾捌万伍仟元整');
    expect(rmbUpper(200_050)).toBe('人民币贰仟元伍角');
    expect(rmbUpper(5)).toBe('人民币伍分');
    expect(rmbUpper(0)).toBe('人民币零元整');
  });
  it('writes figures with thousands separators and two decimals', () => {
    expect(rmbFigures(18_500_000)).toBe('185,000.00元');
    expect(rmbFigures(200_050)).toBe('2,000.50元');
  });
});

describe('dates and durations', () => {
  it('writes dates the Chinese way without leading zeros', () => {
    expect(cnDate('2026-11-22')).toBe('2026年11月22日');
    expect(cnDate('2026-03-05')).toBe('2026年3月5日');
  });
  it('writes minutes and hours plainly', () => {
    expect([10, 30, 60, 90, 120, 4320].map(minutesText)).toEqual([
      '10分钟',
      '30分钟',
      '1小时',
      '90分钟',
      '2小时',
      '72小时',
    ]);
    expect([2, 24, 0.5].map(hoursText)).toEqual(['2小时', '24小时', '30分钟']);
  });
});
