import { describe, expect, it } from 'vitest';
import { loadExample } from '../../test/helpers.js';
import { COMMITMENT_SECTIONS, type BidParams } from '../schema/bid.js';
import { parseDuration, type Duration } from '../schema/duration.js';
import { RULES } from './rules.js';

const base = loadExample('hospital-his');
const clone = (): BidParams => structuredClone(base);
const rule = (id: string) => {
  const r = RULES.find((x) => x.id === id);
  if (!r) throw new Error(`no rule ${id}`);
  return r;
};

/** A duration as the schema holds it, from the shorthand a bid writes. */
const d = (text: string): Duration => {
  const r = parseDuration(text);
  if (!r.ok) throw new Error(r.message);
  return r.value;
};
const tier = (b: BidParams, i: number) => b.responseTiers![i]!;
const milestone = (b: BidParams, i: number, kind: string) =>
  tier(b, i).milestones!.find((m) => m.kind === kind)!;

/** Each rule: a bid it passes, and a changed bid it fails, with where the finding points. */
const cases: [string, (b: BidParams) => void, string][] = [
  [
    'deviation-table-needs-tender',
    (b) => {
      b.documents = ['commitment-letter', 'deviation-table'];
      b.tender = undefined;
    },
    'documents',
  ],
  [
    'training-required',
    (b) => {
      b.documents = ['commitment-letter', 'training-plan'];
      b.training = undefined;
    },
    'training',
  ],
  [
    'unique-ids',
    (b) => void (b.training!.modules[1]!.id = b.training!.modules[0]!.id),
    'training.modules.1.id',
  ],
  [
    'module-audience-declared',
    (b) => void (b.training!.modules[0]!.audiences = ['nobody']),
    'training.modules.0.audiences.0',
  ],
  [
    'schedule-module-declared',
    (b) => void (b.training!.schedule[0]!.modules = ['nothing']),
    'training.schedule.0.modules.0',
  ],
  [
    'tier-order',
    (b) => void (milestone(b, 1, 'respond').within = d('10分钟')),
    'responseTiers.1.milestones.0',
  ],
  [
    'tier-resolution-order',
    (b) => void (milestone(b, 1, 'resolve').within = d('2小时')),
    'responseTiers.1.milestones.2',
  ],
  ['after-warranty-needs-warranty', (b) => void (b.warranty = undefined), 'afterWarranty'],
  [
    'loaner-free-needs-loaner',
    (b) => void (b.spares = { ...b.spares, loaner: undefined, loanerFree: true }),
    'spares.loanerFree',
  ],
  [
    'round-the-clock-first-step',
    (b) => {
      const first = b.service!.escalation![0]!;
      const channel = b.service!.channels!.find((c) => c.kind === first)!;
      channel.hours = { days: 'all', from: '8:00', to: '24:00', text: '每天8:00–24:00' };
    },
    'service.escalation.0',
  ],
  [
    'tier-order-uncertain',
    (b) => void (milestone(b, 1, 'onsite').within = d('1个工作日')),
    'responseTiers.1.milestones.1',
  ],
  [
    'tier-severity-strict',
    (b) => {
      const severe = tier(b, 0);
      tier(b, 1).milestones = structuredClone(severe.milestones);
    },
    'responseTiers.1.milestones',
  ],
  [
    'tier-times-ordered',
    (b) => void (milestone(b, 0, 'resolve').within = d('1小时')),
    'responseTiers.0.milestones.2',
  ],
  ['roster-covers-staff', (b) => void (b.staff!.committedCount = 6), 'staff.roster'],
  ['staff-counts', (b) => void (b.staff!.localEngineers = 9), 'staff.localEngineers'],
  ['training-hours-total', (b) => void (b.training!.totalHours = 30), 'training.totalHours'],
  ['trainee-count', (b) => void (b.training!.traineeCount = 100), 'training.traineeCount'],
  ['money-fen', (b) => void (b.afterWarranty!.annualFeeCap = -100), 'afterWarranty.annualFeeCap'],
  [
    'warranty-consistent',
    (b) => void (b.warranty!.overall = d('2年')),
    'warranty.components.0.period',
  ],
  [
    'warranty-terms-within',
    (b) => void (b.warranty!.components[0]!.repair = d('2年')),
    'warranty.components.0.repair',
  ],
  [
    'onsite-vs-free-travel',
    (b) => {
      b.warranty!.components[0]!.onsite = d('6个月');
      b.warranty!.freeServices = [...(b.warranty!.freeServices ?? []), 'travel'];
    },
    'warranty.components.0.onsite',
  ],
  [
    'single-warranty-start',
    (b) => {
      b.warranty!.start = undefined;
      b.warranty!.components[0]!.repair = d('1年');
    },
    'warranty.components.0',
  ],
  [
    'letter-has-commitments',
    (b) => {
      for (const k of COMMITMENT_SECTIONS) b[k] = undefined;
    },
    '',
  ],
  ['signing-date', (b) => void (b.signature.date = '2026-10-01'), 'signature.date'],
  [
    'training-schedule-within-timing',
    // 上线前第 2 周 runs to the 14th day before go-live, outside “上线前 10 日内”.
    (b) => void (b.training!.timing = '系统上线前 10 日内完成集中培训'),
    'training.schedule.1.phase',
  ],
  [
    'emergency-times-match-tiers',
    (b) => void (b.emergency!.risks[0]!.measures = '启用双机热备；工程师 4 小时内到场'),
    'emergency.risks.0.measures',
  ],
  [
    'consultation-closure-vs-tier',
    (b) => {
      b.service!.consultationClosure = { percent: 90, within: d('7日') };
      b.responseTiers!.push({ name: '咨询类问题', definition: '使用咨询', negotiable: true });
    },
    'responseTiers.2.negotiable',
  ],
  [
    'milestone-clock-start',
    (b) => void delete milestone(b, 1, 'onsite').from,
    'responseTiers.1.milestones.1',
  ],
  ['routine-service-period', (b) => void delete b.service!.routinePeriod, 'service.inspections'],
  ['first-year-visits-start', (b) => void delete b.service!.visitsFrom, 'service.visitsFirstYear'],
  [
    'phone-consultation-period',
    (b) => void delete b.afterWarranty!.freePhoneConsultationPeriod,
    'afterWarranty.freePhoneConsultation',
  ],
  [
    'phone-consultation-period-needs-consultation',
    (b) => void delete b.afterWarranty!.freePhoneConsultation,
    'afterWarranty.freePhoneConsultationPeriod',
  ],
  [
    'pricing-needs-basis',
    (b) => void (b.afterWarranty!.pricing = 'preferential'),
    'afterWarranty.pricing',
  ],
];

