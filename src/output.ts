// Writing a build's files to disk, all or nothing.
//
// A build renders into a staging folder beside the output folder and moves its files into place only
// once every file is written; the outputs an earlier build recorded in the folder's manifest.json are
// removed in the same step, and any failure puts the folder back exactly as it was. Nothing here ever
// calls `mkdir -p` on a path it has not checked: Node's recursive mkdir loops forever on file systems
// such as /proc, where mkdir of a missing entry answers ENOENT although the parent exists.
import { createHash, randomBytes } from 'node:crypto';
import {
  accessSync,
  closeSync,
  constants,
  existsSync,
  fsyncSync,
  lstatSync,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  readSync,
  realpathSync,
  renameSync,
  rmdirSync,
  rmSync,
  statfsSync,
  statSync,
  writeFileSync,
  type Stats,
} from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { diagnostic, TenderKitError, type Diagnostic } from './diagnostics/diagnostic.js';

export interface OutputFile {
  readonly fileName: string;
  readonly bytes: Buffer;
}

export interface WrittenBuild {
  /** Every file written, as `path.join(dir, fileName)`, in the order given. */
  readonly written: string[];
  /** Outputs of the earlier build recorded in the folder that this build did not produce. */
  readonly removed: string[];
  /**
   * Such outputs left in place because they changed since that build (their size or SHA-256 is not
   * the recorded one): someone edited or replaced them, so they are not the build's to delete.
   */
  readonly kept: string[];
}

/** The build record (provenance/manifest.ts writes it; not imported, to keep this module light). */
const MANIFEST_FILE = 'manifest.json';

/** Prefix of the staging folders (beside the output folder) and of older temporary files (inside). */
const TMP_PREFIX = '.tk-tmp-';

/** Linux file systems that hold kernel objects, not files: never an output folder. */
const SPECIAL_FILE_SYSTEMS = new Map<number, string>([
  [0x9fa0, 'proc'],
  [0x62656572, 'sysfs'],
  [0x1cd1, 'devpts'],
  [0x27e0eb, 'cgroup'],
  [0x63677270, 'cgroup2'],
  [0x64626720, 'debugfs'],
  [0x74726163, 'tracefs'],
  [0x73636673, 'securityfs'],
  [0xcafe4a11, 'bpf'],
  [0x6165676c, 'pstore'],
  [0x62656570, 'configfs'],
  [0x65735543, 'fusectl'],
  [0xde5e81e4, 'efivarfs'],
  [0xf97cff8c, 'selinuxfs'],
  [0x42494e4d, 'binfmt_misc'],
  [0x19800202, 'mqueue'],
  [0x6e736673, 'nsfs'],
]);

function failure(message: string, file: string, hint?: string): TenderKitError {
  return new TenderKitError([
    diagnostic('OutputFailed', message, { location: { file }, ...(hint ? { hint } : {}) }),
  ]);
}

const codeOf = (e: unknown) =>
  (e as NodeJS.ErrnoException).code ?? (e as Error).message ?? String(e);

/** lstat, or undefined when nothing is there. Other errors (ENOTDIR, EACCES) are thrown. */
function entry(p: string): Stats | undefined {
  try {
    return lstatSync(p);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw e;
  }
}

/** stat (following links), or undefined when nothing is there. */
function target(p: string): Stats | undefined {
  try {
    return statSync(p);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw e;
  }
}

/** The folder itself when it exists (links resolved), else its nearest existing ancestor. */
function nearestExisting(dir: string): { existing: string; missing: string[] } {
  const missing: string[] = [];
  let cur = dir;
  for (;;) {
    let st: Stats | undefined;
    try {
      st = target(cur);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOTDIR') st = undefined;
      else throw e;
    }
    if (st) return { existing: realpathSync(cur), missing };
    const up = path.dirname(cur);
    if (up === cur) return { existing: cur, missing };
    missing.unshift(path.basename(cur));
    cur = up;
  }
}

/**
 * The package's folder: the nearest folder above this module with a package.json (this module is
 * src/output.ts, dist/output.js, or part of a bundle in dist/bundle/).
 */
function packageRoot(): string {
  let dir = path.dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 4; i++) {
    if (existsSync(path.join(dir, 'package.json'))) return dir;
    dir = path.dirname(dir);
  }
  return path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
}

