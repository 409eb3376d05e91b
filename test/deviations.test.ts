import { mkdtempSync, readdirSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { renderAll } from '../src/build.js';
import { computeDeviations, type Deviation } from '../src/checks/deviations.js';
import { main } from '../src/cli/main.js';
import { blockLines, flatBlocks } from '../src/ir/text.js';
import { loadBidText } from '../src/load/bid.js';
import { tenderSchema } from '../src/schema/tender.js';
import { exampleFile, prepareExample } from './helpers.js';

async function run(...argv: string[]) {
  let out = '';
  let err = '';
  const code = await main(argv, { out: (s) => (out += s), err: (s) => (err += s) });
  return { code, out, err };
}

/** A copy of the hospital example and its tender file in a fresh folder, edited by `edit`. */
function hospitalCopy(
  edit: (bid: string) => string,
  editTender: (t: string) => string = (t) => t,
): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'tk-dev-'));
  writeFileSync(
    path.join(dir, 'bid.yaml'),
    edit(readFileSync(exampleFile('hospital-his'), 'utf8')),
  );
  writeFileSync(
    path.join(dir, 'hospital-tender.yaml'),
    editTender(
      readFileSync(
        path.join(path.dirname(exampleFile('hospital-his')), 'hospital-tender.yaml'),
        'utf8',
      ),
    ),
  );
  return path.join(dir, 'bid.yaml');
}

