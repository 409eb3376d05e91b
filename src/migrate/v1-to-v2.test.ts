import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { TenderKitError } from '../diagnostics/diagnostic.js';
import { loadBidText } from '../load/bid.js';
import { bidSchema } from '../schema/bid.js';
import {
  everyMonthsText,
  hoursText,
  migrateV1ToV2,
  minutesText,
  type Migration,
  type Note,
} from './v1-to-v2.js';

const FIXTURES = path.resolve(import.meta.dirname, '../../test/fixtures/v1');
const fixture = (name: string) => readFileSync(path.join(FIXTURES, `${name}.yaml`), 'utf8');
const EXAMPLES = ['hospital-his', 'highway-monitoring', 'dev-project-60m'] as const;

function migrate(name: string): Migration {
  return migrateV1ToV2(fixture(name), `${name}.yaml`);
}

/** The migrated text as plain data (what the v2 schema sees), read freely by the assertions. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- tests index deep into parsed YAML
type Data = Record<string, any>;
function data(m: Migration): Data {
  return parse(m.text) as Data;
}

function lineAt(m: Migration, n: Note): string {
  return m.text.split('\n')[n.line - 1] ?? '';
}

const paths = (notes: readonly Note[]) => notes.map((n) => n.path);

/** The error thrown for `text`, as its diagnostics. */
function failure(text: string) {
  try {
    migrateV1ToV2(text, 'bid.yaml');
  } catch (e) {
    expect(e).toBeInstanceOf(TenderKitError);
    return (e as TenderKitError).diagnostics;
  }
  throw new Error('expected migrateV1ToV2 to throw');
}

