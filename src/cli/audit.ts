// `tenderkit audit verify --data DIR`: checks the audit log's hash chain line by line; the first
// entry that does not check out is named by its line number (exit 1).
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { AUDIT_FILE, checkChain } from '../audit/log.js';
import { diagnostic, fail, TenderKitError } from '../diagnostics/diagnostic.js';
import type { Io } from './clauses.js';
import { AUDIT_SUBCOMMANDS, parseCommand, unknownCommand, UsageError } from './usage.js';

export async function runAudit(args: string[], io: Io): Promise<number> {
  const [sub = '', ...rest] = args;
  if (!(AUDIT_SUBCOMMANDS as readonly string[]).includes(sub))
    throw unknownCommand(sub, AUDIT_SUBCOMMANDS, 'audit');
  const { values, positionals } = parseCommand('audit verify', rest);
  if (positionals.length)
    throw new UsageError('audit verify 不接受文件参数，用 --data 指定数据目录', 'audit verify');
  const file = path.join(values.data ?? 'data', AUDIT_FILE);
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') fail('AuditLogMissing', `没有审计日志“${file}”`);
    fail('AuditLogMissing', `无法读取审计日志“${file}”（${code ?? '未知原因'}）`);
  }
  const r = checkChain(text);
  if (!r.ok)
    throw new TenderKitError([
      diagnostic('AuditLogBroken', `第 ${r.line} 条记录（共 ${r.count} 行）：${r.reason}`, {
        location: { file, line: r.line, col: 1 },
      }),
    ]);
  io.out(
    `审计日志完好：${file} 共 ${r.count} 条记录，哈希链完整。\n` +
      `最后一条记录的哈希：${r.head}\n` +
      '（请把这个哈希另行记下：日志末尾的记录被整条删去时，只有与它比对才能发现。）\n',
  );
  return 0;
}
