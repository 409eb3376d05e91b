// The rules an approval must keep, checked wherever a clause file is loaded (build, lint, verify,
// the web server): an approved body is sealed by the SHA-256 recorded when it was approved, the
// approver is not the author, and no approval or retirement is dated in the future.
import { createHash } from 'node:crypto';
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

/**
 * A person's name without a department in brackets, spaces or width differences:
 * `孟庆和（法务部）`, `孟庆和 (法务部)` and `孟庆和` are the same person.
 */
export function personKey(name: string): string {
  return name
    .normalize('NFKC')
    .replace(/\([^)]*\)/g, '')
    .replace(/\s+/g, '')
    .toLowerCase();
}

export function samePerson(a: string, b: string): boolean {
  return personKey(a) === personKey(b);
}

/** Where the body's text starts: the line after `body: |` for a block, else the value itself. */
function bodyStart(source: LoadedYaml, index: number, body: string) {
  const value = source.locate(['versions', index, 'body']);
  if (!body.includes('\n')) return value;
  const key = source.locate(['versions', index, 'body'], { key: true });
  return key.line === undefined ? value : { ...key, line: key.line + 1, col: (key.col ?? 1) + 2 };
}

/**
 * Every broken approval in a clause file: an approved version whose body no longer matches its
 * recorded hash (or has none), an approval by the author, an approval or retirement dated after
 * `today`.
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
    if (v.status === 'approved') {
      if (!v.bodySha256) {
        out.push(
          diagnostic(
            'ClauseApprovalInvalid',
            `${where}标为已批准，但没有批准时记录的正文 SHA-256（bodySha256），无法确认正文未被改动`,
            at('status'),
          ),
        );
      } else {
        const now = bodySha256(v.body);
        if (now !== v.bodySha256)
          out.push(
            diagnostic(
              'ClauseApprovalBroken',
              `${where}：已批准版本被改动（正文的 SHA-256 现为 ${now.slice(0, 12)}…，批准时记录的是 ${v.bodySha256.slice(0, 12)}…）`,
              { location: bodyStart(source, i, v.body) },
            ),
          );
      }
    }
    if (v.approvedBy && v.author && samePerson(v.approvedBy, v.author))
      out.push(
        diagnostic(
          'ClauseApprovalInvalid',
          `${where}由作者本人（${v.author}）批准：批准人必须是作者以外的人`,
          at('approvedBy'),
        ),
      );
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
  return out;
}
