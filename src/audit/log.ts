// The audit trail: `<data>/audit.log`, one JSON object per line, append-only (O_APPEND, fsync after
// every entry, mode 0600). Each entry carries `prev`, the hash of the entry before it (the first
// one: GENESIS), and ends with `hash`, the SHA-256 of the line's own text up to that field — so
// changing, inserting or deleting an entry breaks the chain at that line. Appends from the server
// and from `tenderkit users …` run one at a time under a lock file, each reading the last entry
// first. Entries hold names, addresses, ids and outcomes: never a password, never a bid's contents.
import { createHash } from 'node:crypto';
import { constants, promises as fs } from 'node:fs';
import path from 'node:path';
import { syncFolder, withFileLock } from '../auth/file-lock.js';

export const AUDIT_FILE = 'audit.log';
const LOCK_FILE = '.tk-audit.lock';
/** What the first entry's `prev` is. */
export const GENESIS = '0'.repeat(64);

/** Every kind of entry, with the words the admin page shows. */
export const AUDIT_EVENTS = {
  signin: '登录',
  'signin.failed': '登录失败',
  'signin.locked': '锁定期间尝试登录',
  lockout: '账户锁定',
  signout: '退出登录',
  'bid.create': '新建投标',
  'bid.save': '保存投标',
  'bid.delete': '删除投标',
  'bid.restore': '从回收站恢复',
  'bid.restore-version': '恢复历史版本',
  'bid.download': '下载文件',
  'bid.submit': '提交审核',
  'bid.return': '退回修改',
  'bid.finalise': '定稿',
  'clause.propose': '提出条款新版本',
  'clause.approve': '批准条款版本',
  'clause.reject': '退回条款草稿',
  'clause.retire': '停用条款版本',
  'account.add': '新建账户',
  'account.disable': '停用账户',
  'account.enable': '启用账户',
  'account.passwd': '修改密码',
} as const;
export type AuditEventName = keyof typeof AUDIT_EVENTS;

export type DetailValue = string | number | boolean | null;

export interface AuditInput {
  readonly event: AuditEventName;
  /** Who: an account name, `sso:<name>` for single sign-on, `cli:<os user>`; null if unknown. */
  readonly actor: string | null;
  readonly roles?: readonly string[];
  /** The client's address (web) or null (command line). */
  readonly ip?: string | null;
  readonly via: 'web' | 'cli';
  /** What it was done to: a bid id, an account name. */
  readonly target?: string | null;
  readonly detail?: Readonly<Record<string, DetailValue>>;
}

export interface AuditEntry extends AuditInput {
  readonly seq: number;
  readonly time: string;
  readonly prev: string;
  readonly hash: string;
}

const sha256 = (s: string) => createHash('sha256').update(s, 'utf8').digest('hex');

/** A value as it may go into the log: short, single-line, no control characters. */
// eslint-disable-next-line no-control-regex -- control characters never go into the log
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/g;
function clean(v: unknown, max = 200): string {
  return String(v).replace(CONTROL, '�').slice(0, max);
}

const LINE_RE = /^(\{.*),"hash":"([0-9a-f]{64})"\}$/;

/** The line for an entry after `prev` (numbered `seq`): its fields, then its own hash. */
export function entryLine(input: AuditInput, seq: number, prev: string, time: Date): string {
  const detail: Record<string, DetailValue> = {};
  for (const [k, v] of Object.entries(input.detail ?? {}).slice(0, 20))
    detail[clean(k, 40)] = typeof v === 'string' ? clean(v) : v;
  const body = JSON.stringify({
    seq,
    time: time.toISOString(),
    event: input.event,
    actor: input.actor === null ? null : clean(input.actor, 120),
    roles: (input.roles ?? []).map((r) => clean(r, 20)),
    ip: input.ip ? clean(input.ip, 64) : null,
    via: input.via,
    target: input.target ? clean(input.target, 120) : null,
    detail,
    prev,
  });
  return `${body.slice(0, -1)},"hash":"${sha256(body)}"}`;
}

export type ChainCheck =
  | { readonly ok: true; readonly count: number; readonly head: string }
  | {
      readonly ok: false;
      readonly count: number;
      /** 1-based line number of the first entry that does not check out. */
      readonly line: number;
      readonly reason: string;
    };

