import { mkdtempSync, readdirSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { renderAll } from '../src/build.js';
import { main } from '../src/cli/main.js';
import { blockLines, flatBlocks } from '../src/ir/text.js';
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
      ['5.1.3', '无偏离', '7×24 小时'],
      ['5.1.4', '无偏离', '30分钟'],
      ['5.1.5', '负偏离', '24小时'],
      ['5.2.1', '正偏离', '24学时'],
      ['5.2.2', '无偏离', '3个月'],
    ]);
    expect(hospital.deviations[1]!.explanation).toBe(
      '优于招标要求：招标要求不少于3名，我方响应为4名',
    );
    expect(hospital.deviations[4]!.explanation).toBe(
      '未满足招标要求：招标要求不超过12小时，我方响应为24小时',
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
    const bid = hospitalCopy((b) => b.replace('softwareMonths: 12', 'softwareMonths: 6'));
    const out = path.join(path.dirname(bid), 'out');
    const r = await run('build', bid, '--out', out);
    expect(r.code).toBe(1);
    expect(r.err).toMatch(
      /bid\.yaml:17:19 warranty\.softwareMonths（软件质保期（月））：★ 条目 5\.1\.1“软件免费质保期不少于 1 年，自终验合格之日起计算。”负偏离：要求不少于12个月，投标为6个月/,
    );
    expect(existsSync(out)).toBe(false);
  });

  it('lets a bid acknowledge a ★ negative deviation with a reason, which the 偏离表 shows', async () => {
    const bid = hospitalCopy((b) =>
      b
        .replace('softwareMonths: 12', 'softwareMonths: 6')
        .replace(
          '  file: hospital-tender.yaml',
          '  file: hospital-tender.yaml\n  acknowledged:\n    - { item: "5.1.1", reason: 另行提供六个月延保服务 }',
        ),
    );
    const out = path.join(path.dirname(bid), 'out');
    const r = await run('build', bid, '--out', out, '--format', 'html');
    expect(r.code).toBe(0);
    expect(readFileSync(path.join(out, '偏离表.html'), 'utf8')).toContain(
      '偏离说明：另行提供六个月延保服务',
    );
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
    expect(j.diagnostics[0]).toMatchObject({
      name: 'NegativeDeviation',
      line: 47,
      path: 'responseTiers[0].onsiteHoursRemote',
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

describe('clause versions in a build', () => {
  it('refuses a pinned retired or draft version at its place in the bid file', async () => {
    const bid = hospitalCopy((b) => `${b}clauseVersions:\n  service-staff: 2\n  penalties: 1\n`);
    const r = await run('lint', bid);
    expect(r.code).toBe(1);
    expect(r.err).toMatch(
      /bid\.yaml:\d+:18 clauseVersions\.service-staff：条款“service-staff”第 2 版是草稿/,
    );
    expect(r.err).toMatch(
      /clauseVersions\.penalties：条款“penalties”第 1 版已停用 ?.*\[ClauseVersionRetired\]/,
    );
  });

  it('with --drafts, marks every page of the .docx, PDF and HTML as 草稿 / DRAFT', async () => {
    const bid = hospitalCopy((b) => `${b}clauseVersions:\n  service-staff: 2\n`);
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
