// Changes to a company's own clause library, as legal makes them from the command line: a new
// clause, a new draft version, an approval, a retirement, and the import of newer built-in
// versions. Every change goes through the yaml Document API, so the comments and layout of the
// clause file are kept, and is written atomically (a temporary file beside it, then a rename).
import { randomBytes } from 'node:crypto';
import {
  closeSync,
  existsSync,
  fstatSync,
  fsyncSync,
  linkSync,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  readSync,
  realpathSync,
  renameSync,
  statSync,
  unlinkSync,
  writeSync,
  type Stats,
} from 'node:fs';
import path from 'node:path';
import {
  Document,
  isMap,
  isScalar,
  isSeq,
  Pair,
  parseDocument,
  Scalar,
  type Node,
  type YAMLMap,
} from 'yaml';
import { diagnostic, fail, TenderKitError, type Diagnostic } from '../diagnostics/diagnostic.js';
import { MAX_YAML_BYTES, parseYamlText, readYamlFile, type LoadedYaml } from '../load/yaml-file.js';
import { zodIssuesToDiagnostics } from '../load/zod-issues.js';
import type { PreparedBid } from '../prepare.js';
import { prepareBid } from '../prepare.js';
import { clauseFileSchema, type ClauseFile, type ClauseVersion } from '../schema/library.js';
import {
  approvalProblems,
  bodySha256,
  hasVisibleName,
  personMatch,
  shownName,
  todayInChina,
} from './governance.js';
import { PACKAGE_ROOT, STATUS_LABELS, type Library, type LoadedClause } from './library.js';
import { bodyLocation, checkBody } from './lint.js';

/** The author recorded on versions `clauses upgrade` imports from the built-in library. */
export const BUILTIN_AUTHOR = 'TenderKit 内置条款库';

const CLAUSE_ID = /^[a-z][a-z0-9-]{1,60}$/;

/** The same YAML policy as every other file TenderKit reads (see load/yaml-file.ts). */
const PARSE_OPTIONS = {
  version: '1.2',
  schema: 'core',
  strict: true,
  uniqueKeys: true,
} as const;

/** Files are written without folding long lines, exactly as the shipped clause files are laid out. */
const STRINGIFY_OPTIONS = { lineWidth: 0 } as const;

let examples: { name: string; bid: PreparedBid }[] | undefined;
/** The examples shipped in examples/, prepared with their tender files: every body renders with them. */
export function shippedExamples(): { name: string; bid: PreparedBid }[] {
  if (!examples) {
    const dir = path.join(PACKAGE_ROOT, 'examples');
    examples = readdirSync(dir)
      .filter((f) => f.endsWith('.yaml') && !f.endsWith('-tender.yaml'))
      .sort()
      .map((f) => ({ name: f, bid: prepareBid(path.join(dir, f), () => {}) }));
  }
  return examples;
}

const display = (file: string) => path.relative(process.cwd(), file) || file;

// --- command-line values ------------------------------------------------------------------------

// eslint-disable-next-line no-control-regex -- matching control characters is the point
const CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u2028\u2029]/u;

/** A one-line value given on the command line (a name, a title, a note), trimmed and checked. */
export function textOption(value: string, option: string, max: number): string {
  const v = value.normalize('NFC').trim();
  const where = { path: `--${option}` };
  if (!v) fail('InvalidValue', '不能为空', where);
  if (CONTROL.test(v) || /[\n\t]/.test(v))
    fail('InvalidText', '只能写一行文字，不能含换行、制表符或控制字符', where);
  if ([...v].length > max) fail('InvalidValue', `不能超过 ${max} 个字`, where);
  return v;
}

/** A person's name given on the command line (`--author`, `--by`): one line that shows a letter. */
export function personOption(value: string, option: string, max: number): string {
  const v = textOption(value, option, max);
  if (!hasVisibleName(v))
    fail('InvalidValue', `“${shownName(v)}”不是姓名：须写明姓名（至少一个可见的文字）`, {
      path: `--${option}`,
    });
  return v;
}

export function checkClauseId(id: string): void {
  if (!CLAUSE_ID.test(id))
    fail(
      'InvalidValue',
      `条款编号“${id}”无效：只能由小写字母、数字和连字符组成，以字母开头，2–61 个字符（例如 warranty-period）`,
    );
}

