// Every kind of bad input gets a clear, located error (or literal, safe output) and writes nothing.
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import type { Server } from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../src/cli/main.js';
import { RenderPool } from '../src/server/render-pool.js';
import { exampleFile, startApp } from './helpers.js';

const valid = readFileSync(exampleFile('dev-project-60m'), 'utf8');
const swap = (from: string, to: string) => {
  if (!valid.includes(from)) throw new Error(`fixture: ${from} not found`);
  return valid.replace(from, to);
};

async function cli(...argv: string[]) {
  let out = '';
  let err = '';
  const code = await main(argv, { out: (s) => (out += s), err: (s) => (err += s) });
  return { code, out, err };
}

type Case = [name: string, content: string | Buffer, problem: RegExp];

const cases: Case[] = [
  [
    'alias bomb',
    `a: &a ["x","x","x","x","x","x","x","x","x"]\n${'bcdefghi'
      .split('')
      .map((c, i) => `${c}: &${c} [${Array(9).fill(`*${'abcdefghi'[i]}`).join(',')}]`)
      .join('\n')}\n`,
    /YamlAliasLimit/,
  ],
  ['5,000-deep flow nesting', `a: ${'['.repeat(5000)}${']'.repeat(5000)}\n`, /YamlTooDeep/],
  [
    'deep block nesting',
    Array.from({ length: 200 }, (_, i) => `${'  '.repeat(i)}k${i}:`).join('\n'),
    /YamlTooDeep/,
  ],
  ['duplicate keys', swap('tenderee:\n', 'tenderee:\n  name: 甲\n'), /YamlDuplicateKey/],
  ['unknown key', swap('tenderee:\n', 'tenderee:\n  nmae: 甲\n'), /UnknownField/],
  [
    '__proto__ key',
    swap('tenderee:\n', 'tenderee:\n  __proto__: { isAdmin: true }\n'),
    /tenderee\.__proto__.*UnknownField/,
  ],
  [
    'constructor key',
    swap('warranty:\n', 'warranty:\n  constructor: 1\n'),
    /warranty\.constructor.*UnknownField/,
  ],
  ['YAML 1.1 directive', `%YAML 1.1\n---\n${valid}`, /YamlUnsupported/],
  [
    'custom tag',
    swap('softwareMonths: 60', 'softwareMonths: !!js/function "return 1"'),
    /YamlUnsupported/,
  ],
  ['several documents', `${valid}\n---\n${valid}`, /YamlUnsupported/],
  [
    'non-UTF-8 bytes',
    Buffer.concat([Buffer.from(valid.slice(0, 40)), Buffer.from([0xc3, 0x28, 0xa0, 0xa1])]),
    /NotUtf8/,
  ],
  [
    'GBK-encoded file',
    Buffer.from([0xd5, 0xd0, 0xb1, 0xea, 0xc8, 0xcb, 0x3a, 0x20, 0xb2, 0xe2]),
    /NotUtf8/,
  ],
  [
    'NaN',
    swap('softwareMonths: 60', 'softwareMonths: .nan'),
    /warranty\.softwareMonths.*InvalidType/,
  ],
  ['Infinity', swap('softwareMonths: 60', 'softwareMonths: .inf'), /有限数字/],
  [
    'negative number',
    swap('softwareMonths: 60', 'softwareMonths: -60'),
    /warranty\.softwareMonths.*OutOfRange/,
  ],
  [
    'huge number',
    swap('softwareMonths: 60', 'softwareMonths: 1e308'),
    /warranty\.softwareMonths.*OutOfRange/,
  ],
  ['fractional months', swap('softwareMonths: 60', 'softwareMonths: 6.5'), /应为整数/],
  ['full-width digits', swap('softwareMonths: 60', 'softwareMonths: ６０'), /InvalidType/],
  [
    'control character',
    swap('name: 滨海市住房公积金管理中心', 'name: "滨海\\u0000中心"'),
    /U\+0000.*InvalidText/,
  ],
  [
    'escape sequence',
    swap('name: 滨海市住房公积金管理中心', 'name: "滨海\\u001b[31m中心"'),
    /U\+001B.*InvalidText/,
  ],
  [
    'lone surrogate',
    swap('name: 滨海市住房公积金管理中心', 'name: "滨海\\udc00中心"'),
    /InvalidText/,
  ],
  [
    'private-use character',
    swap('name: 滨海市住房公积金管理中心', 'name: "滨海\\ue000中心"'),
    /InvalidText/,
  ],
  [
    'CRLF inside a one-line field',
    swap('name: 滨海市住房公积金管理中心', 'name: "滨海\\r\\n中心"'),
    /单行/,
  ],
  [
    'placeholder left in a value',
    swap('name: 滨海市住房公积金管理中心', 'name: XX市住房公积金管理中心'),
    /PlaceholderLeft/,
  ],
  ['placeholder underscores', swap('signer: 王思远', 'signer: ______'), /PlaceholderLeft/],
  [
    'tender file outside the folder',
    `${valid}tender:\n  file: ../../etc/passwd.yaml\n`,
    /tender\.file/,
  ],
  ['tender file with NUL', `${valid}tender:\n  file: "a\\u0000.yaml"\n`, /tender\.file/],
  [
    'pinned clause id with ../',
    `${valid}clauseVersions:\n  "../warranty-period": 1\n`,
    /clauseVersions/,
  ],
  ['unknown pinned clause', `${valid}clauseVersions:\n  no-such-clause: 1\n`, /ClauseNotFound/],
  ['empty file', '', /MissingField/],
  ['a list instead of a map', '- a\n- b\n', /InvalidType/],
];

