// Saved bids: YAML files in the data folder, the same format the CLI reads. Writes are atomic and
// durable (temp file, fsync, rename, fsync the folder); a save based on an old version is refused.
// Every save keeps the version it replaces in `history/<id>/`; a delete moves the file to `trash/`,
// from where it can be restored. The bid list comes from an index (bid-index.ts).
import { createHash, randomBytes } from 'node:crypto';
import { constants, promises as fs } from 'node:fs';
import path from 'node:path';
import { parse, stringify } from 'yaml';
import type { BidInput } from '../schema/bid.js';
import { ensureFolder } from '../output.js';
import type { BidObserver } from '../auth/bid-events.js';
import {
  BidIndex,
  INDEX_FILE,
  namesOf,
  type BidSummary,
  type MergeForStatus,
} from './bid-index.js';

export type { BidSummary } from './bid-index.js';

/** Bid ids; names ending in `-tender` are the tender requirement files beside the bids. */
export const ID_RE = /^(?!.*-tender$)(?!users$)[a-z0-9][a-z0-9-]{0,63}$/;
/** A tender requirements file in the data folder (`bid-1a2b-tender.yaml`, `highway-tender.yaml`). */
export const TENDER_FILE_RE = /^[a-z0-9][a-z0-9-]{0,63}-tender\.yaml$/;
const TMP_PREFIX = '.tk-save-';
/** A bid's own tender requirements file: `<id>-tender.yaml`, written by the form for that bid. */
const TENDER_SUFFIX = '-tender.yaml';
const tenderFileOf = (dir: string, id: string) => path.join(dir, `${id}${TENDER_SUFFIX}`);
export const HISTORY_DIR = 'history';
export const TRASH_DIR = 'trash';
/** The CSRF secret (csrf.ts), kept beside the bids so a restart keeps open forms valid. */
export const SECRET_FILE = '.tk-secret';
/** Entries of the data folder that belong to the store itself, not bids. */
export const STORE_ENTRIES: readonly string[] = [INDEX_FILE, HISTORY_DIR, TRASH_DIR, SECRET_FILE];

/** A version in the history: the time it was saved, safe as a file name (`:` → `-`). */
const STAMP = String.raw`\d{4}-\d{2}-\d{2}T\d{2}-\d{2}-\d{2}\.\d{3}Z`;
export const VERSION_RE = new RegExp(`^${STAMP}(?:-\\d{1,4})?$`);
/** A bid in the trash: the deletion time and the id (`2025-01-02T03-04-05.678Z_bid-1a2b`). */
export const TRASH_RE = new RegExp(`^(${STAMP})_([a-z0-9][a-z0-9-]{0,63})$`);

export class StoreError extends Error {
  constructor(
    readonly kind: 'not-found' | 'conflict' | 'bad-id' | 'io',
    message: string,
  ) {
    super(message);
  }
}

export interface StoredBid {
  readonly id: string;
  readonly text: string;
  /** SHA-256 of the file: the version a form started from. */
  readonly version: string;
  readonly input: BidInput;
}

export interface HistoryEntry {
  /** The version's name in the history (its save time, file-name safe). */
  readonly version: string;
  /** When that version was saved (ISO 8601). */
  readonly saved: string;
  readonly bytes: number;
}

export interface TrashEntry {
  /** `<deletion time>_<id>`: the name under which it is restored. */
  readonly entry: string;
  readonly id: string;
  readonly deleted: string;
  readonly project: string;
  readonly tenderee: string;
}

export const hash = (s: string) => createHash('sha256').update(s).digest('hex');

export function checkId(id: string): string {
  if (!ID_RE.test(id)) throw new StoreError('bad-id', '编号只能由小写字母、数字和连字符组成');
  return id;
}

const stampOf = (d: Date) => d.toISOString().replace(/:/g, '-');
/** The time a history version or trash entry stamp stands for. */
export const timeOfStamp = (s: string) =>
  new Date(s.replace(/^(\d{4}-\d{2}-\d{2}T\d{2})-(\d{2})-(\d{2}\.\d{3}Z).*$/, '$1:$2:$3'));

/** A stored bid whose `input` is parsed on first use (a save's caller often only redirects). */
function stored(id: string, text: string, input?: BidInput): StoredBid {
  let parsed = input;
  const version = hash(text);
  return {
    id,
    text,
    version,
    get input() {
      return (parsed ??= parseCached(text, version));
    },
  };
}

/**
 * Parsed bids by the hash of their text, least recently used dropped first past 16 MB of text: a
 * bid opened, previewed or checked again is not parsed again (a 150-person bid takes ~20 ms).
 * Every caller gets its own copy, so none can change what another reads.
 */
