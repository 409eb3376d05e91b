// Library governance on a company workspace in a temporary folder: propose a new version, approve
// it as someone else, build with it; then break the seal and see build, lint and verify refuse;
// self-approval, future dates, retirement and upgrade; the package's own clauses/ never changes.
// One flow runs through the real CLI process (new-version → approve → build → tamper → refused);
// the rest calls the CLI's `main` in this process, in the workspace folder, which is the same code
// with the same arguments and output, without starting Node.js ~30 times.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  cpSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  unlinkSync,
  writeFileSync,
} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { main } from '../src/cli/main.js';
import { docxParagraphs, ROOT, squash } from './helpers.js';

const BIN = path.join(ROOT, 'bin', 'tenderkit.js');
const sha = (b: Buffer | string) => createHash('sha256').update(b).digest('hex');
/** Today in China Standard Time, as `clauses approve` records it. */
const today = () => new Date(Date.now() + 8 * 3600_000).toISOString().slice(0, 10);

/** The real CLI process, in `cwd`. */
function tkProcess(cwd: string, ...args: string[]) {
  const r = spawnSync(process.execPath, [BIN, ...args], {
    cwd,
    encoding: 'utf8',
    env: { ...process.env, TENDERKIT_DEBUG: '' },
    timeout: 120_000,
  });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

/** The CLI's `main` in this process, run in `cwd` as the process would be. */
async function tk(cwd: string, ...args: string[]) {
  const before = process.cwd();
  let out = '';
  let err = '';
  process.chdir(cwd);
  try {
    const code = await main(args, { out: (s) => (out += s), err: (s) => (err += s) });
    return { code, out, err };
  } finally {
    process.chdir(before);
  }
}

/** Every file under `dir` with the SHA-256 of its bytes. */
function snapshot(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const name of readdirSync(dir, { recursive: true, encoding: 'utf8' }).sort()) {
    const p = path.join(dir, name);
    try {
      out[name] = sha(readFileSync(p));
    } catch {
      out[name] = 'dir';
    }
  }
  return out;
}

const made: string[] = [];
/** A company workspace: tenderkit.yaml, a copy of the built-in library, hospital-his in bids/. */
function workspace(): string {
  const ws = mkdtempSync(path.join(os.tmpdir(), 'tk-gov-'));
  made.push(ws);
  writeFileSync(path.join(ws, 'tenderkit.yaml'), 'version: 1\n');
  cpSync(path.join(ROOT, 'clauses'), path.join(ws, 'library', 'clauses'), { recursive: true });
  cpSync(path.join(ROOT, 'templates'), path.join(ws, 'library', 'templates'), { recursive: true });
  mkdirSync(path.join(ws, 'bids'));
  for (const f of ['hospital-his.yaml', 'hospital-tender.yaml'])
    cpSync(path.join(ROOT, 'examples', f), path.join(ws, 'bids', f));
  return ws;
}

const clauseFile = (ws: string, id: string) => path.join(ws, 'library', 'clauses', `${id}.yaml`);
const read = (f: string) => readFileSync(f, 'utf8');
/** 1-based line of the first line containing `text`. */
const lineOf = (text: string, needle: string) =>
  text.split('\n').findIndex((l) => l.includes(needle)) + 1;

const NEW_CLOSING =
  '本承诺书自投标截止之日起生效，构成投标文件的组成部分；我方如未履行本承诺书所列事项，愿按合同约定承担责任。\n\n特此承诺。\n';

let packageBefore: Record<string, string>;
beforeAll(() => {
  delete process.env.TENDERKIT_DEBUG; // as the processes run: no stack traces
  packageBefore = {
    ...snapshot(path.join(ROOT, 'clauses')),
    ...snapshot(path.join(ROOT, 'templates')),
  };
});
afterAll(() => {
  for (const d of made) rmSync(d, { recursive: true, force: true });
});

