// The company workspace through the real CLI process: `init`, discovery (walking up, --workspace),
// the company profile merged into bids (facts by default, channels and roster only when the bid
// asks, the bid winning, profile mistakes located in company.yaml), `explain` origins, `info`, and
// provenance (`verify` reports an edited profile or settings file). The package's own clauses/ and
// templates/ stay byte-identical throughout.
import { spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  type Dirent,
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { docxParagraphs, pdfPages, ROOT, squash } from './helpers.js';

const BIN = path.join(ROOT, 'bin', 'tenderkit.js');
const STARTER = 'bids/示例投标.yaml';

function cli(args: string[], cwd: string) {
  const r = spawnSync(process.execPath, [BIN, ...args], {
    cwd,
    encoding: 'utf8',
    env: { ...process.env, TENDERKIT_DEBUG: '' },
  });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

/** SHA-256 of every file in the package's clauses/ and templates/. */
function libraryHashes(): Map<string, string> {
  const out = new Map<string, string>();
  for (const sub of ['clauses', 'templates'])
    for (const f of readdirSync(path.join(ROOT, sub)).sort())
      out.set(
        `${sub}/${f}`,
        createHash('sha256')
          .update(readFileSync(path.join(ROOT, sub, f)))
          .digest('hex'),
      );
  return out;
}

/** 1-based line of the first line of `file` containing `text`, and the column where it starts. */
function lineOf(file: string, text: string): { line: number; col: number } {
  const lines = readFileSync(file, 'utf8').split('\n');
  const i = lines.findIndex((l) => l.includes(text));
  if (i < 0) throw new Error(`${text} not in ${file}`);
  return { line: i + 1, col: lines[i]!.indexOf(text) + 1 };
}

/** Every file under `dir`, relative, sorted. */
function tree(dir: string): string[] {
  return (readdirSync(dir, { recursive: true, withFileTypes: true }) as Dirent[])
    .filter((e) => e.isFile())
    .map((e) => path.relative(dir, path.join(e.parentPath, e.name)))
    .sort();
}

const before = libraryHashes();
const tmp = mkdtempSync(path.join(os.tmpdir(), 'tk-workspace-'));
const ws = path.join(tmp, '投标工作区');
let init: ReturnType<typeof cli>;
let built: ReturnType<typeof cli>;
const out = path.join(ws, 'out', '示例投标');

beforeAll(() => {
  init = cli(['init', ws], tmp);
  built = cli(['build', STARTER, '--out', out, '--format', 'docx,pdf'], ws);
}, 120_000);

afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/** A second workspace for tests that edit its files; `name` keeps each one apart. */
function freshWorkspace(name: string): string {
  const dir = path.join(tmp, name);
  const r = cli(['init', dir], tmp);
  expect(r.code, r.err).toBe(0);
  return dir;
}

describe('tenderkit init', () => {
  it('writes the workspace: settings, profile, the library with its history, schemas, README', () => {
    expect(init.code, init.err).toBe(0);
    const files = tree(ws).filter((f) => !f.startsWith('out'));
    expect(init.out.trim().split('\n').sort()).toEqual(files);
    for (const f of [
      'tenderkit.yaml',
      'company.yaml',
      STARTER,
      'README.md',
      '.gitignore',
      '.vscode/settings.json',
      'library/clauses/README.md',
      'library/templates/README.md',
      'library/templates/commitment-letter.yaml',
    ])
      expect(files).toContain(f);
    // The library is the package's, byte for byte, every version of every clause.
    for (const [rel, hash] of before)
      expect(
        createHash('sha256')
          .update(readFileSync(path.join(ws, 'library', rel)))
          .digest('hex'),
        rel,
      ).toBe(hash);
    expect(readFileSync(path.join(ws, '.gitignore'), 'utf8')).toMatch(/^out\/$/m);
    const readme = readFileSync(path.join(ws, 'README.md'), 'utf8');
    expect(readme).toContain('# 投标工作区');
    expect(readme).toContain('service.standardChannels: true');
    expect(init.err).toContain('新建 TenderKit 工作区');
  });

  it('maps every schema in .vscode/settings.json and names it on the starter files’ first line', () => {
    const settings = JSON.parse(readFileSync(path.join(ws, '.vscode/settings.json'), 'utf8')) as {
      'yaml.schemas': Record<string, string[]>;
    };
    const mapped = settings['yaml.schemas'];
    expect(Object.keys(mapped)).toHaveLength(4);
    for (const [schema, globs] of Object.entries(mapped)) {
      const json = JSON.parse(readFileSync(path.join(ws, schema), 'utf8')) as { $schema: string };
      expect(json.$schema).toContain('json-schema.org');
      expect(globs.length).toBeGreaterThan(0);
    }
    expect(mapped['.tenderkit/schemas/company.schema.json']).toEqual(['company.yaml']);
    // Tender files sit beside bids: the bid schema must not claim them too.
    expect(mapped['.tenderkit/schemas/bid-v2.schema.json']).toContain('!bids/**/*tender*.yaml');
    for (const [file, kind] of [
      ['tenderkit.yaml', 'workspace'],
      ['company.yaml', 'company'],
      [STARTER, 'bid'],
    ] as const) {
      const first = readFileSync(path.join(ws, file), 'utf8').split('\n')[0]!;
      const m = /^# yaml-language-server: \$schema=(\S+)$/.exec(first);
      expect(m, file).not.toBeNull();
      expect(path.isAbsolute(m![1]!)).toBe(false);
      const target = path.resolve(path.dirname(path.join(ws, file)), m![1]!);
      expect(existsSync(target), `${file} → ${m![1]}`).toBe(true);
      expect(path.basename(target)).toMatch(new RegExp(`^${kind}`));
    }
  });

  it('makes a starter bid that lints clean and builds .docx and .pdf from the profile', () => {
    const lint = cli(['lint', STARTER], ws);
    expect(lint.code, lint.err).toBe(0);
    expect(lint.err).toBe('');
    expect(lint.out).toContain('检查通过');

    expect(built.code, built.err).toBe(0);
    for (const f of ['售后服务承诺书', '售后服务方案'])
      for (const ext of ['docx', 'pdf'])
        expect(existsSync(path.join(out, `${f}.${ext}`))).toBe(true);
    const letter = squash(pdfPages(readFileSync(path.join(out, '售后服务承诺书.pdf'))).join(''));
    // Facts from company.yaml: bidder, hotline; channels because the bid asks. The default signer
    // is merged too, but the name line is left blank for the signature by hand.
    for (const s of ['示例信息技术有限公司', '400-800-0000', 'service@example.com'])
      expect(letter).toContain(s);
    expect(letter).toContain('法定代表人或其委托代理人（签字）：日期');
    const plan = squash(docxParagraphs(readFileSync(path.join(out, '售后服务方案.docx'))).join(''));
    // Roster people picked from the pool by name (张伟) and by id (li-na).
    for (const s of ['张伟', '138-0000-0001', '李娜', '示例信息技术有限公司'])
      expect(plan).toContain(s);
    expect(plan).not.toContain('赵磊'); // in the pool, not picked
  });

  it('refuses a folder that already has one of its files: exit 2, the files named, nothing written', () => {
    const dir = path.join(tmp, 'taken');
    mkdirSync(path.join(dir, 'bids'), { recursive: true });
    writeFileSync(path.join(dir, 'company.yaml'), 'bidder: { name: 已有公司 }\n');
    writeFileSync(path.join(dir, 'README.md'), '已有的说明\n');
    writeFileSync(path.join(dir, 'library'), 'a file where the library folder would go\n');
    const r = cli(['init', dir], tmp);
    expect(r.code).toBe(2);
    expect(r.err).toContain('company.yaml');
    expect(r.err).toContain('README.md');
    expect(r.err).toContain('library');
    expect(r.err).toContain('init 不覆盖任何已有文件，本次没有写入任何文件');
    expect(r.out).toBe('');
    expect(tree(dir)).toEqual(['README.md', 'company.yaml', 'library']);
    expect(readdirSync(path.join(dir, 'bids'))).toEqual([]);
    expect(readFileSync(path.join(dir, 'company.yaml'), 'utf8')).toBe(
      'bidder: { name: 已有公司 }\n',
    );
  });
});

describe('tenderkit.yaml', () => {
  it('is checked like a bid: every mistake located, the command refused', () => {
    const dir = freshWorkspace('settings-ws');
    const settings = path.join(dir, 'tenderkit.yaml');
    writeFileSync(
      settings,
      readFileSync(settings, 'utf8')
        .replace('company: company.yaml', 'company: ../别处/company.yaml')
        .replace('library: library', 'librray: library'),
    );
    const r = cli(['lint', STARTER], dir);
    expect(r.code).toBe(1);
    const c = lineOf(settings, '../别处');
    expect(r.err).toContain(
      `tenderkit.yaml:${c.line}:${c.col} company（默认公司资料）：应为工作区内 .yaml 文件的相对路径`,
    );
    const l = lineOf(settings, 'librray');
    expect(r.err).toContain(
      `tenderkit.yaml:${l.line}:${l.col} librray：未知字段“librray”，是否应为“library”？`,
    );
    expect(r.err).not.toMatch(/\n\s+at |内部错误/);
  });
});

describe('workspace discovery', () => {
  it('finds the workspace from a bid in a nested folder, run from anywhere', () => {
    const nested = path.join(ws, 'bids', '2026', '项目A');
    mkdirSync(nested, { recursive: true });
    const bid = path.join(nested, '投标.yaml');
    copyFileSync(path.join(ws, STARTER), bid);
    const lint = cli(['lint', bid], os.tmpdir());
    expect(lint.code, lint.err).toBe(0);
    const info = cli(['info', bid, '--format', 'json'], os.tmpdir());
    expect(info.code, info.err).toBe(0);
    const j = JSON.parse(info.out) as {
      workspace: { root: string };
      company: { file: string; chosenBy: string };
      library: { builtIn: boolean; clauses: number };
    };
    expect(j.workspace.root).toBe(ws);
    expect(path.resolve(os.tmpdir(), j.company.file)).toBe(path.join(ws, 'company.yaml'));
    expect(j.company.chosenBy).toBe('workspace');
    expect(j.library.builtIn).toBe(false);
    rmSync(path.join(ws, 'bids', '2026'), { recursive: true });
  });

  it('takes --workspace for a bid outside it; a folder without tenderkit.yaml is a usage error', () => {
    const outside = path.join(tmp, 'elsewhere');
    mkdirSync(outside);
    const bid = path.join(outside, 'bid.yaml');
    copyFileSync(path.join(ws, STARTER), bid);
    // Without the workspace: no profile to take the bidder, channels or people from.
    const alone = cli(['lint', bid], outside);
    expect(alone.code).toBe(1);
    expect(alone.err).toMatch(
      /bid\.yaml:\d+:\d+ staff\.rosterFrom.*没有公司资料.*\[CompanyValueMissing\]/,
    );
    expect(alone.err).toMatch(/bid\.yaml:\d+:\d+ bidder（投标人）：缺少必填字段/);
    const withWs = cli(['lint', bid, '--workspace', ws], outside);
    expect(withWs.code, withWs.err).toBe(0);
    const bad = cli(['lint', bid, '--workspace', outside], tmp);
    expect(bad.code).toBe(2);
    expect(bad.err).toContain('中没有 tenderkit.yaml，它不是 TenderKit 工作区');
    expect(bad.err).toContain('[UsageError]');
    const missing = cli(['build', bid, '--workspace', path.join(tmp, 'nope')], tmp);
    expect(missing.code).toBe(2);
    expect(missing.err).toContain('不存在');
  });
});

describe('the company profile', () => {
  const dir = () => path.join(tmp, 'profile-ws');
  beforeAll(() => {
    freshWorkspace('profile-ws');
    // A channel only the profile has, to see whether it reaches the documents.
    const company = path.join(dir(), 'company.yaml');
    writeFileSync(
      company,
      readFileSync(company, 'utf8').replace(
        '    - { kind: onsite }\n',
        '    - { kind: onsite }\n    - { kind: im, detail: 企业微信服务群 }\n',
      ),
    );
  });

  it('locates a value of the wrong type in company.yaml at its line and column', () => {
    const company = path.join(dir(), 'company.yaml');
    const good = readFileSync(company, 'utf8');
    writeFileSync(company, good.replace('  hotline: 400-800-0000', '  hotline: [400]'));
    const at = lineOf(company, '[400]');
    const r = cli(['lint', STARTER], dir());
    writeFileSync(company, good);
    expect(r.code).toBe(1);
    expect(r.err).toContain(
      `company.yaml:${at.line}:${at.col} bidder.hotline（服务热线）：应为文本，实际为列表`,
    );
    expect(r.err).not.toMatch(/\n\s+at |内部错误/);
  });

  it('locates an unknown roster name and a missing pool in the bid, with a suggestion', () => {
    const bid = path.join(dir(), 'bids', '人员.yaml');
    writeFileSync(
      bid,
      readFileSync(path.join(dir(), STARTER), 'utf8').replace(
        'rosterFrom: [张伟, li-na]',
        'rosterFrom: [张为, li-na]',
      ),
    );
    const at = lineOf(bid, '张为');
    const r = cli(['lint', bid], dir());
    expect(r.code).toBe(1);
    expect(r.err).toContain(
      `bids/人员.yaml:${at.line}:${at.col} staff.rosterFrom[0]（姓名或编号）：公司人员库（company.yaml）中没有“张为”。是否应为“张伟”？`,
    );
    expect(r.err).toContain('[CompanyValueMissing]');

    // The same person twice (by name and by id), and a name two people share.
    writeFileSync(bid, readFileSync(bid, 'utf8').replace('[张为, li-na]', '[李娜, li-na]'));
    const twice = cli(['lint', bid], dir());
    expect(twice.code).toBe(1);
    expect(twice.err).toContain(
      'staff.rosterFrom[1]（姓名或编号）：“li-na”与第 1 项是同一人，重复选取',
    );
    const company = path.join(dir(), 'company.yaml');
    const good = readFileSync(company, 'utf8');
    writeFileSync(
      company,
      good.replace(
        'roster:\n',
        'roster:\n  - { name: 李娜, phone: 139-0000-0009, role: 销售经理 }\n',
      ),
    );
    writeFileSync(bid, readFileSync(bid, 'utf8').replace('[李娜, li-na]', '[李娜]'));
    const shared = cli(['lint', bid], dir());
    writeFileSync(company, good);
    expect(shared.code).toBe(1);
    expect(shared.err).toContain(
      '公司人员库中有 2 人名为“李娜”，无法确定是哪一位。请改写人员编号（li-na）。',
    );
  });

  it('merges facts field by field with the bid winning; channels only when the bid asks', () => {
    const company = path.join(dir(), 'company.yaml');
    const starter = readFileSync(path.join(dir(), STARTER), 'utf8');
    const own = path.join(dir(), 'bids', '自有.yaml');
    writeFileSync(
      own,
      starter
        .replace('tenderee:', 'bidder:\n  hotline: 0755-1234-5678\ntenderee:')
        .replace(
          /^ {2}standardChannels: true.*$/m,
          '  channels:\n    - { kind: phone, detail: 0755-1234-5678 }',
        ),
    );
    const html = path.join(tmp, 'html-own');
    const r = cli(['build', own, '--out', html, '--format', 'html'], dir());
    expect(r.code, r.err).toBe(0);
    const letter = readFileSync(path.join(html, '售后服务承诺书.html'), 'utf8');
    expect(letter).toContain('0755-1234-5678');
    expect(letter).not.toContain('400-800-0000'); // the profile's hotline, overridden
    expect(letter).toContain('示例信息技术有限公司'); // the profile's name, not overridden
    expect(letter).not.toContain('企业微信服务群'); // the profile's channels: the bid has its own

    const std = cli(
      ['build', STARTER, '--out', path.join(tmp, 'html-std'), '--format', 'html'],
      dir(),
    );
    expect(std.code, std.err).toBe(0);
    expect(readFileSync(path.join(tmp, 'html-std', '售后服务承诺书.html'), 'utf8')).toContain(
      '企业微信服务群',
    );

    // Explain says where each value came from.
    const ex = cli(['explain', own, '--format', 'json'], dir());
    expect(ex.code, ex.err).toBe(0);
    const rows = JSON.parse(ex.out) as {
      path: string;
      file: string;
      line: number;
      origin: string;
    }[];
    expect(rows.find((x) => x.path === 'bidder.hotline')).toMatchObject({
      origin: 'bid',
      file: own, // as given on the command line
      line: lineOf(own, '0755-1234-5678').line,
    });
    expect(rows.find((x) => x.path === 'bidder.name')).toMatchObject({
      origin: 'company',
      file: 'company.yaml',
      line: lineOf(company, 'name: 示例信息技术有限公司').line,
    });
    expect(rows.find((x) => x.path === 'bidder.address')).toMatchObject({
      origin: 'company',
      line: lineOf(company, 'address: 示例市高新区科技路 1 号').line,
    });
  });

  it('refuses a `company:` file outside the workspace, also through a symbolic link', () => {
    const outside = path.join(tmp, '外部公司资料.yaml');
    copyFileSync(path.join(dir(), 'company.yaml'), outside);
    const bid = path.join(dir(), 'bids', '外部.yaml');
    const starter = readFileSync(path.join(dir(), STARTER), 'utf8');
    writeFileSync(bid, starter.replace('tenderee:', 'company: ../../外部公司资料.yaml\ntenderee:'));
    const r = cli(['lint', bid], dir());
    expect(r.code).toBe(1);
    expect(r.err).toMatch(
      new RegExp(
        `bids/外部\\.yaml:${lineOf(bid, 'company: ../../').line}:\\d+ company（公司资料文件）：公司资料文件“\\.\\./\\.\\./外部公司资料\\.yaml”不在工作区`,
      ),
    );
    symlinkSync(outside, path.join(dir(), '链接.yaml'));
    writeFileSync(bid, starter.replace('tenderee:', 'company: ../链接.yaml\ntenderee:'));
    const link = cli(['lint', bid], dir());
    expect(link.code).toBe(1);
    expect(link.err).toContain('它是一个链接');
    expect(link.err).toContain('[CompanyFileInvalid]');
  });
});

describe('explain, info and verify in a workspace', () => {
  it('explain marks each value from company.yaml with its file:line, the bid’s with the bid’s', () => {
    const r = cli(['explain', STARTER], ws);
    expect(r.code, r.err).toBe(0);
    const company = path.join(ws, 'company.yaml');
    const bid = path.join(ws, STARTER);
    expect(r.out).toContain('公司资料：company.yaml（标有“取自公司资料”的取值来自该文件）');
    expect(r.out).toContain(
      `company.yaml:${lineOf(company, 'name: 示例信息技术有限公司').line}  投标人 › 投标人名称：示例信息技术有限公司 ｜`,
    );
    expect(r.out).toMatch(
      new RegExp(
        `company\\.yaml:${lineOf(company, 'kind: hotline').line} {2}服务方式 › 服务渠道：服务热线（说明：400-800-0000；服务时间：7×24小时） ｜.*｜ 取自公司资料\\n`,
      ),
    );
    expect(r.out).toContain(
      `${STARTER}:${lineOf(bid, 'rosterFrom').line}  服务人员 › 人员配置名单：2人（其中 2 人取自公司人员库） ｜`,
    );
    const warranty = r.out
      .split('\n')
      .find((l) =>
        l.startsWith(`${STARTER}:${lineOf(bid, 'period: 1年').line}  质保期 › 应用软件：壹年 ｜`),
      );
    expect(warranty).toBeDefined();
    expect(warranty).not.toContain('取自公司资料');
  });

  it('info names the workspace, settings, library, profile, fonts and version', () => {
    const r = cli(['info'], path.join(ws, 'bids'));
    expect(r.code, r.err).toBe(0);
    expect(r.out).toContain(`工作区：${ws}（示例信息技术有限公司投标工作区）`);
    expect(r.out).toContain('工作区设置：../tenderkit.yaml');
    expect(r.out).toMatch(/条款库：\.\.\/library，\d+ 个条款、4 个文档模板/);
    expect(r.out).toContain(
      '公司资料：../company.yaml（工作区默认）：投标人 示例信息技术有限公司，人员库 3 人，标准服务渠道 4 个',
    );
    expect(r.out).toContain('字体（内置版式）：');
    expect(r.out).toContain('正文：Word 宋体 / Times New Roman；PDF 思源宋体');
    const version = (
      JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { version: string }
    ).version;
    expect(r.out).toContain(`TenderKit 版本：${version}`);
    // With a house style, the fonts it sets.
    const styled = freshWorkspace('style-ws');
    const settings = path.join(styled, 'tenderkit.yaml');
    writeFileSync(
      settings,
      `${readFileSync(settings, 'utf8')}style:\n  fonts:\n    body: { chinese: 仿宋, latin: Calibri }\n`,
    );
    const s = cli(['info'], styled);
    expect(s.code, s.err).toBe(0);
    expect(s.out).toContain('字体（工作区版式）：');
    expect(s.out).toContain('正文：Word 仿宋 / Calibri；PDF 思源宋体');
    expect(s.out).toContain('标题：Word 黑体 / Arial；PDF 思源黑体');

    const none = cli(['info', '--format', 'json'], os.tmpdir());
    expect(none.code, none.err).toBe(0);
    expect(JSON.parse(none.out)).toMatchObject({
      workspace: null,
      company: null,
      library: { builtIn: true },
    });
  });

  it('records the workspace inputs with relative paths; verify passes, then names an edited profile and settings file', () => {
    const manifest = JSON.parse(readFileSync(path.join(out, 'manifest.json'), 'utf8')) as {
      workspace: { settings: { file: string; sha256: string }; library: string };
      company: { file: string; sha256: string };
    };
    expect(manifest.workspace.settings.file).toBe('../tenderkit.yaml');
    expect(manifest.workspace.library).toBe('../library');
    expect(manifest.company.file).toBe('../company.yaml');
    const sha = (f: string) =>
      createHash('sha256')
        .update(readFileSync(path.join(ws, f)))
        .digest('hex');
    expect(manifest.company.sha256).toBe(sha('company.yaml'));
    expect(manifest.workspace.settings.sha256).toBe(sha('tenderkit.yaml'));
    expect(JSON.stringify([manifest.workspace, manifest.company])).not.toContain(tmp);

    const ok = cli(['verify', out], ws);
    expect(ok.code, ok.err).toBe(0);
    expect(ok.out).toContain('✓ 公司资料 company.yaml 未改动');
    expect(ok.out).toContain('✓ 工作区设置文件 tenderkit.yaml 未改动');
    expect(ok.out).toContain('复核通过');

    const company = path.join(ws, 'company.yaml');
    const settings = path.join(ws, 'tenderkit.yaml');
    const c0 = readFileSync(company, 'utf8');
    const s0 = readFileSync(settings, 'utf8');
    writeFileSync(company, c0.replace('400-800-0000', '400-800-0001'));
    writeFileSync(settings, `${s0}# 改动\n`);
    const bad = cli(['verify', out], ws);
    writeFileSync(company, c0);
    writeFileSync(settings, s0);
    expect(bad.code).toBe(1);
    expect(bad.err).toMatch(
      /company\.yaml：公司资料已改动：company\.yaml（SHA-256 由 [0-9a-f]{12}… 变为/,
    );
    expect(bad.err).toMatch(/tenderkit\.yaml：工作区设置文件已改动：tenderkit\.yaml/);
    expect(bad.err).toContain('[VerifyFailed]');
  });
});

describe('serve in a workspace', () => {
  it('serve --workspace shows the workspace’s own clause library', async () => {
    const dir = freshWorkspace('serve-ws');
    const clause = path.join(dir, 'library', 'clauses', 'warranty-period.yaml');
    writeFileSync(
      clause,
      // The company's own title, as its approval recorded it (approvedTitle).
      readFileSync(clause, 'utf8').replace(/^(approvedT|t)itle: .*$/gm, '$1itle: 质保期（公司版）'),
    );
    const child = spawn(
      process.execPath,
      [BIN, 'serve', '--port', '0', '--data', path.join(dir, 'data'), '--workspace', dir],
      { cwd: tmp, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    try {
      const base = await new Promise<string>((resolve, reject) => {
        let seen = '';
        child.stdout.on('data', (b: Buffer) => {
          seen += b.toString('utf8');
          const m = /http:\/\/[^/\s]+\//.exec(seen);
          if (m) resolve(m[0]);
        });
        child.once('exit', (code) => reject(new Error(`serve exited ${code}`)));
      });
      const page = await (await fetch(`${base}clauses`)).text();
      expect(page).toContain('质保期（公司版）');
    } finally {
      child.kill('SIGTERM');
    }
  }, 120_000);
});

describe('the package library', () => {
  it('is byte-unchanged after every command above', () => {
    expect(libraryHashes()).toEqual(before);
  });
});
