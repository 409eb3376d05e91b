import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { renderChecked } from '../build.js';
import type { Clause, Document } from '../ir/types.js';
import { visit } from '../ir/text.js';
import { formatPath, parseFieldPath, valueAt } from '../load/zod-issues.js';
import { exampleFile, prepareExample } from '../../test/helpers.js';
import {
  checklistMarkdown,
  checklistText,
  commitmentOf,
  explainCommitments,
  type Commitment,
} from './explain.js';

function explained(name: string) {
  const bid = prepareExample(name);
  const docs = renderChecked(bid.params, { extra: bid.extra });
  const list = explainCommitments(bid, docs);
  const byPath = (p: string) => {
    const hits = list.filter((c) => c.path === p);
    expect(hits, p).toHaveLength(1);
    return hits[0]!;
  };
  return { bid, docs, list, byPath };
}

/** `id@version` of the clause a document used, read from the IR. */
const used = (docs: readonly Document[], id: string) =>
  docs
    .flatMap((d) => d.children)
    .filter((b): b is Clause => b.type === 'clause' && b.id === id)
    .map((b) => `${b.id}@${b.version}`)[0]!;

const LETTER = '售后服务承诺书';
const PLAN = '售后服务方案';
const DEVIATIONS = '偏离表';

describe('commitment checklist: highway-monitoring', () => {
  const { docs, list, byPath } = explained('highway-monitoring');

  it('collapses a warranty component into one line with its periods as the documents write them', () => {
    expect(byPath('warranty.components[1]')).toMatchObject({
      label: '质保期 › 外场及中心硬件设备',
      value: '叁年（包换期：3个月内；免费上门服务期：1年内）',
      documents: [LETTER, PLAN, DEVIATIONS],
      clauses: [used(docs, 'warranty-period'), used(docs, 'deviation-table')],
      line: 23,
      reviewed: true,
      section: 'commitment',
    });
    expect(byPath('warranty.components[0]')).toMatchObject({
      label: '质保期 › 监控平台软件',
      value: '壹年',
      line: 21,
    });
  });

  it('gives one line per milestone: cases, clock start and fallback together', () => {
    expect(byPath('responseTiers[0].milestones[1]')).toMatchObject({
      label: '故障响应等级 › A类问题 · 到达现场',
      value: '自接到报修起郴州市区2小时内、其他市县24小时内',
      // The 偏离表 states it too: its condition reads responseTiers[0].milestones[kind=onsite].
      documents: [LETTER, PLAN, DEVIATIONS],
      line: 73,
    });
    expect(byPath('responseTiers[0].milestones[3]')).toMatchObject({
      label: '故障响应等级 › A类问题 · 恢复运行',
      value:
        '自接到报修起工作日48小时内、节假日72小时内；如未能按时完成，则1个工作日内启用第二套方案恢复运行',
      line: 79,
    });
    expect(byPath('responseTiers[3]')).toMatchObject({
      label: '故障响应等级 › D类问题',
      value: '功能改进建议、新增需求等非故障类问题。（整体协商确定）',
      line: 95,
    });
    // No line for a milestone's parts.
    expect(list.some((c) => /milestones\[\d+\]\./.test(c.path))).toBe(false);
  });

  it('lists the roster as one line and each channel, penalty and scalar on its own', () => {
    expect(byPath('staff.roster')).toMatchObject({
      label: '服务人员 › 人员配置名单',
      value: '10人',
      documents: [LETTER, PLAN],
      line: 37,
    });
    expect(list.some((c) => c.path.startsWith('staff.roster['))).toBe(false);
    expect(byPath('staff.localEngineers')).toMatchObject({
      label: '服务人员 › 本地工程师人数',
      value: '10',
      documents: [LETTER, PLAN, DEVIATIONS],
      line: 34,
    });
    expect(byPath('service.channels[0]')).toMatchObject({
      label: '服务方式 › 服务渠道',
      value: '服务热线（说明：0731-8890-5566；答复时限：立即）',
      line: 50,
    });
    expect(byPath('penalties.items[1]')).toMatchObject({
      label: '违约处罚 › 违约处罚条目 › 定期巡检未按期进行或未提交巡检报告',
      value: '每缺一次扣减当期服务费（违约金：人民币贰仟元伍角 / 2,000.50元）',
      clauses: [used(docs, 'penalties')],
      line: 130,
    });
    expect(byPath('afterWarranty.annualFeeCap')).toMatchObject({
      value: '人民币壹拾捌万伍仟元整 / 185,000.00元',
      line: 119,
    });
  });

  it('traces yes/no commitments, which print no value, to the clauses that state them', () => {
    expect(byPath('staff.stableTeam')).toMatchObject({
      label: '服务人员 › 服务团队保持稳定',
      value: '是',
      documents: [LETTER, PLAN],
      clauses: [used(docs, 'service-staff')],
      line: 35,
    });
    expect(byPath('spares.loaner')).toMatchObject({
      value: '是',
      documents: [PLAN],
      clauses: [used(docs, 'plan-spares')],
      line: 100,
    });
    // Inside a channel, the flag joins the channel's line.
    expect(byPath('service.channels[2]')).toMatchObject({
      value: '远程支持（须经用户同意）',
      line: 52,
    });
    expect(byPath('training.assessment')).toMatchObject({
      documents: ['培训方案'],
      clauses: [used(docs, 'training-assessment')],
    });
  });

  it('lists totals the templates compute, under the field they count', () => {
    const total = list.find((c) => c.label === '培训 › 培训模块 › 课时合计')!;
    expect(total).toMatchObject({ path: 'training.modules', value: '38', line: 153 });
    expect(total.documents).toEqual([LETTER, '培训方案']);
  });

  it('marks the bid’s own commitment as unreviewed and every other line as reviewed', () => {
    expect(byPath('extraCommitments[0]')).toEqual({
      path: 'extraCommitments[0]',
      label: '其他承诺 › 冬季除冰期间的值守',
      value:
        '每年 12 月至次年 2 月除冰保畅期间，我方在湘南高速公路监控分中心安排工程师现场值守，配合贵方处置冰冻天气下的设备故障。',
      documents: [LETTER],
      clauses: [],
      template: false,
      file: exampleFile('highway-monitoring'),
      line: 175,
      col: 5,
      origin: 'bid',
      reviewed: false,
      section: 'commitment',
    } satisfies Commitment);
    expect(list.filter((c) => !c.reviewed).map((c) => c.path)).toEqual(['extraCommitments[0]']);
  });

  it('puts names, contacts and the signature in a separate basic section', () => {
    expect(list.filter((c) => c.section === 'basic').map((c) => [c.path, c.line])).toEqual([
      ['tenderee.name', 6],
      ['bidder.name', 8],
      ['bidder.address', 10],
      ['bidder.hotline', 11],
      ['bidder.email', 12],
      ['bidder.complaintPhone', 13],
      ['project.name', 15],
      ['project.number', 16],
      ['project.tenderTitle', 17],
      ['signature.date', 182],
    ]);
    expect(byPath('tenderee.name')).toMatchObject({
      documents: [LETTER, PLAN, '培训方案'],
      clauses: [],
      template: true, // 致：…, the plan's cover and the 培训方案's header are template paragraphs
    });
    // The signer's name is left for the signature by hand: no document states it.
    expect(list.some((c) => c.path === 'signature.signer')).toBe(false);
  });

  it('accounts for every value any document fills in from the bid', () => {
    const paths = new Set(list.map((c) => c.path));
    for (const doc of docs)
      visit(doc, (n) => {
        if (n.type !== 'var' || n.local || !n.path || n.path.startsWith('deviations')) return;
        expect(paths, n.path).toContain(formatPath(commitmentOf(parseFieldPath(n.path))));
      });
  });

  it('points each line at the bid file line that sets it', () => {
    const src = readFileSync(exampleFile('highway-monitoring'), 'utf8');
    const lines = src.split('\n');
    const data = parse(src) as unknown;
    for (const c of list) {
      const segs = parseFieldPath(c.path);
      const v = valueAt(data, segs);
      const last = segs[segs.length - 1];
      // A scalar stands on its key's line; a list item starts where the line says.
      if (typeof last === 'string' && (typeof v !== 'object' || v === null))
        expect(lines[c.line! - 1], c.path).toContain(`${last}:`);
      if (typeof last === 'number')
        expect(lines[c.line! - 1]!.slice(c.col! - 3, c.col! - 1)).toBe('- ');
    }
  });

  it('writes one text line per commitment', () => {
    const text = checklistText(list, {
      file: 'bid.yaml',
      project: '湘南高速公路机电工程监控系统采购项目',
      documents: docs.map((d) => d.meta.title),
    });
    const lines = text.split('\n');
    expect(lines[0]).toBe('承诺清单：湘南高速公路机电工程监控系统采购项目');
    const n = list.filter((c) => c.section === 'commitment').length;
    expect(lines).toContain(`承诺事项（共 ${n} 项，其中 1 项未经条款库审核）：`);
    expect(lines).toContain(
      `bid.yaml:73  故障响应等级 › A类问题 · 到达现场：自接到报修起郴州市区2小时内、其他市县24小时内 ｜《售后服务承诺书》《售后服务方案》《偏离表》｜ ${used(docs, 'response-tiers')}、${used(docs, 'deviation-table')}`,
    );
    expect(lines).toContain(
      'bid.yaml:175  其他承诺 › 冬季除冰期间的值守：每年 12 月至次年 2 月除冰保畅期间，我方在湘南高速公路监控分中心安排工程师现场值守，配合贵方处置冰冻天气下的设备故障。 ｜《售后服务承诺书》｜ 未经条款库审核（本投标自拟）',
    );
    expect(lines).toContain(
      'bid.yaml:6  招标人 › 招标人名称：湘南高速公路建设开发有限公司 ｜《售后服务承诺书》《售后服务方案》《培训方案》｜ 文档模板',
    );
    expect(lines.filter((l) => l.startsWith('bid.yaml:'))).toHaveLength(list.length);
  });

  it('writes a Markdown table row per commitment, the unreviewed one in bold', () => {
    const md = checklistMarkdown(list, {
      file: 'bid.yaml',
      project: 'P',
      documents: docs.map((d) => d.meta.title),
    });
    expect(md).toContain('| 行 | 承诺事项 | 内容 | 写在 | 出处 |');
    expect(md).toContain(
      `| 37 | 服务人员 › 人员配置名单 | 10人 | 售后服务承诺书、售后服务方案 | ${used(docs, 'service-staff')} |`,
    );
    expect(md).toMatch(
      /\| 175 \| 其他承诺 › 冬季除冰期间的值守 \| 每年 .* \| 售后服务承诺书 \| \*\*未经条款库审核（本投标自拟）\*\* \|/,
    );
    expect(md.split('\n').filter((l) => /^\| \d+ \|/.test(l))).toHaveLength(list.length);
  });
});

