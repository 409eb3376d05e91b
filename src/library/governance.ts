// The rules an approval must keep, checked wherever a clause file is loaded (build, lint, verify,
// the web server) and before every change the `clauses` commands make: an approved body is sealed
// by the SHA-256 recorded when it was approved (a retired version that carries one must still match
// it), the clause's title by the title recorded with the approval, the approver is not the author,
// and no approval or retirement is dated in the future.
//
// The seal is a plain SHA-256 of the text: it catches accidental and casual edits. Whoever can edit
// the files can also write a new hash by hand; `tenderkit verify` against an earlier build and the
// version-control history of the workspace are the defences against that.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import HKVariantsRev from 'opencc-js/dict/HKVariantsRev';
import TSCharacters from 'opencc-js/dict/TSCharacters';
import TWVariantsRev from 'opencc-js/dict/TWVariantsRev';
import { diagnostic, type Diagnostic } from '../diagnostics/diagnostic.js';
import type { LoadedYaml } from '../load/yaml-file.js';
import type { ClauseFile } from '../schema/library.js';

/** Today's date in China Standard Time (UTC+8, no daylight saving), `YYYY-MM-DD`. */
export function todayInChina(now: number = Date.now()): string {
  return new Date(now + 8 * 3600_000).toISOString().slice(0, 10);
}

/** SHA-256 (hex) of a body's exact text as UTF-8: what `clauses approve` records as the seal. */
export function bodySha256(body: string): string {
  return createHash('sha256').update(body, 'utf8').digest('hex');
}

// --- who is the same person --------------------------------------------------------------------

/** Characters that show nothing: format characters, variation selectors, fillers, soft hyphens. */
const INVISIBLE = /[\p{Default_Ignorable_Code_Point}\p{Cf}]/gu;
/** A bracketed part, of any bracket kind, up to its closing bracket or the end of the name. */
const BRACKETED = /\p{Ps}[^\p{Pe}]*(?:\p{Pe}|$)/gu;
/** A word that names a department or a role rather than a person. */
const DEPARTMENT =
  /(?:部门?|处|办(?:公室)?|室|中心|委员会|公司|集团|事务所|团队|小组|法务|法律顾问|律师)$|^(?:legal|dept|department|team|office|counsel)$/iu;

/** The name as it shows: compatibility forms folded (NFKC), invisible characters and marks dropped. */
function visibleName(name: string): string {
  return name.normalize('NFKD').replace(INVISIBLE, '').replace(/\p{M}/gu, '').normalize('NFKC');
}

/**
 * A name written in common CJK ideographs (U+4E00–U+9FA5: no compatibility forms, marks or
 * invisible characters), perhaps followed by a bracketed part in them (`孟庆和（法务部）`): it shows
 * letters, and its personKey is the name before the brackets, read without the regular expressions
 * below (their Unicode classes take milliseconds to compile, on every load of the library).
 */
const PLAIN_HAN = /^([\u4e00-\u9fa5]+)(?:[（(][\u4e00-\u9fa5]*[）)])?$/;

/** True when a name shows at least one letter (a zero-width space or a blank is no name). */
export function hasVisibleName(name: string): boolean {
  return PLAIN_HAN.test(name) || /\p{L}/u.test(visibleName(name));
}

/** A name for a message: invisible characters written as <U+200B>, so the reader sees them. */
export function shownName(name: string): string {
  return name.replace(
    INVISIBLE,
    (c) => `<U+${c.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')}>`,
  );
}

/**
 * A person's name without what does not tell people apart: width and compatibility forms, invisible
 * characters, marks, bracketed parts of any kind (`（法务部）`, `【法务部】`, an unclosed `(法务部`),
 * department words written before or after the name (`法务部 孟庆和`), spaces, punctuation and case.
 */
