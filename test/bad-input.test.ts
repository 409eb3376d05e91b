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
  ['custom tag', swap('period: 60个月', 'period: !!js/function "return 1"'), /YamlUnsupported/],
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
    swap('committedCount: 2', 'committedCount: .nan'),
    /staff\.committedCount.*有限数字.*InvalidType/,
  ],
  ['Infinity', swap('committedCount: 2', 'committedCount: .inf'), /有限数字/],
  [
    'negative number',
    swap('committedCount: 2', 'committedCount: -2'),
    /staff\.committedCount.*OutOfRange/,
  ],
  [
    'huge number',
    swap('committedCount: 2', 'committedCount: 1e308'),
    /staff\.committedCount.*OutOfRange/,
  ],
  ['fractional count', swap('committedCount: 2', 'committedCount: 2.5'), /应为整数/],
  ['full-width digits', swap('committedCount: 2', 'committedCount: ２'), /InvalidType/],
  [
    'NaN as a duration',
    swap('period: 60个月', 'period: .nan'),
    /warranty\.components\[0\]\.period.*NaN.*InvalidType/,
  ],
  [
    'a list as a duration',
    swap('period: 60个月', 'period: [60个月]'),
    /warranty\.components\[0\]\.period.*InvalidType/,
  ],
  [
    'a field group for a choice',
    swap('  hours: ', '  routinePeriod: { a: 1 }\n  hours: '),
    /service\.routinePeriod.*应为以下取值之一：warranty（质保期内）、contract（合同期内）；实际为字段组.*InvalidValue/,
  ],
  [
    'a list holding a valid choice',
    swap('  hours: ', '  routinePeriod: [warranty]\n  hours: '),
    /service\.routinePeriod.*实际为列表.*InvalidValue/,
  ],
  [
    'control character in a duration',
    swap('within: 2小时, from: report }', 'within: "2小时\\u0000", from: report }'),
    /responseTiers\[0\]\.milestones\[0\]\.within.*2小时\\u0000.*InvalidValue/,
  ],
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
  // The name is printed only with typedName (otherwise the line is left to sign by hand).
  [
    'placeholder underscores',
    swap('signer: 王思远', 'signer: ______\n  typedName: true'),
    /PlaceholderLeft/,
  ],
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
  ['empty file', '', /文件是空的.*\[EmptyFile\]\n共 1 个问题/],
  ['a file of only comments', '# 投标参数\n# 待填写\n', /文件是空的.*\[EmptyFile\]/],
  [
    'a YAML syntax error, in Chinese',
    swap('tenderee:\n', 'tenderee:\n\tname: 甲\n'),
    /制表符.*\[YamlSyntax\]/,
  ],
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

  it('parses an extra commitment as Markdown but never as a template, and escapes its HTML', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'tk-tpl-'));
    const file = path.join(dir, 'bid.yaml');
    writeFileSync(
      file,
      `${valid}extraCommitments:\n  - title: "{{ 7*7 }}承诺"\n    body: |\n      **{{ 7*7 }}** {% include "/etc/passwd" %} <script>alert(1)</script>\n\n      - {{ range(3) }}\n`,
    );
    const r = await cli('build', file, '--out', path.join(dir, 'out'), '--format', 'html');
    expect(r.code).toBe(0);
    const html = readFileSync(path.join(dir, 'out', '售后服务承诺书.html'), 'utf8');
    const section = html.slice(html.indexOf('其他承诺'));
    expect(section).toMatch(/>\{\{ 7\*7 \}\}承诺</);
    expect(section).toContain('<strong>{{ 7*7 }}</strong>');
    expect(section).toContain(
      '{% include &quot;/etc/passwd&quot; %} &lt;script&gt;alert(1)&lt;/script&gt;',
    );
    expect(section).toContain('<span class="tk-marker">•</span><span>{{ range(3) }}</span>');
    expect(html).not.toMatch(/<script|>49<|root:/);
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

/** Where a duration can be written wrongly in the dev-project bid: its field path and label. */
const SITES = {
  period: {
    from: 'period: 60个月',
    to: (v: string) => `period: ${v}`,
    path: 'warranty.components[0].period',
    label: '质保期',
  },
  case: {
    from: '{ kind: onsite, within: 4小时, from: report, performer: 核心开发人员 }',
    to: (v: string) =>
      `{ kind: onsite, from: report, performer: 核心开发人员, cases: [{ when: 市区, within: 4小时 }, { when: 郊县, within: ${v} }] }`,
    path: 'responseTiers[0].milestones[1].cases[1].within',
    label: '时限',
  },
} as const;

/** The file with `written` at a site, and the line:col where the value starts. */
function withDuration(site: keyof typeof SITES, written: string) {
  const s = SITES[site];
  const text = swap(s.from, s.to(written));
  const lines = text.split('\n');
  const i = lines.findIndex((l) => l.includes(s.to(written)));
  return { text, line: i + 1, col: lines[i]!.lastIndexOf(written) + 1, ...s };
}

type DurationCase = [name: string, written: string, site: keyof typeof SITES, message: RegExp];