const parsedBids = new Map<string, { input: BidInput; size: number }>();
let parsedSize = 0;
const PARSED_LIMIT = 16 * 2 ** 20;

function parseCached(text: string, version: string): BidInput {
  const hit = parsedBids.get(version);
  if (hit) {
    parsedBids.delete(version);
    parsedBids.set(version, hit);
    return structuredClone(hit.input);
  }
  const input = (parse(text) ?? {}) as BidInput;
  const size = text.length * 2;
  if (size <= PARSED_LIMIT / 8) {
    parsedBids.set(version, { input: structuredClone(input), size });
    parsedSize += size;
    for (const [k, v] of parsedBids) {
      if (parsedSize <= PARSED_LIMIT) break;
      parsedBids.delete(k);
      parsedSize -= v.size;
    }
  }
  return input;
}

const isMissing = (e: unknown) => (e as NodeJS.ErrnoException).code === 'ENOENT';

export class BidStore {
  /** Changes to one id run one after another, so check-then-write cannot interleave in this process. */
  private readonly locks = new Map<string, Promise<unknown>>();
  /** Told of every bid created, saved, deleted or restored (ownership and audit: src/auth). */
  observer: BidObserver | undefined;
  readonly index: BidIndex;

  constructor(
    readonly dir: string,
    opts: { readonly merge?: MergeForStatus; readonly context?: string } = {},
  ) {
    this.index = new BidIndex(
      dir,
      ID_RE,
      (file, text) => writeAtomic(dir, file, text, { durable: false }),
      opts,
    );
  }

  /** Creates the folder, removes temporary files a killed save left behind, builds the index. */
  async open(): Promise<this> {
    // Not fs.mkdir({ recursive }): that loops forever on /proc (see output.ts).
    ensureFolder(this.dir, { name: '数据目录', option: '--data' });
    for (const f of await fs.readdir(this.dir))
      if (f.startsWith(TMP_PREFIX)) await fs.rm(path.join(this.dir, f), { force: true });
    await this.index.rebuild();
    return this;
  }

  file(id: string): string {
    return path.join(this.dir, `${checkId(id)}.yaml`);
  }

  private historyDir(id: string): string {
    return path.join(this.dir, HISTORY_DIR, checkId(id));
  }

  /** The saved bids, most recently modified first, from the index (no file is read). */
  async list(): Promise<BidSummary[]> {
    return this.index.list();
  }

  async read(id: string): Promise<StoredBid> {
    let text: string;
    try {
      text = await fs.readFile(this.file(id), 'utf8');
    } catch (e) {
      if (isMissing(e)) throw new StoreError('not-found', `没有编号为“${id}”的投标`);
      throw new StoreError('io', '读取失败');
    }
    return stored(id, text);
  }

  newId(): string {
    return `bid-${randomBytes(5).toString('hex')}`;
  }

  /** The text of a tender requirements file beside the bids; undefined if there is none. */
  async readTender(name: string): Promise<string | undefined> {
    if (!TENDER_FILE_RE.test(name)) return undefined;
    try {
      return await fs.readFile(path.join(this.dir, name), 'utf8');
    } catch (e) {
      if (isMissing(e)) return undefined;
      throw new StoreError('io', '读取招标要求文件失败');
    }
  }

  /** Writes a tender requirements file beside the bids (atomic, durable). */
  async writeTender(name: string, text: string): Promise<void> {
    if (!TENDER_FILE_RE.test(name)) throw new StoreError('bad-id', '招标要求文件名无效');
    await writeAtomic(this.dir, path.join(this.dir, name), text);
  }

  /** Runs `fn` after every earlier change to `id` has finished. */
  private locked<T>(id: string, fn: () => Promise<T>): Promise<T> {
    const prev = this.locks.get(id) ?? Promise.resolve();
    const next = prev.then(fn, fn);
    this.locks.set(
      id,
      next.catch(() => {}),
    );
    return next;
  }

  /**
   * Writes `input` as `id`. `base` is the version the edit started from (null for a new bid): if
   * the file has changed since, nothing is written and a conflict is reported.
   */
  save(id: string, input: BidInput, base: string | null): Promise<StoredBid> {
    const text = `# TenderKit 投标参数文件（由网页表单保存）\n${stringify(input, { lineWidth: 0 })}`;
    return this.saveText(id, text, base, input);
  }

