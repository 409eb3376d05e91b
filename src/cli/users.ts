// `tenderkit users add|list|disable|enable|passwd`: the accounts of the web app, in the data folder
// the server uses (`--data DIR`, default data/). Every change is written to the audit log with the
// operating-system user who ran the command.
import os from 'node:os';
import { AuditLog, type AuditInput } from '../audit/log.js';
import { fail } from '../diagnostics/diagnostic.js';
import { hashPassword, passwordProblem } from '../auth/passwords.js';
import { readNewPassword } from '../auth/password-input.js';
import {
  NAME_RE,
  publicAccount,
  readUsers,
  ROLE_LABELS,
  ROLES,
  setPassword,
  updateUsers,
  type Role,
} from '../auth/users.js';
import type { Io } from './clauses.js';
import { parseCommand, unknownCommand, UsageError, USERS_SUBCOMMANDS } from './usage.js';

// eslint-disable-next-line no-control-regex -- no control characters in a shown name
const CONTROL = /[\u0000-\u001f\u007f]/;

function cliActor(): string {
  let name = 'unknown';
  try {
    name = os.userInfo().username;
  } catch {
    // no passwd entry (a container): keep "unknown"
  }
  return `cli:${name}`;
}

async function recordChange(dataDir: string, input: Omit<AuditInput, 'via' | 'actor'>) {
  await new AuditLog(dataDir).append({ ...input, actor: cliActor(), via: 'cli', ip: null });
}

function oneName(positionals: string[], sub: string): string {
  if (positionals.length !== 1)
    throw new UsageError(
      `users ${sub} 需要且只需要一个用户名，例如：tenderkit users ${sub} zhangsan`,
      `users ${sub}`,
    );
  const raw = positionals[0]!;
  const name = raw.toLowerCase();
  if (!NAME_RE.test(name))
    throw new UsageError(
      `用户名“${raw}”无效：只能由字母、数字和 . _ - 组成，以字母或数字开头，最长 32 个字符`,
      `users ${sub}`,
    );
  return name;
}

const pad = (n: number) => String(n).padStart(2, '0');
function localTime(iso: string): string {
  const d = new Date(iso);
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${pad(d.getHours())}:${pad(d.getMinutes())}`;
}

async function newPassword(name: string, io: Io): Promise<string> {
  const pw = await readNewPassword(io.err);
  const problem = passwordProblem(pw, name);
  if (problem) fail('PasswordRejected', problem);
  return pw;
}

export async function runUsers(args: string[], io: Io): Promise<number> {
  const [sub = '', ...rest] = args;
  if (!(USERS_SUBCOMMANDS as readonly string[]).includes(sub))
    throw unknownCommand(sub, USERS_SUBCOMMANDS, 'users');
  switch (sub) {
    case 'add': {
      const { values, positionals } = parseCommand('users add', rest);
      const name = oneName(positionals, 'add');
      const role = values.role;
      if (!role || !(ROLES as readonly string[]).includes(role))
        throw new UsageError(
          `${role ? `角色“${role}”无效` : '缺少 --role'}：应为 ${ROLES.map((r) => `${r}（${ROLE_LABELS[r]}）`).join('、')} 之一`,
          'users add',
        );
      const display = values.display?.trim();
      if (display !== undefined && (!display || display.length > 40 || CONTROL.test(display)))
        throw new UsageError('--display 应为 1–40 个字符的姓名', 'users add');
      const dataDir = values.data ?? 'data';
      if (readUsers(dataDir)?.users.some((u) => u.name === name))
        fail('AccountExists', `账户“${name}”已存在`);
      const hash = await hashPassword(await newPassword(name, io));
      const t = new Date().toISOString();
      await updateUsers(dataDir, (f) => {
        if (f.users.some((u) => u.name === name)) fail('AccountExists', `账户“${name}”已存在`);
        f.users.push({
          name,
          ...(display ? { displayName: display } : {}),
          role: role as Role,
          password: hash,
          created: t,
          passwordChanged: t,
        });
        return { file: f, result: true };
      });
      await recordChange(dataDir, { event: 'account.add', target: name, detail: { role } });
      io.out(`已创建账户 ${name}（${ROLE_LABELS[role as Role]}）。\n`);
      return 0;
    }
    case 'list': {
      const { values, positionals } = parseCommand('users list', rest);
      if (positionals.length) throw new UsageError('users list 不接受参数', 'users list');
      const fmt = values.format ?? 'text';
      if (fmt !== 'text' && fmt !== 'json')
        throw new UsageError(`users list --format 只能是 text 或 json，收到“${fmt}”`, 'users list');
      const accounts = (readUsers(values.data ?? 'data')?.users ?? []).map(publicAccount);
      if (fmt === 'json') {
        io.out(`${JSON.stringify(accounts, null, 2)}\n`);
        return 0;
      }
      if (!accounts.length) {
        io.out('还没有账户。用 tenderkit users add <用户名> --role admin 创建第一个。\n');
        return 0;
      }
      for (const a of accounts)
        io.out(
          `${a.name}\t${a.displayName ?? '-'}\t${a.roleLabel}（${a.role}）\t${a.disabled ? '已停用' : '启用'}\t创建于 ${localTime(a.created)}\t密码修改于 ${localTime(a.passwordChanged)}\n`,
        );
      return 0;
    }
    case 'disable':
    case 'enable': {
      const { values, positionals } = parseCommand(`users ${sub}`, rest);
      const name = oneName(positionals, sub);
      const dataDir = values.data ?? 'data';
      const changed = await updateUsers(dataDir, (f) => {
        const a = f.users.find((u) => u.name === name);
        if (!a) fail('AccountNotFound', `没有账户“${name}”`);
        if ((a.disabled === true) === (sub === 'disable')) return undefined;
        if (sub === 'disable') a.disabled = true;
        else delete a.disabled;
        return { file: f, result: true };
      });
      if (changed)
        await recordChange(dataDir, {
          event: sub === 'disable' ? 'account.disable' : 'account.enable',
          target: name,
        });
      io.out(
        sub === 'disable'
          ? `账户 ${name} ${changed ? '已停用' : '原已停用'}：不能再登录，已登录的会话在下一次请求时结束。\n`
          : `账户 ${name} ${changed ? '已启用' : '原已启用'}。\n`,
      );
      return 0;
    }
    case 'passwd': {
      const { values, positionals } = parseCommand('users passwd', rest);
      const name = oneName(positionals, 'passwd');
      const dataDir = values.data ?? 'data';
      if (!readUsers(dataDir)?.users.some((u) => u.name === name))
        fail('AccountNotFound', `没有账户“${name}”`);
      const hash = await hashPassword(await newPassword(name, io));
      if ((await setPassword(dataDir, name, hash)) === 'missing')
        fail('AccountNotFound', `没有账户“${name}”`);
      await recordChange(dataDir, { event: 'account.passwd', target: name });
      io.out(`账户 ${name} 的密码已修改；该账户已登录的会话在下一次请求时结束。\n`);
      return 0;
    }
  }
  return 2;
}