/**
 * A body written in a file: UTF-8 (a BOM is dropped), any line ends turned into `\n`, leading and
 * trailing blank lines dropped, one final newline.
 */
export function readBodyFile(file: string): string {
  const shown = display(file);
  let buf: Buffer;
  const tooLarge = (message: string) =>
    fail('FileTooLarge', message, { location: { file: shown } });
  try {
    // A pipe or a device is refused before it is opened (opening a FIFO would wait for a writer).
    if (!statSync(file).isFile())
      fail('FileUnreadable', `“${shown}”不是普通文件`, { location: { file: shown } });
    const fd = openSync(file, 'r');
    try {
      // What was opened is checked again, and read with a byte limit whatever its stated size
      // (a file under /proc says 0 bytes and reads more).
      const st = fstatSync(fd);
      if (!st.isFile())
        fail('FileUnreadable', `“${shown}”不是普通文件`, { location: { file: shown } });
      if (st.size > MAX_YAML_BYTES)
        tooLarge(`条款正文文件大小为 ${(st.size / 1024 / 1024).toFixed(1)} MB，超过 1 MB 上限`);
      buf = readAtMost(fd, MAX_YAML_BYTES);
      if (buf.length > MAX_YAML_BYTES) tooLarge('条款正文文件超过 1 MB 上限');
    } finally {
      closeSync(fd);
    }
  } catch (e) {
    if (e instanceof TenderKitError) throw e;
    const code = (e as NodeJS.ErrnoException).code;
    fail(code === 'ENOENT' ? 'FileNotFound' : 'FileUnreadable', `无法打开“${shown}”（${code}）`, {
      location: { file: shown },
    });
  }
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(buf);
  } catch {
    fail('NotUtf8', '条款正文文件包含无效的 UTF-8 字节', { location: { file: shown } });
  }
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  const lines = text.replace(/\r\n?/g, '\n').split('\n');
  while (lines.length && !lines[0]!.trim()) lines.shift();
  while (lines.length && !lines[lines.length - 1]!.trim()) lines.pop();
  if (!lines.length) fail('InvalidValue', '条款正文为空', { location: { file: shown } });
  lines.forEach((l, i) => {
    const m = CONTROL.exec(l);
    if (m)
      fail(
        'InvalidText',
        `第 ${i + 1} 行含有控制字符 U+${m[0].charCodeAt(0).toString(16).padStart(4, '0').toUpperCase()}`,
        {
          location: { file: shown, line: i + 1, col: m.index + 1 },
        },
      );
  });
  return `${lines.join('\n')}\n`;
}

/**
 * The file's bytes, read until its end or until more than `limit` have come, however large it says
 * it is. Reads are whole 64 KiB chunks (some /proc files accept only reads of a multiple of 8 bytes).
 */
function readAtMost(fd: number, limit: number): Buffer {
  const chunks: Buffer[] = [];
  let total = 0;
  while (total <= limit) {
    const chunk = Buffer.alloc(64 * 1024);
    const n = readSync(fd, chunk, 0, chunk.length, null);
    if (n === 0) break;
    chunks.push(chunk.subarray(0, n));
    total += n;
  }
  return Buffer.concat(chunks, total);
}

/** Refuses a body that would not pass `clauses lint`, located in the body file. */
function checkNewBody(body: string, bodyFile: string, where: string): void {
  const found = checkBody(body, where, { bids: shippedExamples(), render: true });
  if (found.length)
    throw new TenderKitError(
      found.map((f) =>
        diagnostic(f.name, f.message, {
          location: { file: display(bodyFile), line: f.line + 1, col: f.col + 1 },
        }),
      ),
    );
}

// --- reading and writing clause files ---------------------------------------------------------

interface OpenedClause {
  readonly file: string;
  /** The bytes read: the file must still hold them when the change is written. */
  readonly bytes: Buffer;
  readonly doc: Document.Parsed;
  readonly clause: ClauseFile;
  readonly source: LoadedYaml;
}

