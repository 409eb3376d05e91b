// A disk cache of what the render path computes from trusted text alone: for each library file,
// its validated data and, for clause files, every usable version's body compiled to JavaScript
// source; for each template its literal pieces (the traceability check's reference); for each
// rendered clause text (values are slot markers in it), its Markdown parse. A cold `tenderkit
// lint` otherwise spends more time parsing and compiling these than on the bid; with the cache it
// hashes each text and looks the hash up.
//
// Trust: compiled clause bodies are code, so an entry is only ever used when
//   - it lives in the user's own cache folder (`$XDG_CACHE_HOME/tenderkit`, else
//     `~/.cache/tenderkit`): every folder of it a real folder (no symlink) owned by this user and
//     writable by no one else, and the entry a regular file owned by this user, writable by no one
//     else (folders are made 0700, entries 0600);
//   - its name and the key recorded inside are the key asked for: SHA-256 of the text with the
//     tool's version, the versions of the parsing libraries and the source of the modules that
//     produce entries (template engine, Markdown, library schema, YAML policy), so an entry is
//     never used for other text or by other code;
//   - its checksum (SHA-256 of the rest of the entry, on its first line) matches: a truncated or
//     corrupted entry is ignored.
// Anything else — no home folder, a folder someone else can write, an unreadable or odd entry —
// means no cache: everything is computed from the text as if the cache did not exist. The seal
// checks (governance.ts) run on every load either way, on the same data. `TENDERKIT_CACHE=off`
// turns the cache off. Entries not written for 30 days are removed (checked once a day, when an
// entry is written).
//
// The same folder rules hold for the binary entries below (`code-1/`: V8's compiled code of the
// CLI bundle, see cli/launch.ts, of which the 24 written last are kept; `figures-1/`: the figures'
// PNGs for Word, see figures/raster.ts).
import { createHash, randomBytes } from 'node:crypto';
import {
  closeSync,
  constants,
  fstatSync,
  lstatSync,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { toolVersion } from '../provenance/version.js';

const HERE = path.dirname(fileURLToPath(import.meta.url));
/** `.js` in dist/, `.ts` when the sources run directly (tests). */
const EXT = path.extname(fileURLToPath(import.meta.url));
/** Our modules whose code decides what an entry holds. */
const PRODUCERS = [
  'library/cache',
  'library/library',
  'render/markdown',
  'render/template-engine',
  'schema/library',
  'schema/fields',
  'ir/figures',
  'load/yaml-file',
];
const LIBRARIES = [
  'nunjucks',
  'yaml',
  'zod',
  'micromark',
  'mdast-util-from-markdown',
  'micromark-extension-gfm-table',
];
const MAX_ENTRY_BYTES = 8 * 1024 * 1024;
const MAX_AGE_MS = 30 * 24 * 3600_000;
/**
 * New entries one process may write: a command writes a few dozen (one per library file, clause
 * text and template); a process that renders thousands of generated bids (a property test, a
 * long-running server) stops adding after this many and only reads.
 */
const MAX_WRITES = 400;
/** Counts for this process (tests and the benchmark read them). */
export const cacheStats = { hits: 0, misses: 0, writes: 0, refused: 0 };

const sha256 = (s: string | Buffer) => createHash('sha256').update(s).digest('hex');

let salt: string | null | undefined;
/** What every key is salted with; null when the producing code cannot be read (no cache). */
function keySalt(): string | null {
  if (salt !== undefined) return salt;
  try {
    const h = createHash('sha256').update(`tenderkit-library-cache-1\0${toolVersion()}\0`);
    const require = createRequire(import.meta.url);
    for (const lib of LIBRARIES) h.update(`${lib}@${packageVersion(require, lib)}\0`);
    for (const m of PRODUCERS)
      h.update(readFileSync(path.join(HERE, '..', `${m}${EXT}`))).update('\0');
    salt = h.digest('hex');
  } catch {
    salt = null;
  }
  return salt;
}

/**
 * An installed package's version: from the package.json of that name in the first `node_modules`
 * of Node's lookup that holds one (read directly: a lookup through the package's entry point costs
 * a cold command several milliseconds per package), else from the package.json above its entry
 * point.
 */
export function packageVersion(require: NodeJS.Require, name: string): string {
  for (const nm of require.resolve.paths(name) ?? []) {
    try {
      const pkg = JSON.parse(readFileSync(path.join(nm, name, 'package.json'), 'utf8')) as {
        name?: unknown;
        version?: unknown;
      };
      if (pkg.name === name) return String(pkg.version);
    } catch {
      // not installed here
    }
  }
  // Not require.resolve(`${name}/package.json`): packages with an `exports` map may not list it.
  let dir = path.dirname(require.resolve(name));
  for (;;) {
    try {
      const pkg = JSON.parse(readFileSync(path.join(dir, 'package.json'), 'utf8')) as {
        name?: unknown;
        version?: unknown;
      };
      if (pkg.name === name) return String(pkg.version);
    } catch {
      // no package.json here
    }
    const up = path.dirname(dir);
    if (up === dir) throw new Error(`no package.json for ${name}`);
    dir = up;
  }
}

/**
 * A cache folder (`library-1` for the library's entries, `code-1` for the CLI's compiled code, see
 * cli/launch.ts), or undefined when there is none to trust.
 */
export function cacheFolder(sub = 'library-1'): string | undefined {
  // Asked once per cache lookup (~100 in a `lint`): the answer is kept for the variables it reads.
  const { TENDERKIT_CACHE, XDG_CACHE_HOME, HOME } = process.env;
  const memo = `${sub}\0${TENDERKIT_CACHE}\0${XDG_CACHE_HOME}\0${HOME}`;
  if (folders.has(memo)) return folders.get(memo);
  const dir = findCacheFolder(sub);
  if (folders.size >= 16) folders.clear();
  folders.set(memo, dir);
  return dir;
}

const folders = new Map<string, string | undefined>();

function findCacheFolder(sub: string): string | undefined {
  const off = process.env.TENDERKIT_CACHE;
  if (off && /^(off|0|false|no)$/i.test(off)) return undefined;
  if (typeof process.getuid !== 'function') return undefined; // no owner to check (Windows)
  const xdg = process.env.XDG_CACHE_HOME;
  let base: string;
  if (xdg && path.isAbsolute(xdg)) base = xdg;
  else {
    const home = os.homedir();
    if (!home || !path.isAbsolute(home)) return undefined;
    base = path.join(home, '.cache');
  }
  return path.join(base, 'tenderkit', sub);
}

/** Ours alone: a real folder or file owned by this user that no one else may write. */
function ownedAndPrivate(st: { uid: number; mode: number }): boolean {
  return st.uid === process.getuid!() && (st.mode & 0o022) === 0;
}

/**
 * The folder and its parent (`tenderkit/`) are real folders only this user can change. Asked on
 * every read, not once per process: a folder that becomes writable by others (or is swapped for a
 * symlink) while a process runs is refused from then on.
 */
function trustedFolder(dir: string): boolean {
  for (const d of [path.dirname(dir), dir]) {
    try {
      const st = lstatSync(d, { throwIfNoEntry: false });
      if (!st?.isDirectory() || !ownedAndPrivate(st)) return false;
    } catch {
      return false;
    }
  }
  return true;
}

function keyFor(kind: string, bytesSha256: string): string | undefined {
  const s = keySalt();
  return s ? sha256(`${s}\0${kind}\0${bytesSha256}`) : undefined;
}

/** Where the entry for a text would be (tests look at it). */
export function cacheEntryFile(kind: string, bytesSha256: string): string | undefined {
  const dir = cacheFolder();
  const key = dir && keyFor(kind, bytesSha256);
  return dir && key ? path.join(dir, `${key}.json`) : undefined;
}

/**
 * The entry for a file's bytes (`bytesSha256`), or undefined (no cache, no entry, or an entry
 * that fails any check above). `kind` separates what different loaders store.
 */
export function cacheGet(kind: string, bytesSha256: string): unknown {
  const dir = cacheFolder();
  const key = dir && keyFor(kind, bytesSha256);
  if (!dir || !key) return undefined;
  let fd: number | undefined;
  try {
    // O_NONBLOCK: a FIFO (or device) planted under an entry's name must not block the open; it is
    // then refused as not a regular file.
    fd = openSync(
      path.join(dir, `${key}.json`),
      constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK,
    );
  } catch {
    cacheStats.misses++;
    return undefined;
  }
  try {
    const st = fstatSync(fd);
    if (!st.isFile() || !ownedAndPrivate(st) || st.size > MAX_ENTRY_BYTES || !trustedFolder(dir))
      throw new Error('untrusted');
    // The checksum is over the bytes as stored (the UTF-8 that `cachePut` wrote).
    const bytes = readFileSync(fd);
    if (bytes[64] !== 0x0a || sha256(bytes.subarray(65)) !== bytes.toString('latin1', 0, 64))
      throw new Error('checksum');
    const entry = JSON.parse(bytes.toString('utf8', 65)) as { key?: unknown; value?: unknown };
    if (entry.key !== key || entry.value === undefined) throw new Error('key');
    cacheStats.hits++;
    return entry.value;
  } catch {
    cacheStats.refused++;
    return undefined;
  } finally {
    closeSync(fd);
  }
}

/** Stores an entry (JSON-safe `value`); never fails the caller. */
export function cachePut(kind: string, bytesSha256: string, value: unknown): void {
  const dir = cacheFolder();
  const key = dir && keyFor(kind, bytesSha256);
  if (!dir || !key || cacheStats.writes >= MAX_WRITES) return;
  const tmp = path.join(dir, `.${key}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`);
  try {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    if (!trustedFolder(dir)) return;
    const payload = JSON.stringify({ key, value });
    writeFileSync(tmp, `${sha256(payload)}\n${payload}`, { flag: 'wx', mode: 0o600 });
    renameSync(tmp, path.join(dir, `${key}.json`));
    cacheStats.writes++;
    if (!pruned) prune(dir);
  } catch {
    rmSync(tmp, { force: true });
  }
}

let pruned = false;
/**
 * Removes entries (and left-over temporary files) not written for MAX_AGE_MS: at most once a
 * process and once a day (the `.pruned` file's time says when it last ran).
 */
function prune(dir: string): void {
  pruned = true;
  const now = Date.now();
  const stamp = path.join(dir, '.pruned');
  try {
    if (now - statSync(stamp).mtimeMs < 24 * 3600_000) return;
  } catch {
    // never pruned
  }
  writeFileSync(stamp, '', { mode: 0o600 });
  for (const name of readdirSync(dir)) {
    if (!/^\.?[0-9a-f]{64}(\.json|\.\d+\.[0-9a-f]+\.tmp)$/.test(name)) continue;
    const file = path.join(dir, name);
    try {
      if (now - statSync(file).mtimeMs > (name.endsWith('.tmp') ? 3600_000 : MAX_AGE_MS))
        rmSync(file, { force: true });
    } catch {
      // another process removed it
    }
  }
}

/**
 * Binary entries (V8's compiled code for the CLI bundle, cli/launch.ts), under the same rules as
 * the library's: `<SHA-256 of the rest>\n<key>\n<bytes>` in a file named by the key, in a folder
 * only this user can write; anything else reads as no entry.
 */
export function binaryCacheGet(sub: string, key: string): Buffer | undefined {
  const dir = cacheFolder(sub);
  if (!dir || !/^[0-9a-f]{64}$/.test(key)) return undefined;
  let fd: number | undefined;
  try {
    // O_NONBLOCK: a FIFO planted under an entry's name must not block (see cacheGet).
    fd = openSync(
      path.join(dir, `${key}.bin`),
      constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK,
    );
  } catch {
    return undefined;
  }
  try {
    const st = fstatSync(fd);
    if (
      !st.isFile() ||
      !ownedAndPrivate(st) ||
      st.size > 8 * MAX_ENTRY_BYTES ||
      !trustedFolder(dir)
    )
      return undefined;
    const bytes = readFileSync(fd);
    const head = bytes.subarray(0, 130).toString('latin1');
    if (head[64] !== '\n' || head[129] !== '\n' || head.slice(65, 129) !== key) return undefined;
    if (sha256(bytes.subarray(65)) !== head.slice(0, 64)) return undefined;
    return bytes.subarray(130);
  } catch {
    return undefined;
  } finally {
    closeSync(fd);
  }
}

/**
 * Stores a binary entry (written whole, then renamed into place); never fails the caller. The
 * folder keeps the `keep` entries written last.
 */
export function binaryCachePut(
  sub: string,
  key: string,
  data: Buffer,
  keep = MAX_BINARY_ENTRIES,
): void {
  const dir = cacheFolder(sub);
  if (!dir || !/^[0-9a-f]{64}$/.test(key) || data.length > 8 * MAX_ENTRY_BYTES) return;
  const tmp = path.join(dir, `.${key}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`);
  try {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    if (!trustedFolder(dir)) return;
    const rest = Buffer.concat([Buffer.from(`${key}\n`, 'latin1'), data]);
    writeFileSync(tmp, Buffer.concat([Buffer.from(`${sha256(rest)}\n`, 'latin1'), rest]), {
      flag: 'wx',
      mode: 0o600,
    });
    renameSync(tmp, path.join(dir, `${key}.bin`));
    pruneBinary(dir, keep);
  } catch {
    rmSync(tmp, { force: true });
  }
}

/** Binary entries kept per folder (unless told): the newest, the others removed on a write. */
const MAX_BINARY_ENTRIES = 24;

function pruneBinary(dir: string, keep: number): void {
  const entries = readdirSync(dir)
    .filter((n) => /^[0-9a-f]{64}\.bin$/.test(n))
    .flatMap((n) => {
      try {
        return [{ file: path.join(dir, n), time: statSync(path.join(dir, n)).mtimeMs }];
      } catch {
        return []; // another process removed it
      }
    })
    .sort((a, b) => b.time - a.time);
  for (const { file } of entries.slice(keep)) rmSync(file, { force: true });
}
