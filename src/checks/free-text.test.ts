import { describe, expect, it } from 'vitest';
import { loadExample } from '../../test/helpers.js';
import type { BidParams } from '../schema/bid.js';
import { parseDuration, type Duration } from '../schema/duration.js';
import { consultationPhrase, textTimes, timeWindows, weekSlot } from './free-text.js';
import { RULES } from './rules.js';

const d = (text: string): Duration => {
  const r = parseDuration(text);
  if (!r.ok) throw new Error(r.message);
  return r.value;
};
const check = (id: string, b: BidParams) => {
  const r = RULES.find((x) => x.id === id);
  if (!r) throw new Error(`no rule ${id}`);
  return r.check(b).map((f) => ({ path: f.path.join('.'), message: f.message }));
};

describe('free-text times', () => {
  it('reads every window a timing text promises, with its event and side', () => {
    expect(
      timeWindows('系统上线前 10 个工作日内完成集中培训，上线后一个月内跟班指导').map((w) => [
        w.anchor,
        w.side,
        w.length.text,
      ]),
    ).toEqual([
      ['系统上线', '前', '10个工作日'],
      ['上线', '后', '一个月'],
    ]);
    expect(timeWindows('交工验收前十五日以内').map((w) => w.length.amount)).toEqual([15]);
    // 半个月 / 半年: half a month or a year (an outside tester's false negative).
    expect(
      timeWindows('交工验收前半个月内完成，上线后半年内回访').map((w) => [
        w.anchor,
        w.side,
        w.length.amount,
        w.length.unit,
      ]),
    ).toEqual([
      ['交工验收', '前', 0.5, 'month'],
      ['上线', '后', 0.5, 'year'],
    ]);
    expect(timeWindows('交工验收前半个月内完成').map((w) => w.text)).toEqual([
      '交工验收前半个月内',
    ]);
    expect(timeWindows('试运行期间跟班指导')).toEqual([]);
  });

  it('reads a week-numbered schedule row, in Arabic or Chinese numerals', () => {
    expect(weekSlot('交工验收前第 3 周')).toEqual({ anchor: '交工验收', side: '前', week: 3 });
    expect(weekSlot('验收后第二周')).toEqual({ anchor: '验收', side: '后', week: 2 });
    expect(weekSlot('第 3 周')).toBeUndefined();
    expect(weekSlot('试运行期间')).toBeUndefined();
  });

  it('reads arrival and response times in a measure, clause by clause', () => {
    expect(
      textTimes(
        '环网自愈保护；抢修队伍 4 小时内到达断点；30分钟内响应；损坏设备 24 小时内更换',
      ).map((t) => [t.kind, t.within.text, t.text]),
    ).toEqual([
      ['onsite', '4小时', '4小时内到达'],
      ['respond', '30分钟', '30分钟内响应'],
    ]);
    // 到场 in the next clause is not this time's.
    expect(textTimes('2小时内恢复，工程师随后到场')).toEqual([]);
  });
});

describe('training-schedule-within-timing', () => {
  const highway = loadExample('highway-monitoring');
  const withTiming = (timing: string): BidParams => ({
    ...highway,
    training: { ...highway.training!, timing },
  });

  it('flags the row that runs past the window, located at its phase', () => {
    expect(
      check('training-schedule-within-timing', withTiming('系统交工验收前 15 日内完成集中培训')),
    ).toEqual([
      {
        path: 'training.schedule.0.phase',
        message:
          '培训日程“交工验收前第 3 周”（第3周延续到第21日）超出培训时间“系统交工验收前 15 日内完成集中培训”承诺的“系统交工验收前15日内”',
      },
    ]);
  });

  it('says nothing where the order is not certain, the event differs or the side differs', () => {
    // 10 个工作日 may span more than 21 calendar days: uncertain, no finding.
    expect(
      check('training-schedule-within-timing', withTiming('交工验收前 10 个工作日内')),
    ).toEqual([]);
    expect(check('training-schedule-within-timing', withTiming('合同签订后 15 日内'))).toEqual([]);
    expect(check('training-schedule-within-timing', withTiming('交工验收后 15 日内'))).toEqual([]);
    expect(check('training-schedule-within-timing', withTiming('交工验收前三周内'))).toEqual([]);
  });
});