/** Parses and validates clause-file text; problems are located in `shown`. */
function validated(
  text: Buffer | string,
  shown: string,
): { ok: true; clause: ClauseFile; source: LoadedYaml } | { ok: false; diagnostics: Diagnostic[] } {
  const y = parseYamlText(text, shown);
  return y.ok ? checked(y.value) : y;
}

/** A parsed clause file checked against the schema. */
function checked(
  source: LoadedYaml,
): { ok: true; clause: ClauseFile; source: LoadedYaml } | { ok: false; diagnostics: Diagnostic[] } {
  const r = clauseFileSchema.safeParse(source.data);
  if (!r.success)
    return {
      ok: false,
      diagnostics: zodIssuesToDiagnostics(r.error.issues, clauseFileSchema, source).map((d) => ({
        ...d,
        name: 'ClauseFileInvalid' as const,
      })),
    };
  return { ok: true, clause: r.data, source };
}

// --- where changes may be written, and from what ----------------------------------------------

const identity = (st: Stats) => `${st.dev}:${st.ino}`;

let packageFolders: Set<string> | undefined;
/** Device and inode of the installed package's folders (node_modules aside), a few levels deep. */
function packageFolderIds(): Set<string> {
  if (packageFolders) return packageFolders;
  const ids = new Set<string>();
  const walk = (dir: string, depth: number) => {
    try {
      ids.add(identity(statSync(dir)));
      if (depth === 0) return;
      for (const d of readdirSync(dir, { withFileTypes: true }))
        if (d.isDirectory() && d.name !== 'node_modules' && d.name !== '.git')
          walk(path.join(dir, d.name), depth - 1);
    } catch {
      // an unreadable folder of the package: nothing is written there anyway
    }
  };
  walk(PACKAGE_ROOT, 3);
  packageFolders = ids;
  return ids;
}

/** Folders a changing command was allowed to write (see writableFolder), by device and inode. */
const writableIds = new Set<string>();

const within = (dir: string, p: string) => {
  const r = path.relative(dir, p);
  return r === '' || (!r.startsWith('..') && !path.isAbsolute(r));
};

/**
 * The clauses folder a changing command may write: refused (LibraryReadOnly) when, every symbolic
 * link followed, it is or lies inside the installed package, when it is one of the package's
 * folders under another name (the same device and inode: a bind mount), or when it is not inside
 * the workspace. Every write checks its folder again (writeAtomic).
 */
export function writableFolder(dir: string, workspaceRoot: string): string {
  const shown = display(dir);
  let real: string;
  let st: Stats;
  try {
    real = realpathSync(dir);
    st = statSync(real);
  } catch (e) {
    fail('FileNotFound', `找不到条款文件夹“${shown}”（${(e as NodeJS.ErrnoException).code}）`, {
      location: { file: shown },
    });
  }
  if (!st.isDirectory())
    fail('LibraryReadOnly', `条款库“${shown}”不是文件夹`, { location: { file: shown } });
  const pkg = realpathSync(PACKAGE_ROOT);
  if (within(pkg, real) || packageFolderIds().has(identity(st)))
    fail(
      'LibraryReadOnly',
      `条款库“${shown}”实际是 TenderKit 安装目录中的文件夹（${within(pkg, real) ? real : '同一设备和 inode，可能是挂载或硬链接'}），内置条款库不能修改`,
      { location: { file: shown } },
    );
  const ws = realpathSync(workspaceRoot);
  if (!within(ws, real))
    fail(
      'LibraryReadOnly',
      `条款库“${shown}”不在工作区“${display(workspaceRoot)}”内（实际位于“${real}”）：修改命令只改动工作区自己的条款库`,
      { location: { file: shown } },
    );
  writableIds.add(identity(st));
  return dir;
}

/** Refuses a write into a folder writableFolder did not allow, or into one of the package's. */
function checkWriteFolder(dir: string): void {
  let id = '';
  try {
    id = identity(statSync(dir));
  } catch {
    // reported as not allowed below
  }
  if (!writableIds.has(id) || packageFolderIds().has(id))
    fail('LibraryReadOnly', `不能写入“${display(dir)}”：它不是工作区自己的条款库`, {
      location: { file: display(dir) },
    });
}

/**
 * Refuses to change a library whose approvals do not hold, with the same located problems a build
 * reports: every clause file in the folder must load and keep its seals. A title changed since its
 * approval (ClauseTitleChanged) does not stop a change: a new version and its approval resolve it.
 */