/** Checks every line of the log's text: its own hash, its number and its link to the one before. */
export function checkChain(text: string): ChainCheck {
  const lines = text.split('\n');
  const complete = text === '' || text.endsWith('\n');
  if (complete) lines.pop();
  let prev = GENESIS;
  for (const [i, line] of lines.entries()) {
    const n = i + 1;
    const bad = (reason: string): ChainCheck => ({
      ok: false,
      count: lines.length,
      line: n,
      reason,
    });
    if (!complete && n === lines.length) return bad('最后一行不完整（写入时中断，或被截断）');
    const m = LINE_RE.exec(line);
    if (!m) return bad('不是审计记录的格式');
    if (sha256(`${m[1]!}}`) !== m[2]) return bad('记录的内容与它的哈希不符：该条记录被改动过');
    let j: { seq?: unknown; prev?: unknown };
    try {
      j = JSON.parse(line) as typeof j;
    } catch {
      return bad('不是有效的 JSON');
    }
    if (j.seq !== n) return bad(`序号为 ${String(j.seq)}，应为 ${n}：此前有记录被删除或插入`);
    if (j.prev !== prev)
      return bad(
        n === 1
          ? '第一条记录没有接在日志开头：此前有记录被删除'
          : `与第 ${n - 1} 条记录不衔接：第 ${n - 1} 条被改动，或其间有记录被删除、插入`,
      );
    prev = m[2]!;
  }
  return { ok: true, count: lines.length, head: prev };
}

/** The last line of the file and whether the file ends with a newline. */
async function tail(h: fs.FileHandle): Promise<{ last: string; complete: boolean; size: number }> {
  const { size } = await h.stat();
  if (size === 0) return { last: '', complete: true, size };
  for (let want = 16 * 1024; ; want *= 4) {
    const len = Math.min(size, want);
    const buf = Buffer.alloc(len);
    await h.read(buf, 0, len, size - len);
    const text = buf.toString('utf8');
    const complete = text.endsWith('\n');
    const body = complete ? text.slice(0, -1) : text;
    const nl = body.lastIndexOf('\n');
    if (nl >= 0 || len === size) return { last: body.slice(nl + 1), complete, size };
  }
}

export class AuditLog {
  readonly file: string;
  private readonly lock: string;

  constructor(
    readonly dir: string,
    private readonly now: () => Date = () => new Date(),
  ) {
    this.file = path.join(dir, AUDIT_FILE);
    this.lock = path.join(dir, LOCK_FILE);
  }

  /** Appends one entry after the last one in the file (whoever wrote it), durably. */
  append(input: AuditInput): Promise<AuditEntry> {
    return withFileLock(this.lock, async () => {
      const h = await fs.open(
        this.file,
        constants.O_APPEND | constants.O_CREAT | constants.O_RDWR,
        0o600,
      );
      try {
        const st = await h.stat();
        if ((st.mode & 0o077) !== 0) await h.chmod(0o600);
        const { last, complete, size } = await tail(h);
        let prev = GENESIS;
        let seq = 1;
        const m = LINE_RE.exec(last);
        if (m && complete) {
          prev = m[2]!;
          seq = (JSON.parse(last) as { seq: number }).seq + 1;
        } else if (size > 0) {
          // A damaged last line stays as it is (verify names it); the new entry follows it.
          prev = sha256(last);
          const all = await fs.readFile(this.file, 'utf8');
          seq = all.split('\n').length + (complete ? 0 : 1);
        }
        const line = entryLine(input, seq, prev, this.now());
        await h.write(`${complete ? '' : '\n'}${line}\n`);
        await h.sync();
        if (size === 0) await syncFolder(this.dir);
        return JSON.parse(line) as AuditEntry;
      } finally {
        await h.close();
      }
    });
  }

  /** Every entry that parses, oldest first, and the result of checking the chain. */
  async read(): Promise<{ entries: AuditEntry[]; check: ChainCheck }> {
    let text: string;
    try {
      text = await fs.readFile(this.file, 'utf8');
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
      text = '';
    }
    const entries: AuditEntry[] = [];
    for (const line of text.split('\n')) {
      if (!line) continue;
      try {
        const j = JSON.parse(line) as AuditEntry;
        if (j && typeof j === 'object' && typeof j.event === 'string') entries.push(j);
      } catch {
        // shown by the chain check
      }
    }
    return { entries, check: checkChain(text) };
  }
}