describe('deviations', () => {
  const hospital = prepareExample('hospital-his');

  it('classifies every requirement with the bid value and a generated explanation', () => {
    expect(hospital.deviations.map((d) => [d.item, d.statusLabel, d.actual])).toEqual([
      ['5.1.1', '无偏离', '12个月'],
      ['5.1.2', '正偏离', '4名'],
      ['5.1.3', '无偏离', '7×24小时'],
      ['5.1.4', '无偏离', '30分钟'],
      ['5.1.5', '负偏离', '江宁市内2小时、需从外地派员时24小时'],
      ['5.2.1', '正偏离', '24学时'],
      ['5.2.2', '无偏离', '每季度一次'],
    ]);
    expect(hospital.deviations.map((d) => d.required)).toEqual([
      '不少于1年',
      '不少于3名',
      '等于7×24小时',
      '不超过30分钟',
      '不超过12小时',
      '不少于20学时',
      '不少于每季度一次',
    ]);
    expect(hospital.deviations[0]!.explanation).toBe('满足招标要求：我方响应为12个月');
    expect(hospital.deviations[1]!.explanation).toBe(
      '优于招标要求：招标要求不少于3名，我方响应为4名',
    );
    expect(hospital.deviations[4]!.explanation).toBe(
      '未满足招标要求：招标要求不超过12小时，我方响应为江宁市内2小时、需从外地派员时24小时',
    );
  });

  it('renders the 偏离表 with one row per requirement and a correct summary', () => {
    const docs = renderAll(hospital.params, undefined, hospital.extra);
    const table = docs.find((d) => d.meta.id === 'deviation-table')!;
    expect(table.meta.title).toBe('偏离表');
    const t = flatBlocks(table.children).find((b) => b.type === 'table');
    if (t?.type !== 'table') throw new Error('no table');
    expect(blockLines([{ ...t, body: [] }])).toEqual([
      '序号',
      '条目号',
      '招标要求',
      '投标响应',
      '偏离情况',
      '说明',
    ]);
    expect(t.body).toHaveLength(7);
    expect(blockLines([{ ...t, head: [], body: [t.body[0]!] }]).slice(0, 5)).toEqual([
      '1',
      '★5.1.1',
      '软件免费质保期不少于 1 年，自终验合格之日起计算。',
      '12个月',
      '无偏离',
    ]);
    expect(blockLines(table.children)).toContain(
      '以上共7项，其中正偏离2项，无偏离4项，负偏离1项。',
    );
  });

  it('warns about a negative deviation on a non-★ item and builds anyway', async () => {
    const out = mkdtempSync(path.join(os.tmpdir(), 'tk-out-'));
    const r = await run('build', exampleFile('hospital-his'), '--out', out);
    expect(r.code).toBe(0);
    expect(r.err).toContain('警告：条目 5.1.5');
    expect(readdirSync(out)).toContain('偏离表.pdf');
  });

  it('stops the build on a ★ negative deviation, naming the item, the required value and the bid value', async () => {
    const bid = hospitalCopy((b) => b.replace('period: 12个月', 'period: 6个月'));
    const out = path.join(path.dirname(bid), 'out');
    const r = await run('build', bid, '--out', out);
    expect(r.code).toBe(1);
    expect(r.err).toContain(
      'bid.yaml:19:29 warranty.components[0].period（质保期）：★ 条目 5.1.1“软件免费质保期不少于 1 年，自终验合格之日起计算。”负偏离：要求不少于1年，投标为6个月',
    );
    expect(r.err).toContain('[StarDeviation]');
    expect(existsSync(out)).toBe(false);
  });

  it('lets a bid acknowledge a ★ negative deviation with a reason, which the 偏离表 shows', async () => {
    const bid = hospitalCopy((b) =>
      b
        .replace('period: 12个月', 'period: 6个月')
        .replace(
          '  file: hospital-tender.yaml',
          '  file: hospital-tender.yaml\n  acknowledged:\n    - { item: "5.1.1", reason: 另行提供六个月延保服务 }',
        ),
    );
    const out = path.join(path.dirname(bid), 'out');
    const r = await run('build', bid, '--out', out, '--format', 'html');
    expect(r.code).toBe(0);
    const html = readFileSync(path.join(out, '偏离表.html'), 'utf8');
    expect(html).toContain(
      '未满足招标要求：招标要求不少于1年，我方响应为6个月。偏离说明：另行提供六个月延保服务',
    );
    expect(r.err).toContain('（已确认：另行提供六个月延保服务）');
  });

  it('lint --format json reports counts and deviations; --strict fails on warnings', async () => {
    const r = await run('lint', exampleFile('hospital-his'), '--format', 'json');
    expect(r.code).toBe(0);
    const j = JSON.parse(r.out) as {
      ok: boolean;
      errors: number;
      warnings: number;
      diagnostics: { name: string; line: number; path: string }[];
      deviations: unknown[];
    };
    expect(j).toMatchObject({ ok: true, errors: 0, warnings: 1 });
    expect(j.diagnostics).toHaveLength(1);
    expect(j.diagnostics[0]).toMatchObject({
      name: 'NegativeDeviation',
      path: 'responseTiers[0].milestones[kind=onsite]',
    });
    expect(j.deviations).toHaveLength(7);
    expect((await run('lint', exampleFile('hospital-his'), '--strict')).code).toBe(1);
    expect((await run('lint', exampleFile('highway-monitoring'), '--strict')).code).toBe(0);
  });

  it('refuses a tender file outside the bid folder and an unknown condition field, with locations', async () => {
    const outside = hospitalCopy((b) =>
      b.replace('file: hospital-tender.yaml', 'file: ../hospital-tender.yaml'),
    );
    const r1 = await run('lint', outside);
    expect(r1.code).toBe(1);
    expect(r1.err).toMatch(/tender\.file（招标要求文件）：应为与投标参数文件同一文件夹内/);
    const badField = hospitalCopy(
      (b) => b,
      (t) => t.replace('field: staff.committedCount', 'field: staff.headcount'),
    );
    const r2 = await run('lint', badField, '--format', 'json');
    const j = JSON.parse(r2.out) as {
      diagnostics: { name: string; file: string; line: number; message: string }[];
    };
    expect(r2.code).toBe(1);
    expect(j.diagnostics[0]).toMatchObject({ name: 'TenderFileInvalid', line: 11 });
    expect(j.diagnostics[0]!.file).toMatch(/hospital-tender\.yaml$/);
    expect(j.diagnostics[0]!.message).toContain('staff.headcount');
  });
});