export function checkLibrary(dir: string): void {
  const problems: Diagnostic[] = [];
  const today = todayInChina();
  let names: string[] = [];
  try {
    names = readdirSync(dir)
      .filter((f) => f.endsWith('.yaml'))
      .sort();
  } catch {
    // a missing folder holds no broken seal; the command itself says what is missing
  }
  for (const name of names) {
    const file = path.join(dir, name);
    const y = readYamlFile(file, display(file));
    if (!y.ok) {
      problems.push(...y.diagnostics);
      continue;
    }
    const v = checked(y.value);
    if (!v.ok) {
      problems.push(...v.diagnostics);
      continue;
    }
    problems.push(
      ...approvalProblems(v.clause, v.source, today).filter((d) => d.name !== 'ClauseTitleChanged'),
    );
  }
  if (problems.length) throw new TenderKitError(problems);
}

function clauseFile(dir: string, id: string): string {
  return path.join(dir, `${id}.yaml`);
}

function openClause(dir: string, id: string): OpenedClause {
  checkClauseId(id);
  const file = clauseFile(dir, id);
  const shown = display(file);
  let bytes: Buffer;
  try {
    bytes = readFileSync(file);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') {
      const known = existsSync(dir)
        ? readdirSync(dir)
            .filter((f) => f.endsWith('.yaml'))
            .map((f) => f.slice(0, -5))
            .sort()
        : [];
      fail(
        'ClauseNotFound',
        `工作区条款库中没有编号为“${id}”的条款（现有：${known.join('、') || '无'}）`,
        { location: { file: display(dir) } },
      );
    }
    fail('FileUnreadable', `无法打开“${shown}”（${(e as NodeJS.ErrnoException).code}）`, {
      location: { file: shown },
    });
  }
  const v = validated(bytes, shown);
  if (!v.ok) throw new TenderKitError(v.diagnostics);
  if (v.clause.id !== id)
    fail('ClauseFileInvalid', `文件名应与条款编号一致（${v.clause.id}.yaml）`, {
      location: v.source.locate(['id']),
    });
  const doc = parseDocument(bytes.toString('utf8').replace(/^\uFEFF/, ''), PARSE_OPTIONS);
  return { file, bytes, doc, clause: v.clause, source: v.source };
}

/**
 * Writes `text` to `file` through a temporary file in the same folder: the file is replaced in one
 * step (rename), or, with `create`, made only if it does not exist yet. With `expect`, the change is
 * refused when the file no longer holds those bytes (someone else changed it meanwhile).
 */
function writeAtomic(file: string, text: string, opts: { create?: boolean; expect?: Buffer }) {
  const dir = path.dirname(file);
  const shown = display(file);
  checkWriteFolder(dir);
  const tmp = path.join(
    dir,
    `.${path.basename(file)}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`,
  );
  let mode = 0o644;
  if (!opts.create) {
    try {
      mode = statSync(file).mode & 0o777;
    } catch {
      // replaced below anyway; keep the default
    }
  }
  try {
    const fd = openSync(tmp, 'wx', mode);
    try {
      writeSync(fd, text);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    if (opts.create) {
      // link() refuses to replace an existing file: two people creating the same id cannot both win.
      linkSync(tmp, file);
      unlinkSync(tmp);
    } else {
      if (opts.expect && !readFileSync(file).equals(opts.expect))
        fail('ClauseChangeRefused', `“${shown}”在处理期间被改动，本次修改未写入；请重新运行命令`, {
          location: { file: shown },
        });
      renameSync(tmp, file);
    }
  } catch (e) {
    try {
      unlinkSync(tmp);
    } catch {
      // already gone
    }
    if (e instanceof TenderKitError) throw e;
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'EEXIST' && opts.create)
      fail('ClauseChangeRefused', `“${shown}”已存在`, { location: { file: shown } });
    fail('OutputFailed', `无法写入“${shown}”（${code ?? (e as Error).message}）`, {
      location: { file: shown },
    });
  }
  try {
    const d = openSync(dir, 'r');
    try {
      fsyncSync(d);
    } finally {
      closeSync(d);
    }
  } catch {
    // Some file systems cannot sync a folder; the rename itself has happened.
  }
}

