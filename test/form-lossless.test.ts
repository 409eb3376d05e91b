// Through the real HTTP app: every example opened and saved unchanged is the same file byte for
// byte, and its download, unzipped, is rebuilt byte for byte by `tenderkit verify` (the CLI builds
// every document again from the bid and tender file in the zip: the server's documents are the
// CLI's); edits change only their own lines; the 偏离表 is made from tender rows typed in the
// browser; every download check runs at validation time.
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import type { Server } from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { unzipSync } from 'fflate';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { RenderPool } from '../src/server/render-pool.js';
import { bodyOf, formFields } from './form-helpers.js';
import { pdfPages, ROOT, squash, startApp } from './helpers.js';

const run = promisify(execFile);
const EXAMPLES = readdirSync(path.join(ROOT, 'examples'))
  .filter((f) => f.endsWith('.yaml') && !f.endsWith('-tender.yaml'))
  .map((f) => f.replace(/\.yaml$/, ''))
  .sort();

let server: Server;
let pool: RenderPool;
let base = '';
let dataDir = '';
let cookie = '';
let token = '';

/** `tenderkit verify DIR` in its own process: exit code and output. */
async function verify(dir: string): Promise<{ code: number; out: string; err: string }> {
  try {
    const r = await run(process.execPath, [path.join(ROOT, 'bin', 'tenderkit.js'), 'verify', dir]);
    return { code: 0, out: r.stdout, err: r.stderr };
  } catch (e) {
    const x = e as { code?: number; stdout?: string; stderr?: string };
    return { code: x.code ?? -1, out: x.stdout ?? '', err: x.stderr ?? '' };
  }
}

function post(p: string, fields: Record<string, string | string[]>) {
  const body = new URLSearchParams();
  for (const [k, v] of Object.entries(fields)) for (const x of [v].flat()) body.append(k, x);
  body.set('_csrf', token);
  return fetch(`${base}${p}`, { method: 'POST', body, redirect: 'manual', headers: { cookie } });
}
const getPage = async (loc: string) =>
  (await fetch(`${base}${loc}`, { headers: { cookie } })).text();
const stored = (id: string) => readFileSync(path.join(dataDir, `${id}.yaml`), 'utf8');
const text = (html: string) => html.replace(/<[^>]+>/g, '');

async function fromExample(example: string): Promise<string> {
  const res = await post('/bids/new', { example });
  expect(res.status).toBe(303);
  return res.headers.get('location')!.split('/').pop()!;
}

beforeAll(async () => {
  dataDir = mkdtempSync(path.join(os.tmpdir(), 'tk-lossless-'));
  pool = new RenderPool({ threads: 1 });
  ({ server, base } = await startApp(dataDir, pool));
  const res = await fetch(`${base}/bids`);
  cookie = (res.headers.get('set-cookie') ?? '').split(';')[0]!;
  token = /name="_csrf" value="([^"]+)"/.exec(await res.text())![1]!;
});

afterAll(async () => {
  server?.close();
  await pool?.close();
});