describe('a deviation on a selected list item', () => {
  it('points at the selected milestone in the bid file', async () => {
    // 5.1.5 reads responseTiers[0].milestones[kind=onsite]: the second milestone, on line 54.
    // PRODUCT BUG (src/checks/deviations.ts deviationDiagnostics): the path is cut at the selector,
    // so the warning points at the list (52:7, where the *respond* milestone is written).
    const lines = readFileSync(exampleFile('hospital-his'), 'utf8').split('\n');
    expect(lines[53]).toBe('      - kind: onsite');
    const r = await run('lint', exampleFile('hospital-his'), '--format', 'json');
    const j = JSON.parse(r.out) as { diagnostics: { line: number; col: number; path: string }[] };
    expect(j.diagnostics[0]).toMatchObject({
      path: 'responseTiers[0].milestones[kind=onsite]',
      line: 54,
      col: 9,
    });
  });
});

/** The minimal example plus `extra` YAML, checked against one tender condition. */
function deviation(extra: string, field: string, op: string, value: string | number): Deviation {
  const text = `${readFileSync(exampleFile('minimal'), 'utf8')}${extra}`;
  const r = loadBidText(text, 'bid.yaml');
  if (!r.ok) throw new Error(JSON.stringify(r.diagnostics.map((d) => d.message)));
  const tender = tenderSchema.parse({
    requirements: [{ item: '1', text: '要求', condition: { field, op, value } }],
  });
  return computeDeviations(r.bid.params, tender)[0]!;
}

const tier = (...milestones: string[]) =>
  `responseTiers:\n  - name: 严重故障\n    milestones:\n${milestones.map((m) => `      - ${m}\n`).join('')}`;
const respond = (within: string) => tier(`{ kind: respond, within: ${within} }`);
const component = (period: string) =>
  `warranty:\n  components:\n    - { name: 软件, period: ${period} }\n`;
const RESPOND = 'responseTiers[0].milestones[kind=respond]';
const ONSITE = 'responseTiers[0].milestones[kind=onsite]';
const PERIOD = 'warranty.components[0].period';

type Row = [
  what: string,
  bid: string,
  field: string,
  op: string,
  value: string | number,
  status: string,
  actual: string,
];

