// `tenderkit migrate` as a real process: in-place rewrite, --dry-run, --out, already-version-2 and
// broken files, and `build` refusing a version-1 file.
import { spawnSync } from 'node:child_process';
import {
  copyFileSync,
  existsSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { loadBidFile } from '../src/load/bid.js';
import { ROOT } from './helpers.js';

const V1 = path.join(ROOT, 'test', 'fixtures', 'v1');

function cli(...args: string[]) {
  const r = spawnSync(process.execPath, [path.join(ROOT, 'bin', 'tenderkit.js'), ...args], {
    encoding: 'utf8',
    env: { ...process.env, TENDERKIT_DEBUG: '' },
  });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

/** A temp folder holding a copy of a version-1 fixture as `bid.yaml`. */
function copy(name: string, as = 'bid.yaml'): { dir: string; file: string } {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'tk-migrate-'));
  const file = path.join(dir, as);
  copyFileSync(path.join(V1, `${name}.yaml`), file);
  return { dir, file };
}

const noStack = (s: string) => expect(s).not.toMatch(/\n\s+at |TenderKit 内部错误/);

beforeAll(() => {
  // The CLI runs from dist/, built once for the whole run by test/global-setup.ts.
  expect(existsSync(path.join(ROOT, 'dist', 'cli', 'migrate.js'))).toBe(true);
});

