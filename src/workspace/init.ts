// `tenderkit init [DIR]`: makes a company workspace. Every file it would write is checked first;
// if any exists nothing is written (a usage error naming them, exit 2). Files are created with
// O_EXCL, and a failure part-way removes what this run created.
import {
  closeSync,
  lstatSync,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  rmdirSync,
  statSync,
  unlinkSync,
  writeSync,
} from 'node:fs';
import path from 'node:path';
import { UsageError } from '../cli/usage.js';
import { PACKAGE_ROOT } from '../library/library.js';
import {
  SCHEMA_KINDS,
  jsonSchemaFor,
  schemaFileName,
  type SchemaKind,
} from '../schema/json-schema.js';
import { COMPANY_FILE } from './company.js';
import {
  companyYaml,
  gitignore,
  readme,
  settingsYaml,
  starterBid,
  STARTER_BID,
} from './starter.js';
import { LIBRARY_DIR, shownPath, WORKSPACE_FILE } from './workspace.js';

/** Where the editor schemas go, relative to the workspace. */
export const SCHEMA_DIR = '.tenderkit/schemas';

export interface InitResult {
  /** The workspace folder, absolute. */
  readonly root: string;
  /** Every file written, relative to the workspace, in the order written. */
  readonly written: readonly string[];
  /** What to do next, for the user (Chinese). */
  readonly summary: string;
}

/** The package's library files: clauses/ and templates/ with their READMEs, byte for byte. */
function libraryFiles(): { rel: string; bytes: Buffer }[] {
  const out: { rel: string; bytes: Buffer }[] = [];
  for (const sub of ['clauses', 'templates']) {
    const dir = path.join(PACKAGE_ROOT, sub);
    for (const name of readdirSync(dir).sort()) {
      if (!/\.(ya?ml|md)$/.test(name)) continue;
      const file = path.join(dir, name);
      if (!statSync(file).isFile()) continue;
      out.push({ rel: `${LIBRARY_DIR}/${sub}/${name}`, bytes: readFileSync(file) });
    }
  }
  return out;
}

const schemaRel = (kind: SchemaKind) => `${SCHEMA_DIR}/${schemaFileName(kind)}`;

/** `.vscode/settings.json`: each schema mapped to the files it describes (Red Hat YAML extension). */
function vscodeSettings(): string {
  const settings = {
    'yaml.schemas': {
      [schemaRel('workspace')]: [WORKSPACE_FILE],
      [schemaRel('company')]: [COMPANY_FILE],
      // Tender files sit beside bids: the negated patterns keep the bid schema off them (newer
      // versions of the extension); the `$schema` first line decides in every version.
      [schemaRel('bid')]: ['bids/**/*.yaml', '!bids/**/*tender*.yaml', '!bids/**/招标要求*.yaml'],
      [schemaRel('tender')]: ['bids/**/*tender*.yaml', 'bids/**/招标要求*.yaml'],
    },
    'files.encoding': 'utf8',
    '[yaml]': { 'editor.insertSpaces': true, 'editor.tabSize': 2 },
  };
  return `${JSON.stringify(settings, null, 2)}\n`;
}

/** Today in China (UTC+8), `YYYY-MM-DD`: the starter bid's signing date. */
function today(): string {
  return new Date(Date.now() + 8 * 3600_000).toISOString().slice(0, 10);
}

/** Everything init writes, relative to the workspace folder. */
export function workspaceFiles(date = today()): { rel: string; bytes: Buffer }[] {
  const text = (rel: string, s: string) => ({ rel, bytes: Buffer.from(s, 'utf8') });
  const schemaTo = (kind: SchemaKind, fromDir: string) =>
    path.posix.relative(fromDir, schemaRel(kind)) || schemaRel(kind);
  return [
    text(WORKSPACE_FILE, settingsYaml(schemaTo('workspace', '.'))),
    text(COMPANY_FILE, companyYaml(schemaTo('company', '.'))),
    text(STARTER_BID, starterBid(schemaTo('bid', path.posix.dirname(STARTER_BID)), date)),
    ...libraryFiles(),
    ...SCHEMA_KINDS.map((kind) =>
      text(schemaRel(kind), `${JSON.stringify(jsonSchemaFor(kind), null, 2)}\n`),
    ),
    text('.vscode/settings.json', vscodeSettings()),
    text('README.md', readme()),
    text('.gitignore', gitignore()),
  ];
}

