// The clause library writes what the bid states, no more and no other: the wording an evaluator
// found saying more than the bid (免费 for a loaner, a narrower self-repair right, 远程支持 as a way
// to report a fault, a doubled 均, a narrower kind of experience, a schedule chart for a bid with no
// schedule) is checked here sentence by sentence, in process, and once through the real CLI.
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { renderAll } from '../src/build.js';
import type { Block, Document } from '../src/ir/types.js';
import { blockLines, flatBlocks } from '../src/ir/text.js';
import { loadBidText } from '../src/load/bid.js';
import { migrateV1ToV2 } from '../src/migrate/v1-to-v2.js';
import { bidFromText, exampleFile, loadExample, pdfPages, ROOT, squash } from './helpers.js';

const MINIMAL = readFileSync(exampleFile('minimal'), 'utf8');

/** examples/minimal.yaml with the given top-level sections appended, rendered to IR. */
function render(extra: string): Document[] {
  return renderAll(bidFromText(`${MINIMAL}${extra}`));
}

/** Every line a reader sees in the document with this title. */
function lines(docs: Document[], title: string): string[] {
  const doc = docs.find((d) => d.meta.title === title);
  if (!doc) throw new Error(`no document ${title}: ${docs.map((d) => d.meta.title).join('、')}`);
  return blockLines(doc.children);
}

const LETTER = '售后服务承诺书';
const PLAN = '售后服务方案';

describe('spares.loaner and spares.loanerFree', () => {
  it('writes 免费 only when the bid states loanerFree', () => {
    const plain = lines(render('spares:\n  loaner: true\n'), PLAN);
    expect(plain).toContain('设备送修期间，我方提供备用设备。');
    expect(plain.join('')).not.toContain('免费');

    const free = lines(render('spares:\n  loaner: true\n  loanerFree: true\n'), PLAN);
    expect(free).toContain('设备送修期间，我方免费提供备用设备。');

    const notFree = lines(render('spares:\n  loaner: true\n  loanerFree: false\n'), PLAN);
    expect(notFree).toContain('设备送修期间，我方提供备用设备。');
  });

  it('refuses loanerFree without loaner, located at the field', () => {
    const text = `${MINIMAL}spares:\n  period: 5年\n  loanerFree: true\n`;
    const r = loadBidText(text, 'bid.yaml');
    expect(r.ok).toBe(false);
    if (r.ok) return;
    const line = text.split('\n').findIndex((l) => l.includes('loanerFree')) + 1;
    expect(r.diagnostics).toMatchObject([
      {
        name: 'RuleViolation',
        severity: 'error',
        rule: 'loaner-free-needs-loaner',
        path: 'spares.loanerFree',
        label: '备用设备免费提供',
        location: { file: 'bid.yaml', line },
        message: '写了备用设备免费提供，但没有承诺维修期间提供备用设备',
      },
    ]);
  });

  it('lists the changed loaner sentence when migrating a version-1 bid', () => {
    const v1 = readFileSync(path.join(ROOT, 'test/fixtures/v1/highway-monitoring.yaml'), 'utf8');
    const m = migrateV1ToV2(v1, 'highway-monitoring.yaml');
    const notes = m.wording.map((n) => `${n.path} ${n.message}`);
    expect(notes.some((t) => t.startsWith('spares.loaner ') && t.includes('loanerFree'))).toBe(
      true,
    );
    expect(notes.join('\n')).toContain('同一故障，我方保证在N次服务以内彻底解决');
    expect(notes.join('\n')).not.toContain('必须彻底解决”；');
  });
});

describe('penalties', () => {
  it('states the self-repair right as the field does, and the repeat-visit limit grammatically', () => {
    const docs = render('penalties:\n  ownerMayRepairAndDeduct: true\n  repeatVisitLimit: 3\n');
    for (const title of [LETTER, PLAN]) {
      const l = lines(docs, title);
      expect(l).toContain(
        '我方未能在承诺时限内处理的，贵方有权自行或另请他人修复，所需费用由我方承担，并可从合同款中扣除。',
      );
      expect(l).toContain('同一故障，我方保证在3次服务以内彻底解决。');
      const all = l.join('\n');
      expect(all).not.toMatch(/第三方|响应或排除故障|服务不超过|必须彻底解决/);
    }
  });

  it('writes neither sentence when the bid does not state them', () => {
    const l = lines(render('penalties:\n  repeatVisitLimit: 2\n'), LETTER);
    expect(l).toContain('同一故障，我方保证在2次服务以内彻底解决。');
    expect(l.join('')).not.toContain('修复');
  });
});

