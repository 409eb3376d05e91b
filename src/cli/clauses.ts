// `tenderkit clauses list | show | diff`: the clause library as legal reviews it.
import path from 'node:path';
import { renderAll, WRITERS, writeFiles } from '../build.js';
import { fail, formatDiagnostic, TenderKitError } from '../diagnostics/diagnostic.js';
import { lintLibrary } from '../library/lint.js';
import { sha256 } from '../provenance/manifest.js';
import { prepareBid } from '../prepare.js';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { MAX_YAML_BYTES } from '../load/yaml-file.js';
import { parse } from 'yaml';
import {
  defaultLibrary,
  PACKAGE_ROOT,
  resolveVersion,
  STATUS_LABELS,
  type LoadedClause,
} from '../library/library.js';
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

/** Today's date in China Standard Time, `YYYY-MM-DD`. */
function today(): string {
  return new Date(Date.now() + 8 * 3600_000).toISOString().slice(0, 10);
}

/** The examples shipped in examples/, prepared with their tender files. */
function shippedExamples() {
  const dir = path.join(PACKAGE_ROOT, 'examples');
  return readdirSync(dir)
    .filter((f) => f.endsWith('.yaml') && !f.endsWith('-tender.yaml'))
    .sort()
    .map((f) => ({ name: f, bid: prepareBid(path.join(dir, f), () => {}) }));
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
export function clauseUsage(id: string, dir: string): UsageRow[] {
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
      const bid = prepareBid(file, () => {});
      const docs = renderAll(bid.params, undefined, bid.extra);
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
    bodySha256: sha256(v.body),
    ...(withBody ? { body: v.body } : {}),
  };
}

function clauseOr404(id: string | undefined): LoadedClause {
  if (!id)
    throw new UsageError('请给出条款编号，例如：tenderkit clauses show warranty-period', 'clauses');
  const c = defaultLibrary().clauses.get(id);
  if (!c) {
    const known = [...defaultLibrary().clauses.keys()].join('、');
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

export async function runClauses(argv: string[], io: Io): Promise<number> {
  const [sub = '', ...rest] = argv;
  if (!(CLAUSES_SUBCOMMANDS as readonly string[]).includes(sub))
    throw unknownCommand(sub, CLAUSES_SUBCOMMANDS, 'clauses');
  const command = `clauses ${sub}` as CommandName;
  // Each sub-command accepts only its own options (see usage.ts).
  const { values, positionals } = parseCommand(command, rest) as {
    values: { format?: string; out?: string };
    positionals: string[];
  };
  const json = values.format === 'json';
  if (values.format && !['json', 'text'].includes(values.format))
    throw new UsageError(`--format 只能是 text 或 json，收到“${values.format}”`, command);
  switch (sub) {
    case 'list': {
      const list = [...defaultLibrary().clauses.values()].map((c) => {
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
      const c = clauseOr404(positionals[0]);
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
        if (v.note) io.out(`说明：${v.note}\n`);
        io.out(`\n${v.body.trimEnd()}\n`);
      }
      return 0;
    }
    case 'diff': {
      const c = clauseOr404(positionals[0]);
      const older = versionOr404(c, positionals[1]);
      const newer = versionOr404(c, positionals[2]);
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
      const c = clauseOr404(positionals[0]);
      const dir = positionals[1];
      if (!dir)
        throw new UsageError(
          '请给出存放投标参数文件的文件夹，例如：tenderkit clauses usage warranty-period bids/',
          'clauses usage',
        );
      const rows = clauseUsage(c.clause.id, dir);
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
      const found = lintLibrary(defaultLibrary(), { today: today(), bids: shippedExamples() });
      const errors = found.filter((d) => d.severity === 'error');
      for (const d of found) io.err(`${formatDiagnostic(d)}\n`);
      if (errors.length) {
        io.err(`共 ${errors.length} 个错误。\n`);
        return 1;
      }
      const n = defaultLibrary().clauses.size;
      io.out(`条款库检查通过：${n} 个条款${found.length ? `，${found.length} 个警告` : ''}\n`);
      return 0;
    }
    default:
      throw unknownCommand(sub, CLAUSES_SUBCOMMANDS, 'clauses');
  }
}