const rows: Row[] = [
  // `<` is strict (小于), `<=` inclusive (不超过): an equal value fails the one and meets the other.
  ['equal, strict <', respond('30分钟'), RESPOND, '<', '30分钟', '负偏离', '30分钟'],
  ['equal, inclusive <=', respond('30分钟'), RESPOND, '<=', '30分钟', '无偏离', '30分钟'],
  ['shorter, strict <', respond('20分钟'), RESPOND, '<', '30分钟', '无偏离', '20分钟'],
  ['shorter, inclusive <=', respond('20分钟'), RESPOND, '<=', '30分钟', '正偏离', '20分钟'],
  ['立即 is shorter than any length', respond('立即'), RESPOND, '<', '30分钟', '无偏离', '立即'],
  ['equal, strict >', component('1年'), PERIOD, '>', '12个月', '负偏离', '1年'],
  ['longer, strict >', component('13个月'), PERIOD, '>', '1年', '无偏离', '13个月'],
  // Units convert where the conversion is exact.
  ['1年 against 12个月', component('1年'), PERIOD, '>=', '12个月', '无偏离', '1年'],
  ['12个月 == 1年', component('12个月'), PERIOD, '==', '1年', '无偏离', '12个月'],
  ['3年 against 30个月', component('3年'), PERIOD, '>=', '30个月', '正偏离', '3年'],
  ['终身 against 10年', component('终身'), PERIOD, '>=', '10年', '正偏离', '终身'],
  [
    '7日 == 1周',
    tier('{ kind: resolve, within: 7日 }'),
    'responseTiers[0].milestones[kind=resolve]',
    '==',
    '1周',
    '无偏离',
    '7日',
  ],
  [
    '一周 against 7日',
    tier('{ kind: resolve, within: 一周 }'),
    'responseTiers[0].milestones[kind=resolve]',
    '<=',
    '7日',
    '无偏离',
    '一周',
  ],
  ['半小时 against 30分钟', respond('半小时'), RESPOND, '<=', '30分钟', '无偏离', '半小时'],
  [
    '{ amount, unit } against 2小时',
    respond('{ amount: 90, unit: minute }'),
    RESPOND,
    '<=',
    '2小时',
    '正偏离',
    '90分钟',
  ],
  // A working day is at least 8 hours of elapsed time with no upper bound; a month 28–31 days.
  ['2小时 against 1个工作日', respond('2小时'), RESPOND, '<=', '1个工作日', '正偏离', '2小时'],
  ['1个工作日 against 2小时', respond('1个工作日'), RESPOND, '<=', '2小时', '负偏离', '1个工作日'],
  [
    '1个工作日 against 24小时',
    respond('1个工作日'),
    RESPOND,
    '<=',
    '24小时',
    '无法判定',
    '1个工作日',
  ],
  [
    '1个月 against 30日',
    tier('{ kind: resolve, within: 1个月 }'),
    'responseTiers[0].milestones[kind=resolve]',
    '<=',
    '30日',
    '无法判定',
    '1个月',
  ],
  [
    '协商确定 against a length',
    respond('协商确定'),
    RESPOND,
    '<=',
    '2小时',
    '无法判定',
    '协商确定',
  ],
  // Several cases (areas, hours of the day): the worst case decides.
  ...(
    [
      ['<=', '12小时', '负偏离'],
      ['<=', '24小时', '无偏离'],
      ['<', '24小时', '负偏离'],
      ['<=', '2日', '正偏离'],
    ] as const
  ).map(([op, value, status]): Row => [
    `cases, worst 24小时, ${op} ${value}`,
    tier(
      '{ kind: onsite, cases: [{ when: 市区, within: 2小时 }, { when: 郊县, within: 24小时 }] }',
    ),
    ONSITE,
    op,
    value,
    status,
    '市区2小时、郊县24小时',
  ]),
  // [kind=onsite] selects the on-site milestone whatever its position; none there is no response.
  [
    '[kind=onsite] second in the list',
    tier('{ kind: respond, within: 1小时 }', '{ kind: onsite, within: 4小时 }'),
    ONSITE,
    '<=',
    '2小时',
    '负偏离',
    '4小时',
  ],
  ['[kind=onsite] absent', respond('1小时'), ONSITE, '<=', '2小时', '负偏离', '未响应'],
  [
    '[kind=respond] of the same tier',
    tier('{ kind: respond, within: 1小时 }', '{ kind: onsite, within: 4小时 }'),
    RESPOND,
    '<=',
    '2小时',
    '正偏离',
    '1小时',
  ],
  // Percentages.
  [
    '95% against 不低于95%',
    'service:\n  availability:\n    - { metric: 开机率, percent: 95% }\n',
    'service.availability[0].percent',
    '>=',
    '95%',
    '无偏离',
    '95%',
  ],
  [
    '99.5 against 不低于95%',
    'service:\n  availability:\n    - { metric: 开机率, percent: 99.5 }\n',
    'service.availability[0].percent',
    '>=',
    '95%',
    '正偏离',
    '99.5%',
  ],
  [
    '90% against 不低于95%',
    'service:\n  availability:\n    - { metric: 开机率, percent: 90% }\n',
    'service.availability[0].percent',
    '>=',
    '95%',
    '负偏离',
    '90%',
  ],
  [
    '95% against 高于95%',
    'service:\n  availability:\n    - { metric: 开机率, percent: 95% }\n',
    'service.availability[0].percent',
    '>',
    '95%',
    '负偏离',
    '95%',
  ],
  // Frequencies: more often is more.
  [
    '每季度 against 每年4次',
    'service:\n  inspections: 每季度\n',
    'service.inspections',
    '>=',
    '每年4次',
    '无偏离',
    '每季度一次',
  ],
  [
    '每年4次 == 每季度',
    'service:\n  inspections: 每年4次\n',
    'service.inspections',
    '==',
    '每季度',
    '无偏离',
    '每年4次',
  ],
  [
    '每3个月 against 每季度',
    'service:\n  inspections: 每3个月\n',
    'service.inspections',
    '>=',
    '每季度',
    '无偏离',
    '每3个月一次',
  ],
  [
    '每月 against 每季度',
    'service:\n  inspections: 每月\n',
    'service.inspections',
    '>=',
    '每季度',
    '正偏离',
    '每月一次',
  ],
  [
    '每半年 against 每季度',
    'service:\n  inspections: 每半年\n',
    'service.inspections',
    '>=',
    '每季度',
    '负偏离',
    '每半年一次',
  ],
  [
    '不限次数 against 每月',
    'service:\n  inspections: 不限次数\n',
    'service.inspections',
    '>=',
    '每月',
    '正偏离',
    '不限次数',
  ],
  // Service hours: round the clock covers working hours, not the other way round.
  [
    '7x24 against 工作日',
    'service:\n  hours: 7x24\n',
    'service.hours',
    '==',
    '工作日 8:00-18:00',
    '正偏离',
    '7×24小时',
  ],
  [
    '工作日 against 7x24',
    'service:\n  hours: 工作日 8:00-18:00\n',
    'service.hours',
    '==',
    '7x24',
    '负偏离',
    '工作日8:00–18:00',
  ],
  [
    'the same working hours',
    'service:\n  hours: 工作日 8:00-18:00\n',
    'service.hours',
    '==',
    '工作日8:00-18:00',
    '无偏离',
    '工作日8:00–18:00',
  ],
  [
    '7×24小时 == 7x24',
    'service:\n  hours: 7×24小时\n',
    'service.hours',
    '==',
    '7x24',
    '无偏离',
    '7×24小时',
  ],
  // Lists and plain numbers.
  [
    'includes a channel',
    'service:\n  channels:\n    - { kind: hotline }\n    - { kind: onsite }\n',
    'service.channels[*].kind',
    'includes',
    'onsite',
    '无偏离',
    '服务热线、现场服务',
  ],
  [
    'lacks a channel',
    'service:\n  channels:\n    - { kind: hotline }\n',
    'service.channels[*].kind',
    'includes',
    'onsite',
    '负偏离',
    '服务热线',
  ],
  [
    'a count, strict >',
    'staff:\n  committedCount: 3\n',
    'staff.committedCount',
    '>',
    3,
    '负偏离',
    '3',
  ],
  // A value the bid does not state is not a response.
  ['no warranty stated', '', PERIOD, '>=', '1年', '负偏离', '未响应'],
  ['no service hours stated', '', 'service.hours', '==', '7x24', '负偏离', '未响应'],
];