/**
 * The new text of a changed document, checked before anything is written: it must still be a valid
 * clause file, and `check` sees what a reader will load from it.
 */
function render(doc: Document, shown: string, check?: (c: ClauseFile) => void): string {
  const text = doc.toString(STRINGIFY_OPTIONS);
  const bytes = Buffer.byteLength(text, 'utf8');
  if (bytes > MAX_YAML_BYTES)
    fail(
      'FileTooLarge',
      `修改后的条款文件将有 ${bytes} 字节，超过 ${MAX_YAML_BYTES} 字节（1 MB）的上限：超过上限的条款文件无法读取，本次修改未写入`,
      {
        location: { file: shown },
        hint: '请删去条款文件中不再需要的注释，或把过长的条款拆成几个条款，然后重新运行命令。',
      },
    );
  const v = validated(text, shown);
  if (!v.ok)
    throw new Error(
      `the changed clause file would not load: ${v.diagnostics.map((d) => d.message).join('; ')}`,
    );
  check?.(v.clause);
  return text;
}

function save(c: OpenedClause, check?: (clause: ClauseFile) => void): void {
  writeAtomic(c.file, render(c.doc, display(c.file), check), { expect: c.bytes });
}

/** The body as a literal block (`body: |`), the way every clause file writes it. */
function bodyNode(doc: Document, body: string): Scalar {
  const node = doc.createNode(body) as Scalar;
  node.type = Scalar.BLOCK_LITERAL;
  return node;
}

/** A version entry as a YAML map, keys in the order the clause files use. */
function versionNode(doc: Document, v: ClauseVersion): Node {
  const map = doc.createNode({}) as YAMLMap;
  for (const [k, value] of Object.entries(v)) {
    if (value === undefined) continue;
    if (k === 'body')
      map.items.push(new Pair(doc.createNode('body'), bodyNode(doc, value as string)));
    else {
      const node = doc.createNode(value) as Node;
      if (k === 'upstream' && isMap(node)) node.flow = true;
      map.items.push(new Pair(doc.createNode(k), node));
    }
  }
  return map;
}

/** The canonical order of a version's keys, so recorded facts land where a reader looks for them. */
const KEY_ORDER = [
  'version',
  'status',
  'author',
  'basedOn',
  'upstream',
  'approvedBy',
  'approvedOn',
  'bodySha256',
  'approvalNote',
  'retiredOn',
  'retiredReason',
  'note',
  'reviewBy',
  'body',
];

/** Sets keys on a version map: an existing key keeps its place, a new one goes where KEY_ORDER puts it. */
function setKeys(doc: Document, map: YAMLMap, values: Record<string, string | undefined>) {
  const keyOf = (p: Pair) => (isScalar(p.key) ? String(p.key.value) : '');
  for (const [k, v] of Object.entries(values)) {
    if (v === undefined) continue;
    const existing = map.items.find((p) => keyOf(p) === k);
    if (existing) {
      existing.value = doc.createNode(v);
      continue;
    }
    const rank = KEY_ORDER.indexOf(k);
    let at = 0;
    map.items.forEach((p, i) => {
      const r = KEY_ORDER.indexOf(keyOf(p));
      if (r !== -1 && r < rank) at = i + 1;
    });
    map.items.splice(at, 0, new Pair(doc.createNode(k), doc.createNode(v)));
  }
}

/** Sets a top-level key of a clause file, placed right after `after` when it is new. */
function setAfter(doc: Document, key: string, value: string, after: string): void {
  const root = doc.contents;
  if (!isMap(root)) throw new Error('the clause file is not a map');
  const keyOf = (p: Pair) => (isScalar(p.key) ? String(p.key.value) : '');
  const existing = root.items.find((p) => keyOf(p) === key);
  if (existing) {
    existing.value = doc.createNode(value);
    return;
  }
  const at = root.items.findIndex((p) => keyOf(p) === after);
  root.items.splice(at + 1, 0, new Pair(doc.createNode(key), doc.createNode(value)));
}