describe('migrateV1ToV2 on the three version-1 examples', () => {
  it.each(EXAMPLES)('%s becomes a valid version-2 bid', (name) => {
    const m = migrate(name);
    expect(m.upToDate).toBe(false);
    const schema = bidSchema.safeParse(data(m));
    expect(schema.error?.issues ?? []).toEqual([]);
    const loaded = loadBidText(m.text, `${name}.yaml`);
    expect(loaded.ok ? [] : loaded.diagnostics).toEqual([]);
  });

  it.each(EXAMPLES)('%s keeps its opening comment and puts version: 2 right under it', (name) => {
    const src = fixture(name).split('\n');
    const out = migrate(name).text.split('\n');
    expect(src[0]).toMatch(/^# /);
    expect(out[0]).toBe(src[0]);
    expect(out[1]).toBe('version: 2');
  });

  it.each(EXAMPLES)('%s keeps every untouched line, in order and byte for byte', (name) => {
    const changed =
      /softwareMonths|hardwareMonths|overallMonths|lifetimeSupport|residentEngineer|coverage|remoteNeedsConsent|IntervalMonths|visit\w+Months|freeUpgradeYears|responseMinutes|onsiteHours|resolveHours|years:|outOfWarranty|annualFee|^documents|\{ kind: remote \}|standard: \[.*misuse/;
    const kept = fixture(name)
      .split('\n')
      .filter((l) => !changed.test(l));
    const out = migrate(name).text.split('\n');
    let j = 0;
    for (const line of kept) {
      while (j < out.length && out[j] !== line) j++;
      expect(j, `line “${line}” missing or out of order`).toBeLessThan(out.length);
      j++;
    }
  });

  it('hospital-his: staged milestones, local and remote on-site cases, other mapped values', () => {
    const m = migrate('hospital-his');
    const d = data(m);
    expect(d.responseTiers[0].milestones).toEqual([
      { kind: 'respond', within: '30分钟', from: 'report' },
      {
        kind: 'onsite',
        cases: [
          { when: '本地', within: '2小时' },
          { when: '外地', within: '24小时' },
        ],
        from: 'report',
      },
      { kind: 'resolve', within: '12小时', from: 'report' },
      { kind: 'report' },
    ]);
    expect(d.responseTiers[1].milestones).toEqual([
      { kind: 'respond', within: '1小时', from: 'report' },
      { kind: 'onsite', label: '到达本地现场', within: '24小时', from: 'report' },
      { kind: 'resolve', within: '72小时', from: 'report' },
      { kind: 'report' },
    ]);
    expect(d.warranty).toEqual({
      components: [{ name: '软件', period: '12个月' }],
      start: 'final-acceptance',
      freeServices: ['troubleshooting', 'defect-fixes', 'maintenance', 'consultation', 'travel'],
    });
    expect(d.staff.residentEngineers).toBe(1);
    expect(d.staff).not.toHaveProperty('residentEngineer');
    expect(d.service.hours).toBe('7x24');
    expect(d.service.channels[1]).toEqual({ kind: 'remote', requiresConsent: true });
    expect(d.service.inspections).toBe('每季度');
    expect(d.service.inspectionReport).toBe(true);
    expect(d.service.visitsFirstYear).toBe('每月');
    expect(d.service.visitsLater).toBe('每季度');
    expect(d.service.freeUpgrades).toEqual({ period: '1年', start: 'acceptance' });
    expect(d.spares).toEqual({ period: '3年' });
    expect(d.afterWarranty).toEqual({ pricing: 'preferential', freePhoneConsultation: true });
    expect(d).not.toHaveProperty('outOfWarranty');
    expect(Object.keys(d)[0]).toBe('version');

    // The file already said fullTime/formalEmployees, so they are not listed as new promises.
    expect(paths(m.explicit)).not.toContain('staff.fullTime');
    expect(paths(m.explicit)).toContain('staff.residentEngineer');
    expect(paths(m.explicit)).toContain('exclusions.standard');
    expect(m.unmapped).toEqual([]);
  });

  it('highway-monitoring: components, after-warranty, spares, drills, the 偏离表, tiers without on-site limits', () => {
    const m = migrate('highway-monitoring');
    const d = data(m);
    expect(d.warranty.components).toEqual([
      { name: '软件', period: '12个月' },
      { name: '硬件设备', period: '36个月' },
    ]);
    expect(d.warranty.start).toBe('acceptance');
    expect(d.warranty).not.toHaveProperty('lifetimeSupport');
    expect(d.afterWarranty).toEqual({
      pricing: 'cost',
      freePhoneConsultation: true,
      annualFeeCap: 185000,
      lifetimeSupport: true,
    });
    expect(d.spares).toEqual({
      period: '5年',
      loaner: true,
      stock: '湘南高速公路监控分中心备件库',
    });
    expect(d.emergency.drills).toBe('每半年');
    expect(d.documents).toEqual([
      'commitment-letter',
      'service-plan',
      'training-plan',
      'deviation-table',
    ]);
    expect(d.penalties.items[1].amount).toBe(2000.5);
    expect(m.text).toContain('amount: 2000.50');
    expect(d.responseTiers[2].milestones).toEqual([
      { kind: 'respond', within: '72小时', from: 'report' },
      { kind: 'resolve', within: '108小时', from: 'report' },
      { kind: 'report' },
    ]);
    expect(d.responseTiers[3].milestones).toEqual([
      { kind: 'respond', within: '96小时', from: 'report' },
      { kind: 'resolve', within: '协商确定' },
      { kind: 'report' },
    ]);
    expect(paths(m.explicit)).toEqual(
      expect.arrayContaining(['documents', 'responseTiers[3].resolveHours']),
    );
    expect(paths(m.unmapped)).toEqual([
      'responseTiers[2].onsiteHoursLocal',
      'responseTiers[3].onsiteHoursLocal',
    ]);
    expect(m.unmapped[0]!.message).toContain('视需要安排');
  });

  it('dev-project-60m: office hours, explicit remote consent, its own exclusions', () => {
    const m = migrate('dev-project-60m');
    const d = data(m);
    expect(d.service.hours).toBe('工作日 8:30–17:30');
    expect(d.service).not.toHaveProperty('coverage');
    expect(d.service).not.toHaveProperty('remoteNeedsConsent');
    expect(d.service.channels[1]).toEqual({ kind: 'remote', requiresConsent: true });
    // remoteNeedsConsent was written in the file: a conversion, not a new promise.
    expect(paths(m.explicit)).not.toContain('service.remoteNeedsConsent');
    // Version 1's “misuse” also covered an unsuitable environment: listed apart now, and noted.
    expect(d.exclusions).toEqual({
      standard: ['out-of-period', 'misuse', 'environment', 'unauthorised-repair', 'force-majeure'],
      assistAtCost: true,
    });
    expect(paths(m.explicit)).toContain('exclusions.standard');
    expect(d.afterWarranty).toEqual({ pricing: 'reasonable', freePhoneConsultation: true });
    expect(paths(m.explicit)).toContain('outOfWarranty.freePhoneConsultation');
    expect(paths(m.explicit)).not.toContain('outOfWarranty.pricing');
  });

  it.each(EXAMPLES)('%s: every note points at a line of the new file that holds it', (name) => {
    const m = migrate(name);
    for (const n of [...m.explicit, ...m.unmapped]) {
      expect(n.line).toBeGreaterThan(0);
      expect(lineAt(m, n).trim()).not.toBe('');
      expect(n.message).toMatch(/[\u4e00-\u9fff]/);
    }
    const report = m.explicit.find((n) => n.message.includes('故障报告'))!;
    expect(lineAt(m, report)).toContain('kind: report');
  });
});

describe('migrateV1ToV2 writes out every version-1 default', () => {
  const m = migrate('defaults-only');
  const d = data(m);

  it('lists each written default at the line that now holds it', () => {
    const expected: Record<string, string> = {
      'staff.fullTime': 'fullTime: true',
      'staff.formalEmployees': 'formalEmployees: true',
      'warranty.start': 'start: final-acceptance',
      'service.coverage': 'hours: 7x24',
      'service.channels': 'channels:',
      'service.escalation': 'escalation: [phone, remote, onsite, emergency-team]',
      'service.remoteNeedsConsent': 'requiresConsent: true',
      'outOfWarranty.pricing': 'pricing: preferential',
      'outOfWarranty.freePhoneConsultation': 'freePhoneConsultation: true',
      'penalties.ownerMayRepairAndDeduct': 'ownerMayRepairAndDeduct: true',
      'exclusions.standard': 'standard: [out-of-period',
      'training.freeOfCharge': 'freeOfCharge: true',
      'training.materials': 'materials: [user-manual, admin-manual, slides]',
      'responseTiers[0].resolveHours': '{ kind: resolve, within: 协商确定 }',
    };
    for (const [p, text] of Object.entries(expected)) {
      const note = m.explicit.find((n) => n.path === p);
      expect(note, p).toBeDefined();
      expect(lineAt(m, note!), p).toContain(text);
    }
    for (const key of ['stableTeam', 'assistAtCost', 'materialsInChinese', 'assessment'])
      expect(
        m.explicit.some((n) => lineAt(m, n).includes(`${key}: true`)),
        key,
      ).toBe(true);
  });

  it('creates the sections version 1 filled in by default, in version-2 order', () => {
    expect(d.service).toEqual({
      hours: '7x24',
      channels: [
        { kind: 'hotline' },
        { kind: 'remote', requiresConsent: true },
        { kind: 'onsite' },
      ],
      escalation: ['phone', 'remote', 'onsite', 'emergency-team'],
    });
    expect(d.penalties).toEqual({ ownerMayRepairAndDeduct: true });
    expect(d.exclusions.assistAtCost).toBe(true);
    expect(d.training).toMatchObject({
      freeOfCharge: true,
      materialsInChinese: true,
      assessment: true,
      remedialTraining: true,
      confirmation: true,
    });
    expect(Object.keys(d)).toEqual([
      'version',
      'tenderee',
      'bidder',
      'project',
      'warranty',
      'staff',
      'service',
      'responseTiers',
      'afterWarranty',
      'spares',
      'emergency',
      'penalties',
      'exclusions',
      'training',
      'signature',
    ]);
    expect(bidSchema.safeParse(d).success).toBe(true);
  });

  it('converts units: 15 minutes, half an hour, 24 months, every 2 months; drops false flags', () => {
    expect(d.responseTiers[0].milestones.slice(0, 2)).toEqual([
      { kind: 'respond', within: '15分钟', from: 'report' },
      { kind: 'onsite', label: '到达外地现场', within: '30分钟', from: 'report' },
    ]);
    expect(d.warranty.overall).toBe('24个月');
    expect(d.emergency).toEqual({ drills: '每2个月' });
    expect(d.spares).toEqual({ period: '2年' });
    expect(d.staff).not.toHaveProperty('residentEngineer');
    expect(d.staff).not.toHaveProperty('residentEngineers');
    expect(d.afterWarranty).not.toHaveProperty('lifetimeSupport');
  });

  it('keeps comments of the keys it rewrites or removes', () => {
    expect(m.text).toContain('# 两年');
    expect(m.text).toContain('# 不派驻场工程师');
    expect(m.text).toContain('\n\n# 质保\nwarranty:');
  });

  it('drops pinned clause versions and says so, with the line they stood on', () => {
    expect(d).not.toHaveProperty('clauseVersions');
    expect(m.unmapped).toHaveLength(1);
    expect(m.unmapped[0]).toMatchObject({ path: 'clauseVersions.warranty-software' });
    expect(m.unmapped[0]!.message).toContain('原文件第 45 行');
  });
});

describe('migrateV1ToV2 reports what it cannot convert', () => {
  const m = migrate('unmappable');

  it('lists the service hours, the consent with no remote channel, the on-site limit and an unknown key', () => {
    expect(paths(m.unmapped)).toEqual([
      'service.coverage',
      'service.remoteNeedsConsent',
      'responseTiers[0].onsiteHoursLocal',
      'remarks',
    ]);
    const [coverage, consent, , remarks] = m.unmapped;
    expect(coverage!.message).toContain('白天');
    expect(lineAt(m, coverage!)).toContain('coverage: { mode: extended, hours: 白天 }');
    expect(consent!.message).toContain('没有远程支持');
    expect(lineAt(m, remarks!)).toContain('remarks: 本项目另有补充协议 # 第 1 版没有这个字段');
  });

  it('keeps what it could not convert, so the v2 loader names it', () => {
    const d = data(m);
    expect(d.service.coverage).toEqual({ mode: 'extended', hours: '白天' });
    expect(d).not.toHaveProperty('remoteNeedsConsent');
    const r = loadBidText(m.text, 'unmappable.yaml');
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.diagnostics.map((x) => x.path)).toEqual(['service.coverage', 'remarks']);
  });

  it('reports a value of the wrong type and leaves it in place', () => {
    const text = fixture('dev-project-60m').replace('softwareMonths: 60', 'softwareMonths: 五年');
    const r = migrateV1ToV2(text, 'bid.yaml');
    expect(r.unmapped.map((n) => n.path)).toContain('warranty.softwareMonths');
    expect(r.text).toContain('softwareMonths: 五年');
  });
});

describe('migrateV1ToV2 input checks', () => {
  it('leaves a version-2 file alone', () => {
    const once = migrate('hospital-his');
    const twice = migrateV1ToV2(once.text, 'bid.yaml');
    expect(twice).toEqual({
      text: once.text,
      explicit: [],
      unmapped: [],
      wording: [],
      upToDate: true,
    });
  });

  it('refuses broken YAML with a located syntax error', () => {
    const [d, ...rest] = failure('tenderee:\n  name: [江宁\nbidder: x\n');
    expect(rest).toEqual([]);
    expect(d!.name).toBe('YamlSyntax');
    expect(d!.location?.line).toBeGreaterThan(1);
  });

  it('refuses files that are not version-1 bids', () => {
    expect(failure('- a\n- b\n')[0]!.name).toBe('NotV1Bid');
    expect(failure('items:\n  - { item: "1" }\n')[0]!.name).toBe('NotV1Bid');
    const v2ish = failure('tenderee: { name: 甲 }\nwarranty:\n  components: []\n')[0]!;
    expect(v2ish.name).toBe('NotV1Bid');
    expect(v2ish.message).toContain('version: 2');
    const v3 = failure('version: 3\ntenderee: { name: 甲 }\n')[0]!;
    expect(v3).toMatchObject({ name: 'SchemaVersionUnknown', location: { line: 1, col: 10 } });
  });

  it('accepts an explicit version: 1 and replaces it', () => {
    const text = fixture('dev-project-60m').replace('tenderee:', 'version: 1\ntenderee:');
    const r = migrateV1ToV2(text, 'bid.yaml');
    expect(r.text.match(/^version:/gm)).toEqual(['version:']);
    expect(data(r).version).toBe(2);
  });

  it('keeps the flow-bracket style, indentation and line endings of the source', () => {
    // Every `{ … }` unpadded and every `[…]` padded: the opposite of the examples.
    const src = fixture('dev-project-60m')
      .replace(/\{ /g, '{')
      .replace(/ \}/g, '}')
      .replace(/\[([^\]\s])/g, '[ $1')
      .replace(/([^[\s])\]/g, '$1 ]');
    const r = migrateV1ToV2(src, 'bid.yaml');
    expect(r.text).toContain('- {kind: remote, requiresConsent: true}');
    expect(r.text).toContain('- {kind: respond, within: 2小时, from: report}');
    expect(r.text).toContain('escalation: [ phone, remote, onsite ]');
    expect(r.text).toContain('freeServices: [ troubleshooting,');
    expect(r.text).not.toMatch(/\{ |\[\w/);

    const unindented =
      'tenderee:\n  name: 甲\nresponseTiers:\n- name: 一般\n  definition: 一般问题\n  responseMinutes: 90\n';
    const u = migrateV1ToV2(unindented, 'bid.yaml').text;
    expect(u).toContain(
      '\nresponseTiers:\n- name: 一般\n  definition: 一般问题\n  milestones:\n  - { kind: respond, within: 90分钟, from: report }\n',
    );

    const crlf = migrateV1ToV2(fixture('dev-project-60m').replace(/\n/g, '\r\n'), 'bid.yaml');
    expect(crlf.text).toContain('version: 2\r\n');
    expect(crlf.text.replace(/\r\n/g, '')).not.toContain('\n');
  });
});

describe('duration and frequency wording', () => {
  it('writes minutes, hours and months as version 2 reads them', () => {
    expect([30, 60, 90, 120, 4320].map(minutesText)).toEqual([
      '30分钟',
      '1小时',
      '90分钟',
      '2小时',
      '72小时',
    ]);
    expect([0.5, 1, 1.5, 24].map(hoursText)).toEqual(['30分钟', '1小时', '1.5小时', '24小时']);
    expect([1, 2, 3, 6, 12, 24].map(everyMonthsText)).toEqual([
      '每月',
      '每2个月',
      '每季度',
      '每半年',
      '每年',
      '每24个月',
    ]);
  });
});

describe('loading a bid in another format version', () => {
  it('gives one diagnostic naming tenderkit migrate for a version-1 file, at the top', () => {
    const r = loadBidText(fixture('hospital-his'), 'his.yaml');
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.diagnostics).toHaveLength(1);
    const [d] = r.diagnostics;
    expect(d).toMatchObject({
      name: 'SchemaVersionOld',
      location: { file: 'his.yaml', line: 1, col: 1 },
    });
    expect(d!.message).toContain('第 1 版');
    expect(d!.hint).toContain('tenderkit migrate his.yaml');
  });

  it('points at the version key of a version: 1 file', () => {
    const r = loadBidText(`tenderee: { name: 甲 }\nversion: 1\n`, 'b.yaml');
    expect(r.ok ? [] : r.diagnostics).toMatchObject([
      { name: 'SchemaVersionOld', path: 'version', location: { line: 2, col: 1 } },
    ]);
  });

  it('refuses versions it does not know, and the text "2"', () => {
    const three = loadBidText(`version: 3\ntenderee: { name: 甲 }\n`, 'b.yaml');
    expect(three.ok ? [] : three.diagnostics).toMatchObject([
      { name: 'SchemaVersionUnknown', path: 'version', location: { line: 1, col: 10 } },
    ]);
    const text = loadBidText(`version: "2"\n`, 'b.yaml');
    expect(text.ok ? [] : text.diagnostics).toMatchObject([
      { name: 'SchemaVersionUnknown', hint: expect.stringContaining('version: 2') },
    ]);
  });

  it('tells a version-2 file that forgot its version key to add it', () => {
    const migrated = migrate('dev-project-60m').text.replace('version: 2\n', '');
    const r = loadBidText(migrated, 'b.yaml');
    expect(r.ok ? [] : r.diagnostics).toMatchObject([
      { name: 'SchemaVersionOld', hint: expect.stringContaining('version: 2') },
    ]);
  });

  it('lists the sentences version 1 printed that version 2 words differently', () => {
    const m = migrate('highway-monitoring');
    const texts = m.wording.map((n) => `${n.path} ${n.message}`);
    expect(texts.some((t) => t.startsWith('penalties.repeatVisitLimit 含义改变'))).toBe(true);
    expect(texts.some((t) => t.includes('另行签订维护合同约定'))).toBe(true);
    expect(texts.some((t) => t.includes('直至故障排除'))).toBe(true);
    // The first year of user visits no longer starts at 投入使用 unless the bid says so.
    expect(
      texts.some((t) => t.startsWith('service.visitFirstYearMonths 第 1 版写“系统投入使用后')),
    ).toBe(true);
  });
});