describe('plan-process: 报修受理', () => {
  it('lists the ways to report a fault, never 远程支持 or on-site service', () => {
    const l = lines(
      render(
        'service:\n  channels:\n    - { kind: hotline, detail: 400-000-0000 }\n    - { kind: remote }\n    - { kind: onsite }\n    - { kind: email, detail: a@b.cn }\n',
      ),
      PLAN,
    );
    const intake = l.filter((x) => x.includes('报修受理'));
    expect(intake).toHaveLength(1);
    expect(intake[0]).toMatch(/报修受理：通过服务热线、电子邮件受理报修。$/);
  });

  it('has no 报修受理 step when the only channels are remote and on-site', () => {
    const l = lines(
      render('service:\n  channels:\n    - { kind: remote }\n    - { kind: onsite }\n'),
      PLAN,
    );
    expect(l.join('\n')).not.toContain('报修受理');
  });
});

describe('service-staff', () => {
  it('writes 均 once and the experience as the field states it', () => {
    const staff =
      'staff:\n  committedCount: 4\n  formalEmployees: true\n  minTenureYears: 1\n  minExperienceYears: 3\n';
    const sentence =
      '我方为本项目配备不少于4名技术服务人员，均为我方正式员工，在我方任职不少于1年，具有3年以上运维经验。';
    expect(lines(render(staff), LETTER)).toContain(sentence);
    expect(lines(render(staff), PLAN)).toContain(sentence);
  });

  it('puts 均 on the first quality stated', () => {
    expect(
      lines(render('staff:\n  minTenureYears: 2\n  minExperienceYears: 5\n'), LETTER),
    ).toContain('我方为本项目配备技术服务人员，在我方任职均不少于2年，具有5年以上运维经验。');
    expect(lines(render('staff:\n  minExperienceYears: 5\n'), LETTER)).toContain(
      '我方为本项目配备技术服务人员，均具有5年以上运维经验。',
    );
  });

  it('no example says 均 twice or a narrower kind of experience', () => {
    for (const name of ['hospital-his', 'highway-monitoring', 'dev-project-60m']) {
      const text = renderAll(loadExample(name))
        .flatMap((d) => blockLines(d.children))
        .join('\n');
      expect(text).not.toMatch(/均[^。\n]*均不少于|信息系统运行维护经验/);
    }
  });
});

describe('warranty.freeServices', () => {
  it('names 人员差旅费 among the costs the bidder bears', () => {
    const l = lines(
      render(
        'warranty:\n  components:\n    - { name: 应用软件, period: 1年 }\n  freeServices: [troubleshooting, travel]\n',
      ),
      LETTER,
    );
    expect(l).toContain('质保期内，以下服务和费用由我方承担，不向贵方收取：故障排除、人员差旅费。');
  });
});

describe('培训方案', () => {
  const training = (name: string) => {
    const doc = renderAll(loadExample(name)).find((d) => d.meta.title === '培训方案');
    if (!doc) throw new Error(`${name} has no 培训方案`);
    return doc;
  };
  const figures = (doc: Document) =>
    flatBlocks(doc.children).filter(
      (b): b is Extract<Block, { type: 'figure' }> => b.type === 'figure',
    );
  /** The centred lines between the title and the first clause. */
  const header = (doc: Document) => {
    const first = doc.children.findIndex((b) => b.type === 'clause' || b.type === 'heading');
    return blockLines(doc.children.slice(1, first));
  };

  it('draws no schedule chart for a bid without training.schedule (dev-project-60m)', () => {
    expect(loadExample('dev-project-60m').training?.schedule).toEqual([]);
    const doc = training('dev-project-60m');
    expect(figures(doc)).toEqual([]);
    expect(blockLines(doc.children).join('\n')).not.toContain('培训日程安排');
  });

  it('draws the chart when the bid states a schedule (hospital-his)', () => {
    expect(figures(training('hospital-his')).map((f) => [f.id, f.caption])).toEqual([
      ['training-gantt', '培训日程安排'],
    ]);
  });

  it('names the project number (when stated) and the tenderee in its header', () => {
    expect(header(training('dev-project-60m'))).toEqual([
      '项目名称：滨海市住房公积金综合服务平台开发项目',
      '招标人：滨海市住房公积金管理中心',
    ]);
    const hospital = loadExample('hospital-his');
    expect(header(training('hospital-his'))).toEqual([
      `项目名称：${hospital.project.name}`,
      `项目编号：${hospital.project.number}`,
      `招标人：${hospital.tenderee.name}`,
    ]);
  });
});

