import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { formatDiagnostic, TenderKitError } from '../diagnostics/diagnostic.js';
import { ROOT } from '../../test/helpers.js';
import {
  bodySha256,
  hasVisibleName,
  personKey,
  personMatch,
  samePerson,
  simplifiedChinese,
  todayInChina,
} from './governance.js';
import { loadLibrary } from './library.js';

const roots: string[] = [];
afterAll(() => roots.forEach((r) => rmSync(r, { recursive: true, force: true })));

/** A copy of the shipped library with one clause file rewritten. */
function libraryWith(id: string, edit: (text: string) => string): string {
  const root = mkdtempSync(path.join(os.tmpdir(), 'tk-seal-'));
  roots.push(root);
  cpSync(path.join(ROOT, 'clauses'), path.join(root, 'clauses'), { recursive: true });
  cpSync(path.join(ROOT, 'templates'), path.join(root, 'templates'), { recursive: true });
  const f = path.join(root, 'clauses', `${id}.yaml`);
  writeFileSync(f, edit(readFileSync(f, 'utf8')));
  return root;
}

function problems(root: string): string[] {
  try {
    loadLibrary(root);
  } catch (e) {
    if (!(e instanceof TenderKitError)) throw e;
    return e.diagnostics.map(formatDiagnostic);
  }
  return [];
}

describe('approval rules', () => {
  it('dates approvals in China Standard Time', () => {
    expect(todayInChina(Date.UTC(2026, 10, 22, 15, 59))).toBe('2026-11-22');
    expect(todayInChina(Date.UTC(2026, 10, 22, 16, 0))).toBe('2026-11-23');
  });

  it('knows a person with or without a department, spacing or full-width brackets', () => {
    expect(samePerson('孟庆和（法务部）', '孟庆和')).toBe(true);
    expect(samePerson('孟庆和 (法务部)', ' 孟 庆和')).toBe(true);
    expect(samePerson('Wu Xiaolan', 'wu xiaolan')).toBe(true);
    expect(samePerson('孟庆和', '吴晓岚')).toBe(false);
  });

  it('sees through disguised names: invisible characters, other brackets, departments, traditional characters', () => {
    const author = '张三';
    for (const disguised of [
      '张\u200b三', // zero-width space
      '张三\u2060', // word joiner
      '张\u00ad三', // soft hyphen
      '张三\ufe0f', // variation selector
      '张\u{e0101}三', // variation selector supplement
      '\u3164张三', // Hangul filler
      '张三【法务部】',
      '张三[法务部]',
      '张三〔法务部〕',
      '张三〖法务〗',
      '张三“(法务部”', // an unclosed bracket
      '张三（法务部',
      '法务部 张三',
      '张三 法务部',
      '张三-法务部',
      '張三', // traditional characters
      '張三（法務部）',
    ])
      expect(personMatch(disguised, author), JSON.stringify(disguised)).toBe('same');
    expect(personMatch('吳曉嵐', '吴晓岚')).toBe('same');
    expect(personMatch('ＺＨＡＮＧ San', 'zhang san'), 'full-width Latin letters').toBe('same');
    expect(personMatch('José', 'JOSE')).toBe('same');
    expect(personMatch('【张三】', '张三'), 'a name written wholly in brackets').toBe('same');
    expect(personKey('孟庆和（法务部）')).toBe('孟庆和');
  });

  it('refuses when in doubt: one name containing the other counts as the same person', () => {
    expect(personMatch('法务部张三', '张三')).toBe('contains');
    expect(personMatch('张三', '张三丰')).toBe('contains');
    expect(personMatch('張三丰', '张三')).toBe('contains');
    // …and tells different people apart.
    expect(personMatch('孟庆和（法务部）', '吴晓岚')).toBeUndefined();
    expect(personMatch('李四', '张三')).toBeUndefined();
    expect(personMatch('孟庆和', 'TenderKit 内置条款库')).toBeUndefined();
    expect(personMatch('王五', '王六')).toBeUndefined();
  });

  it('knows a name that shows no letter', () => {
    for (const blank of [
      '\u200b',
      '\u2060\u200d',
      '\u3164',
      '\u00ad',
      '…',
      '（）',
      '123',
      '\ufe0f',
    ])
      expect(hasVisibleName(blank), JSON.stringify(blank)).toBe(false);
    for (const name of ['张三', 'Li Si', '孟庆和（法务部）', '法务部'])
      expect(hasVisibleName(name), name).toBe(true);
    expect(personMatch('\u200b', '\u200b')).toBeUndefined();
  });

  it('reads traditional characters as simplified with OpenCC’s dictionaries', () => {
    expect(simplifiedChinese('孟慶和 吳曉嵐 鍾 裡')).toBe('孟庆和 吴晓岚 钟 里');
    expect(simplifiedChinese('Li Si')).toBe('Li Si');
  });

  it('hashes the exact UTF-8 text of a body', () => {
    // The same value as `printf '特此承诺。\n' | sha256sum`.
    expect(bodySha256('特此承诺。\n')).toBe(
      '2e3bab9b225bc8635289f53415ef97bedd7679c175a22a29cf7650612fdc7682',
    );
    expect(bodySha256('特此承诺。\n')).not.toBe(bodySha256('特此承诺。'));
  });
});

