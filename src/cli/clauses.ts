// `tenderkit clauses …`: the clause library as legal reviews and governs it. Reading commands work
// on the workspace's library (or the built-in one); changing commands only on a workspace's.
import path from 'node:path';
import { renderAll, WRITERS, writeFiles } from '../build.js';
import { diagnostic, fail, formatDiagnostic, TenderKitError } from '../diagnostics/diagnostic.js';
import { lintLibrary } from '../library/lint.js';
import { sha256 } from '../provenance/manifest.js';
import { prepareBid } from '../prepare.js';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { MAX_YAML_BYTES } from '../load/yaml-file.js';
import { parse } from 'yaml';
import {
  defaultLibrary,
  libraryAt,
  resolveVersion,
  STATUS_LABELS,
  type Library,
  type LoadedClause,
} from '../library/library.js';
import {
  approveVersion,
  newClause,
  newVersion,
  personOption,
  retireVersion,
  shippedExamples,
  textOption,
  upgradeLibrary,
  writableFolder,
} from '../library/edit.js';
import { todayInChina } from '../library/governance.js';
import {
  discoverWorkspace,
  libraryRootFor,
  shownPath,
  type Workspace,
} from '../workspace/workspace.js';
import { diffBodies, redlineDocument, redlineText } from '../library/redline.js';
import type { ClauseVersion } from '../schema/library.js';
import type { Format } from '../writers/types.js';
import {
  CLAUSES_SUBCOMMANDS,
  parseCommand,
  unknownCommand,
  UsageError,
  type CommandName,
} from './usage.js';

export interface Io {
  out: (s: string) => void;
  err: (s: string) => void;
}

export { UsageError };

/**
 * The clauses folder a changing command may write: the workspace's own, really inside the
 * workspace. The built-in library is read-only (it belongs to the installed package), also when a
 * workspace's folder is a link to it or a mount of it (see writableFolder).
 */
function writableClauses(ws: Workspace | undefined): string {
  if (!ws)
    fail(
      'LibraryReadOnly',
      '当前文件夹不在 TenderKit 工作区中（上级文件夹里都没有 tenderkit.yaml），内置条款库不能修改',
    );
  return writableFolder(path.join(ws.libraryRoot, 'clauses'), ws.root);
}

/** A version number given on the command line. */
function versionArg(raw: string | undefined, what: string, command: string): number {
  const n = Number(raw);
  if (raw === undefined || raw === '')
    throw new UsageError(`请给出${what}，例如：tenderkit ${command}`, command);
  if (!/^\d+$/.test(raw) || !Number.isSafeInteger(n) || n < 1)
    throw new UsageError(`${what}应为正整数，收到“${raw}”`, command);
  return n;
}

/** A required option of a changing command. */
function required(
  value: string | undefined,
  option: string,
  example: string,
  command: string,
): string {
  if (value === undefined)
    throw new UsageError(`缺少选项 --${option}，例如 --${option} ${example}`, command);
  return value;
}

export interface UsageRow {
  readonly file: string;
  /** Version used, or null when no document of the bid includes the clause. */
  readonly version: number | null;
  readonly documents: string[];
  readonly error?: string;
}

/** A tender requirements file (top-level `requirements`, no `tenderee`): not a bid, skipped. */
function isTenderFile(file: string): boolean {
  try {
    // Only a regular file of a bid's size is read (a pipe or device named x.yaml would block).
    const st = statSync(file);
    if (!st.isFile() || st.size > MAX_YAML_BYTES) return false;
    const data: unknown = parse(readFileSync(file, 'utf8'), { maxAliasCount: 100 });
    return (
      data !== null && typeof data === 'object' && 'requirements' in data && !('tenderee' in data)
    );
  } catch {
    return false;
  }
}