/** The package's own library folders, never an output folder. */
const PACKAGE_FOLDERS = (() => {
  const root = packageRoot();
  return [
    { dir: path.join(root, 'clauses'), label: '条款库（clauses/）' },
    { dir: path.join(root, 'templates'), label: '文件模板（templates/）' },
  ];
})();

/** Which of the package's library folders `existing` (a real path) is in, if any. */
function packageFolderOf(existing: string): string | undefined {
  let real = existing;
  try {
    real = realpathSync(existing);
  } catch {
    // Unresolvable: compared as given.
  }
  for (const f of PACKAGE_FOLDERS) {
    let root: string;
    try {
      root = realpathSync(f.dir);
    } catch {
      continue; // not there: nothing to protect
    }
    if (real === root || real.startsWith(root + path.sep)) return f.label;
  }
  return undefined;
}

/** What a folder is for, in messages: the build's output folder, or the web server's data folder. */
export interface FolderRole {
  /** `输出目录` */
  readonly name: string;
  /** The option that names it: `--out`. */
  readonly option: string;
}

const OUTPUT_FOLDER: FolderRole = { name: '输出目录', option: '--out' };

/**
 * Checks, before anything is rendered, that `outDir` can hold a build: it is a folder or can be
 * created as one, on an ordinary file system, and writable. Throws OutputFailed with the reason.
 */
export function checkOutputDir(outDir: string, role: FolderRole = OUTPUT_FOLDER): void {
  const { name, option } = role;
  const dir = path.resolve(outDir);
  let found: { existing: string; missing: string[] };
  let st: Stats;
  try {
    found = nearestExisting(dir);
    st = statSync(found.existing);
  } catch (e) {
    throw failure(`无法访问${name}“${outDir}”（${codeOf(e)}）`, outDir);
  }
  const { existing, missing } = found;
  // The package's own clause library and templates are never written to (README: governance).
  const inPackage = packageFolderOf(existing);
  if (inPackage)
    throw failure(
      `${name}“${outDir}”位于 TenderKit 自带的${inPackage}中，那里不能写入`,
      outDir,
      `请用 ${option} 指定别的文件夹。`,
    );
  if (!st.isDirectory()) {
    throw failure(
      missing.length
        ? `无法创建${name}“${outDir}”：“${existing}”不是文件夹`
        : `${name}“${outDir}”已存在，但不是文件夹`,
      outDir,
      `请用 ${option} 指定一个文件夹（不存在时会自动创建）。`,
    );
  }
  let fsType: number | undefined;
  try {
    fsType = statfsSync(existing).type;
  } catch {
    fsType = undefined; // statfs unsupported here: the write itself will tell
  }
  const special = fsType === undefined ? undefined : SPECIAL_FILE_SYSTEMS.get(fsType);
  if (special) {
    throw failure(
      `${name}“${outDir}”位于系统的特殊文件系统（${special}，“${existing}”）上，那里不能存放文件`,
      outDir,
      `请用 ${option} 指定一个普通的文件夹。`,
    );
  }
  try {
    accessSync(existing, constants.W_OK | constants.X_OK);
  } catch (e) {
    const code = codeOf(e);
    throw failure(
      code === 'EROFS'
        ? `${name}“${outDir}”位于只读文件系统上`
        : `没有在“${existing}”中写入的权限（${code}），无法${missing.length ? '创建' : '写入'}${name}“${outDir}”`,
      outDir,
      `请用 ${option} 指定一个可写的文件夹。`,
    );
  }
}

/**
 * Makes sure `dir` exists as a usable folder, creating it (and missing parents) one level at a time
 * after the checks of checkOutputDir: the web server's data folder.
 */
export function ensureFolder(dir: string, role: FolderRole): void {
  checkOutputDir(dir, role);
  try {
    makeDirs(path.resolve(dir));
  } catch (e) {
    throw failure(`无法创建${role.name}“${dir}”（${codeOf(e)}）`, dir);
  }
}

/** Creates the missing folders of `dir` one level at a time; returns those created, outermost first. */
function makeDirs(dir: string): string[] {
  const { existing, missing } = nearestExisting(dir);
  const created: string[] = [];
  let cur = existing;
  try {
    for (const part of missing) {
      cur = path.join(cur, part);
      mkdirSync(cur); // not recursive: each level once, so an odd file system cannot make it spin
      created.push(cur);
    }
  } catch (e) {
    removeDirs(created);
    throw e;
  }
  return created;
}