describe('emergency-times-match-tiers', () => {
  const highway = loadExample('highway-monitoring');
  const withMeasure = (measures: string, risk = '主干光纤通信中断'): BidParams => ({
    ...highway,
    emergency: { ...highway.emergency!, risks: [{ risk, impact: '外场设备离线', measures }] },
  });

  it('flags a time no tier states, saying how it relates to the tiers', () => {
    expect(check('emergency-times-match-tiers', withMeasure('抢修队伍 4 小时内到达断点'))).toEqual([
      {
        path: 'emergency.risks.0.measures',
        message:
          '应急措施“主干光纤通信中断”写“4小时内到达”，与故障响应等级的任何一个时限都不相同（到场时限：A类问题郴州市区2小时、其他市县24小时；B类问题48小时）',
      },
    ]);
    expect(check('emergency-times-match-tiers', withMeasure('1小时内到场'))[0]!.message).toContain(
      '比故障响应等级承诺的还快',
    );
  });

  it('holds a measure that names a tier to that tier only', () => {
    // 48小时 is B's arrival limit, but the measure is about A.
    expect(
      check('emergency-times-match-tiers', withMeasure('按 A 类问题处理，48 小时内到场'))[0]!
        .message,
    ).toContain('比故障响应等级承诺的还慢（到场时限：A类问题郴州市区2小时、其他市县24小时）');
    expect(
      check('emergency-times-match-tiers', withMeasure('按 B 类问题处理，48 小时内到场')),
    ).toEqual([]);
  });

  it('accepts a time equal to a stated limit, in another unit too', () => {
    expect(check('emergency-times-match-tiers', withMeasure('120 分钟内到达'))).toEqual([]);
    expect(check('emergency-times-match-tiers', withMeasure('一天内到达'))).toEqual([]);
    // Response: A is 立即, B 1小时, C 72小时.
    expect(check('emergency-times-match-tiers', withMeasure('1小时内响应'))).toEqual([]);
    expect(check('emergency-times-match-tiers', withMeasure('2小时内响应'))).toHaveLength(1);
  });

  it('says nothing when the order is uncertain or no tier states that step', () => {
    expect(check('emergency-times-match-tiers', withMeasure('1个工作日内到达'))).toEqual([]);
    const noTiers = { ...withMeasure('4小时内到达'), responseTiers: undefined };
    expect(check('emergency-times-match-tiers', noTiers)).toEqual([]);
  });
});

describe('routine-service-period', () => {
  const hospital = loadExample('hospital-his');

  it('does not ask for a period when only first-year visits are stated (首年内 bounds them)', () => {
    const b: BidParams = {
      ...hospital,
      service: { visitsFirstYear: hospital.service!.visitsFirstYear },
    };
    expect(check('routine-service-period', b)).toEqual([]);
  });

  it('flags a period stated without any routine service, at the period', () => {
    const b: BidParams = {
      ...hospital,
      service: { hours: hospital.service!.hours, routinePeriod: 'contract' },
    };
    expect(check('routine-service-period', b)).toEqual([
      {
        path: 'service.routinePeriod',
        message: '写了巡检、回访和报告的期间，但没有写巡检、回访或定期报告',
      },
    ]);
  });

  it('names every routine service without a period, located at the first', () => {
    const b: BidParams = {
      ...hospital,
      service: {
        visitsLater: hospital.service!.visitsLater,
        reports: [{ name: '运行维护月报', every: hospital.service!.visitsFirstYear! }],
      },
    };
    expect(check('routine-service-period', b)).toEqual([
      {
        path: 'service.visitsLater',
        message: '此后回访、定期报告只写了频次，没有写在什么期间内提供',
      },
    ]);
  });
});

