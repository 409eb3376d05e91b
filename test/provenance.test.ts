import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { cpSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { main } from '../src/cli/main.js';
import { loadLibrary } from '../src/library/library.js';
import type { Manifest } from '../src/provenance/manifest.js';
import { verifyBuild } from '../src/provenance/verify.js';
import { docxPart } from '../src/writers/docx/index.js';
import { ROOT } from './helpers.js';

async function run(...argv: string[]) {
  let out = '';
  let err = '';
  const code = await main(argv, { out: (s) => (out += s), err: (s) => (err += s) });
  return { code, out, err };
}
const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');

/** A private copy of the examples, built once into out/. */
async function builtCopy() {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'tk-prov-'));
  cpSync(path.join(ROOT, 'examples'), dir, { recursive: true });
  const out = path.join(dir, 'out');
  const r = await run('build', path.join(dir, 'dev-project-60m.yaml'), '--out', out);
  expect(r.code).toBe(0);
  return {
    dir,
    out,
    manifest: JSON.parse(readFileSync(path.join(out, 'manifest.json'), 'utf8')) as Manifest,
  };
}

describe('build manifest', () => {
  it('records tool, schema, bid hash, clause versions and body hashes, fonts, and every output hash', async () => {
    const { dir, out, manifest } = await builtCopy();
    expect(manifest.tool.name).toBe('tenderkit');
    expect(manifest.schemaVersion).toBe(1);
    expect(manifest.bid.sha256).toBe(sha(readFileSync(path.join(dir, 'dev-project-60m.yaml'))));
    expect(manifest.fonts).toHaveLength(4);
    const letter = manifest.documents.find((d) => d.id === 'commitment-letter')!;
    const lib = loadLibrary();
    const wp = letter.clauses.find((c) => c.id === 'warranty-period')!;
    expect(wp).toMatchObject({ version: 2, status: 'approved' });
    expect(wp.bodySha256).toBe(
      createHash('sha256')
        .update(lib.clauses.get('warranty-period')!.clause.versions[1]!.body)
        .digest('hex'),
    );
    for (const d of manifest.documents)
      for (const o of d.outputs) expect(o.sha256).toBe(sha(readFileSync(path.join(out, o.file))));
    // The same facts travel inside the files.
    const custom = docxPart(
      readFileSync(path.join(out, '售后服务承诺书.docx')),
      'docProps/custom.xml',
    );
    expect(custom).toContain(`<vt:lpwstr>${manifest.bid.sha256}</vt:lpwstr>`);
    expect(custom).toContain(`warranty-period@2:${wp.bodySha256.slice(0, 16)}`);
    const info = execFileSync('pdfinfo', ['-custom', path.join(out, '售后服务承诺书.pdf')], {
      encoding: 'utf8',
    });
    expect(info).toMatch(new RegExp(String.raw`TenderKitBidSha256:\s*${manifest.bid.sha256}`));
    expect(info).toContain(`warranty-period@2:${wp.bodySha256.slice(0, 16)}`);
  });
});

describe('tenderkit verify', () => {
  it('confirms an untouched build byte for byte', async () => {
    const { out } = await builtCopy();
    const r = await run('verify', out);
    expect(r.code).toBe(0);
    expect(r.out).toContain('售后服务承诺书.pdf 重新生成后逐字节一致');
    expect(r.out).toContain('复核通过');
  });

  it('reports a tampered output with the first differing byte', async () => {
    const { out } = await builtCopy();
    const f = path.join(out, '培训方案.docx');
    const bytes = readFileSync(f);
    bytes[1234] = bytes[1234]! ^ 0xff;
    writeFileSync(f, bytes);
    const r = await run('verify', out);
    expect(r.code).toBe(1);
    expect(r.err).toContain('输出文件 培训方案.docx 已被改动');
    expect(r.err).toContain('从第 1234 字节起不同');
  });

  it('reports a changed bid file and a changed clause body precisely', async () => {
    const { dir, out } = await builtCopy();
    const bid = path.join(dir, 'dev-project-60m.yaml');
    writeFileSync(
      bid,
      readFileSync(bid, 'utf8').replace('softwareMonths: 60', 'softwareMonths: 48'),
    );
    const r = await run('verify', out);
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/输入文件已改动：.*dev-project-60m\.yaml/);

    const { out: out2 } = await builtCopy();
    const libRoot = mkdtempSync(path.join(os.tmpdir(), 'tk-lib-'));
    cpSync(path.join(ROOT, 'clauses'), path.join(libRoot, 'clauses'), { recursive: true });
    cpSync(path.join(ROOT, 'templates'), path.join(libRoot, 'templates'), { recursive: true });
    const wp = path.join(libRoot, 'clauses', 'warranty-period.yaml');
    writeFileSync(
      wp,
      readFileSync(wp, 'utf8').replace('不再向贵方收取任何费用', '不再另行收取费用'),
    );
    const v = await verifyBuild(out2, loadLibrary(libRoot));
    expect(v.problems.map((p) => p.message)).toContain(
      '《售后服务承诺书》使用的条款 warranty-period 第 2 版正文已被改动（已批准的版本不应修改，应发布新版本）',
    );
  });
});

describe('tenderkit clauses usage', () => {
  it('lists which bids use which version, skipping tender files', async () => {
    const r = await run(
      'clauses',
      'usage',
      'routine-service',
      path.join(ROOT, 'examples'),
      '--format',
      'json',
    );
    const j = JSON.parse(r.out) as {
      bids: { file: string; version: number | null; documents: string[] }[];
    };
    expect(j.bids.map((b) => [path.basename(b.file), b.version])).toEqual([
      ['dev-project-60m.yaml', null],
      ['highway-monitoring.yaml', 1],
      ['hospital-his.yaml', 1],
    ]);
    expect(j.bids[1]!.documents).toEqual(['售后服务承诺书', '售后服务方案']);
  });

  it('follows a bid that pins an older version', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'tk-use-'));
    const text = readFileSync(path.join(ROOT, 'examples', 'dev-project-60m.yaml'), 'utf8');
    writeFileSync(path.join(dir, 'a.yaml'), text);
    writeFileSync(path.join(dir, 'b.yaml'), `${text}clauseVersions:\n  warranty-period: 1\n`);
    const r = await run('clauses', 'usage', 'warranty-period', dir);
    expect(r.out).toMatch(/a\.yaml {2}第 2 版（售后服务承诺书）/);
    expect(r.out).toMatch(/b\.yaml {2}第 1 版（售后服务承诺书）/);
    expect(r.out).toContain('第 2 版 1 份，第 1 版 1 份');
  });
});