/** Which bids in a folder use a clause, and which version: read from the rendered IR. */
export function clauseUsage(
  id: string,
  dir: string,
  library: Library = defaultLibrary(),
): UsageRow[] {
  let files: string[];
  try {
    files = readdirSync(dir)
      .filter((f) => /\.ya?ml$/.test(f))
      .sort();
  } catch {
    fail('FileNotFound', `无法打开文件夹“${dir}”`, { location: { file: dir } });
  }
  const rows: UsageRow[] = [];
  for (const f of files) {
    const file = path.join(dir, f);
    if (isTenderFile(file)) continue;
    try {
      const bid = prepareBid(file, () => {}, { library });
      const docs = renderAll(bid.params, library, bid.extra);
      const hits = docs.flatMap((d) =>
        d.children
          .filter((b) => b.type === 'clause' && b.id === id)
          .map((b) => ({ title: d.meta.title, version: b.type === 'clause' ? b.version : 0 })),
      );
      rows.push({
        file,
        version: hits[0]?.version ?? null,
        documents: [...new Set(hits.map((h) => h.title))],
      });
    } catch (e) {
      if (!(e instanceof TenderKitError)) throw e;
      // A tender requirements file or another YAML file that is not a bid is skipped silently.
      if (e.diagnostics.some((d) => d.name === 'UnknownField' && d.path === 'requirements'))
        continue;
      rows.push({
        file,
        version: null,
        documents: [],
        error: `${e.diagnostics.length} 个问题（${e.diagnostics[0]!.message}）`,
      });
    }
  }
  return rows;
}

function versionJson(v: ClauseVersion, withBody: boolean) {
  return {
    version: v.version,
    status: v.status,
    author: v.author ?? null,
    approvedBy: v.approvedBy ?? null,
    approvedOn: v.approvedOn ?? null,
    reviewBy: v.reviewBy ?? null,
    note: v.note ?? null,
    basedOn: v.basedOn ?? null,
    upstream: v.upstream?.version ?? null,
    approvalNote: v.approvalNote ?? null,
    retiredOn: v.retiredOn ?? null,
    retiredReason: v.retiredReason ?? null,
    bodySha256: sha256(v.body),
    ...(withBody ? { body: v.body } : {}),
  };
}

function clauseOr404(lib: Library, id: string | undefined): LoadedClause {
  if (!id)
    throw new UsageError('请给出条款编号，例如：tenderkit clauses show warranty-period', 'clauses');
  const c = lib.clauses.get(id);
  if (!c) {
    const known = [...lib.clauses.keys()].join('、');
    fail('ClauseNotFound', `没有编号为“${id}”的条款（现有：${known}）`);
  }
  return c;
}

function versionOr404(c: LoadedClause, raw: string | undefined): ClauseVersion {
  const n = Number(raw);
  if (!raw || !Number.isInteger(n)) throw new UsageError(`版本号应为整数，收到“${raw ?? ''}”`);
  const v = c.clause.versions.find((x) => x.version === n);
  if (!v) {
    fail(
      'ClauseVersionUnknown',
      `条款“${c.clause.id}”没有第 ${n} 版（现有：${c.clause.versions.map((x) => x.version).join('、')}）`,
    );
  }
  return v;
}

const line = (v: ClauseVersion) =>
  `第 ${v.version} 版 ${STATUS_LABELS[v.status]}${v.approvedOn ? ` ${v.approvedOn}` : ''}${v.reviewBy ? `（复审 ${v.reviewBy}）` : ''}`;

type ClauseValues = {
  format?: string;
  out?: string;
  workspace?: string;
  title?: string;
  description?: string;
  'body-file'?: string;
  author?: string;
  note?: string;
  from?: string;
  by?: string;
  reason?: string;
};