describe('rule catalogue', () => {
  it('has unique ids and a test case for every rule', () => {
    const ids = RULES.map((r) => r.id);
    expect(new Set(ids).size).toBe(ids.length);
    expect(cases.map((c) => c[0]).sort()).toEqual([...ids].sort());
  });

  it.each(cases)('%s: passes the example and fails the changed bid', (id, change, where) => {
    expect(rule(id).check(base)).toEqual([]);
    const b = clone();
    change(b);
    const found = rule(id).check(b);
    expect(found.length).toBeGreaterThan(0);
    expect(found[0]!.path.join('.')).toBe(where);
    expect(found[0]!.message).toMatch(/[\u4e00-\u9fff]/);
  });

  it('tells a bid with a routine period but no routine service to drop the period, not to add it', () => {
    const b = clone();
    delete b.service!.inspections;
    delete b.service!.visitsFirstYear;
    delete b.service!.visitsLater;
    delete b.service!.reports;
    const [f] = rule('routine-service-period').check(b);
    expect(f).toMatchObject({
      path: ['service', 'routinePeriod'],
      hint: '没有巡检、回访和定期报告时，请删去 service.routinePeriod；若有，请写明其频次。',
    });
    // A bid that states the services and no period gets the rule's own hint: state the period.
    const c = clone();
    delete c.service!.routinePeriod;
    expect(rule('routine-service-period').check(c)[0]!.hint).toBeUndefined();
    expect(rule('routine-service-period').hint).toContain('请写明 service.routinePeriod');
  });

  it('tells a bid with a first-year start but no first-year visits to drop the start', () => {
    const b = clone();
    delete b.service!.visitsFirstYear;
    expect(rule('first-year-visits-start').check(b)).toEqual([
      {
        path: ['service', 'visitsFrom'],
        message: '写了第一年回访起算，但没有写第一年回访频次',
        hint: '没有第一年回访时，请删去 service.visitsFrom；若有，请写明 service.visitsFirstYear。',
      },
    ]);
    const c = clone();
    delete c.service!.visitsFrom;
    expect(rule('first-year-visits-start').check(c)).toEqual([
      {
        path: ['service', 'visitsFirstYear'],
        message: '承诺首年内回访（每月一次），但没有写首年从哪一天起算',
      },
    ]);
    expect(rule('first-year-visits-start').hint).toContain('请写明 service.visitsFrom');
  });

  it('passes every shipped example', () => {
    for (const name of ['hospital-his', 'highway-monitoring', 'dev-project-60m']) {
      const b = loadExample(name);
      expect(RULES.flatMap((r) => r.check(b).map((f) => `${r.id} ${f.message}`))).toEqual([]);
    }
  });
});

describe('README', () => {
  it('lists every rule id', async () => {
    const { readFileSync } = await import('node:fs');
    const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
    for (const r of RULES) expect(readme).toContain(`| \`${r.id}\` | ${r.severity} |`);
  });
});