  /**
   * Writes `text` as the bid `id`, exactly, if the file is still at version `base` (null: the bid
   * must not exist). The version replaced is kept in the history first. `input`, if given, is what
   * `text` parses to (saves parsing it again).
   */
  saveText(id: string, text: string, base: string | null, input?: BidInput): Promise<StoredBid> {
    const file = this.file(id);
    return this.locked(id, async () => {
      let current: string | null = null;
      let mtime: Date | undefined;
      try {
        current = await fs.readFile(file, 'utf8');
        mtime = (await fs.stat(file)).mtime;
      } catch (e) {
        if (!isMissing(e)) throw new StoreError('io', '读取失败');
      }
      if ((current === null ? null : hash(current)) !== base) {
        throw new StoreError(
          'conflict',
          current === null ? '该投标已被删除' : '该投标已被其他人修改并保存，您的修改没有覆盖它',
        );
      }
      if (current !== null && current !== text) await this.keep(id, current, mtime!);
      await writeAtomic(this.dir, file, text);
      await this.index.update(id, input ? { data: input } : text).catch(() => {});
      await this.observer?.({ kind: current === null ? 'create' : 'save', id, sha256: hash(text) });
      return stored(id, text, input);
    });
  }

  /** Keeps `text` (the version saved at `saved`) in the bid's history. */
  private async keep(id: string, text: string, saved: Date): Promise<void> {
    const dir = this.historyDir(id);
    ensureFolder(dir, { name: '历史版本目录', option: '--data' });
    const stamp = stampOf(saved);
    let name = stamp;
    for (let n = 1; await exists(path.join(dir, `${name}.yaml`)); n++) name = `${stamp}-${n}`;
    await writeAtomic(this.dir, path.join(dir, `${name}.yaml`), text);
  }

  /** The versions a bid's saves replaced, newest first. */
  async history(id: string): Promise<HistoryEntry[]> {
    let names: string[];
    try {
      names = await fs.readdir(this.historyDir(id));
    } catch (e) {
      if (isMissing(e)) return [];
      throw new StoreError('io', '读取历史版本失败');
    }
    const out: HistoryEntry[] = [];
    for (const f of names) {
      const version = f.replace(/\.yaml$/, '');
      if (!f.endsWith('.yaml') || !VERSION_RE.test(version)) continue;
      try {
        const st = await fs.stat(path.join(this.historyDir(id), f));
        out.push({ version, saved: timeOfStamp(version).toISOString(), bytes: st.size });
      } catch {
        // removed meanwhile
      }
    }
    return out.sort((a, b) => (a.version < b.version ? 1 : a.version > b.version ? -1 : 0));
  }

  /** The text of one version in the history. */
  async readVersion(id: string, version: string): Promise<string> {
    if (!VERSION_RE.test(version)) throw new StoreError('not-found', '没有这个历史版本');
    try {
      return await fs.readFile(path.join(this.historyDir(id), `${version}.yaml`), 'utf8');
    } catch (e) {
      if (isMissing(e)) throw new StoreError('not-found', '没有这个历史版本');
      throw new StoreError('io', '读取历史版本失败');
    }
  }

  /**
   * Makes a version from the history the current one (a new save: the version it replaces goes to
   * the history in turn). `base` is the current version the user saw, as for a save.
   */
  async restoreVersion(id: string, version: string, base: string | null): Promise<StoredBid> {
    return this.saveText(id, await this.readVersion(id, version), base);
  }

  /**
   * Moves the bid to the trash, with its own tender requirements file (`<id>-tender.yaml`, the one
   * the form writes for it) when there is one; its history stays. Returns the trash entry's name.
   * A tender file other bids may share (an example's `highway-tender.yaml`) stays where it is.
   */
  remove(id: string): Promise<string> {
    const file = this.file(id);
    return this.locked(id, async () => {
      const trash = path.join(this.dir, TRASH_DIR);
      ensureFolder(trash, { name: '回收站目录', option: '--data' });
      const entry = `${stampOf(new Date())}_${id}`;
      const failed = (e: unknown) =>
        new StoreError('io', `删除失败（${(e as NodeJS.ErrnoException).code ?? '未知原因'}）`);
      try {
        await fs.rename(file, path.join(trash, `${entry}.yaml`));
      } catch (e) {
        if (isMissing(e)) throw new StoreError('not-found', `没有编号为“${id}”的投标`);
        throw failed(e);
      }
      try {
        await fs.rename(tenderFileOf(this.dir, id), path.join(trash, `${entry}${TENDER_SUFFIX}`));
      } catch (e) {
        if (!isMissing(e)) {
          // Not half deleted: the bid goes back beside its tender file.
          await fs.rename(path.join(trash, `${entry}.yaml`), file).catch(() => {});
          throw failed(e);
        }
      }
      await syncDir(trash);
      await syncDir(this.dir);
      await this.index.remove(id);
      await this.observer?.({ kind: 'delete', id, entry });
      return entry;
    });
  }