export function personKey(name: string): string {
  const plain = PLAIN_HAN.exec(name);
  if (plain) return plain[1]!;
  const visible = visibleName(name);
  const unbracketed = visible.replace(BRACKETED, ' ');
  // A name written wholly in brackets is still a name.
  const base = /\p{L}/u.test(unbracketed) ? unbracketed : visible;
  const words = base.split(/[^\p{L}\p{N}]+/u).filter(Boolean);
  const named = words.filter((w) => !DEPARTMENT.test(w));
  return (named.length ? named : words).join('').toLowerCase();
}

/** The replacement a dictionary ("繁 简|…", one character per key) gives `c`, if any. */
function lookUp(dict: string, c: string): string | undefined {
  // Looked up in the text itself: no table is built for the few characters of two names.
  for (let i = dict.indexOf(`${c} `); i !== -1; i = dict.indexOf(`${c} `, i + 1)) {
    if (i !== 0 && dict[i - 1] !== '|') continue;
    const from = i + c.length + 1;
    const end = dict.indexOf('|', from);
    return dict.slice(from, end === -1 ? undefined : end).split(' ')[0];
  }
  return undefined;
}

/**
 * Traditional characters as simplified ones (張 → 张), character by character, with OpenCC's
 * dictionaries (Taiwan and Hong Kong variants first, then traditional → simplified).
 */
export function simplifiedChinese(text: string): string {
  if (!/\p{Script=Han}/u.test(text)) return text;
  return [...text]
    .map((c) => {
      const v = lookUp(TWVariantsRev, c) ?? lookUp(HKVariantsRev, c) ?? c;
      return lookUp(TSCharacters, v) ?? v;
    })
    .join('');
}

/**
 * Whether two names may be the same person: `same` when they are equal once normalised (see
 * personKey, traditional characters read as simplified), `contains` when one normalised name
 * contains the other (`张三` and `法务部张三`, but also `张三` and `张三丰`: an approval is refused
 * when in doubt). Undefined when they are plainly different, or either shows no letter.
 */
export function personMatch(a: string, b: string): 'same' | 'contains' | undefined {
  // Every clause file of a library names the same few people: each pair is compared once.
  const pair = JSON.stringify([a, b]);
  if (matches.has(pair)) return matches.get(pair);
  if (matches.size >= 1000) matches.clear();
  const m = matchNames(a, b);
  matches.set(pair, m);
  return m;
}

const matches = new Map<string, 'same' | 'contains' | undefined>();

function matchNames(a: string, b: string): 'same' | 'contains' | undefined {
  const compare = (x: string, y: string) =>
    x === y ? 'same' : x.includes(y) || y.includes(x) ? 'contains' : undefined;
  const [ka, kb] = [personKey(a), personKey(b)];
  if (!ka || !kb) return undefined;
  return compare(ka, kb) ?? compare(simplifiedChinese(ka), simplifiedChinese(kb));
}

export function samePerson(a: string, b: string): boolean {
  return personMatch(a, b) !== undefined;
}

// --- the checks ----------------------------------------------------------------------------------

/**
 * Where the body's text starts in the file: the line after `body: |` for a block scalar, else the
 * value itself (a quoted or plain scalar starts on the key's line, whatever its text holds).
 */
export function bodyStart(source: LoadedYaml, index: number, body: string) {
  const value = source.locate(['versions', index, 'body']);
  const key = source.locate(['versions', index, 'body'], { key: true });
  if (key.line === undefined || value.line === undefined) return value;
  const block = isBlockScalar(source.file, value.line, value.col ?? 1) ?? body.includes('\n');
  return block ? { ...key, line: key.line + 1, col: (key.col ?? 1) + 2 } : value;
}

/** Whether the value at `line:col` of `file` is a block scalar (`|` or `>`); undefined if unknown. */
function isBlockScalar(file: string, line: number, col: number): boolean | undefined {
  try {
    const text = readFileSync(file, 'utf8').split(/\r\n|\r|\n/)[line - 1];
    if (text === undefined) return undefined;
    return /^(?:&\S+\s+)?[|>]/.test(text.slice(col - 1));
  } catch {
    return undefined;
  }
}