/** Removes folders this build created (innermost first), only while they are empty. */
function removeDirs(created: readonly string[]): void {
  for (const d of [...created].reverse()) {
    try {
      rmdirSync(d);
    } catch {
      return;
    }
  }
}

function fsyncDir(dir: string): void {
  try {
    const fd = openSync(dir, 'r');
    try {
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
  } catch {
    // Some file systems cannot fsync a folder; the renames themselves have happened.
  }
}

/** A name a manifest may give an output: one file directly in the output folder. */
export function isPlainFileName(name: unknown): name is string {
  return (
    typeof name === 'string' &&
    name !== '' &&
    name !== '.' &&
    name !== '..' &&
    !/[/\\\0]/.test(name) &&
    !path.isAbsolute(name) &&
    Buffer.byteLength(name) <= 255
  );
}

/** An output an earlier build recorded: its name, format and what it held. */
interface RecordedOutput {
  readonly file: string;
  readonly bytes: number;
  readonly sha256: string;
}

/** The extension each output format's files have: a recorded name without it is not an output. */
const OUTPUT_EXTENSION = /\.(docx|pdf|html)$/;

/** What is at `dir`/manifest.json before a build replaces it. */
interface EarlierManifest {
  /** A file that is not a TenderKit build record (another tool's, or unreadable): not overwritten. */
  readonly foreign: boolean;
  /** The outputs the earlier build recorded (none unless the file is a TenderKit build record). */
  readonly outputs: RecordedOutput[];
}

/**
 * Reads `dir`/manifest.json once: whether it is a TenderKit build record (`tool.name`), and the
 * outputs it records — only plain names of output files (.docx, .pdf, .html) with a size and
 * SHA-256. Absent, or a folder or link in the way (reported as such by the caller): not foreign,
 * no outputs. Nothing is removed on the word of a file that cannot be read.
 */
function earlierManifest(dir: string): EarlierManifest {
  const none = { foreign: false, outputs: [] };
  const file = path.join(dir, MANIFEST_FILE);
  let st: Stats;
  try {
    st = lstatSync(file);
  } catch {
    return none;
  }
  if (!st.isFile()) return none;
  let data: { tool?: { name?: unknown }; documents?: unknown } | null;
  try {
    if (st.size > 16 * 1024 * 1024) throw new Error('too large');
    data = JSON.parse(readFileSync(file, 'utf8')) as typeof data;
  } catch {
    return { foreign: true, outputs: [] };
  }
  if (data?.tool?.name !== 'tenderkit') return { foreign: true, outputs: [] };
  const docs = Array.isArray(data.documents) ? (data.documents as unknown[]) : [];
  const found = new Map<string, RecordedOutput>();
  for (const d of docs) {
    const outputs = (d as { outputs?: unknown } | null)?.outputs;
    if (!Array.isArray(outputs)) continue;
    for (const o of outputs) {
      const { file, bytes, sha256 } = (o ?? {}) as Record<string, unknown>;
      if (
        isPlainFileName(file) &&
        file !== MANIFEST_FILE &&
        OUTPUT_EXTENSION.test(file) &&
        typeof bytes === 'number' &&
        typeof sha256 === 'string' &&
        /^[0-9a-f]{64}$/.test(sha256) &&
        !found.has(file)
      )
        found.set(file, { file, bytes, sha256 });
    }
  }
  return { foreign: false, outputs: [...found.values()] };
}

/**
 * Whether the file at `p` still holds exactly what a build wrote there (size, then SHA-256, read
 * in chunks: the file may be anything, of any size).
 */
function unchangedOutput(p: string, r: RecordedOutput): boolean {
  let fd: number | undefined;
  try {
    const st = lstatSync(p);
    if (!st.isFile() || st.size !== r.bytes) return false;
    fd = openSync(p, 'r');
    const hash = createHash('sha256');
    const buf = Buffer.allocUnsafe(1 << 20);
    for (let n; (n = readSync(fd, buf, 0, buf.length, null)) > 0;) hash.update(buf.subarray(0, n));
    return hash.digest('hex') === r.sha256;
  } catch {
    return false;
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

const pidAlive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
};

/** `.tk-tmp-<folder hash>-<pid>-<random>`: the staging folder of one build of one output folder. */
function stagingPrefix(dir: string): string {
  const tag = createHash('sha256').update(path.basename(dir)).digest('hex').slice(0, 12);
  return `${TMP_PREFIX}${tag}-`;
}

/**
 * Removes what a killed build may have left: its staging folder beside the output folder (or inside
 * it, for a folder that is a mount point) and temporary files of older versions inside it. Staging
 * folders of builds still running are left alone.
 */
export function cleanTempFiles(outDir: string): void {
  const dir = path.resolve(outDir);
  let real = dir;
  try {
    real = realpathSync(dir);
  } catch {
    // Folder absent: only beside it can anything be left.
  }
  // Only names this module makes (`<prefix><pid>-<12 hex>`, and `-<n>` for writeFiles) of a
  // process that is gone: a file of the user's that merely starts like them is never touched.
  const stale = (name: string, prefix: string) => {
    if (!name.startsWith(prefix)) return false;
    const m = /^(\d+)-[0-9a-f]{12}(?:-\d+)?$/.exec(name.slice(prefix.length));
    if (!m) return false;
    const pid = Number(m[1]);
    return pid === process.pid || !pidAlive(pid);
  };
  const sweep = (folder: string, prefix: string) => {
    let names: string[];
    try {
      names = readdirSync(folder);
    } catch {
      return;
    }
    for (const f of names)
      if (stale(f, prefix)) rmSync(path.join(folder, f), { recursive: true, force: true });
  };
  sweep(path.dirname(real), stagingPrefix(real));
  sweep(real, TMP_PREFIX);
}

/**
 * Puts a build's files into `outDir`, all or nothing. The files are written (and synced) into a
 * staging folder beside `outDir`; then the earlier build's outputs (those its manifest.json lists)
 * and any file about to be replaced are moved aside, the new files are moved in, and what was moved
 * aside is deleted. A failure at any step moves everything back: the folder is left as it was, and
 * a folder the build created is removed again. Other files in the folder are never touched.
 */
export function writeBuild(outDir: string, files: readonly OutputFile[]): WrittenBuild {
  checkOutputDir(outDir);
  const given = path.resolve(outDir);
  const existed = target(given)?.isDirectory() ?? false;
  const dir = existed ? realpathSync(given) : given;
  const names = files.map((f) => f.fileName);
  for (const n of names)
    if (!isPlainFileName(n)) throw failure(`文件名“${n}”不是输出目录中的文件名`, outDir);

  // A manifest.json that is not a TenderKit build record (another tool's) is not overwritten.
  const manifest = existed ? earlierManifest(dir) : { foreign: false, outputs: [] };
  if (manifest.foreign && names.includes(MANIFEST_FILE))
    throw failure(
      `输出目录中已有一个不是 TenderKit 构建记录的 ${MANIFEST_FILE}，不能覆盖它`,
      path.join(outDir, MANIFEST_FILE),
      '请用 --out 另选一个输出目录，或移走该文件。',
    );
  // Outputs of the earlier build that this one does not produce, and what is in the way.
  const earlier = manifest.outputs.filter((r) => !names.includes(r.file));
  const replaced: string[] = [];
  const removed: string[] = [];
  /** Earlier outputs changed since that build (edited, replaced): kept, and said so. */
  const kept: string[] = [];
  if (existed) {
    for (const n of names) {
      let st: Stats | undefined;
      try {
        st = entry(path.join(dir, n));
      } catch (e) {
        throw failure(`无法检查“${path.join(outDir, n)}”（${codeOf(e)}）`, path.join(outDir, n));
      }
      if (!st) continue;
      if (st.isDirectory())
        throw failure(
          `输出目录中已有名为“${n}”的文件夹，不能用生成的文件替换它`,
          path.join(outDir, n),
          '请删除或改名该文件夹，或用 --out 另选输出目录。',
        );
      replaced.push(n);
    }
    for (const r of earlier) {
      const st = (() => {
        try {
          return entry(path.join(dir, r.file));
        } catch {
          return undefined;
        }
      })();
      if (!st) continue;
      // Only a file still holding what that build wrote is removed; a file edited since (or a
      // link, a folder that took the name) is the user's now and stays.
      if (unchangedOutput(path.join(dir, r.file), r)) removed.push(r.file);
      else kept.push(r.file);
    }
  }

  // Stage beside the folder. Inside it instead when it is a mount point (a rename cannot cross
  // devices) or when its parent is not writable.
  let created: string[] = [];
  let staging = '';
  try {
    created = makeDirs(path.dirname(dir));
    const parent = path.dirname(dir);
    const unique = `${process.pid}-${randomBytes(6).toString('hex')}`;
    const inside = path.join(dir, `${TMP_PREFIX}${unique}`);
    if (existed && statSync(dir).dev !== statSync(parent).dev) staging = inside;
    else {
      staging = path.join(parent, `${stagingPrefix(dir)}${unique}`);
      try {
        mkdirSync(staging);
      } catch (e) {
        const code = (e as NodeJS.ErrnoException).code;
        if (!existed || !['EACCES', 'EPERM', 'EROFS'].includes(code ?? '')) throw e;
        staging = inside;
      }
    }
    if (staging === inside) mkdirSync(staging);
    for (const f of files) writeFileSync(path.join(staging, f.fileName), f.bytes, { flush: true });
    fsyncDir(staging);
  } catch (e) {
    if (staging) rmSync(staging, { recursive: true, force: true });
    removeDirs(created);
    throw failure(`无法写入“${outDir}”（${codeOf(e)}），未改动任何文件`, outDir);
  }

  const written = names.map((n) => path.join(outDir, n));
  if (!existed) {
    // A new folder: the staging folder becomes it in one rename.
    try {
      renameSync(staging, dir);
    } catch (e) {
      rmSync(staging, { recursive: true, force: true });
      removeDirs(created);
      throw failure(`无法创建输出目录“${outDir}”（${codeOf(e)}）`, outDir);
    }
    fsyncDir(path.dirname(dir));
    return { written, removed: [], kept: [] };
  }

  // An existing folder: move aside, move in; undo every step on failure.
  const aside = path.join(staging, '.replaced');
  const movedAside: string[] = [];
  const movedIn: string[] = [];
  try {
    mkdirSync(aside);
    for (const n of [...replaced, ...removed]) {
      renameSync(path.join(dir, n), path.join(aside, n));
      movedAside.push(n);
    }
    for (const n of names) {
      renameSync(path.join(staging, n), path.join(dir, n));
      movedIn.push(n);
    }
  } catch (e) {
    const left: string[] = [];
    for (const n of movedIn.reverse()) {
      try {
        renameSync(path.join(dir, n), path.join(staging, n));
      } catch {
        left.push(n);
      }
    }
    for (const n of movedAside.reverse()) {
      try {
        renameSync(path.join(aside, n), path.join(dir, n));
      } catch {
        left.push(n);
      }
    }
    const problems: Diagnostic[] = [
      diagnostic('OutputFailed', `无法写入“${outDir}”（${codeOf(e)}）`, {
        location: { file: outDir },
      }),
    ];
    if (left.length) {
      // Could not undo: keep the staging folder, which holds the originals, and say where.
      problems.push(
        diagnostic('OutputFailed', `未能还原 ${left.join('、')}，原文件保存在“${aside}”中`, {
          location: { file: aside },
        }),
      );
      throw new TenderKitError(problems);
    }
    rmSync(staging, { recursive: true, force: true });
    throw new TenderKitError(problems);
  }
  fsyncDir(dir);
  rmSync(staging, { recursive: true, force: true });
  return {
    written,
    removed: removed.map((n) => path.join(outDir, n)),
    kept: kept.map((n) => path.join(outDir, n)),
  };
}

/**
 * Writes single files (`clauses diff --out`) into `dir`: each to a temporary name in the same
 * folder, then renamed into place once all are written, so a failure leaves no partial file.
 */
export function writeFiles(dir: string, files: readonly OutputFile[]): string[] {
  checkOutputDir(dir);
  const tmp: string[] = [];
  let created: string[] = [];
  try {
    created = makeDirs(path.resolve(dir));
    for (const f of files) {
      const dest = path.join(dir, f.fileName);
      if (target(dest)?.isDirectory())
        throw failure(`“${dest}”是一个文件夹，不能用生成的文件替换它`, dest);
    }
    for (const f of files) {
      const t = path.join(
        dir,
        `${TMP_PREFIX}${process.pid}-${randomBytes(6).toString('hex')}-${tmp.length}`,
      );
      tmp.push(t);
      writeFileSync(t, f.bytes, { flush: true });
    }
    return files.map((f, i) => {
      const dest = path.join(dir, f.fileName);
      renameSync(tmp[i]!, dest);
      return dest;
    });
  } catch (e) {
    for (const t of tmp) rmSync(t, { force: true });
    removeDirs(created);
    if (e instanceof TenderKitError) throw e;
    throw failure(`无法写入“${dir}”（${codeOf(e)}）`, dir);
  }
}