describe('service.routinePeriod: the period of inspections, visits and reports', () => {
  const routine =
    'service:\n  inspections: 每季度\n  visitsFirstYear: 每月\n  visitsLater: 每季度\n  reports:\n    - { name: 运行维护月报, every: 每月 }\n';

  it('writes only the frequencies when the bid states no period', () => {
    const l = lines(render(routine), PLAN);
    expect(l).toContain('• 巡检：对系统进行全面巡检，频次为每季度一次。');
    expect(l).toContain('• 用户回访：首年内回访频次为每月一次；此后回访频次为每季度一次。');
    expect(l).toContain('• 定期报告：运行维护月报，每月一次。');
    expect(l.join('\n')).not.toMatch(/质保期内|合同期内|质保期满|合同期满/);
  });

  it('states the period in every routine service when the bid states it', () => {
    const warranty = lines(render(`${routine}  routinePeriod: warranty\n`), PLAN);
    expect(warranty).toContain('• 巡检：质保期内，对系统进行全面巡检，频次为每季度一次。');
    expect(warranty).toContain(
      '• 用户回访：首年内回访频次为每月一次；此后至质保期满，回访频次为每季度一次。',
    );
    expect(warranty).toContain('• 定期报告：质保期内提交运行维护月报，每月一次。');

    const contract = lines(render(`${routine}  routinePeriod: contract\n`), LETTER);
    expect(contract).toContain('• 巡检：合同期内，对系统进行全面巡检，频次为每季度一次。');
    expect(contract).toContain(
      '• 用户回访：首年内回访频次为每月一次；此后至合同期满，回访频次为每季度一次。',
    );
    const laterOnly = lines(
      render('service:\n  visitsLater: 每半年\n  routinePeriod: contract\n'),
      LETTER,
    );
    expect(laterOnly).toContain('• 用户回访：合同期内，回访频次为每半年一次。');
  });
});

describe('afterWarranty.freePhoneConsultationPeriod', () => {
  it('states the period only when the bid states it', () => {
    const open = lines(render('afterWarranty:\n  freePhoneConsultation: true\n'), LETTER);
    expect(open).toContain('质保期满后，电话技术咨询继续免费。');

    const three = lines(
      render('afterWarranty:\n  freePhoneConsultation: true\n  freePhoneConsultationPeriod: 3年\n'),
      LETTER,
    );
    expect(three).toContain('质保期满后3年内，电话技术咨询继续免费。');
    expect(three.join('\n')).not.toContain('质保期满后，电话技术咨询继续免费。');

    const lifetime = lines(
      render(
        'afterWarranty:\n  freePhoneConsultation: true\n  freePhoneConsultationPeriod: 终身\n',
      ),
      LETTER,
    );
    expect(lifetime).toContain('质保期满后，电话技术咨询终身免费。');
  });

  it('refuses a period without the promise, located at the period', () => {
    const text = `${MINIMAL}warranty:\n  components: [{ name: 软件, period: 1年 }]\nafterWarranty:\n  freePhoneConsultationPeriod: 3年\n`;
    const r = loadBidText(text, 'bid.yaml');
    expect(r.ok).toBe(false);
    if (r.ok) return;
    const line = text.split('\n').findIndex((l) => l.includes('freePhoneConsultationPeriod')) + 1;
    expect(r.diagnostics).toMatchObject([
      {
        name: 'RuleViolation',
        severity: 'error',
        rule: 'phone-consultation-period-needs-consultation',
        path: 'afterWarranty.freePhoneConsultationPeriod',
        label: '免费电话咨询期限',
        location: { file: 'bid.yaml', line },
      },
    ]);
  });
});