describe('propose, approve by someone else, build; a changed approved body is refused', () => {
  let ws: string;
  let approvedText: string;
  beforeAll(() => {
    ws = workspace();
    // The company's own comments in the clause file survive every change.
    const f = clauseFile(ws, 'letter-closing');
    writeFileSync(f, `# 本公司法务部维护，修改请走审批流程\n${read(f)}`);
  });

  it('new-version appends a draft and prints its number (JSON with --format json)', async () => {
    const f = clauseFile(ws, 'letter-closing');
    const before = read(f);
    writeFileSync(
      path.join(ws, 'closing.md'),
      `\uFEFF${NEW_CLOSING.replace(/\n/g, '\r\n')}\r\n\r\n`,
    );
    const r = tkProcess(
      ws,
      'clauses',
      'new-version',
      'letter-closing',
      '--body-file',
      'closing.md',
      '--author',
      '吴晓岚',
      '--note',
      '写明违约责任',
      '--format',
      'json',
    );
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    expect(JSON.parse(r.out)).toEqual({ id: 'letter-closing', version: 3 });
    const after = read(f);
    // Appended: everything before is byte for byte what it was, comment included.
    expect(after.startsWith(before)).toBe(true);
    const v3 = parse(after).versions.find((v: { version: number }) => v.version === 3);
    expect(v3).toEqual({
      version: 3,
      status: 'draft',
      author: '吴晓岚',
      basedOn: 2,
      note: '写明违约责任',
      body: NEW_CLOSING, // BOM, CRLF and trailing blank lines normalised
    });
    expect(after.slice(before.length)).toContain('    body: |\n      本承诺书自投标截止之日起生效');
    // Plain text: the number alone, for scripts.
    writeFileSync(
      path.join(ws, 'closing2.md'),
      NEW_CLOSING.replace('特此承诺。', '特此郑重承诺。'),
    );
    const t = await tk(
      ws,
      'clauses',
      'new-version',
      'letter-closing',
      '--from',
      '1',
      '--body-file',
      'closing2.md',
      '--author',
      '吴晓岚',
    );
    expect(t.code).toBe(0);
    expect(t.out).toBe('4\n');
    expect(t.err).toContain('已为条款 letter-closing 新增草稿第 4 版（基于第 1 版）');
    expect(parse(read(f)).versions.at(-1)).toMatchObject({ version: 4, basedOn: 1 });
    // The redline of a single version compares it with what it was based on.
    const d = await tk(ws, 'clauses', 'diff', 'letter-closing', '4');
    expect(d.code).toBe(0);
    expect(d.out).toContain('{+郑重+}');
  });

  it('a draft is not used without --drafts', async () => {
    const r = await tk(ws, 'clauses', 'list', '--format', 'json');
    expect(r.code).toBe(0);
    const lc = JSON.parse(r.out).find((c: { id: string }) => c.id === 'letter-closing');
    expect(lc.current).toBe(2);
  });

  it('approve records approver, today and the body hash, keeping the file layout', async () => {
    const f = clauseFile(ws, 'letter-closing');
    const before = read(f);
    const r = tkProcess(
      ws,
      'clauses',
      'approve',
      'letter-closing',
      '3',
      '--by',
      '孟庆和（法务部）',
      '--note',
      '同意',
    );
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    expect(r.out).toContain(`条款 letter-closing 第 3 版已由 孟庆和（法务部） 于 ${today()} 批准`);
    approvedText = read(f);
    const v3 = parse(approvedText).versions.find((v: { version: number }) => v.version === 3);
    expect(v3).toMatchObject({
      status: 'approved',
      approvedBy: '孟庆和（法务部）',
      approvedOn: today(),
      approvalNote: '同意',
      bodySha256: sha(Buffer.from(NEW_CLOSING, 'utf8')),
      body: NEW_CLOSING,
    });
    // Only version 3's block changed: the lines before it are untouched.
    const head = before.slice(0, before.indexOf('  - version: 3'));
    expect(approvedText.startsWith(head)).toBe(true);
    const block = (t: string) =>
      t.slice(t.indexOf('  - version: 3'), t.indexOf('  - version: 4')).split('\n');
    const added = block(approvedText).filter((l) => !block(before).includes(l));
    expect(added).toEqual([
      '    status: approved',
      '    approvedBy: 孟庆和（法务部）',
      `    approvedOn: ${today()}`,
      `    bodySha256: ${sha(NEW_CLOSING)}`,
      '    approvalNote: 同意',
    ]);
    expect(block(before).filter((l) => !block(approvedText).includes(l))).toEqual([
      '    status: draft',
    ]);
    // No temporary file is left beside it.
    expect(readdirSync(path.dirname(f)).filter((n) => n.startsWith('.'))).toEqual([]);
    // A version approved once cannot be approved again.
    const again = await tk(ws, 'clauses', 'approve', 'letter-closing', '3', '--by', '王五');
    expect(again.code).toBe(1);
    expect(again.err).toMatch(
      /letter-closing\.yaml:\d+:\d+：条款“letter-closing”第 3 版已批准，只有草稿可以批准.*\[ClauseChangeRefused\]/,
    );
  });

  it('the build uses the newly approved wording; the manifest records version 3', async () => {
    const r = tkProcess(ws, 'build', 'bids/hospital-his.yaml', '--out', 'out', '--format', 'docx');
    expect(r.err).not.toContain('内部错误');
    expect(r.code).toBe(0);
    const text = squash(
      docxParagraphs(readFileSync(path.join(ws, 'out', '售后服务承诺书.docx'))).join(''),
    );
    expect(text).toContain(squash('我方如未履行本承诺书所列事项，愿按合同约定承担责任'));
    expect(text).not.toContain('对我方具有约束力');
    const manifest = JSON.parse(read(path.join(ws, 'out', 'manifest.json')));
    const letter = manifest.documents.find((d: { id: string }) => d.id === 'commitment-letter');
    expect(letter.clauses).toContainEqual(
      expect.objectContaining({ id: 'letter-closing', version: 3, bodySha256: sha(NEW_CLOSING) }),
    );
    // clauses usage reads the workspace library too.
    const u = await tk(ws, 'clauses', 'usage', 'letter-closing', 'bids');
    expect(u.code).toBe(0);
    expect(u.out).toContain('bids/hospital-his.yaml  第 3 版（售后服务承诺书）');
  });

  it('an approved body edited in the file is refused by build, lint and verify, located', async () => {
    const f = clauseFile(ws, 'letter-closing');
    const tampered = approvedText.replace('愿按合同约定承担责任', '愿协商承担责任');
    expect(tampered).not.toBe(approvedText);
    writeFileSync(f, tampered);
    // The body text of version 3 starts on the line after its `body: |`.
    const lines = tampered.split('\n');
    const v3 = lines.findIndex((l) => l === '  - version: 3');
    const bodyLine = lines.findIndex((l, i) => i > v3 && l === '    body: |') + 2;
    const where = new RegExp(
      String.raw`library/clauses/letter-closing\.yaml:${bodyLine}:7：条款 letter-closing 第 3 版：已批准版本被改动[^\n]*clauses new-version[^\n]*\[ClauseApprovalBroken\]`,
    );
    for (const args of [
      ['build', 'bids/hospital-his.yaml', '--out', 'out2', '--format', 'html'],
      ['lint', 'bids/hospital-his.yaml'],
      ['explain', 'bids/hospital-his.yaml'],
      ['clauses', 'lint'],
      ['clauses', 'list'],
      ['verify', 'out'],
    ]) {
      const r = args[0] === 'build' ? tkProcess(ws, ...args) : await tk(ws, ...args);
      expect(r.code, args.join(' ')).toBe(1);
      expect(r.err, args.join(' ')).toMatch(where);
      expect(r.err).not.toMatch(/\n\s+at |内部错误/);
    }
    expect(readdirSync(ws)).not.toContain('out2');
    // Restoring the approved text byte for byte restores the library.
    writeFileSync(f, approvedText);
    const ok = await tk(ws, 'clauses', 'lint');
    expect(ok.code).toBe(0);
    expect(ok.out).toContain('工作区条款库（library）检查通过');
  });
});

