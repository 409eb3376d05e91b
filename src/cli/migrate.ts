// `tenderkit migrate <bid.yaml> [--out FILE] [--dry-run]`: rewrites a version-1 bid file as
// version 2, lists every old default now written out and everything it could not convert, then
// checks the result with the version-2 loader.
import {
  closeSync,
  fsyncSync,
  openSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  writeSync,
} from 'node:fs';
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { diagnostic, formatDiagnostic, TenderKitError } from '../diagnostics/diagnostic.js';
import { loadBidFile, loadBidText, type BidResult } from '../load/bid.js';
import { readYamlFile } from '../load/yaml-file.js';
import { migrateV1ToV2, type Note } from '../migrate/v1-to-v2.js';
import type { Io } from './clauses.js';
import { parseCommand, UsageError } from './usage.js';

/** Writes `text` to `dest` atomically: a temporary file in the same folder, fsync, rename. */
function writeAtomic(dest: string, text: string, mode: number | undefined): void {
  const dir = path.dirname(path.resolve(dest));
  const tmp = path.join(dir, `.${path.basename(dest)}.${randomBytes(6).toString('hex')}.tmp`);
  try {
    const fd = openSync(tmp, 'wx', mode ?? 0o644);
    try {
      writeSync(fd, text);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(tmp, dest);
  } catch (e) {
    rmSync(tmp, { force: true });
    const code = (e as NodeJS.ErrnoException).code;
    throw new TenderKitError([
      diagnostic('OutputFailed', `无法写入“${dest}”（${code ?? (e as Error).message}）`, {
        location: { file: dest },
      }),
    ]);
  }
  try {
    const dfd = openSync(dir, 'r');
    try {
      fsyncSync(dfd);
    } finally {
      closeSync(dfd);
    }
  } catch {
    // Some file systems cannot fsync a directory; the rename itself has happened.
  }
}

function printNotes(io: Io, file: string, title: string, notes: readonly Note[]): void {
  io.err(`${title}：${notes.length ? `共 ${notes.length} 项` : '无'}\n`);
  for (const n of notes) io.err(`  ${file}:${n.line} ${n.path}：${n.message}\n`);
}

export function runMigrate(args: string[], io: Io): number {
  const { values, positionals } = parseCommand('migrate', args);
  if (positionals.length !== 1)
    throw new UsageError(
      'migrate 需要且只需要一个投标参数文件，例如：tenderkit migrate bid.yaml',
      'migrate',
    );
  if (values.out !== undefined && values['dry-run'])
    throw new UsageError('--dry-run 不写任何文件，不能与 --out 同时使用', 'migrate');
  const file = positionals[0]!;

  // File problems (missing, too large, not UTF-8, bad YAML) are reported like everywhere else.
  const read = readYamlFile(file);
  if (!read.ok) throw new TenderKitError(read.diagnostics);
  const source = readFileSync(file, 'utf8');
  const result = migrateV1ToV2(source, file);

  const dryRun = Boolean(values['dry-run']);
  if (result.upToDate) {
    // With --dry-run, standard output carries only YAML.
    (dryRun ? io.err : io.out)(
      `${file} 已是第 2 版格式（version: 2），无需转换，未改动任何文件。\n`,
    );
    return 0;
  }

  const dest = values.out ?? file;
  let check: BidResult;
  if (dryRun) {
    io.out(result.text);
    check = loadBidText(result.text, file);
  } else {
    let mode: number | undefined;
    try {
      mode = statSync(dest).mode & 0o777;
    } catch {
      mode = statSync(file).mode & 0o777;
    }
    writeAtomic(dest, result.text, mode);
    io.out(`${dest}\n`);
    check = loadBidFile(dest);
  }

  const shownAs = dryRun ? file : dest;
  io.err(
    dryRun
      ? `${file}：第 1 版 → 第 2 版（试运行，未写任何文件；下列行号指上面打印的内容）\n`
      : `${dest}：已从第 1 版转换为第 2 版\n`,
  );
  printNotes(
    io,
    shownAs,
    '已写明（旧版默认承诺，现写入文件，请逐条核对，不需要的请删除）',
    result.explicit,
  );
  printNotes(io, shownAs, '无法转换（请手工处理）', result.unmapped);
  printNotes(
    io,
    shownAs,
    '措辞变化（第 1 版文件中有、第 2 版条款改写或不再写的句子，请核对）',
    result.wording,
  );

  if (!check.ok) {
    io.err(`转换结果还不是有效的第 2 版投标参数文件：\n`);
    for (const d of check.diagnostics) io.err(`${formatDiagnostic(d)}\n`);
    io.err(
      `共 ${check.diagnostics.length} 个问题；${dryRun ? '' : '文件已写出，'}请按提示修改后运行 tenderkit lint 检查。\n`,
    );
    return 1;
  }
  for (const w of check.bid.warnings) io.err(`${formatDiagnostic(w)}\n`);
  io.err(
    `转换结果通过第 2 版检查${check.bid.warnings.length ? `（${check.bid.warnings.length} 个警告）` : ''}。请逐条核对上面“已写明”的承诺。\n`,
  );
  return 0;
}