describe('conditions compared in the field’s own kind', () => {
  it.each(rows)('%s', (_what, bid, field, op, value, status, actual) => {
    const d = deviation(bid, field, op, value);
    expect([d.statusLabel, d.actual]).toEqual([status, actual]);
  });

  it('words the requirement in the tender’s terms: 不低于 for percentages, 小于 for a strict limit', () => {
    const pct = deviation(
      'service:\n  availability:\n    - { metric: 开机率, percent: 95% }\n',
      'service.availability[0].percent',
      '>=',
      '95%',
    );
    expect([pct.required, pct.explanation]).toEqual(['不低于95%', '满足招标要求：我方响应为95%']);
    const strict = deviation(respond('30分钟'), RESPOND, '<', '30分钟');
    expect(strict.explanation).toBe('未满足招标要求：招标要求小于30分钟，我方响应为30分钟');
    const freq = deviation(
      'service:\n  inspections: 每月\n',
      'service.inspections',
      '>=',
      '每季度',
    );
    expect(freq.explanation).toBe('优于招标要求：招标要求不少于每季度一次，我方响应为每月一次');
    const unknown = deviation(respond('1个工作日'), RESPOND, '<=', '24小时');
    expect(unknown.explanation).toBe(
      '无法判定：招标要求不超过24小时，我方响应为1个工作日，两者单位之间没有确定的换算',
    );
  });

  it('split working-day and holiday limits: the worse of the two decides', () => {
    // PRODUCT BUG (src/checks/deviations.ts limitsOf / src/schema/duration.ts compareDurations): a
    // split limit is compared as one range [48h, 72h]; a range that touches 72小时 counts as
    // shorter, so `<= 72小时` gives 正偏离 and `< 72小时` 无偏离 although the holiday limit is 72小时.
    const split = tier('{ kind: restore, within: { workday: 48小时, holiday: 72小时 } }');
    const field = 'responseTiers[0].milestones[kind=restore]';
    expect(deviation(split, field, '<=', '48小时').statusLabel).toBe('负偏离');
    expect(deviation(split, field, '<=', '3日').statusLabel).toBe('无偏离');
    expect(deviation(split, field, '<', '72小时').statusLabel).toBe('负偏离');
    expect(deviation(split, field, '<=', '96小时').statusLabel).toBe('正偏离');
  });

  it('a range of lengths that touches the required value is not certainly shorter or longer', () => {
    // A month is 28 to 31 days: it may equal 31日, so it is not certainly 小于31日, nor 多于28日.
    // PRODUCT BUG (src/schema/duration.ts compareDurations): `x[1] <= y[0]` returns -1 (and
    // `x[0] >= y[1]` 1) when the ranges only touch, so both give 无偏离.
    const month = tier('{ kind: resolve, within: 1个月 }');
    const field = 'responseTiers[0].milestones[kind=resolve]';
    expect(deviation(month, field, '<', '31日').statusLabel).toBe('无法判定');
    expect(deviation(month, field, '>', '28日').statusLabel).toBe('无法判定');
    expect(deviation(month, field, '<', '32日').statusLabel).toBe('无偏离');
  });

  it('stops the build when a comparison cannot be decided, naming both values', async () => {
    // 24小时 against 1个工作日: a working day may span a weekend, so the order is not certain.
    const bid = hospitalCopy(
      (b) => b,
      (t) =>
        t
          .replace('严重故障 12 小时内到达现场', '严重故障 1 个工作日内到达现场')
          .replace('op: "<=", value: 12小时', 'op: "<=", value: 1个工作日'),
    );
    const out = path.join(path.dirname(bid), 'out');
    const r = await run('build', bid, '--out', out);
    expect(r.code).toBe(1);
    expect(r.err).toMatch(
      /bid\.yaml:\d+:\d+ responseTiers\[0\]\.milestones\[kind=onsite\]（处理环节）：条目 5\.1\.5“需从外地派员的，严重故障 1 个工作日内到达现场。”无法判定偏离：要求不超过1个工作日，投标为江宁市内2小时、需从外地派员时24小时。.*\[DeviationUndetermined\]/,
    );
    expect(r.err).toContain('共 1 个问题，未生成任何文件。');
    expect(existsSync(out)).toBe(false);
  });
});