describe('an example opened and saved unchanged', () => {
  /**
   * Each example's `tenderkit verify` run, started as soon as its zip is unzipped: the CLI rebuilds
   * one example while the server builds the next, and the last tests wait for the results.
   */
  const verified = new Map<string, Promise<{ code: number; out: string; err: string }>>();
  const documents = new Map<string, string[]>();

  it.each(EXAMPLES)(
    '%s: the same YAML byte for byte, its tender file kept, every document downloaded',
    async (name) => {
      const id = await fromExample(name);
      const original = readFileSync(path.join(ROOT, 'examples', `${name}.yaml`), 'utf8');
      expect(stored(id)).toBe(original);
      const page = await getPage(`/bids/${id}`);
      const saved = await post(`/bids/${id}`, { ...bodyOf(formFields(page)), _action: 'save' });
      expect(saved.status).toBe(303);
      expect(stored(id)).toBe(original);
      // The tender link is kept, its file beside the bid: the 偏离表 is still there.
      const tender = (parse(original) as { tender?: { file: string } }).tender;
      if (tender)
        expect(readFileSync(path.join(dataDir, tender.file), 'utf8')).toBe(
          readFileSync(path.join(ROOT, 'examples', tender.file), 'utf8'),
        );
      const zip = await fetch(`${base}/bids/${id}/download.zip`, { headers: { cookie } });
      expect(zip.status).toBe(200);
      const project = (parse(original) as { project: { name: string } }).project.name;
      expect(zip.headers.get('content-disposition')).toContain(
        encodeURIComponent(`${project}-售后服务文件.zip`),
      );
      const files = unzipSync(new Uint8Array(await zip.arrayBuffer()));
      const docs = Object.keys(files).filter((f) => /\.(docx|pdf)$/.test(f));
      if (tender) expect(docs).toContain('偏离表.pdf');
      expect(docs).toContain('售后服务承诺书.pdf');
      expect(docs).toContain('售后服务承诺书.docx');
      // Each document in both formats, the manifest, the bid as stored and its tender file.
      expect(Object.keys(files).sort()).toEqual(
        [...docs, 'manifest.json', `${id}.yaml`, ...(tender ? [tender.file] : [])].sort(),
      );
      expect(docs.filter((f) => f.endsWith('.pdf')).length * 2).toBe(docs.length);
      expect(Buffer.from(files[`${id}.yaml`]!).toString('utf8')).toBe(original);
      // The manifest names the inputs by their places in the zip, never by server paths.
      const manifest = JSON.parse(Buffer.from(files['manifest.json']!).toString('utf8')) as {
        bid: { file: string; path: string };
        tender: { file: string; path: string } | null;
      };
      expect(manifest.bid).toMatchObject({ file: `${id}.yaml`, path: `${id}.yaml` });
      expect(manifest.tender).toEqual(
        tender ? expect.objectContaining({ file: tender.file, path: tender.file }) : null,
      );
      expect(JSON.stringify(manifest)).not.toContain(dataDir);
      // The zip as a user unzips it: outputs, manifest, the bid and its tender file side by side.
      const dir = path.join(mkdtempSync(path.join(os.tmpdir(), 'tk-unzipped-')), name);
      mkdirSync(dir);
      for (const [f, bytes] of Object.entries(files)) writeFileSync(path.join(dir, f), bytes);
      documents.set(name, docs);
      verified.set(name, verify(dir));
    },
  );

  it.each(EXAMPLES)(
    '%s: `tenderkit verify` on the unzipped download rebuilds every document byte for byte',
    async (name) => {
      const r = await verified.get(name)!;
      expect(r.code, r.err).toBe(0);
      for (const f of documents.get(name)!) expect(r.out).toContain(`✓ ${f} 重新生成后逐字节一致`);
      expect(r.out).toContain('复核通过');
    },
  );
});