  /** The bids in the trash, most recently deleted first. */
  async trash(): Promise<TrashEntry[]> {
    const dir = path.join(this.dir, TRASH_DIR);
    let names: string[];
    try {
      names = await fs.readdir(dir);
    } catch (e) {
      if (isMissing(e)) return [];
      throw new StoreError('io', '读取回收站失败');
    }
    const out: TrashEntry[] = [];
    for (const f of names) {
      const m = TRASH_RE.exec(f.replace(/\.yaml$/, ''));
      // A trashed bid's tender file (`…_bid-1a2b-tender.yaml`) goes with its bid, not on its own.
      if (!f.endsWith('.yaml') || !m || !ID_RE.test(m[2]!)) continue;
      let data: unknown;
      try {
        data = parse(await fs.readFile(path.join(dir, f), 'utf8'));
      } catch (e) {
        if (isMissing(e)) continue; // restored meanwhile
        data = undefined; // shown as （未命名）, still restorable
      }
      out.push({
        entry: `${m[1]!}_${m[2]!}`,
        id: m[2]!,
        deleted: timeOfStamp(m[1]!).toISOString(),
        ...namesOf(data),
      });
    }
    return out.sort((a, b) => (a.entry < b.entry ? 1 : a.entry > b.entry ? -1 : 0));
  }

  /**
   * Puts a bid from the trash back under its id, its own tender file with it; refused if a bid
   * with that id exists again.
   */
  restoreFromTrash(entry: string): Promise<StoredBid> {
    const m = TRASH_RE.exec(entry);
    if (!m || !ID_RE.test(m[2]!))
      return Promise.reject(new StoreError('not-found', '回收站中没有这个投标'));
    const id = m[2]!;
    const from = path.join(this.dir, TRASH_DIR, `${entry}.yaml`);
    const to = this.file(id);
    return this.locked(id, async () => {
      try {
        // A hard link fails if the target exists: a bid saved under the id since is never replaced.
        await fs.link(from, to);
      } catch (e) {
        const code = (e as NodeJS.ErrnoException).code;
        if (code === 'EEXIST')
          throw new StoreError('conflict', `已有编号为“${id}”的投标，不能恢复到同一编号`);
        if (code === 'ENOENT') throw new StoreError('not-found', '回收站中没有这个投标');
        throw new StoreError('io', `恢复失败（${code ?? '未知原因'}）`);
      }
      // The tender file comes back too; one written under its name since is never replaced.
      const tenderFrom = path.join(this.dir, TRASH_DIR, `${entry}${TENDER_SUFFIX}`);
      try {
        await fs.link(tenderFrom, tenderFileOf(this.dir, id));
        await fs.rm(tenderFrom, { force: true });
      } catch (e) {
        const code = (e as NodeJS.ErrnoException).code;
        if (code !== 'ENOENT' && code !== 'EEXIST') {
          await fs.rm(to, { force: true });
          throw new StoreError('io', `恢复失败（${code ?? '未知原因'}）`);
        }
      }
      await syncDir(this.dir);
      await fs.rm(from, { force: true });
      await syncDir(path.join(this.dir, TRASH_DIR));
      const text = await fs.readFile(to, 'utf8');
      await this.index.update(id, text).catch(() => {});
      await this.observer?.({ kind: 'restore', id, entry });
      return stored(id, text);
    });
  }
}

async function exists(p: string): Promise<boolean> {
  try {
    await fs.access(p);
    return true;
  } catch {
    return false;
  }
}

async function syncDir(dir: string): Promise<void> {
  const d = await fs.open(dir, 'r');
  try {
    await d.sync();
  } finally {
    await d.close();
  }
}

/**
 * Temp file in `dir` (the data folder, so start-up removes leftovers), fsync, rename over the
 * target, fsync the target's folder. With `durable: false` (caches) nothing is synced.
 */
export async function writeAtomic(
  dir: string,
  file: string,
  text: string,
  opts: { durable?: boolean; mode?: number } = {},
): Promise<void> {
  const durable = opts.durable ?? true;
  const tmp = path.join(dir, `${TMP_PREFIX}${process.pid}-${randomBytes(6).toString('hex')}`);
  let handle: fs.FileHandle | undefined;
  try {
    handle = await fs.open(
      tmp,
      constants.O_CREAT | constants.O_EXCL | constants.O_WRONLY,
      opts.mode ?? 0o644,
    );
    await handle.writeFile(text, 'utf8');
    if (durable) await handle.sync();
    await handle.close();
    handle = undefined;
    await fs.rename(tmp, file);
    if (durable) await syncDir(path.dirname(file));
  } catch (e) {
    await handle?.close().catch(() => {});
    await fs.rm(tmp, { force: true });
    const code = (e as NodeJS.ErrnoException).code;
    throw new StoreError(
      'io',
      code === 'ENOSPC'
        ? '磁盘空间不足，未保存（原文件保持不变）'
        : `保存失败（${code ?? '未知原因'}），原文件保持不变`,
    );
  }
}