describe('the seal on loading a library (build, lint, verify and the web server all load it so)', () => {
  it('refuses an approved body that changed by one character, at the body', () => {
    const root = libraryWith('letter-closing', (t) =>
      t.replace('对我方具有约束力。', '对我方具有约束力！'),
    );
    const found = problems(root);
    expect(found).toHaveLength(1);
    const text = readFileSync(path.join(root, 'clauses', 'letter-closing.yaml'), 'utf8').split(
      '\n',
    );
    const line = text.findIndex((l) => l.includes('对我方具有约束力！')) + 1;
    expect(found[0]).toMatch(
      new RegExp(
        String.raw`clauses/letter-closing\.yaml:${line}:7：条款 letter-closing 第 2 版：已批准版本被改动（正文的 SHA-256 现为 [0-9a-f]{12}…，批准时记录的是 d13c530b0ee8…）。已批准的版本不得修改.*\[ClauseApprovalBroken\]$`,
      ),
    );
  });

  it('refuses approval records on a draft and a basedOn that is not an earlier version', () => {
    const root = libraryWith('service-staff', (t) =>
      t.replace(
        /( {2}- version: 4\n {4}status: draft\n {4}author: 吴晓岚\n)/,
        '$1    approvedBy: 孟庆和\n    basedOn: 9\n',
      ),
    );
    const found = problems(root).join('\n');
    expect(found).toMatch(
      /service-staff\.yaml:\d+:\d+ versions\[3\]\.approvedBy[^\n]*草稿不应有批准记录/,
    );
    expect(found).toMatch(
      /service-staff\.yaml:\d+:\d+ versions\[3\]\.basedOn[^\n]*basedOn 应为本条款中更早的一个版本号/,
    );
  });

  it('refuses a title changed since the approval of the version in use, at the title', () => {
    const root = libraryWith('letter-closing', (t) =>
      t.replace(/^title: .*$/m, 'title: 承诺书结束语（我方不承担责任）'),
    );
    expect(problems(root)).toEqual([
      expect.stringMatching(
        /clauses\/letter-closing\.yaml:2:8：条款 letter-closing 的标题被改为“承诺书结束语（我方不承担责任）”，与批准时记录的“承诺书结束语”（approvedTitle）不同.*\[ClauseTitleChanged\]$/,
      ),
    ]);
    // A file approved before titles were recorded has no record to compare with.
    const legacy = libraryWith('letter-closing', (t) =>
      t.replace(/^approvedTitle: .*\n/m, '').replace(/^title: .*$/m, 'title: 结束语'),
    );
    expect(problems(legacy)).toEqual([]);
  });

  it('ships every clause with an approved version recording its title', () => {
    const lib = loadLibrary(ROOT);
    for (const c of lib.clauses.values())
      if (c.clause.versions.some((v) => v.status === 'approved'))
        expect(c.clause.approvedTitle, c.clause.id).toBe(c.clause.title);
  });

  it('loads the shipped library: every approval sealed, by someone else, not in the future', () => {
    expect(problems(ROOT)).toEqual([]);
  });
});