const durationCases: DurationCase[] = [
  [
    'English units',
    '2 hours',
    'case',
    /^时长要用中文单位书写（不接受“2 hours”这样的英文写法）。请写成数字加单位（分钟、小时、日\/天、工作日、周、月、年），例如“30分钟”“2小时”“1个工作日”/,
  ],
  ['a negative length', '-1小时', 'case', /^时长必须大于 0，不能为负数（“-1小时”）/],
  [
    'traditional characters',
    '2小時',
    'case',
    /^“時”是繁体字，请写简体“时”。请写成数字加单位.*例如“30分钟”“2小时”/,
  ],
  ['zero', '0分钟', 'case', /^时长必须大于 0（“0分钟”）/],
  [
    'a bare number',
    '30',
    'case',
    /^缺少单位：请写成“30分钟”“30小时”或“30个工作日”等（时长要写单位）/,
  ],
  [
    'an object without a unit',
    '{ amount: 2 }',
    'case',
    /^unit 应为 minute、hour、day、workday、week、month、year 或中文单位（分钟、小时、日、工作日、周、月、年）/,
  ],
  ['立即 as a warranty period', '立即', 'period', /^这里不能写“立即”；可以写具体时长、“终身”/],
  [
    '终身 as a response limit',
    '终身',
    'case',
    /^这里不能写“终身”；可以写具体时长、“立即”、“协商确定”、分工作日和节假日的时长/,
  ],
  ['a month count with no unit as a warranty', '60', 'period', /^缺少单位：请写成“60分钟”/],
];

describe('durations written wrongly', () => {
  it.each(durationCases)(
    '%s (%s): exit 1, file:line:col path（label）：a message saying what to write',
    async (_name, written, site, message) => {
      const dir = mkdtempSync(path.join(os.tmpdir(), 'tk-dur-'));
      const file = path.join(dir, 'bid.yaml');
      const w = withDuration(site, written);
      writeFileSync(file, w.text);
      const out = path.join(dir, 'out');
      const r = await cli('build', file, '--out', out);
      expect(r.code).toBe(1);
      const prefix = `${file}:${w.line}:${w.col} ${w.path}（${w.label}）：`;
      const line = r.err.split('\n').find((l) => l.startsWith(prefix));
      expect(line, r.err).toBeDefined();
      expect(line!.slice(prefix.length)).toMatch(message);
      expect(line).toMatch(/\[InvalidValue\]$/);
      expect(r.err).toContain('共 1 个问题，未生成任何文件。');
      expect(existsSync(out)).toBe(false);
    },
  );

  it('names the field of an optional duration, frequency or service-hours value too', async () => {
    // The label sits on the parsing pipe that `.optional()` wraps, not on the pipe's input.
    const dir = mkdtempSync(path.join(os.tmpdir(), 'tk-dur-'));
    const file = path.join(dir, 'bid.yaml');
    writeFileSync(
      file,
      swap(
        '{ kind: respond, within: 2小时, from: report }',
        '{ kind: respond, within: 终身, from: report }',
      ).replace('  hours: 工作日 8:30-17:30\n', '  hours: 全年\n  inspections: 偶尔\n'),
    );
    const r = await cli('lint', file);
    expect(r.code).toBe(1);
    expect(r.err).toContain(
      `${file}:37:34 responseTiers[0].milestones[0].within（时限）：这里不能写“终身”`,
    );
    expect(r.err).toContain(`${file}:26:10 service.hours（服务时间）：无法识别的服务时间“全年”`);
    expect(r.err).toContain(`${file}:27:16 service.inspections（巡检频次）：无法识别的频次“偶尔”`);
  });

  it('accepts 两小时 and writes it as the bid wrote it, in every document', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'tk-dur-'));
    const file = path.join(dir, 'bid.yaml');
    writeFileSync(
      file,
      swap(
        '{ kind: respond, within: 2小时, from: report }',
        '{ kind: respond, within: 两小时, from: report }',
      ),
    );
    const out = path.join(dir, 'out');
    const r = await cli('build', file, '--out', out, '--format', 'html');
    expect(r.err).not.toMatch(/\[\w+\]/);
    expect(r.code).toBe(0);
    for (const doc of ['售后服务承诺书', '售后服务方案']) {
      const html = readFileSync(path.join(out, `${doc}.html`), 'utf8');
      expect(html).toContain(
        '<span class="tk-var" data-path="responseTiers[0].milestones[0].within" title="responseTiers[0].milestones[0].within">两小时内</span>',
      );
      expect(html).not.toContain('2小时内响应');
    }
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

  it('reports control characters and full-width digits in counts beside their fields (lone surrogates cannot survive the form encoding)', async () => {
    const r = await preview({
      'tenderee.name': '医院\u0007',
      'bidder.name': '公司\u001b[0m',
      'staff.committedCount': '１２',
      'warranty.components[0].name': '软件',
      'warranty.components[0].period': '１２个月',
      '__proto__.polluted': '1',
      'constructor.prototype.x': '1',
    });
    expect(r.status).toBe(200);
    expect(r.body.errors['tenderee.name']![0]).toContain('U+0007');
    expect(r.body.errors['bidder.name']![0]).toContain('U+001B');
    expect(r.body.errors['staff.committedCount']![0]).toContain('应为数字');
    // A duration written with full-width digits is read as written in ASCII (１２个月 = 12个月).
    expect(r.body.errors['warranty.components[0].period']).toBeUndefined();
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