describe('bad input through the CLI', () => {
  it.each(cases)(
    '%s: a clear error, no stack trace, nothing written',
    async (_name, content, problem) => {
      const dir = mkdtempSync(path.join(os.tmpdir(), 'tk-bad-'));
      const file = path.join(dir, 'bid.yaml');
      writeFileSync(file, content);
      const out = path.join(dir, 'out');
      const r = await cli('build', file, '--out', out);
      expect(r.code).toBe(1);
      expect(r.err).toMatch(problem);
      expect(r.err).toMatch(/bid\.yaml/);
      expect(r.err).not.toMatch(/\n\s+at |Error:|TypeError|RangeError/);
      expect(existsSync(out)).toBe(false);
    },
  );

  it('refuses a 50 MB file without reading it into the parser', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'tk-big-'));
    const file = path.join(dir, 'bid.yaml');
    writeFileSync(file, Buffer.alloc(50 * 1024 * 1024, 0x61));
    const t = Date.now();
    const r = await cli('lint', file);
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/文件大小为 50\.0 MB.*FileTooLarge/);
    expect(Date.now() - t).toBeLessThan(2000);
  });

  it('renders a value that looks like a template literally', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'tk-tpl-'));
    const file = path.join(dir, 'bid.yaml');
    writeFileSync(file, swap('name: 滨海市住房公积金管理中心', 'name: "{{ 7*7 }}{% raw %}中心"'));
    const r = await cli('build', file, '--out', path.join(dir, 'out'), '--format', 'html');
    expect(r.code).toBe(0);
    const html = readFileSync(path.join(dir, 'out', '售后服务承诺书.html'), 'utf8');
    expect(html).toContain(
      '致：<span class="tk-var" data-path="tenderee.name" title="tenderee.name">{{ 7*7 }}{% raw %}中心</span>',
    );
    expect(html).not.toContain('>49<');
  });

  it('refuses clause ids and file names with ../, NUL or CRLF, showing them escaped', async () => {
    for (const id of ['../package', 'warranty-period\r\n', 'a\u0000b']) {
      const r = await cli('clauses', 'show', id);
      expect(r.code).toBe(1);
      expect(r.err).toContain('[ClauseNotFound]');
      expect(r.err.includes('\u0000') || r.err.includes('\r')).toBe(false);
    }
    const r = await cli('lint', '/tmp/a\u0001\r\nb.yaml');
    expect(r.code).toBe(1);
    expect(r.err).toContain('a\\u0001\\u000d\\u000ab.yaml');
    const d = await cli(
      'clauses',
      'diff',
      'response-tiers',
      '1',
      '2',
      '--out',
      '/tmp/x\u0000.docx',
    );
    expect(d.code).not.toBe(0);
    expect(d.err).not.toMatch(/\n\s+at /);
  });
});

describe('bad input through the server', () => {
  let server: Server;
  let base = '';
  let cookie = '';
  let token = '';
  let pool: RenderPool;

  beforeAll(async () => {
    pool = new RenderPool({ threads: 1 });
    ({ server, base } = await startApp(mkdtempSync(path.join(os.tmpdir(), 'tk-badsrv-')), pool));
    const res = await fetch(`${base}/bids`);
    cookie = (res.headers.get('set-cookie') ?? '').split(';')[0]!;
    token = /name="_csrf" value="([^"]+)"/.exec(await res.text())![1]!;
  });
  afterAll(async () => {
    server?.close();
    await pool?.close();
  });

  const preview = async (fields: Record<string, string>) => {
    const res = await fetch(`${base}/api/preview`, {
      method: 'POST',
      headers: { cookie, 'x-csrf-token': token },
      body: new URLSearchParams(fields),
    });
    return {
      status: res.status,
      body: (await res.json()) as { errors: Record<string, string[]>; docs: { html: string }[] },
    };
  };

  it('reports control characters and full-width digits beside their fields (lone surrogates cannot survive the form encoding)', async () => {
    const r = await preview({
      'tenderee.name': '医院\u0007',
      'bidder.name': '公司\u001b[0m',
      'warranty.softwareMonths': '１２',
      '__proto__.polluted': '1',
      'constructor.prototype.x': '1',
    });
    expect(r.status).toBe(200);
    expect(r.body.errors['tenderee.name']![0]).toContain('U+0007');
    expect(r.body.errors['bidder.name']![0]).toContain('U+001B');
    expect(r.body.errors['warranty.softwareMonths']![0]).toContain('应为数字');
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('answers malformed JSON and bodies with a clear 4xx, never a stack trace', async () => {
    const res = await fetch(`${base}/api/preview`, {
      method: 'POST',
      headers: { cookie, 'x-csrf-token': token, 'content-type': 'application/json' },
      body: '{"a": ',
    });
    expect(res.status).toBe(400);
    const text = await res.text();
    expect(text).not.toMatch(/at .*\.js|SyntaxError|\/work\//);
  });
});