describe('approvals the library refuses', () => {
  let ws: string;
  beforeAll(() => {
    ws = workspace();
  });

  it('refuses self-approval, also with a department added to the name', async () => {
    writeFileSync(path.join(ws, 'b.md'), '我方对服务质量负责。\n');
    const n = await tk(
      ws,
      'clauses',
      'new-version',
      'letter-closing',
      '--body-file',
      'b.md',
      '--author',
      '张三',
    );
    expect(n.code).toBe(0);
    const f = clauseFile(ws, 'letter-closing');
    const before = read(f);
    for (const by of ['张三（法务部）', ' 张 三 ']) {
      const r = await tk(ws, 'clauses', 'approve', 'letter-closing', n.out.trim(), '--by', by);
      expect(r.code).toBe(1);
      expect(r.err).toMatch(
        new RegExp(
          String.raw`letter-closing\.yaml:${lineOf(before, '    author: 张三')}:13：批准人“[^”]+”就是条款“letter-closing”第 3 版的作者：批准人必须是作者以外的人.*\[ClauseApprovalInvalid\]`,
        ),
      );
    }
    expect(read(f)).toBe(before);
  });

  it('refuses a hand-edited approval dated in the future, by the author, or without a hash', async () => {
    const f = clauseFile(ws, 'penalties');
    const orig = read(f);
    // Retired versions keep their approval record, which must be true as well.
    const text = orig
      .replace('approvedOn: 2025-05-12', 'approvedOn: 2999-01-01')
      .replace(
        /(version: 2\n {4}status: retired\n {4}author: 吴晓岚\n {4}approvedBy: )孟庆和（法务部）/,
        '$1吴晓岚',
      )
      .replace(/(version: 4\n {4}status: approved\n(?:.*\n){4}) {4}bodySha256: \w+\n/, '$1');
    writeFileSync(f, text);
    const expected = [
      `penalties\\.yaml:${lineOf(text, 'approvedOn: 2999-01-01')}:17：条款 penalties 第 1 版的批准日期 2999-01-01 晚于今天（${today()}）：不能预先批准`,
      `penalties\\.yaml:${lineOf(text, 'version: 2') + 3}:17：条款 penalties 第 2 版由作者本人（吴晓岚）批准：批准人必须是作者以外的人`,
      `penalties\\.yaml:${lineOf(text, 'version: 4') + 1}:13：条款 penalties 第 4 版标为已批准，但没有批准时记录的正文 SHA-256（bodySha256）`,
    ];
    for (const args of [
      ['clauses', 'lint'],
      ['build', 'bids/hospital-his.yaml', '--format', 'html'],
    ]) {
      const r = await tk(ws, ...args);
      expect(r.code, args.join(' ')).toBe(1);
      for (const e of expected)
        expect(r.err).toMatch(new RegExp(`${e}[^\\n]*\\[ClauseApprovalInvalid\\]`));
    }
    expect(readdirSync(ws)).not.toContain('out');
    writeFileSync(f, orig);
  });

  it('retire records the date and reason; a bid pinning the version then fails', async () => {
    const r = await tk(ws, 'clauses', 'retire', 'letter-closing', '2', '--reason', '改用新措辞');
    expect(r.code).toBe(0);
    expect(r.out).toBe(`条款 letter-closing 第 2 版已于 ${today()} 停用：改用新措辞\n`);
    // Version 1 is still approved, so nothing warns that the clause has no approved version.
    expect(r.err).toBe('');
    const v2 = parse(read(clauseFile(ws, 'letter-closing'))).versions[1];
    expect(v2).toMatchObject({
      status: 'retired',
      retiredOn: today(),
      retiredReason: '改用新措辞',
    });
    const bid = path.join(ws, 'bids', 'hospital-his.yaml');
    writeFileSync(bid, `${read(bid)}clauseVersions:\n  letter-closing: 2\n`);
    const b = await tk(ws, 'lint', 'bids/hospital-his.yaml');
    expect(b.code).toBe(1);
    expect(b.err).toMatch(
      new RegExp(
        String.raw`bids/hospital-his\.yaml:${lineOf(read(bid), 'letter-closing: 2')}:\d+ clauseVersions\.letter-closing[^\n]*条款“letter-closing”第 2 版已停用`,
      ),
    );
    const again = await tk(ws, 'clauses', 'retire', 'letter-closing', '2', '--reason', 'x');
    expect(again.code).toBe(1);
    expect(again.err).toContain('第 2 版已经停用');
    const approve = await tk(ws, 'clauses', 'approve', 'letter-closing', '2', '--by', '王五');
    expect(approve.code).toBe(1);
    expect(approve.err).toContain('已停用，只有草稿可以批准');
  });
});