function versionMap(c: OpenedClause, index: number): YAMLMap {
  const versions = c.doc.get('versions', true);
  const map = isSeq(versions) ? versions.items[index] : undefined;
  if (!isMap(map)) throw new Error(`versions[${index}] is not a map`);
  return map;
}

function findVersion(c: OpenedClause, n: number): number {
  const i = c.clause.versions.findIndex((v) => v.version === n);
  if (i === -1)
    fail(
      'ClauseVersionUnknown',
      `条款“${c.clause.id}”没有第 ${n} 版（现有：${c.clause.versions.map((v) => v.version).join('、')}）`,
      { location: c.source.locate(['versions']) },
    );
  return i;
}

const nextNumber = (c: ClauseFile) => Math.max(...c.versions.map((v) => v.version)) + 1;

/** The latest approved version: what bids use now, and what a new version is written against. */
function latestApproved(c: ClauseFile): ClauseVersion | undefined {
  return [...c.versions]
    .filter((v) => v.status === 'approved')
    .sort((a, b) => b.version - a.version)[0];
}

// --- the commands -------------------------------------------------------------------------------

export interface NewClauseInput {
  readonly title: string;
  readonly description?: string;
  readonly bodyFile: string;
  readonly author: string;
  readonly note?: string;
}

/** `clauses new`: a new clause file whose version 1 is a draft. Returns the file written. */
export function newClause(dir: string, id: string, input: NewClauseInput): string {
  checkClauseId(id);
  checkLibrary(dir);
  const file = clauseFile(dir, id);
  if (existsSync(file))
    fail(
      'ClauseChangeRefused',
      `条款“${id}”已存在（${display(file)}）：要修改措辞，请用 tenderkit clauses new-version ${id} 提出新版本`,
      { location: { file: display(file) } },
    );
  const body = readBodyFile(input.bodyFile);
  checkNewBody(body, input.bodyFile, `条款 ${id} 第 1 版`);
  const doc = new Document(
    {
      id,
      title: input.title,
      ...(input.description ? { description: input.description } : {}),
      versions: [],
    },
    PARSE_OPTIONS,
  );
  const versions = doc.get('versions', true);
  if (!isSeq(versions)) throw new Error('versions is not a list');
  versions.items.push(
    versionNode(doc, {
      version: 1,
      status: 'draft',
      author: input.author,
      note: input.note ?? '初版。',
      body,
    }),
  );
  const text = render(doc, display(file), (c) => {
    if (c.versions[0]?.body !== body) throw new Error('the body did not survive writing');
  });
  mkdirSync(dir, { recursive: true });
  writeAtomic(file, text, { create: true });
  return file;
}

export interface NewVersionInput {
  readonly from?: number;
  readonly bodyFile: string;
  readonly author: string;
  readonly note?: string;
}

/** `clauses new-version`: appends a draft (number = highest + 1). */
export function newVersion(
  dir: string,
  id: string,
  input: NewVersionInput,
): { version: number; basedOn?: number; file: string } {
  checkClauseId(id);
  checkLibrary(dir);
  const c = openClause(dir, id);
  if (input.from !== undefined) findVersion(c, input.from);
  const basedOn = input.from ?? latestApproved(c.clause)?.version;
  const body = readBodyFile(input.bodyFile);
  const n = nextNumber(c.clause);
  const same = c.clause.versions.find((v) => v.body === body);
  // A title changed since its approval is approved with a new version, whose body may be the same.
  const retitled =
    c.clause.approvedTitle !== undefined && c.clause.approvedTitle !== c.clause.title;
  if (same && !retitled)
    fail(
      'ClauseChangeRefused',
      `新正文与条款“${id}”第 ${same.version} 版（${STATUS_LABELS[same.status]}）完全相同，无需新版本`,
      { location: { file: display(input.bodyFile) } },
    );
  checkNewBody(body, input.bodyFile, `条款 ${id} 第 ${n} 版`);
  const versions = c.doc.get('versions', true);
  if (!isSeq(versions)) throw new Error('versions is not a list');
  versions.items.push(
    versionNode(c.doc, {
      version: n,
      status: 'draft',
      author: input.author,
      ...(basedOn !== undefined ? { basedOn } : {}),
      ...(input.note ? { note: input.note } : {}),
      body,
    }),
  );
  save(c, (after) => {
    if (after.versions.find((v) => v.version === n)?.body !== body)
      throw new Error('the body did not survive writing');
  });
  return { version: n, ...(basedOn !== undefined ? { basedOn } : {}), file: c.file };
}

