// Saved bids: YAML files in the data folder, the same format the CLI reads. Writes are atomic and
// durable (temp file, fsync, rename, fsync the folder); a save based on an old version is refused.
import { createHash, randomBytes } from 'node:crypto';
import { constants, promises as fs } from 'node:fs';
import path from 'node:path';
import { parse, stringify } from 'yaml';
import type { BidInput } from '../schema/bid.js';
import { ensureFolder } from '../output.js';

export const ID_RE = /^[a-z0-9][a-z0-9-]{0,63}$/;
const TMP_PREFIX = '.tk-save-';

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

export interface BidSummary {
  readonly id: string;
  readonly project: string;
  readonly tenderee: string;
  readonly modified: string;
}

const hash = (s: string) => createHash('sha256').update(s).digest('hex');

export function checkId(id: string): string {
  if (!ID_RE.test(id)) throw new StoreError('bad-id', '编号只能由小写字母、数字和连字符组成');
  return id;
}

export class BidStore {
  /** Saves to one id run one after another, so check-then-write cannot interleave in this process. */
  private readonly locks = new Map<string, Promise<unknown>>();

  constructor(readonly dir: string) {}

  /** Creates the folder and removes temporary files a killed save left behind. */
  async open(): Promise<this> {
    // Not fs.mkdir({ recursive }): that loops forever on /proc (see output.ts).
    ensureFolder(this.dir, { name: '数据目录', option: '--data' });
    for (const f of await fs.readdir(this.dir))
      if (f.startsWith(TMP_PREFIX)) await fs.rm(path.join(this.dir, f), { force: true });
    return this;
  }

  file(id: string): string {
    return path.join(this.dir, `${checkId(id)}.yaml`);
  }

  async list(): Promise<BidSummary[]> {
    const out: BidSummary[] = [];
    for (const f of (await fs.readdir(this.dir)).sort()) {
      const id = f.replace(/\.yaml$/, '');
      if (!f.endsWith('.yaml') || !ID_RE.test(id)) continue;
      try {
        const [text, st] = await Promise.all([
          fs.readFile(path.join(this.dir, f), 'utf8'),
          fs.stat(path.join(this.dir, f)),
        ]);
        const data = (parse(text) ?? {}) as {
          project?: { name?: unknown };
          tenderee?: { name?: unknown };
        };
        out.push({
          id,
          project: String(data.project?.name ?? '（未命名）'),
          tenderee: String(data.tenderee?.name ?? ''),
          modified: st.mtime.toISOString(),
        });
      } catch {
        out.push({ id, project: '（文件无法读取）', tenderee: '', modified: '' });
      }
    }
    return out;
  }

  async read(id: string): Promise<StoredBid> {
    let text: string;
    try {
      text = await fs.readFile(this.file(id), 'utf8');
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT')
        throw new StoreError('not-found', `没有编号为“${id}”的投标`);
      throw new StoreError('io', '读取失败');
    }
    return { id, text, version: hash(text), input: (parse(text) ?? {}) as BidInput };
  }

  newId(): string {
    return `bid-${randomBytes(5).toString('hex')}`;
  }

  /**
   * Writes `input` as `id`. `base` is the version the edit started from (null for a new bid): if
   * the file has changed since, nothing is written and a conflict is reported.
   */
  async save(id: string, input: BidInput, base: string | null): Promise<StoredBid> {
    const file = this.file(id);
    const run = async () => {
      let current: string | null = null;
      try {
        current = hash(await fs.readFile(file, 'utf8'));
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw new StoreError('io', '读取失败');
      }
      if (current !== base) {
        throw new StoreError(
          'conflict',
          current === null ? '该投标已被删除' : '该投标已被其他人修改并保存，您的修改没有覆盖它',
        );
      }
      const text = `# TenderKit 投标参数文件（由网页表单保存）\n${stringify(input, { lineWidth: 0 })}`;
      await writeAtomic(this.dir, file, text);
      return { id, text, version: hash(text), input };
    };
    const prev = this.locks.get(id) ?? Promise.resolve();
    const next = prev.then(run, run);
    this.locks.set(
      id,
      next.catch(() => {}),
    );
    return next;
  }
}

/** Temp file in the same folder, fsync, rename over the target, fsync the folder. */
export async function writeAtomic(dir: string, file: string, text: string): Promise<void> {
  const tmp = path.join(dir, `${TMP_PREFIX}${process.pid}-${randomBytes(6).toString('hex')}`);
  let handle: fs.FileHandle | undefined;
  try {
    handle = await fs.open(tmp, constants.O_CREAT | constants.O_EXCL | constants.O_WRONLY, 0o644);
    await handle.writeFile(text, 'utf8');
    await handle.sync();
    await handle.close();
    handle = undefined;
    await fs.rename(tmp, file);
    const d = await fs.open(dir, 'r');
    try {
      await d.sync();
    } finally {
      await d.close();
    }
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