describe('tenderkit migrate', () => {
  it('rewrites a version-1 file in place and lists what it wrote out', () => {
    const { dir, file } = copy('hospital-his');
    const before = readFileSync(file, 'utf8');
    const r = cli('migrate', file);
    expect(r.code, r.err).toBe(0);
    noStack(r.err);
    const after = readFileSync(file, 'utf8');
    expect(after.split('\n').slice(0, 2)).toEqual([before.split('\n')[0], 'version: 2']);
    expect(loadBidFile(file).ok).toBe(true);
    expect(readdirSync(dir)).toEqual(['bid.yaml']); // no temporary file left behind
    expect(r.out.trim()).toBe(file);
    expect(r.err).toContain(
      '已写明（旧版默认承诺，现写入文件，请逐条核对，不需要的请删除）：共 15 项',
    );
    expect(r.err).toContain('无法转换（请手工处理）：无');
    // `file:line path：message`, the line being the one that now holds the value.
    const m = /(\S+):(\d+) staff\.residentEngineer：/.exec(r.err);
    expect(m?.[1]).toBe(file);
    expect(after.split('\n')[Number(m?.[2]) - 1]).toContain('residentEngineers: 1');
    expect(r.err).toContain('转换结果通过第 2 版检查');
  });

  it('lists defaults a sparse file relied on, e.g. staff.fullTime', () => {
    const { file } = copy('defaults-only');
    const r = cli('migrate', file);
    expect(r.code, r.err).toBe(0);
    const line = /bid\.yaml:(\d+) staff\.fullTime：/.exec(r.err)?.[1];
    expect(line).toBeDefined();
    expect(readFileSync(file, 'utf8').split('\n')[Number(line) - 1]).toContain('fullTime: true');
    expect(r.err).toMatch(/bid\.yaml:\d+ clauseVersions\.warranty-software：.*原文件第 45 行/);
  });

  it('--dry-run prints the new file and writes nothing', () => {
    const { dir, file } = copy('dev-project-60m');
    const before = readFileSync(file);
    const mtime = statSync(file).mtimeMs;
    const r = cli('migrate', file, '--dry-run');
    expect(r.code, r.err).toBe(0);
    expect(r.out.startsWith('# 定制开发项目')).toBe(true);
    expect((parse(r.out) as { version: number }).version).toBe(2);
    expect(r.out).toContain('hours: 工作日 8:30–17:30');
    expect(r.err).toContain('试运行，未写任何文件');
    expect(readFileSync(file).equals(before)).toBe(true);
    expect(statSync(file).mtimeMs).toBe(mtime);
    expect(readdirSync(dir)).toEqual(['bid.yaml']);
  });

  it('--out writes the new file elsewhere and leaves the original alone', () => {
    const { dir, file } = copy('highway-monitoring');
    const before = readFileSync(file);
    const out = path.join(dir, 'v2.yaml');
    const r = cli('migrate', file, '--out', out);
    expect(r.code, r.err).toBe(0);
    expect(readFileSync(file).equals(before)).toBe(true);
    expect(readFileSync(out, 'utf8')).toContain('annualFeeCap: 185000');
    expect(r.err).toMatch(/v2\.yaml:\d+ responseTiers\[2\]\.onsiteHoursLocal：/);
  });

  it('says so and changes nothing for a file that already is version 2', () => {
    const { file } = copy('hospital-his');
    expect(cli('migrate', file).code).toBe(0);
    const v2 = readFileSync(file);
    const mtime = statSync(file).mtimeMs;
    const r = cli('migrate', file);
    expect(r.code).toBe(0);
    expect(r.out).toContain('已是第 2 版格式');
    expect(readFileSync(file).equals(v2)).toBe(true);
    expect(statSync(file).mtimeMs).toBe(mtime);
  });

  it('still writes a result that is not yet a valid version-2 bid, but exits 1 and lists the problems', () => {
    const { file } = copy('unmappable');
    const r = cli('migrate', file);
    expect(r.code).toBe(1);
    noStack(r.err);
    expect(readFileSync(file, 'utf8')).toContain('version: 2');
    expect(r.err).toContain('无法转换（请手工处理）：共 4 项');
    expect(r.err).toMatch(/bid\.yaml:\d+ service\.coverage：无法把服务时段“白天”/);
    expect(r.err).toMatch(/bid\.yaml:\d+:\d+ service\.coverage：未知字段“coverage”/);
    expect(r.err).toContain('共 2 个问题；文件已写出');
  });

  it('exits 1 with a located message and no stack trace for broken YAML, and leaves the file', () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'tk-migrate-'));
    const file = path.join(dir, 'broken.yaml');
    const text = 'tenderee:\n  name: 江宁市第一人民医院\nbidder:\n  name: [杭州衡泽\nproject: x\n';
    writeFileSync(file, text);
    const r = cli('migrate', file);
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/broken\.yaml:\d+:\d+：.*\[YamlSyntax\]/);
    noStack(r.err);
    expect(readFileSync(file, 'utf8')).toBe(text);
    expect(readdirSync(dir)).toEqual(['broken.yaml']);
  });

  it('exits 1 for a file that is not a version-1 bid', () => {
    const { file } = copy('hospital-his', 'list.yaml');
    writeFileSync(file, '- 甲\n- 乙\n');
    const r = cli('migrate', file);
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/list\.yaml:1:1：.*\[NotV1Bid\]/);
    const missing = cli('migrate', path.join(path.dirname(file), 'none.yaml'));
    expect(missing.code).toBe(1);
    expect(missing.err).toContain('[FileNotFound]');
  });

  it('exits 2 for usage mistakes', () => {
    expect(cli('migrate').code).toBe(2);
    expect(cli('migrate', 'a.yaml', 'b.yaml').code).toBe(2);
    expect(cli('migrate', 'a.yaml', '--dry-run', '--out', 'b.yaml').code).toBe(2);
    expect(cli('--help').out).toContain('tenderkit migrate <bid.yaml> [--out FILE] [--dry-run]');
  });
});

describe('a version-1 file elsewhere', () => {
  it('tenderkit build exits 1 naming tenderkit migrate and writes no output folder', () => {
    const { dir, file } = copy('dev-project-60m');
    const out = path.join(dir, 'out');
    const r = cli('build', file, '--out', out);
    expect(r.code).toBe(1);
    expect(r.err).toContain(`${file}:1:1：这是第 1 版格式的投标参数文件`);
    expect(r.err).toContain(`tenderkit migrate ${file}`);
    expect(r.err).toContain('[SchemaVersionOld]');
    expect(r.err).toContain('共 1 个问题，未生成任何文件。');
    noStack(r.err);
    expect(existsSync(out)).toBe(false);
  });
});