/** Makes the workspace in `dir` (created if missing). Refuses, writing nothing, if any file exists. */
export function initWorkspace(dir: string, date?: string): InitResult {
  const root = path.resolve(dir);
  let st;
  try {
    st = statSync(root);
  } catch {
    st = undefined;
  }
  if (st && !st.isDirectory())
    throw new UsageError(`“${dir}”已存在且不是文件夹，init 需要一个文件夹（可以不存在）`, 'init');
  const files = workspaceFiles(date);
  const taken = new Set<string>();
  for (const f of files) {
    if (exists(path.join(root, f.rel))) taken.add(f.rel);
    // A file where a folder must go (`library` as a file) blocks the files below it.
    for (let d = path.posix.dirname(f.rel); d !== '.'; d = path.posix.dirname(d))
      if (exists(path.join(root, d)) && !statSafe(path.join(root, d))?.isDirectory()) taken.add(d);
  }
  if (taken.size) {
    const list = [...taken];
    const shown = list.slice(0, 10).join('、') + (list.length > 10 ? ` 等 ${list.length} 个` : '');
    throw new UsageError(
      `“${dir}”中已有 ${shown}：init 不覆盖任何已有文件，本次没有写入任何文件（请换一个空文件夹，或先移走这些文件）`,
      'init',
    );
  }
  const created: string[] = [];
  const madeDirs: string[] = [];
  try {
    for (const f of files) {
      const file = path.join(root, f.rel);
      for (const d of missingDirs(path.dirname(file))) {
        mkdirSync(d);
        madeDirs.push(d);
      }
      const fd = openSync(file, 'wx', 0o644);
      try {
        writeSync(fd, f.bytes);
      } finally {
        closeSync(fd);
      }
      created.push(file);
    }
  } catch (e) {
    for (const f of created.reverse()) unlinkSync(f);
    for (const d of madeDirs.reverse()) rmdirSync(d);
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'EEXIST')
      throw new UsageError(
        `写入时发现“${dir}”中出现了同名文件：init 不覆盖任何已有文件，已撤销本次写入`,
        'init',
      );
    throw e;
  }
  const where = shownPath(root);
  const cd =
    where === '.' || where === '' ? '' : `cd ${/\s/.test(where) ? `"${where}"` : where} && `;
  return {
    root,
    written: files.map((f) => f.rel),
    summary:
      `已在 ${where || '.'} 新建 TenderKit 工作区（${files.length} 个文件）。下一步：\n` +
      `  1. 把 company.yaml 改为贵公司的真实信息（投标人、默认签字人、服务渠道、人员库）；\n` +
      `  2. ${cd}tenderkit lint ${STARTER_BID}\n` +
      `  3. ${cd}tenderkit build ${STARTER_BID} --out out/示例投标\n` +
      `详见工作区中的 README.md。\n`,
  };
}

function statSafe(p: string) {
  try {
    return statSync(p);
  } catch {
    return undefined;
  }
}

function exists(p: string): boolean {
  try {
    lstatSync(p); // a dangling link counts: writing through it would go elsewhere
    return true;
  } catch {
    return false;
  }
}

/** The folders from the nearest existing ancestor down to `dir`, outermost first. */
function missingDirs(dir: string): string[] {
  const out: string[] = [];
  let d = dir;
  while (!exists(d)) {
    out.unshift(d);
    const up = path.dirname(d);
    if (up === d) break;
    d = up;
  }
  return out;
}
