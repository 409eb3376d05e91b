import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { main } from '../src/cli/main.js';
import { exampleFile, ROOT } from './helpers.js';

async function run(...argv: string[]) {
  let out = '';
  let err = '';
  const code = await main(argv, { out: (s) => (out += s), err: (s) => (err += s) });
  return { code, out, err };
}

const tmp = () => mkdtempSync(path.join(os.tmpdir(), 'tk-cli-'));

describe('tenderkit CLI', () => {
  it('builds one file per document and format, named after the document title', async () => {
    const dir = tmp();
    const r = await run(
      'build',
      exampleFile('dev-project-60m'),
      '--out',
      dir,
      '--format',
      'docx,pdf,html',
    );
    expect(r.code).toBe(0);
    expect(readdirSync(dir).sort()).toEqual(
      [
        'manifest.json',
        '培训方案.docx',
        '培训方案.html',
        '培训方案.pdf',
        '售后服务承诺书.docx',
        '售后服务承诺书.html',
        '售后服务承诺书.pdf',
        '售后服务方案.docx',
        '售后服务方案.html',
        '售后服务方案.pdf',
      ].sort(),
    );
    expect(r.err).toContain('[9/9]');
    expect(readFileSync(path.join(dir, '售后服务承诺书.pdf')).subarray(0, 5).toString()).toBe(
      '%PDF-',
    );
  });

  it('exits 1 with every located problem and writes nothing for an invalid bid', async () => {
    const dir = tmp();
    const bad = path.join(dir, 'bid.yaml');
    writeFileSync(
      bad,
      readFileSync(exampleFile('hospital-his'), 'utf8')
        .replace('period: 12个月', 'period: twelve')
        .replace('  fullTime: true', '  fulltime: true'),
    );
    const out = path.join(dir, 'out');
    const r = await run('build', bad, '--out', out);
    expect(r.code).toBe(1);
    expect(r.err).toContain(
      'bid.yaml:19:29 warranty.components[0].period（质保期）：时长要用中文单位书写（不接受“twelve”这样的英文写法）',
    );
    expect(r.err).toMatch(
      /bid\.yaml:24:3 staff\.fulltime：未知字段“fulltime”，是否应为“fullTime”？/,
    );
    expect(r.err).toContain('共 2 个问题，未生成任何文件。');
    expect(r.err).not.toMatch(/\n\s+at /);
    expect(existsSync(out)).toBe(false);
  });

  it('exits 2 for usage mistakes', async () => {
    expect((await run('build')).code).toBe(2);
    expect((await run('build', 'a.yaml', '--format', 'doc')).code).toBe(2);
    expect((await run('frobnicate')).code).toBe(2);
    expect((await run('build', 'a.yaml', '--bogus')).code).toBe(2);
    expect((await run()).code).toBe(2);
  });

  it('reports a missing file as a user error', async () => {
    const r = await run('lint', path.join(tmp(), 'none.yaml'));
    expect(r.code).toBe(1);
    expect(r.err).toContain('[FileNotFound]');
  });

  it('lints an example without writing', async () => {
    const r = await run('lint', exampleFile('highway-monitoring'));
    expect(r.code).toBe(0);
    expect(r.out).toContain('检查通过');
  });

  it('prints the JSON Schema with Chinese titles, and the Markdown field reference', async () => {
    const r = await run('schema');
    interface Node {
      title?: string;
      description?: string;
      anyOf?: Node[];
      $ref?: string;
      required?: string[];
      properties?: Record<string, Node>;
      items?: Node;
    }
    const schema = JSON.parse(r.out) as Node & { additionalProperties: boolean; $schema: string };
    expect(schema.$schema).toBe('https://json-schema.org/draft/2020-12/schema');
    expect(schema.additionalProperties).toBe(false);
    // bidder and the signer may come from the workspace's company profile.
    expect(schema.required).toEqual(
      expect.arrayContaining(['version', 'tenderee', 'project', 'signature']),
    );
    const period = schema.properties!.warranty!.properties!.components!.items!.properties!.period!;
    expect(period).toMatchObject({ title: '质保期' });
    expect(period.description).toContain('`终身`');
    expect(period.description).not.toContain('`立即`');
    expect(period.description).toContain('以日、周、月、年计（不能写分钟、小时、工作日）');
    expect(period.description).not.toContain('`30分钟`');
    expect(period.anyOf!.map((b) => b.$ref)).toEqual([
      '#/$defs/duration-text',
      '#/$defs/duration-amount-day-week-month-year',
    ]);
    const within =
      schema.properties!.responseTiers!.items!.properties!.milestones!.items!.properties!.within!;
    expect(within).toMatchObject({ title: '时限' });
    expect(within.description).toContain('`立即`');
    expect(within.anyOf!.map((b) => b.$ref)).toContain('#/$defs/duration-split');
    // No custom keywords (a field may be named `label`, but its schema is an object).
    expect(r.out).not.toMatch(/"(label|help)": "|"(valueKind|allow|enumLabels|unit)": [["]/);
    const md = await run('schema', '--format', 'markdown');
    expect(md.out).toContain('| `version` | 参数格式版本 | 数字 | 是 |');
    expect(md.out).toContain(
      '| `responseTiers[].milestones[].within` | 时限 | 时长，单位可用分钟、小时、日、工作日、周、月、年：`30分钟` `2小时`',
    );
    // A period lists only the units it takes: no `30分钟` or `2小时` for a warranty.
    expect(md.out).toContain(
      '| `warranty.components[].period` | 质保期 | 时长，以日、周、月、年计（不能写分钟、小时、工作日）：`7日` `一周` `3个月` `3年` `终身` |',
    );
    expect(md.out).toContain('| `service.inspections` | 巡检频次 | 频次，如 `每季度`');
  });

  it('runs as a real process through bin/tenderkit.js', () => {
    const r = spawnSync(
      process.execPath,
      [path.join(ROOT, 'bin', 'tenderkit.js'), 'lint', exampleFile('hospital-his')],
      { encoding: 'utf8' },
    );
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('检查通过');
    const v = execFileSync(
      process.execPath,
      [path.join(ROOT, 'bin', 'tenderkit.js'), '--version'],
      { encoding: 'utf8' },
    );
    expect(v.trim()).toMatch(/^\d+\.\d+\.\d+$/);
  });
});

describe('README', () => {
  it('carries the field reference generated from the schema', async () => {
    const readme = readFileSync(path.join(ROOT, 'README.md'), 'utf8');
    const md = await run('schema', '--format', 'markdown');
    expect(readme).toContain(md.out.trim());
  });
});
