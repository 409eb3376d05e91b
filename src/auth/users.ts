// Accounts: `<data>/users.yaml`, kept by `tenderkit users …` and read by the server. The file is
// mode 0600, written atomically (temp file, fsync, rename, fsync of the folder) under a lock file,
// and checked like every other input (Zod, located errors). It holds names, roles and scrypt
// hashes (passwords.ts) — never a password.
import { chmodSync, promises as fs, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { stringify } from 'yaml';
import { z } from 'zod';
import { catalogue } from '../diagnostics/catalogue.js';
import { diagnostic, TenderKitError } from '../diagnostics/diagnostic.js';
import { parseYamlText } from '../load/yaml-file.js';
import { zodIssuesToDiagnostics } from '../load/zod-issues.js';
import { withFileLock, writeFileAtomic } from './file-lock.js';
import { PHC_PATTERN } from './passwords.js';

export const USERS_FILE = 'users.yaml';
const LOCK_FILE = '.tk-users.lock';
const FORMAT = 1;

export const ROLES = ['sales', 'manager', 'legal', 'admin'] as const;
export type Role = (typeof ROLES)[number];
export const ROLE_LABELS: Readonly<Record<Role, string>> = {
  sales: '销售',
  manager: '投标经理',
  legal: '法务',
  admin: '系统管理员',
};

/** Account names: lower-case letters, digits, `.`, `_`, `-` (an employee number, a pinyin name). */
export const NAME_RE = /^[a-z0-9][a-z0-9._-]{0,31}$/;

const time = (label: string) => z.iso.datetime({ offset: true }).meta({ label, help: 'ISO 8601' });

export const accountSchema = z
  .strictObject({
    name: z
      .string()
      .regex(NAME_RE, { message: '用户名只能由小写字母、数字和 . _ - 组成，最长 32 个字符' })
      .meta({ label: '用户名', help: '登录时输入的名称' }),
    displayName: z
      .string()
      .min(1)
      .max(40)
      // eslint-disable-next-line no-control-regex -- no control characters in a shown name
      .regex(/^[^\u0000-\u001f\u007f]+$/, { message: '不能含控制字符' })
      .optional()
      .meta({ label: '姓名', help: '页面和审计日志中显示的姓名' }),
    role: z.enum(ROLES).meta({ label: '角色', help: 'sales、manager、legal 或 admin' }),
    password: z
      .string()
      .regex(PHC_PATTERN, { message: '不是 TenderKit 写出的 scrypt 哈希' })
      .meta({ label: '密码哈希', help: '由 tenderkit users add / passwd 写入' }),
    created: time('创建时间'),
    passwordChanged: time('密码修改时间'),
    disabled: z.boolean().optional().meta({ label: '已停用', help: 'true 时不能登录' }),
  })
  .meta({ label: '账户' });

export const usersFileSchema = z
  .strictObject({
    version: z.literal(FORMAT).meta({ label: '账户文件格式版本', help: `固定写 ${FORMAT}` }),
    users: z.array(accountSchema).meta({ label: '账户列表', help: '' }),
  })
  .superRefine((f, ctx) => {
    const seen = new Set<string>();
    for (const [i, u] of f.users.entries()) {
      if (seen.has(u.name))
        ctx.addIssue({
          code: 'custom',
          path: ['users', i, 'name'],
          message: `用户名“${u.name}”重复`,
        });
      seen.add(u.name);
    }
  })
  .meta({ label: '账户文件' });

export type Account = z.output<typeof accountSchema>;
export type UsersFile = z.output<typeof usersFileSchema>;

export const usersFile = (dataDir: string) => path.join(dataDir, USERS_FILE);

const ACCOUNTS_HINT = catalogue.AccountsFileInvalid.hint;

/** Checks the text of users.yaml; every problem is thrown together, located in the file. */
export function parseUsers(text: string, shown: string): UsersFile {
  const y = parseYamlText(text, shown);
  if (!y.ok) throw new TenderKitError(y.diagnostics.map((d) => ({ ...d, hint: ACCOUNTS_HINT })));
  const r = usersFileSchema.safeParse(y.value.data ?? {});
  if (!r.success)
    throw new TenderKitError(
      zodIssuesToDiagnostics(r.error.issues, usersFileSchema, y.value).map((d) => ({
        ...d,
        hint: ACCOUNTS_HINT,
      })),
    );
  return r.data;
}

/**
 * The accounts in `dataDir`, or undefined when there is no users.yaml. A file readable by others
 * is narrowed to 0600 first (hashes are secrets too).
 */
export function readUsers(dataDir: string): UsersFile | undefined {
  const file = usersFile(dataDir);
  let text: string;
  try {
    const st = statSync(file);
    if (!st.isFile())
      throw new TenderKitError([
        diagnostic('AccountsFileInvalid', `“${file}”不是普通文件`, { location: { file } }),
      ]);
    text = readFileSync(file, 'utf8');
    if ((st.mode & 0o077) !== 0) chmodSync(file, 0o600);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    if (e instanceof TenderKitError) throw e;
    throw new TenderKitError([
      diagnostic(
        'AccountsFileInvalid',
        `无法读取账户文件“${file}”（${(e as NodeJS.ErrnoException).code ?? '未知原因'}）`,
        { location: { file } },
      ),
    ]);
  }
  return parseUsers(text, file);
}

/** True when the data folder has at least one account (disabled ones count: sign-in is on). */
export function hasAccounts(dataDir: string): boolean {
  return (readUsers(dataDir)?.users.length ?? 0) > 0;
}

const HEADER =
  '# TenderKit 账户文件：由 tenderkit users add / passwd / disable / enable 维护，请勿手工编辑。\n' +
  '# 只保存 scrypt 哈希，不保存密码；文件权限 0600。\n';

/**
 * Changes the accounts under the lock: `change` gets the current accounts (an empty list when there
 * is no file yet) and returns what to write, or undefined to write nothing.
 */
export async function updateUsers<T>(
  dataDir: string,
  change: (f: UsersFile) => { file: UsersFile; result: T } | undefined,
): Promise<T | undefined> {
  await fs.mkdir(dataDir, { recursive: true, mode: 0o700 });
  return withFileLock(path.join(dataDir, LOCK_FILE), async () => {
    const current = readUsers(dataDir) ?? { version: FORMAT, users: [] };
    const next = change(structuredClone(current));
    if (!next) return undefined;
    const checked = usersFileSchema.parse(next.file);
    await writeFileAtomic(
      usersFile(dataDir),
      `${HEADER}${stringify(checked, { lineWidth: 0 })}`,
      0o600,
    );
    return next.result;
  });
}

/**
 * Gives account `name` the new password hash `hash` (`tenderkit users passwd` and the web's
 * 修改密码 page): `passwordChanged` moves on to `at` (a millisecond later if it already says
 * that), so every session begun before ends at its next request. `unless` refuses the change
 * under the lock (the web: the account was disabled, or its password changed meanwhile). Returns
 * the account as written, `missing`, or `refused`.
 */
export async function setPassword(
  dataDir: string,
  name: string,
  hash: string,
  opts: { at?: Date; unless?: (a: Account) => boolean } = {},
): Promise<Account | 'missing' | 'refused'> {
  let outcome: 'missing' | 'refused' = 'missing';
  const written = await updateUsers(dataDir, (f) => {
    const a = f.users.find((u) => u.name === name);
    if (!a) return undefined;
    if (opts.unless?.(a)) {
      outcome = 'refused';
      return undefined;
    }
    let t = (opts.at ?? new Date()).toISOString();
    if (t === a.passwordChanged) t = new Date(Date.parse(t) + 1).toISOString();
    a.password = hash;
    a.passwordChanged = t;
    return { file: f, result: { ...a } };
  });
  return written ?? outcome;
}

/** What a list shows of an account: never its hash. */
export function publicAccount(a: Account) {
  return {
    name: a.name,
    displayName: a.displayName ?? null,
    role: a.role,
    roleLabel: ROLE_LABELS[a.role],
    disabled: a.disabled === true,
    created: a.created,
    passwordChanged: a.passwordChanged,
  };
}

/**
 * The accounts as the server sees them: read again whenever users.yaml changes (size, mtime or
 * inode), so `tenderkit users disable` or `passwd` takes effect on the next request. A file that
 * no longer checks out locks everyone out (and says so once in the log) rather than letting anyone in.
 */
export class AccountDirectory {
  private key = '';
  private accounts = new Map<string, Account>();
  private broken = false;

  constructor(
    readonly dataDir: string,
    private readonly log: (s: string) => void = (s) => console.error(s),
  ) {}

  private refresh(): void {
    let key: string;
    try {
      const st = statSync(usersFile(this.dataDir));
      key = `${st.ino}:${st.size}:${st.mtimeMs}:${st.ctimeMs}`;
    } catch {
      key = 'none';
    }
    if (key === this.key) return;
    try {
      const f = readUsers(this.dataDir);
      this.accounts = new Map((f?.users ?? []).map((u) => [u.name, u]));
      this.broken = false;
    } catch (e) {
      if (!this.broken)
        this.log(`[tenderkit] 账户文件有误，暂停所有登录：${(e as Error).message}\n`);
      this.accounts = new Map();
      this.broken = true;
    }
    this.key = key;
  }

  /** The account called `name`, if any (disabled ones included). */
  get(name: string): Account | undefined {
    this.refresh();
    return this.accounts.get(name);
  }

  /** True when users.yaml lists at least one account (or cannot be read: sign-in stays on). */
  get any(): boolean {
    this.refresh();
    return this.broken || this.accounts.size > 0;
  }

  list(): Account[] {
    this.refresh();
    return [...this.accounts.values()];
  }
}