describe('edits through the form', () => {
  it('change only their own lines and keep the file’s comments, flow lists and money as written', async () => {
    const id = await fromExample('highway-monitoring');
    const original = stored(id);
    const fields = formFields(await getPage(`/bids/${id}`));
    const res = await post(`/bids/${id}`, {
      ...bodyOf(fields, { 'staff.committedCount': '12', 'spares.stock': '郴州监控分中心备件库' }),
      _action: 'save:staff',
    });
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toBe(`/bids/${id}?saved=1&step=staff`);
    const a = original.split('\n');
    const b = stored(id).split('\n');
    expect(b.length).toBe(a.length);
    expect(b.filter((l, i) => l !== a[i])).toEqual([
      '  committedCount: 12',
      '  stock: 郴州监控分中心备件库',
    ]);
    expect(stored(id)).toContain('# 高速公路监控系统：');
    expect(stored(id)).toContain('      amount: 2000.50');
    const page = await getPage(`/bids/${id}?saved=1&step=staff`);
    expect(text(page)).toContain('已保存');
  });

  it('reports too many rows beside the list and keeps every row', async () => {
    const id = await fromExample('dev-project-60m');
    const fields = formFields(await getPage(`/bids/${id}`));
    // Eleven tiers submitted at once (as rows added in the browser are): the second one nine more times.
    const second = fields.filter(([k]) => k.startsWith('responseTiers[1].'));
    expect(second.length).toBeGreaterThan(0);
    const more = [2, 3, 4, 5, 6, 7, 8, 9, 10].flatMap((i) =>
      second.map(
        ([k, v]) => [k.replace('responseTiers[1].', `responseTiers[${i}].`), v] as [string, string],
      ),
    );
    const res = await post(`/bids/${id}`, {
      ...bodyOf([...fields, ...more]),
      _action: 'add:staff.roster',
    });
    expect(res.status).toBe(200);
    const html = await res.text();
    expect(html).toMatch(
      /<ul class="errors" id="e-responseTiers" data-errors-for="responseTiers"><li class="err">最多 10 项<\/li>/,
    );
    expect(formFields(html).filter(([k]) => /^responseTiers\[\d+\]\.name$/.test(k))).toHaveLength(
      11,
    );
    // One more row added by the button past the limit is added too, never dropped.
    const again = await post(`/bids/${id}`, {
      ...bodyOf(formFields(html)),
      _action: 'add:responseTiers',
    });
    expect(
      formFields(await again.text()).filter(([k]) => /^responseTiers\[\d+\]\.name$/.test(k)),
    ).toHaveLength(12);
  });

  it('checks glyphs and placeholders with the form: an error beside the field before any download', async () => {
    const id = await fromExample('dev-project-60m');
    const fields = formFields(await getPage(`/bids/${id}`));
    const res = await post(`/bids/${id}`, {
      ...bodyOf(fields, { 'staff.roster[0].name': '王𠀀', 'bidder.address': '滨海市XX路' }),
      _action: 'add:training.trainers',
    });
    const html = await res.text();
    const beside = (p: string) =>
      text(
        new RegExp(
          `<ul class="errors" id="e-${p.replace(/[.[\]]/g, '\\$&')}"[^>]*>([\\s\\S]*?)</ul>`,
        ).exec(html)?.[1] ?? '',
      );
    expect(beside('staff.roster[0].name')).toContain('字符“𠀀”（U+20000）在 PDF 字体中没有字形');
    expect(beside('bidder.address')).toContain('占位符“XX”');
    // Not 填写完整: the toolbar says what is left, and the summary names both fields in words.
    expect(/id="status"[^>]*>([\s\S]*?)<\/span>\s*<button/.exec(html)?.[1]).toContain(
      '2 处需要修改',
    );
    expect(text(html)).toContain('人员配置名单 第 1 项 · 姓名');
    expect(text(html)).toContain('投标人 · 售后服务机构地址');
  });

  it('marks unfilled values in the preview only; the documents still refuse them', async () => {
    const res = await post('/bids/new', {});
    const id = res.headers.get('location')!.split('/').pop()!;
    const html = await getPage(`/bids/${id}`);
    expect(html).toContain('【未填写：招标人名称】');
    // Untouched required fields are not reported before a save: no red field, no count.
    expect(html).not.toMatch(/class="field text invalid"/);
    expect(html).toMatch(/<li class="err deferred">必填，请填写<\/li>/);
    const dl = await fetch(`${base}/bids/${id}/download/commitment-letter.pdf`, {
      headers: { cookie },
    });
    expect(dl.status).toBe(422);
    expect(await dl.text()).not.toContain('【未填写');
    const saved = await post(`/bids/${id}`, { ...bodyOf(formFields(html)), _action: 'save' });
    const after = await getPage(saved.headers.get('location')!);
    expect(after).toContain('class="editor checked"');
    expect(text(after)).toMatch(/已保存.*处需要修改/s);
  });
});