describe('clause versions in a build', () => {
  it('refuses a pinned retired or draft version at its place in the bid file', async () => {
    const bid = hospitalCopy((b) => `${b}clauseVersions:\n  service-staff: 4\n  penalties: 1\n`);
    const r = await run('lint', bid);
    expect(r.code).toBe(1);
    expect(r.err).toMatch(
      /bid\.yaml:\d+:18 clauseVersions\.service-staff：条款“service-staff”第 4 版是草稿/,
    );
    expect(r.err).toMatch(
      /clauseVersions\.penalties：条款“penalties”第 1 版已停用 ?.*\[ClauseVersionRetired\]/,
    );
  });

  it('with --drafts, marks every page of the .docx, PDF and HTML as 草稿 / DRAFT', async () => {
    const bid = hospitalCopy((b) => `${b}clauseVersions:\n  service-staff: 4\n`);
    const out = path.join(path.dirname(bid), 'out');
    const r = await run('build', bid, '--out', out, '--drafts', '--format', 'docx,pdf,html');
    expect(r.code).toBe(0);
    const { docxPart } = await import('../src/writers/docx/index.js');
    const { pdfPages } = await import('./helpers.js');
    const docx = readFileSync(path.join(out, '售后服务承诺书.docx'));
    expect(docxPart(docx, 'word/header1.xml')).toContain('草稿 / DRAFT');
    const pages = pdfPages(readFileSync(path.join(out, '售后服务承诺书.pdf')));
    expect(pages.length).toBeGreaterThan(1);
    for (const p of pages) expect(p).toContain('草稿 / DRAFT');
    expect(readFileSync(path.join(out, '售后服务承诺书.html'), 'utf8')).toContain(
      '<p class="tk-draft-mark">草稿 / DRAFT</p>',
    );
    // Documents that use no draft clause carry no mark.
    expect(pdfPages(readFileSync(path.join(out, '培训方案.pdf'))).join('')).not.toContain('DRAFT');
  });
});