/** `clauses approve`: seals a draft with approver, today's date and the body's SHA-256. */
export function approveVersion(
  dir: string,
  id: string,
  n: number,
  input: { by: string; note?: string },
): {
  approvedOn: string;
  bodySha256: string;
  file: string;
  /** The title this approval records, when it differs from the one recorded before. */
  title?: { before?: string; now: string };
} {
  checkClauseId(id);
  checkLibrary(dir);
  const c = openClause(dir, id);
  const i = findVersion(c, n);
  const v = c.clause.versions[i]!;
  const where = `条款“${id}”第 ${n} 版`;
  if (v.status !== 'draft')
    fail(
      'ClauseChangeRefused',
      `${where}${STATUS_LABELS[v.status]}，只有草稿可以批准${v.status === 'approved' ? '' : '（已停用的版本不能再启用，请提出新版本）'}`,
      { location: c.source.locate(['versions', i, 'status']) },
    );
  if (!v.author || !hasVisibleName(v.author))
    fail('ClauseApprovalInvalid', `${where}没有写明作者（author），无法确认批准人不是作者本人`, {
      location: c.source.locate(['versions', i, ...(v.author ? ['author'] : [])]),
      hint: '请在该版本中写明 author（起草人）后再批准。',
    });
  if (!hasVisibleName(input.by))
    fail('ClauseApprovalInvalid', `批准人“${shownName(input.by)}”没有可见的文字：须写明姓名`, {
      path: '--by',
    });
  const match = personMatch(input.by, v.author);
  if (match)
    fail(
      'ClauseApprovalInvalid',
      match === 'same'
        ? `批准人“${shownName(input.by)}”就是${where}的作者：批准人必须是作者以外的人`
        : `批准人“${shownName(input.by)}”与${where}的作者“${shownName(v.author)}”姓名相同或相互包含，视为作者本人：批准人必须是作者以外的人`,
      {
        location: c.source.locate(['versions', i, 'author']),
        hint: '请由作者以外的人（通常是法务）运行 tenderkit clauses approve 批准；姓名比较时不计括号里的部门、空格、不可见字符和繁简差异。',
      },
    );
  // The body must pass every check `clauses lint` makes of an approved version.
  const loaded: LoadedClause = {
    file: c.file,
    source: c.source,
    clause: c.clause,
    compiled: new Map(),
  };
  const found = checkBody(v.body, `条款 ${id} 第 ${n} 版`, {
    bids: shippedExamples(),
    render: true,
  });
  if (found.length)
    throw new TenderKitError(
      found.map((f) =>
        diagnostic(f.name, f.message, { location: bodyLocation(loaded, i, f.line, f.col) }),
      ),
    );
  const approvedOn = todayInChina();
  const hash = bodySha256(v.body);
  const map = versionMap(c, i);
  setKeys(c.doc, map, {
    status: 'approved',
    approvedBy: input.by,
    approvedOn,
    bodySha256: hash,
    approvalNote: input.note,
  });
  // The title is printed as the clause's heading: the approval records it too.
  const { title, approvedTitle } = c.clause;
  if (approvedTitle !== title) setAfter(c.doc, 'approvedTitle', title, 'title');
  save(c, (after) => {
    const a = after.versions[i]!;
    if (a.body !== v.body || bodySha256(a.body) !== hash) throw new Error('the body changed');
    if (after.approvedTitle !== title) throw new Error('the title was not recorded');
  });
  return {
    approvedOn,
    bodySha256: hash,
    file: c.file,
    ...(approvedTitle !== title
      ? { title: { now: title, ...(approvedTitle !== undefined ? { before: approvedTitle } : {}) } }
      : {}),
  };
}

