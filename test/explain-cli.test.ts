// `tenderkit explain` as a real process: the checklist as text, JSON and Markdown; an invalid bid
// exits 1 with located errors and no stack trace.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { ROOT } from './helpers.js';

function cli(...args: string[]) {
  const r = spawnSync(process.execPath, [path.join(ROOT, 'bin', 'tenderkit.js'), ...args], {
    cwd: ROOT,
    encoding: 'utf8',
    env: { ...process.env, TENDERKIT_DEBUG: '' },
  });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

const noStack = (s: string) => expect(s).not.toMatch(/\n\s+at |TenderKit 内部错误|Error:/);
const HIGHWAY = 'examples/highway-monitoring.yaml';

interface Row {
  path: string;
  label: string;
  value: string;
  documents: string[];
  clauses: string[];
  template: boolean;
  line: number;
  col: number;
  reviewed: boolean;
  section: 'commitment' | 'basic';
}

beforeAll(() => {
  // The CLI runs from dist/, built once for the whole run by test/global-setup.ts.
  expect(existsSync(path.join(ROOT, 'dist', 'cli', 'explain.js'))).toBe(true);
});

describe('tenderkit explain', () => {
  it('prints one line per commitment with its value, documents, clause and bid line', () => {
    const r = cli('explain', HIGHWAY);
    expect(r.code, r.err).toBe(0);
    noStack(r.err);
    const lines = r.out.split('\n');
    expect(lines[0]).toBe('承诺清单：湘南高速公路机电工程监控系统采购项目');
    expect(lines[1]).toBe(
      `投标参数文件：${HIGHWAY}（生成：售后服务承诺书、售后服务方案、培训方案、偏离表）`,
    );
    expect(lines).toContainEqual(
      expect.stringMatching(
        /^examples\/highway-monitoring\.yaml:23 {2}质保期 › 外场及中心硬件设备：叁年（包换期：3个月内；免费上门服务期：1年内） ｜《售后服务承诺书》《售后服务方案》《偏离表》｜ warranty-period@\d+、deviation-table@\d+$/,
      ),
    );
    expect(lines).toContainEqual(
      expect.stringMatching(
        /^examples\/highway-monitoring\.yaml:73 {2}故障响应等级 › A类问题 · 到达现场：自接到报修起郴州市区2小时内、其他市县24小时内 ｜《售后服务承诺书》《售后服务方案》《偏离表》｜ response-tiers@\d+、deviation-table@\d+$/,
      ),
    );
    expect(lines).toContainEqual(
      expect.stringMatching(
        /^examples\/highway-monitoring\.yaml:37 {2}服务人员 › 人员配置名单：10人 ｜《售后服务承诺书》《售后服务方案》｜ service-staff@\d+$/,
      ),
    );
    expect(lines).toContain(
      'examples/highway-monitoring.yaml:175  其他承诺 › 冬季除冰期间的值守：每年 12 月至次年 2 月除冰保畅期间，我方在湘南高速公路监控分中心安排工程师现场值守，配合贵方处置冰冻天气下的设备故障。 ｜《售后服务承诺书》｜ 未经条款库审核（本投标自拟）',
    );
    const basic = lines.indexOf('基本信息（文件写明的名称、联系方式和落款，不是承诺）：');
    expect(basic).toBeGreaterThan(0);
    expect(lines.slice(basic)).toContain(
      'examples/highway-monitoring.yaml:182  落款 › 落款日期：2026年10月20日 ｜《售后服务承诺书》《售后服务方案》《培训方案》《偏离表》｜ 文档模板',
    );
  });

  it('gives the same list as JSON objects', () => {
    const r = cli('explain', HIGHWAY, '--format', 'json');
    expect(r.code, r.err).toBe(0);
    const rows = JSON.parse(r.out) as Row[];
    const text = cli('explain', HIGHWAY).out;
    expect(rows).toHaveLength(text.split('\n').filter((l) => l.startsWith(`${HIGHWAY}:`)).length);
    for (const row of rows)
      expect(Object.keys(row).sort()).toEqual([
        'clauses',
        'col',
        'documents',
        'file',
        'label',
        'line',
        'origin',
        'path',
        'reviewed',
        'section',
        'template',
        'value',
      ]);
    expect(rows.find((x) => x.path === 'responseTiers[0].milestones[1]')).toMatchObject({
      label: '故障响应等级 › A类问题 · 到达现场',
      value: '自接到报修起郴州市区2小时内、其他市县24小时内',
      documents: ['售后服务承诺书', '售后服务方案', '偏离表'],
      line: 73,
      col: 9,
      reviewed: true,
      section: 'commitment',
    });
    expect(rows.find((x) => x.path === 'staff.fullTime')).toMatchObject({
      value: '是',
      documents: ['售后服务承诺书', '售后服务方案'],
      line: 31,
    });
    expect(rows.filter((x) => !x.reviewed)).toEqual([
      expect.objectContaining({ path: 'extraCommitments[0]', clauses: [], line: 175 }),
    ]);
    expect(rows.filter((x) => x.section === 'basic').map((x) => x.path)).toContain(
      'bidder.hotline',
    );
  });

  it('writes a Markdown table', () => {
    const r = cli('explain', HIGHWAY, '-f', 'markdown');
    expect(r.code, r.err).toBe(0);
    const lines = r.out.split('\n');
    expect(lines[0]).toBe('# 承诺清单：湘南高速公路机电工程监控系统采购项目');
    expect(lines).toContainEqual(
      expect.stringMatching(/^## 承诺事项（共 \d+ 项，其中 1 项未经条款库审核）$/),
    );
    expect(lines).toContain('| 行 | 承诺事项 | 内容 | 写在 | 出处 |');
    expect(lines).toContainEqual(
      expect.stringMatching(
        /^\| 100 \| 备品备件 › 维修期间提供备用设备 \| 是 \| 售后服务方案 \| plan-spares@\d+ \|$/,
      ),
    );
    expect(lines).toContainEqual(
      expect.stringMatching(
        /^\| 175 \| 其他承诺 › 冬季除冰期间的值守 \| .+ \| 售后服务承诺书 \| \*\*未经条款库审核（本投标自拟）\*\* \|$/,
      ),
    );
  });

  it('says plainly when a bid makes no commitment', () => {
    const r = cli('explain', 'examples/minimal.yaml');
    expect(r.code, r.err).toBe(0);
    expect(r.out).toContain('承诺事项：无。文件只写下列基本信息，不作任何承诺。');
    expect(r.out).toContain(
      // The 售后服务方案's cover names the tenderee too.
      'examples/minimal.yaml:4  招标人 › 招标人名称：青溪县人民政府办公室 ｜《售后服务承诺书》《售后服务方案》｜ 文档模板',
    );
    // Warnings (an empty letter) go to stderr, located, and do not fail the command.
    expect(r.err).toContain('examples/minimal.yaml:1:1：警告：');
  });

  it('exits 1 with located errors and no stack trace for an invalid bid', () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'tk-explain-'));
    const file = path.join(dir, 'bad.yaml');
    writeFileSync(
      file,
      readFileSync(path.join(ROOT, 'examples', 'minimal.yaml'), 'utf8') +
        'warranty:\n  components:\n    - name: 软件\n      period: 三年多\nstaff:\n  committedCount: -1\n',
    );
    const r = cli('explain', file, '--format', 'json');
    expect(r.code).toBe(1);
    expect(r.out).toBe('');
    noStack(r.err);
    expect(r.err).toContain(
      `${file}:15:15 warranty.components[0].period（质保期）：无法识别的时长“三年多”`,
    );
    expect(r.err).toContain(
      `${file}:17:19 staff.committedCount（承诺服务人员数）：不能小于 1，实际为 -1`,
    );
    expect(r.err).toContain('共 2 个问题。');
  });

  it('refuses bad usage with exit code 2', () => {
    const none = cli('explain');
    expect(none.code).toBe(2);
    expect(none.err).toContain('explain 需要且只需要一个投标参数文件');
    const fmt = cli('explain', HIGHWAY, '--format', 'xml');
    expect(fmt.code).toBe(2);
    expect(fmt.err).toContain('explain --format 只能是 text、json、markdown，收到“xml”');
    expect(cli('--help').out).toContain(
      'tenderkit explain <bid.yaml> [--format text|json|markdown]',
    );
  });
});