export async function runClauses(argv: string[], io: Io): Promise<number> {
  const [sub = '', ...rest] = argv;
  if (!(CLAUSES_SUBCOMMANDS as readonly string[]).includes(sub))
    throw unknownCommand(sub, CLAUSES_SUBCOMMANDS, 'clauses');
  const command = `clauses ${sub}` as CommandName;
  // Each sub-command accepts only its own options (see usage.ts).
  const { values, positionals } = parseCommand(command, rest) as {
    values: ClauseValues;
    positionals: string[];
  };
  const json = values.format === 'json';
  if (values.format && !['json', 'text'].includes(values.format))
    throw new UsageError(`--format 只能是 text 或 json，收到“${values.format}”`, command);
  const tooMany = (n: number) => {
    if (positionals.length > n) throw new UsageError(`多余的参数“${positionals[n]}”`, command);
  };
  // `usage` looks for the workspace from the bid folder; every other sub-command from here.
  const ws = discoverWorkspace(
    { workspace: values.workspace, from: sub === 'usage' ? positionals[1] : undefined },
    command,
  );
  const lib = () => libraryAt(libraryRootFor(ws));
  switch (sub) {
    case 'list': {
      const list = [...lib().clauses.values()].map((c) => {
        const current = resolveVersion(c);
        return { c, current: current.ok ? current.version.version : null };
      });
      if (json) {
        const out = list.map(({ c, current }) => ({
          id: c.clause.id,
          title: c.clause.title,
          file: c.file,
          current,
          versions: c.clause.versions.map((v) => versionJson(v, false)),
        }));
        io.out(`${JSON.stringify(out, null, 2)}\n`);
      } else {
        for (const { c, current } of list) {
          io.out(`${c.clause.id.padEnd(24)} ${c.clause.title}（使用第 ${current ?? '—'} 版）\n`);
          for (const v of c.clause.versions)
            io.out(`    ${line(v)}${v.note ? ` — ${v.note}` : ''}\n`);
        }
      }
      return 0;
    }
    case 'show': {
      const c = clauseOr404(lib(), positionals[0]);
      const current = resolveVersion(c);
      const v =
        positionals[1] !== undefined
          ? versionOr404(c, positionals[1])
          : current.ok
            ? current.version
            : c.clause.versions[c.clause.versions.length - 1]!;
      if (json) {
        io.out(
          `${JSON.stringify({ id: c.clause.id, title: c.clause.title, description: c.clause.description ?? null, file: c.file, ...versionJson(v, true) }, null, 2)}\n`,
        );
      } else {
        io.out(`${c.clause.id} ${c.clause.title}\n${line(v)}\n`);
        if (v.author) io.out(`起草：${v.author}${v.approvedBy ? `；批准：${v.approvedBy}` : ''}\n`);
        if (v.basedOn) io.out(`基于：第 ${v.basedOn} 版\n`);
        if (v.upstream) io.out(`来自：内置条款库第 ${v.upstream.version} 版\n`);
        if (v.note) io.out(`说明：${v.note}\n`);
        if (v.approvalNote) io.out(`批准意见：${v.approvalNote}\n`);
        if (v.retiredReason) io.out(`停用原因：${v.retiredReason}\n`);
        io.out(`\n${v.body.trimEnd()}\n`);
      }
      return 0;
    }
    case 'diff': {
      const c = clauseOr404(lib(), positionals[0]);
      // One version: compare it with the version it was written from.
      let [olderArg, newerArg] = [positionals[1], positionals[2]];
      if (olderArg !== undefined && newerArg === undefined) {
        const only = versionOr404(c, olderArg);
        const base = only.basedOn ?? previousVersion(c, only.version);
        if (base === undefined)
          throw new UsageError(
            `条款“${c.clause.id}”第 ${only.version} 版没有可比较的早先版本，请给出两个版本号`,
            command,
          );
        [olderArg, newerArg] = [String(base), olderArg];
      }
      const older = versionOr404(c, olderArg);
      const newer = versionOr404(c, newerArg);
      if (!values.out) {
        io.out(`${redlineText(diffBodies(older.body, newer.body))}\n`);
        return 0;
      }
      const ext = path.extname(values.out).slice(1).toLowerCase();
      if (!(ext in WRITERS))
        throw new UsageError(
          `--out 的扩展名应为 .docx、.pdf 或 .html，收到“${values.out}”`,
          'clauses diff',
        );
      const bytes = await WRITERS[ext as Format].write(redlineDocument(c.clause, older, newer));
      const [written] = writeFiles(path.dirname(values.out), [
        { fileName: path.basename(values.out), bytes },
      ]);
      io.out(`${written}\n`);
      return 0;
    }
    case 'usage': {
      const c = clauseOr404(lib(), positionals[0]);
      const dir = positionals[1];
      if (!dir)
        throw new UsageError(
          '请给出存放投标参数文件的文件夹，例如：tenderkit clauses usage warranty-period bids/',
          'clauses usage',
        );
      const rows = clauseUsage(c.clause.id, dir, lib());
      if (json) io.out(`${JSON.stringify({ id: c.clause.id, bids: rows }, null, 2)}\n`);
      else {
        for (const r of rows) {
          const what = r.error
            ? `无法检查：${r.error}`
            : r.version === null
              ? '未使用'
              : `第 ${r.version} 版（${r.documents.join('、')}）`;
          io.out(`${r.file}  ${what}\n`);
        }
        const by = new Map<number, number>();
        for (const r of rows)
          if (r.version !== null) by.set(r.version, (by.get(r.version) ?? 0) + 1);
        io.out(
          `共 ${rows.length} 份投标参数文件；${[...by].map(([v, n]) => `第 ${v} 版 ${n} 份`).join('，') || '均未使用该条款'}\n`,
        );
      }
      return 0;
    }
    case 'lint': {
      tooMany(0);
      const library = lib();
      const found = lintLibrary(library, { today: todayInChina(), bids: shippedExamples() });
      const errors = found.filter((d) => d.severity === 'error');
      for (const d of found) io.err(`${formatDiagnostic(d)}\n`);
      if (errors.length) {
        io.err(`共 ${errors.length} 个错误。\n`);
        return 1;
      }
      const n = library.clauses.size;
      const where = ws ? `工作区条款库（${shownPath(ws.libraryRoot)}）` : '条款库';
      io.out(`${where}检查通过：${n} 个条款${found.length ? `，${found.length} 个警告` : ''}\n`);
      return 0;
    }
    case 'new': {
      tooMany(1);
      const id = positionals[0];
      if (!id)
        throw new UsageError(
          '请给出新条款的编号，例如：tenderkit clauses new data-security --title 数据安全 --body-file 正文.md --author 张三',
          command,
        );
      const title = textOption(required(values.title, 'title', '数据安全', command), 'title', 40);
      const bodyFile = required(values['body-file'], 'body-file', '正文.md', command);
      const author = personOption(required(values.author, 'author', '张三', command), 'author', 60);
      const description =
        values.description === undefined
          ? undefined
          : textOption(values.description, 'description', 200);
      const note = values.note === undefined ? undefined : textOption(values.note, 'note', 500);
      const dir = writableClauses(ws);
      const file = newClause(dir, id, {
        title,
        bodyFile,
        author,
        ...(description ? { description } : {}),
        ...(note ? { note } : {}),
      });
      if (json) io.out(`${JSON.stringify({ id, version: 1, file: shownPath(file) })}\n`);
      else
        io.out(
          `已新建条款 ${id}（${shownPath(file)}），第 1 版为草稿。请由作者以外的人批准：tenderkit clauses approve ${id} 1 --by 姓名\n`,
        );
      return 0;
    }
    case 'new-version': {
      tooMany(1);
      const id = positionals[0];
      if (!id)
        throw new UsageError(
          '请给出条款编号，例如：tenderkit clauses new-version warranty-period --body-file 正文.md --author 张三',
          command,
        );
      const from =
        values.from === undefined ? undefined : versionArg(values.from, '--from 的版本号', command);
      const bodyFile = required(values['body-file'], 'body-file', '正文.md', command);
      const author = personOption(required(values.author, 'author', '张三', command), 'author', 60);
      const note = values.note === undefined ? undefined : textOption(values.note, 'note', 500);
      const dir = writableClauses(ws);
      const r = newVersion(dir, id, {
        bodyFile,
        author,
        ...(from ? { from } : {}),
        ...(note ? { note } : {}),
      });
      if (json) io.out(`${JSON.stringify({ id, version: r.version })}\n`);
      else {
        io.out(`${r.version}\n`);
        io.err(
          `已为条款 ${id} 新增草稿第 ${r.version} 版${r.basedOn ? `（基于第 ${r.basedOn} 版）` : ''}：${shownPath(r.file)}。对照修改：tenderkit clauses diff ${id} ${r.version}；批准：tenderkit clauses approve ${id} ${r.version} --by 姓名\n`,
        );
      }
      return 0;
    }
    case 'approve': {
      tooMany(2);
      const id = positionals[0];
      if (!id)
        throw new UsageError(
          '请给出条款编号和版本号，例如：tenderkit clauses approve warranty-period 4 --by 李四',
          command,
        );
      const n = versionArg(positionals[1], '版本号', `clauses approve ${id} 4 --by 李四`);
      const by = personOption(required(values.by, 'by', '李四', command), 'by', 60);
      const note = values.note === undefined ? undefined : textOption(values.note, 'note', 500);
      const dir = writableClauses(ws);
      const r = approveVersion(dir, id, n, { by, ...(note ? { note } : {}) });
      io.out(
        `条款 ${id} 第 ${n} 版已由 ${by} 于 ${r.approvedOn} 批准（正文 SHA-256：${r.bodySha256}）；此后投标默认使用该版本，正文不得再改动\n`,
      );
      if (r.title?.before !== undefined)
        io.out(`标题由“${r.title.before}”改为“${r.title.now}”，随本次批准生效\n`);
      return 0;
    }
    case 'retire': {
      tooMany(2);
      const id = positionals[0];
      if (!id)
        throw new UsageError(
          '请给出条款编号和版本号，例如：tenderkit clauses retire warranty-period 3 --reason 已由第 4 版取代',
          command,
        );
      const n = versionArg(positionals[1], '版本号', `clauses retire ${id} 3 --reason 理由`);
      const reason = textOption(
        required(values.reason, 'reason', '已由新版本取代', command),
        'reason',
        500,
      );
      const dir = writableClauses(ws);
      const r = retireVersion(dir, id, n, { reason });
      io.out(`条款 ${id} 第 ${n} 版已于 ${r.retiredOn} 停用：${reason}\n`);
      if (r.stillApproved === undefined)
        io.err(
          `${formatDiagnostic(diagnostic('ClauseNoApprovedVersion', `条款 ${id} 已没有已批准的版本，用到它的文件将无法生成`, { severity: 'warning', location: { file: shownPath(r.file) } }))}\n`,
        );
      return 0;
    }
    case 'upgrade': {
      tooMany(0);
      const dir = writableClauses(ws);
      const steps = upgradeLibrary(dir, defaultLibrary());
      if (json) {
        io.out(
          `${JSON.stringify(
            steps.map((s) => ({ ...s, file: shownPath(s.file) })),
            null,
            2,
          )}\n`,
        );
        return 0;
      }
      for (const s of steps)
        io.out(
          s.created
            ? `新增条款 ${s.id}（${shownPath(s.file)}）：导入内置第 ${s.upstream} 版，为草稿第 ${s.version} 版\n`
            : `${s.id}：导入内置第 ${s.upstream} 版，为草稿第 ${s.version} 版${s.basedOn ? `（对照本公司第 ${s.basedOn} 版：tenderkit clauses diff ${s.id} ${s.version}）` : ''}\n`,
        );
      io.out(
        steps.length
          ? `共导入 ${steps.length} 个草稿，本公司已有的版本均未改动；请法务审阅后用 tenderkit clauses approve 批准。\n`
          : '工作区条款库已包含内置条款库的全部最新版本，无需导入。\n',
      );
      return 0;
    }
    default:
      throw unknownCommand(sub, CLAUSES_SUBCOMMANDS, 'clauses');
  }
}

/** The highest version number below `n`. */
function previousVersion(c: LoadedClause, n: number): number | undefined {
  return c.clause.versions
    .map((v) => v.version)
    .filter((x) => x < n)
    .sort((a, b) => b - a)[0];
}
