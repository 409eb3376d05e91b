// A lock shared by every process that changes a file in the data folder (the server, `tenderkit
// users …`): a lock file created with O_EXCL holding the owner's pid. A lock left by a process that
// died (its pid no longer runs, or the file is older than `staleMs`) is taken over. Within one
// process, callers queue instead of polling.
import { randomBytes } from 'node:crypto';
import { constants, promises as fs } from 'node:fs';
import path from 'node:path';

const queues = new Map<string, Promise<unknown>>();

export class LockTimeout extends Error {
  constructor(readonly file: string) {
    super(`等待文件锁超时：${path.basename(file)}（另一个 TenderKit 进程正在修改数据目录）`);
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function running(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

async function acquire(lock: string, staleMs: number, timeoutMs: number): Promise<string> {
  const token = `${process.pid} ${randomBytes(8).toString('hex')}\n`;
  const until = Date.now() + timeoutMs;
  for (let wait = 5; ; wait = Math.min(wait * 2, 100)) {
    try {
      const h = await fs.open(
        lock,
        constants.O_CREAT | constants.O_EXCL | constants.O_WRONLY,
        0o600,
      );
      try {
        await h.writeFile(token);
      } finally {
        await h.close();
      }
      return token;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
    }
    try {
      const [text, st] = await Promise.all([fs.readFile(lock, 'utf8'), fs.stat(lock)]);
      const pid = Number(/^(\d+) /.exec(text)?.[1]);
      const dead = Number.isInteger(pid) && pid > 0 && pid !== process.pid && !running(pid);
      if (dead || Date.now() - st.mtimeMs > staleMs) await fs.rm(lock, { force: true });
    } catch {
      // removed meanwhile: try again at once
      continue;
    }
    if (Date.now() > until) throw new LockTimeout(lock);
    await sleep(wait);
  }
}

/** Runs `fn` holding the lock file `lock` (created beside the file it protects). */
export function withFileLock<T>(
  lock: string,
  fn: () => Promise<T>,
  opts: { staleMs?: number; timeoutMs?: number } = {},
): Promise<T> {
  const run = async () => {
    const token = await acquire(lock, opts.staleMs ?? 30_000, opts.timeoutMs ?? 10_000);
    try {
      return await fn();
    } finally {
      // Only our own lock is removed (a stale-lock takeover by another process is not undone).
      const now = await fs.readFile(lock, 'utf8').catch(() => '');
      if (now === token) await fs.rm(lock, { force: true });
    }
  };
  const prev = queues.get(lock) ?? Promise.resolve();
  const next = prev.then(run, run);
  const settled = next.catch(() => {});
  queues.set(lock, settled);
  void settled.then(() => {
    if (queues.get(lock) === settled) queues.delete(lock);
  });
  return next;
}

/** fsync of a folder, so a rename or a new file in it survives a crash. */
export async function syncFolder(dir: string): Promise<void> {
  try {
    const d = await fs.open(dir, 'r');
    try {
      await d.sync();
    } finally {
      await d.close();
    }
  } catch {
    // Some file systems cannot fsync a folder.
  }
}

/**
 * Writes `text` to `file` atomically and durably with the given mode: a temp file in the same
 * folder (named like the store's, so the server's start-up removes a leftover), fsync, rename,
 * fsync of the folder.
 */
export async function writeFileAtomic(file: string, text: string, mode: number): Promise<void> {
  const dir = path.dirname(file);
  const tmp = path.join(dir, `.tk-save-${process.pid}-${randomBytes(6).toString('hex')}`);
  let h: fs.FileHandle | undefined;
  try {
    h = await fs.open(tmp, constants.O_CREAT | constants.O_EXCL | constants.O_WRONLY, mode);
    await h.chmod(mode); // not widened by the umask, not narrower than asked either
    await h.writeFile(text, 'utf8');
    await h.sync();
    await h.close();
    h = undefined;
    await fs.rename(tmp, file);
    await syncFolder(dir);
  } catch (e) {
    await h?.close().catch(() => {});
    await fs.rm(tmp, { force: true });
    throw e;
  }
}