/** `clauses retire`: takes a version out of use for good, recording the date and the reason. */
export function retireVersion(
  dir: string,
  id: string,
  n: number,
  input: { reason: string },
): { retiredOn: string; stillApproved: number | undefined; file: string } {
  checkClauseId(id);
  checkLibrary(dir);
  const c = openClause(dir, id);
  const i = findVersion(c, n);
  const v = c.clause.versions[i]!;
  if (v.status === 'retired')
    fail('ClauseChangeRefused', `条款“${id}”第 ${n} 版已经停用`, {
      location: c.source.locate(['versions', i, 'status']),
    });
  const retiredOn = todayInChina();
  setKeys(c.doc, versionMap(c, i), { status: 'retired', retiredOn, retiredReason: input.reason });
  let still: number | undefined;
  save(c, (after) => {
    still = latestApproved(after)?.version;
  });
  return { retiredOn, stillApproved: still, file: c.file };
}

export interface UpgradeStep {
  readonly id: string;
  readonly file: string;
  readonly created: boolean;
  readonly upstream: number;
  readonly version: number;
  readonly basedOn?: number;
}

/**
 * `clauses upgrade`: every built-in clause whose latest approved version the workspace does not
 * have yet (neither imported, `upstream`, nor the same text) gets it appended as a draft; a
 * built-in clause the workspace lacks becomes a new file. The company's own versions are never
 * changed or renumbered. Running it twice adds nothing.
 */
export function upgradeLibrary(dir: string, builtin: Library): UpgradeStep[] {
  checkLibrary(dir);
  interface Plan {
    step: UpgradeStep;
    write: () => void;
  }
  const plans: Plan[] = [];
  const problems: Diagnostic[] = [];
  const ids = [...builtin.clauses.keys()].sort();
  for (const id of ids) {
    const b = builtin.clauses.get(id)!.clause;
    const latest = latestApproved(b);
    if (!latest) continue;
    const importNote = (v: ClauseVersion) =>
      `由 tenderkit clauses upgrade 从内置条款库导入：内置第 ${v.version} 版（${v.approvedBy ?? '—'} ${v.approvedOn ?? ''} 批准），须经本公司批准后使用。${v.note ? `内置版本说明：${v.note}` : ''}`;
    const draft = (version: number, basedOn?: number): ClauseVersion => ({
      version,
      status: 'draft',
      author: BUILTIN_AUTHOR,
      ...(basedOn !== undefined ? { basedOn } : {}),
      upstream: { version: latest.version },
      note: importNote(latest),
      body: latest.body,
    });
    const file = clauseFile(dir, id);
    if (!existsSync(file)) {
      plans.push({
        step: { id, file, created: true, upstream: latest.version, version: 1 },
        write: () => {
          const doc = new Document(
            {
              id,
              title: b.title,
              ...(b.description ? { description: b.description } : {}),
              versions: [],
            },
            PARSE_OPTIONS,
          );
          const versions = doc.get('versions', true);
          if (!isSeq(versions)) throw new Error('versions is not a list');
          versions.items.push(versionNode(doc, draft(1)));
          writeAtomic(file, render(doc, display(file)), { create: true });
        },
      });
      continue;
    }
    let c: OpenedClause;
    try {
      c = openClause(dir, id);
    } catch (e) {
      if (!(e instanceof TenderKitError)) throw e;
      problems.push(...e.diagnostics);
      continue;
    }
    // Which built-in versions the workspace already holds: imported ones, or the same text
    // (the history `tenderkit init` copied).
    const holds = (bv: ClauseVersion) =>
      c.clause.versions.find((w) => w.upstream?.version === bv.version || w.body === bv.body);
    if (holds(latest) || c.clause.versions.some((w) => (w.upstream?.version ?? 0) > latest.version))
      continue;
    const base = [...b.versions]
      .filter((bv) => bv.version < latest.version)
      .sort((x, y) => y.version - x.version)
      .map(holds)
      .find(Boolean);
    const n = nextNumber(c.clause);
    plans.push({
      step: {
        id,
        file,
        created: false,
        upstream: latest.version,
        version: n,
        basedOn: base?.version,
      },
      write: () => {
        const versions = c.doc.get('versions', true);
        if (!isSeq(versions)) throw new Error('versions is not a list');
        versions.items.push(versionNode(c.doc, draft(n, base?.version)));
        save(c);
      },
    });
  }
  if (problems.length) throw new TenderKitError(problems);
  for (const p of plans) p.write();
  return plans.map((p) => p.step);
}