describe('the 偏离表 from the browser', () => {
  it('takes tender rows typed in the form, stores the tender beside the bid and downloads the table', async () => {
    const id = await fromExample('dev-project-60m');
    let fields = formFields(await getPage(`/bids/${id}`));
    let res = await post(`/bids/${id}`, { ...bodyOf(fields), _action: 'add:tender.requirements' });
    fields = formFields(await res.text());
    res = await post(`/bids/${id}`, { ...bodyOf(fields), _action: 'add:tender.requirements' });
    fields = formFields(await res.text());
    const edits = {
      'tender.title': '滨海市公积金平台招标文件',
      'tender.requirements[0].item': '3.1',
      'tender.requirements[0].text': '软件质保期不少于 3 年。',
      'tender.requirements[0].star': 'true',
      'tender.requirements[0].field': 'warranty.components[0].period',
      'tender.requirements[0].op': '>=',
      'tender.requirements[0].value': '3年',
      'tender.requirements[1].item': '3.2',
      'tender.requirements[1].text': '驻场工程师不少于 10 人。',
      'tender.requirements[1].star': 'true',
      'tender.requirements[1].field': 'staff.committedCount',
      'tender.requirements[1].op': '>=',
      'tender.requirements[1].value': '100',
    };
    // A ★ item the bid does not meet needs a written reason, beside that requirement.
    // Shown again (an action that changes nothing), with the deviations computed.
    res = await post(`/bids/${id}`, {
      ...bodyOf(fields, edits),
      _action: 'remove:tender.requirements[9]',
    });
    let html = await res.text();
    expect(text(html)).toContain('★ 条目负偏离');
    expect(html).toMatch(
      /<div class="row tender-row" data-row data-index="1" id="g-tender\.requirements\[1\]">[\s\S]*?负偏离说明/,
    );
    fields = formFields(html);
    res = await post(`/bids/${id}`, {
      ...bodyOf(fields, {
        ...edits,
        'tender.requirements[1].reason': '本项目规模较小，6 人足以保障。',
      }),
      _action: 'save',
    });
    expect(res.status).toBe(303);
    const bid = parse(stored(id)) as { tender: { file: string; acknowledged: unknown[] } };
    expect(bid.tender).toEqual({
      file: `${id}-tender.yaml`,
      acknowledged: [{ item: '3.2', reason: '本项目规模较小，6 人足以保障。' }],
    });
    const tender = parse(readFileSync(path.join(dataDir, `${id}-tender.yaml`), 'utf8')) as {
      requirements: unknown[];
    };
    expect(tender.requirements[1]).toEqual({
      item: '3.2',
      text: '驻场工程师不少于 10 人。',
      star: true,
      condition: { field: 'staff.committedCount', op: '>=', value: 100, unit: '人' },
    });
    html = await getPage(`/bids/${id}?saved=1&step=other`);
    expect(html).toContain('href="/bids/' + id + '/download/deviation-table.pdf"');
    const pdf = await fetch(`${base}/bids/${id}/download/deviation-table.pdf`, {
      headers: { cookie },
    });
    expect(pdf.status).toBe(200);
    const pages = squash(pdfPages(Buffer.from(await pdf.arrayBuffer())).join(''));
    expect(pages).toContain('软件质保期不少于3年');
    expect(pages).toContain('负偏离');
    expect(pages).toContain('本项目规模较小');
  });

  it('reads an uploaded tender file with the CLI’s checks and shows its mistakes with line and column', async () => {
    const id = await fromExample('minimal');
    const fields = formFields(await getPage(`/bids/${id}`));
    const yaml = [
      'requirements:',
      '  - item: "1"',
      '    text: 七天二十四小时服务。',
      '    condition: { field: service.hours, op: "==", value: 7x24 }',
      '  - item: "2"',
      '    text: 质保期不少于一年。',
      '    condition: { field: "warranty.nothing", op: ">=", value: 1年 }',
      '',
    ].join('\n');
    const res = await post(`/bids/${id}`, {
      ...bodyOf(fields, { _tenderYaml: yaml }),
      _action: 'tender:load',
    });
    const html = await res.text();
    expect(text(html)).toMatch(
      /上传的招标要求文件:7:\d+ 条目 2：投标参数中没有字段“warranty\.nothing”/,
    );
    const good = yaml.replace('warranty.nothing', 'warranty.components[0].period');
    expect(text(html)).not.toContain('[YamlSyntax]');
    const ok = await post(`/bids/${id}`, {
      ...bodyOf(formFields(html), { _tenderYaml: good }),
      _action: 'tender:load',
    });
    const okHtml = await ok.text();
    expect(formFields(okHtml)).toContainEqual([
      'tender.requirements[1].field',
      'warranty.components[0].period',
    ]);
    const saved = await post(`/bids/${id}`, { ...bodyOf(formFields(okHtml)), _action: 'save' });
    expect(saved.status).toBe(303);
    // The uploaded file is kept as uploaded.
    expect(readFileSync(path.join(dataDir, `${id}-tender.yaml`), 'utf8')).toBe(good);
  });
});