/**
 * Every broken approval in a clause file: a sealed body that no longer matches its recorded hash
 * (approved or retired), an approved version without a hash or without an author, an approver with
 * no visible name or who is the author under another spelling, an approval or retirement dated
 * after `today`, and a title changed since the approval of the version in use (ClauseTitleChanged).
 */
export function approvalProblems(
  clause: ClauseFile,
  source: LoadedYaml,
  today: string,
): Diagnostic[] {
  const out: Diagnostic[] = [];
  clause.versions.forEach((v, i) => {
    const where = `条款 ${clause.id} 第 ${v.version} 版`;
    const at = (key: string) => ({ location: source.locate(['versions', i, key]) });
    if (v.status === 'approved' && !v.bodySha256)
      out.push(
        diagnostic(
          'ClauseApprovalInvalid',
          `${where}标为已批准，但没有批准时记录的正文 SHA-256（bodySha256），无法确认正文未被改动`,
          at('status'),
        ),
      );
    if (v.bodySha256) {
      const now = bodySha256(v.body);
      if (now !== v.bodySha256)
        out.push(
          diagnostic(
            'ClauseApprovalBroken',
            `${where}：已批准版本被改动（正文的 SHA-256 现为 ${now.slice(0, 12)}…，批准时记录的是 ${v.bodySha256.slice(0, 12)}…）${v.status === 'retired' ? '；停用的版本也不得改动' : ''}`,
            { location: bodyStart(source, i, v.body) },
          ),
        );
    }
    if (v.status === 'approved' && !v.author)
      out.push(
        diagnostic(
          'ClauseApprovalInvalid',
          `${where}标为已批准，但没有写明作者（author），无法确认批准人不是作者本人`,
          at('status'),
        ),
      );
    if (v.approvedBy !== undefined && !hasVisibleName(v.approvedBy))
      out.push(
        diagnostic(
          'ClauseApprovalInvalid',
          `${where}的批准人“${shownName(v.approvedBy)}”没有可见的文字：批准人须写明姓名`,
          at('approvedBy'),
        ),
      );
    else if (v.approvedBy && v.author) {
      const match = personMatch(v.approvedBy, v.author);
      if (match)
        out.push(
          diagnostic(
            'ClauseApprovalInvalid',
            match === 'same'
              ? `${where}由作者本人（${shownName(v.author)}）批准：批准人必须是作者以外的人`
              : `${where}的批准人“${shownName(v.approvedBy)}”与作者“${shownName(v.author)}”姓名相同或相互包含，视为作者本人批准：批准人必须是作者以外的人`,
            at('approvedBy'),
          ),
        );
    }
    if (v.approvedOn && v.approvedOn > today)
      out.push(
        diagnostic(
          'ClauseApprovalInvalid',
          `${where}的批准日期 ${v.approvedOn} 晚于今天（${today}）：不能预先批准`,
          at('approvedOn'),
        ),
      );
    if (v.retiredOn && v.retiredOn > today)
      out.push(
        diagnostic(
          'ClauseApprovalInvalid',
          `${where}的停用日期 ${v.retiredOn} 晚于今天（${today}）`,
          at('retiredOn'),
        ),
      );
    if (v.retiredOn && v.approvedOn && v.retiredOn < v.approvedOn)
      out.push(
        diagnostic(
          'ClauseApprovalInvalid',
          `${where}的停用日期 ${v.retiredOn} 早于批准日期 ${v.approvedOn}`,
          at('retiredOn'),
        ),
      );
  });
  const inUse = clause.versions.some((v) => v.status === 'approved');
  if (inUse && clause.approvedTitle !== undefined && clause.approvedTitle !== clause.title)
    out.push(
      diagnostic(
        'ClauseTitleChanged',
        `条款 ${clause.id} 的标题被改为“${clause.title}”，与批准时记录的“${clause.approvedTitle}”（approvedTitle）不同：标题的改动须经批准`,
        { location: source.locate(['title']) },
      ),
    );
  return out;
}