describe('clauses new', () => {
  let ws: string;
  beforeAll(() => {
    ws = workspace();
  });
  const create = (id: string, body: string | undefined, ...more: string[]) => {
    if (body !== undefined) writeFileSync(path.join(ws, `${id}.md`), body);
    return tk(ws, 'clauses', 'new', id, '--title', '数据安全', '--body-file', `${id}.md`, ...more);
  };

  it('creates a clause whose version 1 is a draft; refuses bad ids, existing ids and bodies lint refuses', async () => {
    const hard = await create(
      'data-security',
      '我方承诺数据安全{{ staff.headcount }}。\n故障发生后2小时内到场，提供7×24服务。\n',
      '--author',
      '张三',
    );
    expect(hard.code).toBe(1);
    expect(hard.err).toMatch(
      /data-security\.md:1:12：条款 data-security 第 1 版引用了投标参数中不存在的字段“staff\.headcount”.*\[ClauseRenderFailed\]/,
    );
    expect(hard.err).toMatch(
      /data-security\.md:2:6：条款 data-security 第 1 版写死了“2小时”.*\[HardCodedValue\]/,
    );
    expect(hard.err).toMatch(/data-security\.md:2:15：条款 data-security 第 1 版写死了“7×24”/);
    const broken = await create(
      'data-security',
      '我方承诺：\n{% if staff.committedCount %}若干人员。\n',
      '--author',
      '张三',
    );
    expect(broken.code).toBe(1);
    expect(broken.err).toMatch(
      /data-security\.md:\d+:\d+：条款 data-security 第 1 版无法解析.*\[ClauseRenderFailed\]/,
    );
    const unguarded = await create(
      'data-security',
      '我方承诺：\n服务人员{{ staff.committedCount }}名。\n',
      '--author',
      '张三',
    );
    expect(unguarded.code).toBe(1);
    expect(unguarded.err).toMatch(
      /data-security\.md:2:5：条款 data-security 第 1 版用示例 [^\n]*minimal\.yaml 渲染失败：表达式 \{\{ staff\.committedCount \}\} 没有取值.*\[ClauseRenderFailed\]/,
    );
    const badId = await create('Data_Security', '我方承诺。\n', '--author', '张三');
    expect(badId.code).toBe(1);
    expect(badId.err).toContain('条款编号“Data_Security”无效');
    const missing = await create('nope', undefined, '--author', '张三');
    expect(missing.code).toBe(1);
    expect(missing.err).toMatch(/nope\.md：无法打开.*\[FileNotFound\]/);
    const usage = await create('data-security', undefined);
    expect(usage.code).toBe(2);
    expect(usage.err).toContain('缺少选项 --author');
    expect(readdirSync(path.join(ws, 'library', 'clauses'))).not.toContain('data-security.yaml');

    const body =
      '我方对项目数据严格保密。\n{% if staff.committedCount %}\n\n服务人员共{{ staff.committedCount }}名。\n{% endif %}\n';
    const ok = await create(
      'data-security',
      body,
      '--author',
      '张三',
      '--description',
      '数据安全承诺',
    );
    expect(ok.err).toBe('');
    expect(ok.code).toBe(0);
    expect(parse(read(clauseFile(ws, 'data-security')))).toEqual({
      id: 'data-security',
      title: '数据安全',
      description: '数据安全承诺',
      versions: [{ version: 1, status: 'draft', author: '张三', note: '初版。', body }],
    });
    const again = await create('data-security', body, '--author', '张三');
    expect(again.code).toBe(1);
    expect(again.err).toContain('条款“data-security”已存在');
    const approve = await tk(ws, 'clauses', 'approve', 'data-security', '1', '--by', '李四');
    expect(approve.code).toBe(0);
    expect(parse(read(clauseFile(ws, 'data-security'))).versions[0]).toMatchObject({
      status: 'approved',
      bodySha256: sha(body),
    });
  });

  it('refuses to change the built-in library outside a workspace', async () => {
    const bare = mkdtempSync(path.join(os.tmpdir(), 'tk-gov-bare-'));
    made.push(bare);
    writeFileSync(path.join(bare, 'b.md'), '我方对服务质量负责。\n');
    for (const args of [
      ['clauses', 'new-version', 'letter-closing', '--body-file', 'b.md', '--author', '张三'],
      ['clauses', 'approve', 'service-staff', '4', '--by', '李四'],
      ['clauses', 'upgrade'],
    ]) {
      const r = await tk(bare, ...args);
      expect(r.code, args.join(' ')).toBe(1);
      expect(r.err).toContain('内置条款库不能修改');
      expect(r.err).toContain('tenderkit init');
      expect(r.err).toContain('[LibraryReadOnly]');
    }
    // Reading commands still work there, on the built-in library.
    const list = await tk(bare, 'clauses', 'list', '--format', 'json');
    expect(list.code).toBe(0);
    expect(JSON.parse(list.out).map((c: { id: string }) => c.id)).toContain('letter-closing');
    // …and on a workspace named with --workspace.
    const ws2 = await tk(bare, 'clauses', 'show', 'data-security', '--workspace', ws);
    expect(ws2.code).toBe(0);
    expect(ws2.out).toContain('data-security 数据安全');
  });
});