describe('lint through the real CLI: contradictions inside a bid', () => {
  it('locates the training schedule outside the promised window, the emergency time no tier states, and the open-ended promises', () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'tk-contradict-'));
    try {
      copyFileSync(exampleFile('highway-tender'), path.join(dir, 'highway-tender.yaml'));
      const text = readFileSync(exampleFile('highway-monitoring'), 'utf8')
        .replace('系统交工验收前 3 周内', '系统交工验收前 15 日内')
        .replace('抢修队伍按 A 类问题的到场时限赶赴断点', '抢修队伍 4 小时内到达断点')
        .replace('  routinePeriod: warranty\n', '')
        .replace('  freePhoneConsultationPeriod: 3年\n', '')
        .replace(
          '功能改进建议、新增需求等非故障类问题。',
          '使用咨询、功能改进建议等非故障类问题。',
        );
      const file = path.join(dir, 'bid.yaml');
      writeFileSync(file, text);
      const r = spawnSync(
        process.execPath,
        [path.join(ROOT, 'bin', 'tenderkit.js'), 'lint', file],
        {
          encoding: 'utf8',
        },
      );
      expect(r.status, r.stderr).toBe(0); // warnings only
      const out = `${r.stdout}${r.stderr}`;
      const at = (needle: string, col: number) =>
        `bid.yaml:${text.split('\n').findIndex((l) => l.includes(needle)) + 1}:${col}`;
      expect(out).toContain(
        `${at('phase: 交工验收前第 3 周', 16)} training.schedule[0].phase（时间安排）：警告：培训日程“交工验收前第 3 周”（第3周延续到第21日）超出培训时间“系统交工验收前 15 日内完成集中培训，试运行期间跟班指导”承诺的“系统交工验收前15日内”`,
      );
      expect(out).toContain('[training-schedule-within-timing]');
      const negotiable = text.split('\n').findIndex((l) => l.includes('definition: 使用咨询')) + 2;
      expect(out).toContain(
        `bid.yaml:${negotiable}:17 responseTiers[3].negotiable（整体协商确定）：警告：咨询办结承诺90%的咨询7日内办结，但包含“使用咨询”的“D类问题”整体协商确定时限`,
      );
      expect(out).toContain(
        `${at('抢修队伍 4 小时内到达断点', 17)} emergency.risks[1].measures（应对措施）：警告：应急措施“主干光纤通信中断”写“4小时内到达”，与故障响应等级的任何一个时限都不相同`,
      );
      expect(out).toContain(
        `${at('  inspections: 每季度', 16)} service.inspections（巡检频次）：警告：巡检、此后回访、定期报告只写了频次`,
      );
      expect(out).toContain(
        `${at('freePhoneConsultation: true', 26)} afterWarranty.freePhoneConsultation（继续免费电话咨询）：警告：承诺质保期满后继续免费电话咨询，但没有写期限`,
      );
      // One finding per contradiction, the consultation closure against a negotiable 咨询 tier too.
      expect([...out.matchAll(/\[([a-z-]+)\]$/gm)].map((m) => m[1]).sort()).toEqual([
        'consultation-closure-vs-tier',
        'emergency-times-match-tiers',
        'phone-consultation-period',
        'routine-service-period',
        'training-schedule-within-timing',
      ]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('lint through the real CLI: a consultation tier however it is worded', () => {
  const lint = (file: string, ...flags: string[]) =>
    spawnSync(process.execPath, [path.join(ROOT, 'bin', 'tenderkit.js'), 'lint', file, ...flags], {
      encoding: 'utf8',
    });

  it('warns at the negotiable flag of a 使用疑问解答 tier against the closure promise, and not for fault wordings or tiers that leave consultations out', () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'tk-consult-'));
    try {
      copyFileSync(exampleFile('highway-tender'), path.join(dir, 'highway-tender.yaml'));
      const shipped = readFileSync(exampleFile('highway-monitoring'), 'utf8');
      // The shipped bid promises 90% of consultations closed in 7日 and leaves D (改进建议、新增需求
      // 等非故障类问题) negotiable: not a consultation tier, so strict lint passes.
      expect(shipped).toContain('consultationClosure: { percent: 90%, within: 7日 }');
      const asShipped = path.join(dir, 'shipped.yaml');
      writeFileSync(asShipped, shipped);
      const ok = lint(asShipped, '--strict');
      expect(ok.status, `${ok.stdout}${ok.stderr}`).toBe(0);
      expect(`${ok.stdout}${ok.stderr}`).not.toContain('consultation-closure-vs-tier');

      const wordings: [string, string][] = [
        ['使用疑问解答。', '包含“使用疑问解答”的“D类问题”'],
        ['操作指导、答疑等非故障类问题。', '包含“操作指导”的“D类问题”'],
        ['用户问询。', '包含“用户问询”的“D类问题”'],
      ];
      for (const [definition, quoted] of wordings) {
        const text = shipped.replace('功能改进建议、新增需求等非故障类问题。', definition);
        const file = path.join(dir, 'bid.yaml');
        writeFileSync(file, text);
        const line = text.split('\n').findIndex((l) => l.includes(`definition: ${definition}`)) + 2;
        expect(text.split('\n')[line - 1]).toBe('    negotiable: true');
        const r = lint(file);
        const out = `${r.stdout}${r.stderr}`;
        expect(r.status, out).toBe(0); // a warning
        expect(out).toContain(
          `bid.yaml:${line}:17 responseTiers[3].negotiable（整体协商确定）：警告：咨询办结承诺90%的咨询7日内办结，但${quoted}整体协商确定时限`,
        );
        expect(out).toContain('[consultation-closure-vs-tier]');
        expect(out).not.toMatch(/\n\s+at /);
        const strict = lint(file, '--strict');
        expect(strict.status, `${strict.stdout}${strict.stderr}`).toBe(1);
      }
      // Fault wordings and tiers that leave consultations out stay quiet, even under --strict.
      for (const definition of [
        '可远程指导排除、电话解答后仍无法解决的非故障类问题。',
        '系统故障（不含使用咨询、操作指导）。',
        '非咨询类问题。',
        '除使用咨询外的各类问题。',
      ]) {
        const file = path.join(dir, 'quiet.yaml');
        writeFileSync(file, shipped.replace('功能改进建议、新增需求等非故障类问题。', definition));
        const r = lint(file, '--strict');
        expect(r.status, `${definition}\n${r.stdout}${r.stderr}`).toBe(0);
        expect(`${r.stdout}${r.stderr}`).not.toContain('consultation-closure-vs-tier');
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('through the real CLI', () => {
  it('highway-monitoring as PDF states the new penalty sentences and no free loaner', () => {
    const out = mkdtempSync(path.join(os.tmpdir(), 'tk-truthful-'));
    try {
      const r = spawnSync(
        process.execPath,
        [
          path.join(ROOT, 'bin', 'tenderkit.js'),
          'build',
          exampleFile('highway-monitoring'),
          '--format',
          'pdf',
          '--out',
          out,
        ],
        { encoding: 'utf8' },
      );
      expect(r.status, r.stderr).toBe(0);
      const text = (title: string) =>
        squash(pdfPages(readFileSync(path.join(out, `${title}.pdf`))).join(''));
      for (const title of [LETTER, PLAN]) {
        expect(text(title)).toContain(
          '我方未能在承诺时限内处理的，贵方有权自行或另请他人修复，所需费用由我方承担，并可从合同款中扣除。',
        );
        expect(text(title)).toContain('同一故障，我方保证在3次服务以内彻底解决。');
        expect(text(title)).not.toContain('第三方修复');
      }
      expect(text(PLAN)).toContain('设备送修期间，我方提供备用设备。');
      expect(text(PLAN)).not.toContain('免费提供备用设备');
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
  });
});