describe('consultation-closure-vs-tier and pricing-needs-basis', () => {
  const highway = loadExample('highway-monitoring');

  it('leaves a consultation tier with stated limits alone', () => {
    const b: BidParams = {
      ...highway,
      service: { ...highway.service!, consultationClosure: { percent: 90, within: d('7日') } },
      responseTiers: [
        ...highway.responseTiers!.slice(0, 3),
        {
          name: 'D类问题',
          definition: '使用咨询',
          milestones: [{ kind: 'respond', within: d('72小时'), from: 'report' }],
        },
      ],
    };
    expect(check('consultation-closure-vs-tier', b)).toEqual([]);
  });

  it('reads the wordings bid teams use for consultation tiers, quoting the words as written', () => {
    const read = (t: string) => consultationPhrase(t);
    expect(read('使用疑问解答')).toBe('使用疑问解答');
    expect(read('使用咨询、功能改进建议等非故障类问题。')).toBe('使用咨询');
    expect(read('技术咨询')).toBe('技术咨询');
    expect(read('业务答疑')).toBe('业务答疑');
    expect(read('用户问询及操作指导')).toBe('用户问询及操作指导');
    expect(read('软件使用指导等非故障类问题')).toBe('软件使用指导');
    expect(read('系统使用中的疑难解答')).toBe('系统使用中的疑难解答');
    expect(read('常见问题解答、功能改进建议')).toBe('常见问题解答');
    expect(read('功能改进建议；用户疑问')).toBe('用户疑问');
    expect(read('非故障类的使用咨询')).toBe('非故障类的使用咨询');
    expect(read('功能异常、数据错误或操作咨询，业务仍可办理。')).toBe('数据错误或操作咨询');
  });

  it('does not read fault tiers, or tiers that leave consultations out, as consultation', () => {
    for (const t of [
      '系统故障',
      '功能改进建议、新增需求等非故障类问题。',
      '功能增强和改进建议。',
      '个别设备性能下降或非关键功能异常，不影响正常运营。',
      '可通过电话或远程指导排除的一般故障',
      '疑难故障，需厂家工程师到场',
      '电话解答后仍无法解决的软件问题',
      '经询问确认不影响业务的问题',
      '严重影响使用问题',
      '使用方便性问题',
      '因使用方法不当造成的故障',
      '非咨询类问题',
      '系统故障（不含使用咨询、操作指导）',
      '除使用咨询外的各类问题',
      '各类软件问题，咨询除外',
      '排除故障',
      undefined,
    ])
      expect(consultationPhrase(t), String(t)).toBeUndefined();
    // 排除 is not 除…外: the consultation still counts.
    expect(consultationPhrase('排除故障以及使用咨询')).toBe('排除故障以及使用咨询');
  });

  it('flags a negotiable tier for question answering however it is worded, and quotes it', () => {
    const closure = {
      ...highway,
      service: { ...highway.service!, consultationClosure: { percent: 90, within: d('7日') } },
    };
    const withD = (name: string, definition?: string): BidParams => ({
      ...closure,
      responseTiers: [
        ...highway.responseTiers!.slice(0, 3),
        { name, ...(definition ? { definition } : {}), negotiable: true },
      ],
    });
    const at = 'responseTiers.3.negotiable';
    const promise = '咨询办结承诺90%的咨询7日内办结，但';
    expect(check('consultation-closure-vs-tier', withD('D类问题', '使用疑问解答'))).toEqual([
      { path: at, message: `${promise}包含“使用疑问解答”的“D类问题”整体协商确定时限` },
    ]);
    expect(
      check('consultation-closure-vs-tier', withD('D类问题', '操作指导、答疑等非故障类问题。')),
    ).toEqual([{ path: at, message: `${promise}包含“操作指导”的“D类问题”整体协商确定时限` }]);
    expect(check('consultation-closure-vs-tier', withD('答疑类问题'))).toEqual([
      { path: at, message: `${promise}“答疑类问题”整体协商确定时限` },
    ]);
    // The shipped D tier (改进建议、新增需求等非故障类问题) is not consultation, nor a 非咨询 tier.
    expect(check('consultation-closure-vs-tier', closure)).toEqual([]);
    expect(highway.responseTiers![3]!.negotiable).toBe(true);
    expect(check('consultation-closure-vs-tier', withD('非咨询类问题', '系统故障'))).toEqual([]);
    expect(
      check('consultation-closure-vs-tier', withD('D类问题', '系统故障（不含使用咨询）')),
    ).toEqual([]);
    // Without a closure promise there is nothing to hold the tier against.
    expect(
      check('consultation-closure-vs-tier', {
        ...withD('D类问题', '使用疑问解答'),
        service: { ...highway.service!, consultationClosure: undefined },
      }),
    ).toEqual([]);
  });

  it('accepts 优惠价格 with a fee cap and flags 合理价格 without one', () => {
    expect(
      check('pricing-needs-basis', {
        ...highway,
        afterWarranty: { pricing: 'preferential', annualFeeCap: 100 },
      }),
    ).toEqual([]);
    expect(
      check('pricing-needs-basis', { ...highway, afterWarranty: { pricing: 'reasonable' } }),
    ).toEqual([
      {
        path: 'afterWarranty.pricing',
        message: '质保期外按“合理价格”收费，但没有写年度维护费上限或其他可核实的依据',
      },
    ]);
    expect(
      check('pricing-needs-basis', { ...highway, afterWarranty: { pricing: 'cost' } }),
    ).toEqual([]);
  });
});