describe('clauses upgrade', () => {
  it('imports newer built-in versions as drafts, adds missing clauses, never touches the company versions, and is idempotent', async () => {
    const ws = workspace();
    // An older workspace: warranty-period without the built-in version 3, no quality-confidentiality.
    const wp = clauseFile(ws, 'warranty-period');
    writeFileSync(wp, read(wp).slice(0, read(wp).indexOf('  - version: 3')));
    unlinkSync(clauseFile(ws, 'quality-confidentiality'));
    // The company's own version of response-tiers, approved.
    const rt = clauseFile(ws, 'response-tiers');
    const body = parse(read(rt)).versions.at(-1).body.replace('。', '；我方将认真履行。');
    writeFileSync(path.join(ws, 'rt.md'), body);
    expect(
      (
        await tk(
          ws,
          'clauses',
          'new-version',
          'response-tiers',
          '--body-file',
          'rt.md',
          '--author',
          '张三',
        )
      ).code,
    ).toBe(0);
    expect((await tk(ws, 'clauses', 'approve', 'response-tiers', '4', '--by', '李四')).code).toBe(
      0,
    );
    const before = snapshot(path.join(ws, 'library'));
    const wpBefore = read(wp);

    const r = await tk(ws, 'clauses', 'upgrade');
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    expect(r.out).toBe(
      '新增条款 quality-confidentiality（library/clauses/quality-confidentiality.yaml）：导入内置第 1 版，为草稿第 1 版\n' +
        'warranty-period：导入内置第 3 版，为草稿第 3 版（对照本公司第 2 版：tenderkit clauses diff warranty-period 3）\n' +
        '共导入 2 个草稿，本公司已有的版本均未改动；请法务审阅后用 tenderkit clauses approve 批准。\n',
    );
    const after = snapshot(path.join(ws, 'library'));
    const changed = Object.keys(after).filter((k) => after[k] !== before[k]);
    expect(changed.sort()).toEqual([
      'clauses/quality-confidentiality.yaml',
      'clauses/warranty-period.yaml',
    ]);
    // Appended after the company's versions, which keep their numbers and bytes.
    expect(read(wp).startsWith(wpBefore)).toBe(true);
    const builtin = parse(read(path.join(ROOT, 'clauses', 'warranty-period.yaml'))).versions[2];
    expect(parse(read(wp)).versions[2]).toMatchObject({
      version: 3,
      status: 'draft',
      author: 'TenderKit 内置条款库',
      basedOn: 2,
      upstream: { version: 3 },
      body: builtin.body,
    });
    expect(read(wp)).toContain('    upstream: { version: 3 }\n');
    expect(parse(read(clauseFile(ws, 'quality-confidentiality'))).versions).toEqual([
      expect.objectContaining({ version: 1, status: 'draft', upstream: { version: 1 } }),
    ]);
    // Drafts are not used until approved: the build keeps the company's approved versions.
    const list = JSON.parse((await tk(ws, 'clauses', 'list', '--format', 'json')).out);
    expect(list.find((c: { id: string }) => c.id === 'warranty-period').current).toBe(null);
    expect(list.find((c: { id: string }) => c.id === 'response-tiers').current).toBe(4);

    const again = await tk(ws, 'clauses', 'upgrade');
    expect(again.code).toBe(0);
    expect(again.out).toBe('工作区条款库已包含内置条款库的全部最新版本，无需导入。\n');
    expect(snapshot(path.join(ws, 'library'))).toEqual(after);
    // Approving the imported draft (the built-in author is not the approver) makes it current.
    expect((await tk(ws, 'clauses', 'approve', 'warranty-period', '3', '--by', '李四')).code).toBe(
      0,
    );
  });
});

describe('the package library', () => {
  it('ships every approved version sealed, and is unchanged by everything above', async () => {
    for (const f of readdirSync(path.join(ROOT, 'clauses')).filter((n) => n.endsWith('.yaml'))) {
      for (const v of parse(read(path.join(ROOT, 'clauses', f))).versions) {
        if (v.status !== 'approved') continue;
        expect(v.bodySha256, `${f} v${v.version}`).toBe(sha(Buffer.from(v.body, 'utf8')));
        expect(v.approvedBy).not.toBe(v.author);
        expect(v.approvedOn <= today()).toBe(true);
      }
    }
    expect({
      ...snapshot(path.join(ROOT, 'clauses')),
      ...snapshot(path.join(ROOT, 'templates')),
    }).toEqual(packageBefore);
  });
});