describe('commitment checklist: minimal', () => {
  const { list } = explained('minimal');

  it('has no commitments, only the basic facts the documents state', () => {
    expect(list.map((c) => [c.section, c.path, c.value, c.line])).toEqual([
      ['basic', 'tenderee.name', '青溪县人民政府办公室', 4],
      ['basic', 'bidder.name', '青溪信达科技有限公司', 6],
      ['basic', 'project.name', '青溪县政务办公系统运维服务项目', 8],
      ['basic', 'signature.date', '2026年11月22日', 11],
    ]);
    const text = checklistText(list, {
      file: 'm.yaml',
      project: 'P',
      documents: ['售后服务承诺书'],
    });
    expect(text).toContain('承诺事项：无。文件只写下列基本信息，不作任何承诺。\n');
    expect(text).toContain(
      'm.yaml:11  落款 › 落款日期：2026年11月22日 ｜《售后服务承诺书》《售后服务方案》｜ 文档模板\n',
    );
  });
});

describe('checklist output', () => {
  it('escapes Markdown in table cells', () => {
    const c: Commitment = {
      path: 'exclusions.extra',
      label: '不保修情形 › 其他不保修情形',
      value: 'A|B *重要*\n第二行',
      documents: ['售后服务承诺书'],
      clauses: ['exclusions@2'],
      template: false,
      file: 'x.yaml',
      line: 3,
      col: 5,
      origin: 'bid',
      reviewed: true,
      section: 'commitment',
    };
    expect(checklistMarkdown([c], { file: 'x.yaml', project: 'P', documents: [] })).toContain(
      '| 3 | 不保修情形 › 其他不保修情形 | A\\|B \\*重要\\* 第二行 | 售后服务承诺书 | exclusions@2 |',
    );
  });
});
