import { mkdtempSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { main } from '../cli/main.js';
import { docxPart } from '../writers/docx/index.js';
import { diffBodies, diffText, tokenize } from './redline.js';

async function run(...argv: string[]) {
  let out = '';
  let err = '';
  const code = await main(argv, { out: (s) => (out += s), err: (s) => (err += s) });
  return { code, out, err };
}

describe('Chinese-aware diff', () => {
  it('splits Chinese into words, not lines or single characters', () => {
    expect(tokenize('接到报修后30分钟内响应')).toEqual([
      '接到',
      '报',
      '修',
      '后',
      '30',
      '分钟',
      '内',
      '响应',
    ]);
  });

  it('marks only the words that changed', () => {
    expect(diffText('我方在12小时内响应。', '我方在30分钟内响应。')).toEqual([
      { kind: 'same', text: '我方在' },
      { kind: 'delete', text: '12小时' },
      { kind: 'insert', text: '30分钟' },
      { kind: 'same', text: '内响应。' },
    ]);
  });

  it('treats added and removed paragraphs as whole insertions and deletions', () => {
    const d = diffBodies('甲。\n\n乙。', '甲。\n\n乙。\n\n丙。');
    expect(d).toEqual([
      [{ kind: 'same', text: '甲。' }],
      [{ kind: 'same', text: '乙。' }],
      [{ kind: 'insert', text: '丙。' }],
    ]);
  });
});

describe('tenderkit clauses', () => {
  it('lists clauses with versions and the version in use, as JSON', async () => {
    const r = await run('clauses', 'list', '--format', 'json');
    const list = JSON.parse(r.out) as {
      id: string;
      current: number;
      versions: { version: number; status: string; bodySha256: string }[];
    }[];
    const rt = list.find((c) => c.id === 'response-tiers')!;
    expect(rt.current).toBe(3);
    expect(rt.versions.map((v) => [v.version, v.status])).toEqual([
      [1, 'retired'],
      [2, 'retired'],
      [3, 'approved'],
    ]);
    expect(rt.versions[0]!.bodySha256).toMatch(/^[0-9a-f]{64}$/);
    expect(list.find((c) => c.id === 'service-staff')!.current).toBe(5);
  });

  it('shows one version with its body', async () => {
    const r = await run('clauses', 'show', 'response-tiers', '1', '--format', 'json');
    const v = JSON.parse(r.out) as { version: number; body: string; approvedOn: string };
    expect(v.version).toBe(1);
    expect(v.body).toContain('12小时内作出响应');
    expect((await run('clauses', 'show', 'nope')).code).toBe(1);
    expect((await run('clauses', 'show', 'response-tiers', '7')).code).toBe(1);
  });

  it('prints a word-level diff in the terminal', async () => {
    const r = await run('clauses', 'diff', 'response-tiers', '1', '2');
    expect(r.out).toContain('[-后12小时内作出响应，并视故障情况尽快派员到场处理，直至故障排除。-]');
  });

  it('writes a redline .docx with real w:ins / w:del carrying author and date', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'tk-rl-'));
    const file = path.join(dir, 'redline.docx');
    const r = await run('clauses', 'diff', 'response-tiers', '1', '2', '--out', file);
    expect(r.code).toBe(0);
    const xml = docxPart(readFileSync(file), 'word/document.xml');
    const ins = [
      ...xml.matchAll(/<w:ins [^>]*w:author="([^"]+)" w:date="([^"]+)"[^>]*>([\s\S]*?)<\/w:ins>/g),
    ];
    const del = [
      ...xml.matchAll(/<w:del [^>]*w:author="([^"]+)" w:date="([^"]+)"[^>]*>([\s\S]*?)<\/w:del>/g),
    ];
    const texts = (m: RegExpMatchArray[], tag: string) =>
      m.map((x) =>
        [...x[3]!.matchAll(new RegExp(`<${tag}[^>]*>([^<]*)</${tag}>`, 'g'))]
          .map((t) => t[1])
          .join(''),
      );
    expect(texts(del, 'w:delText')).toContain(
      '后12小时内作出响应，并视故障情况尽快派员到场处理，直至故障排除。',
    );
    expect(texts(ins, 'w:t')).toContain(
      '按故障的严重程度分级处理，各级故障的响应、到场和解决时限如下（时限自',
    );
    expect(ins[0]![1]).toBe('吴晓岚');
    expect(ins[0]![2]).toBe('2026-03-02T00:00:00Z');
    // Unchanged words stay plain text outside any revision.
    expect(xml).toMatch(/<w:t xml:space="preserve">我方<\/w:t>|<w:t>我方<\/w:t>/);
  });

  it('writes the same redline as HTML with <ins>/<del>, and refuses an unknown extension', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'tk-rl-'));
    const file = path.join(dir, 'redline.html');
    expect((await run('clauses', 'diff', 'warranty-period', '1', '2', '--out', file)).code).toBe(0);
    const html = readFileSync(file, 'utf8');
    expect(html).toContain(
      '<del class="tk-rev" datetime="2026-03-02" title="吴晓岚 2026-03-02">负责</del>',
    );
    expect(html).toMatch(/<ins class="tk-rev"[^>]*>软件<\/ins>/);
    expect(
      (await run('clauses', 'diff', 'warranty-period', '1', '2', '--out', path.join(dir, 'x.txt')))
        .code,
    ).toBe(2);
  });
});
