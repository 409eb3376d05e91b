// `tenderkit users …` and `tenderkit audit verify` through the real CLI process (bin/tenderkit.js,
// dist/): passwords from standard input or a terminal without echo, users.yaml mode 0600 with
// scrypt hashes only, every account change in the audit log, the chain check naming the line of a
// tampered entry, and `serve` refusing a reachable host without accounts.
import { spawn, spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parse } from 'yaml';
import { beforeAll, describe, expect, it } from 'vitest';
import { ROOT } from './helpers.js';

const BIN = path.join(ROOT, 'bin/tenderkit.js');

function tk(args: string[], input?: string) {
  const r = spawnSync(process.execPath, [BIN, ...args], {
    input: input ?? '',
    encoding: 'utf8',
    timeout: 30_000,
  });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

const PW = 'Tender-proof-2025';

describe('tenderkit users', () => {
  let data = '';
  beforeAll(() => {
    data = mkdtempSync(path.join(os.tmpdir(), 'tk-users-'));
    const r = tk(
      ['users', 'add', 'Zhang.San', '--role', 'sales', '--display', '张三', '--data', data],
      `${PW}\n${PW}\n`,
    );
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    expect(r.out).toBe('已创建账户 zhang.san（销售）。\n');
  });

  it('keeps scrypt hashes, never the password, in a 0600 users.yaml', () => {
    const file = path.join(data, 'users.yaml');
    expect(statSync(file).mode & 0o777).toBe(0o600);
    const text = readFileSync(file, 'utf8');
    expect(text).not.toContain(PW);
    const f = parse(text) as { version: number; users: Record<string, string>[] };
    expect(f.version).toBe(1);
    expect(f.users).toHaveLength(1);
    expect(f.users[0]).toMatchObject({ name: 'zhang.san', displayName: '张三', role: 'sales' });
    // The production cost: N = 2^17, r = 8, p = 1.
    expect(f.users[0]!.password).toMatch(/^\$scrypt\$ln=17,r=8,p=1\$/);
  });

  it('refuses a short password, two different lines, one line, and an existing name (exit 1)', () => {
    const short = tk(['users', 'add', 'li', '--role', 'legal', '--data', data], 'short1\nshort1\n');
    expect(short.code).toBe(1);
    expect(short.err).toContain('密码太短：至少 10 个字符（现为 6 个）');
    expect(short.err).toContain('[PasswordRejected]');
    const differ = tk(['users', 'add', 'li', '--role', 'legal', '--data', data], `${PW}\n${PW}x\n`);
    expect(differ.code).toBe(1);
    expect(differ.err).toContain('两次输入的密码不一致');
    const once = tk(['users', 'add', 'li', '--role', 'legal', '--data', data], `${PW}\n`);
    expect(once.code).toBe(1);
    expect(once.err).toContain('标准输入应有两行');
    const again = tk(
      ['users', 'add', 'zhang.san', '--role', 'legal', '--data', data],
      `${PW}\n${PW}\n`,
    );
    expect(again.code).toBe(1);
    expect(again.err).toContain('账户“zhang.san”已存在');
    expect(parse(readFileSync(path.join(data, 'users.yaml'), 'utf8')).users).toHaveLength(1);
  });

  it('answers a wrong role or name as a usage error (exit 2)', () => {
    const role = tk(['users', 'add', 'li', '--role', 'boss', '--data', data]);
    expect(role.code).toBe(2);
    expect(role.err).toContain('角色“boss”无效');
    expect(role.err).toContain('sales（销售）');
    const name = tk(['users', 'add', '../x', '--role', 'sales', '--data', data]);
    expect(name.code).toBe(2);
    expect(name.err).toContain('用户名“../x”无效');
    const sub = tk(['users', 'remove', 'li']);
    expect(sub.code).toBe(2);
    expect(sub.err).toContain('未知的 users 子命令“remove”');
  });

  it('lists accounts without hashes, disables, enables and changes passwords', () => {
    const m = tk(['users', 'add', 'wang', '--role', 'manager', '--data', data], `${PW}!\n${PW}!\n`);
    expect(m.code).toBe(0);
    const list = tk(['users', 'list', '--data', data]);
    expect(list.code).toBe(0);
    expect(list.out).toMatch(/^zhang\.san\t张三\t销售（sales）\t启用\t/m);
    expect(list.out).toMatch(/^wang\t-\t投标经理（manager）\t启用\t/m);
    expect(list.out).not.toContain('scrypt');

    expect(tk(['users', 'disable', 'wang', '--data', data]).out).toContain('账户 wang 已停用');
    const json = JSON.parse(tk(['users', 'list', '--data', data, '--format', 'json']).out) as {
      name: string;
      disabled: boolean;
    }[];
    expect(json.map((a) => [a.name, a.disabled])).toEqual([
      ['zhang.san', false],
      ['wang', true],
    ]);
    expect(JSON.stringify(json)).not.toContain('scrypt');
    expect(tk(['users', 'enable', 'wang', '--data', data]).out).toContain('账户 wang 已启用');

    const before = parse(readFileSync(path.join(data, 'users.yaml'), 'utf8')).users[1];
    const pw = tk(
      ['users', 'passwd', 'wang', '--data', data],
      'Another-pass-99\nAnother-pass-99\n',
    );
    expect(pw.code).toBe(0);
    const after = parse(readFileSync(path.join(data, 'users.yaml'), 'utf8')).users[1];
    expect(after.password).not.toBe(before.password);
    expect(after.passwordChanged > before.passwordChanged).toBe(true);
    expect(after.created).toBe(before.created);

    const none = tk(['users', 'passwd', 'nobody', '--data', data], `${PW}\n${PW}\n`);
    expect(none.code).toBe(1);
    expect(none.err).toContain('没有账户“nobody”');
  });

  it('reads the password on a terminal without echoing it', () => {
    // A real pseudo-terminal (Python's pty), so stdin.isTTY holds and echo is really off.
    const script = `
import os, pty, sys, time
pid, fd = pty.fork()
if pid == 0:
    os.execv(sys.argv[1], sys.argv[1:])
out = b''
def read_until(marker):
    global out
    while marker not in out:
        out += os.read(fd, 1024)
read_until('新密码'.encode())
os.write(fd, b'Terminal-secret-1\\r')
read_until('再次输入'.encode())
os.write(fd, b'Terminal-secret-1\\r')
try:
    while True:
        chunk = os.read(fd, 1024)
        if not chunk: break
        out += chunk
except OSError:
    pass
_, status = os.waitpid(pid, 0)
sys.stdout.write(out.decode('utf8', 'replace'))
sys.exit(os.waitstatus_to_exitcode(status))
`;
    const r = spawnSync(
      'python3',
      [
        '-c',
        script,
        process.execPath,
        BIN,
        'users',
        'add',
        'tty',
        '--role',
        'legal',
        '--data',
        data,
      ],
      { encoding: 'utf8', timeout: 30_000 },
    );
    expect(r.stdout).toContain('已创建账户 tty（法务）');
    expect(r.stdout).not.toContain('Terminal-secret-1');
    expect(r.status).toBe(0);
  });

  it('writes every account change to the audit log, and audit verify checks the chain', () => {
    const text = readFileSync(path.join(data, 'audit.log'), 'utf8');
    const entries = text
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { event: string; target: string; actor: string; via: string });
    expect(entries.map((e) => `${e.event} ${e.target}`)).toEqual([
      'account.add zhang.san',
      'account.add wang',
      'account.disable wang',
      'account.enable wang',
      'account.passwd wang',
      'account.add tty',
    ]);
    expect(entries.every((e) => e.via === 'cli' && e.actor.startsWith('cli:'))).toBe(true);
    expect(text).not.toContain(PW);
    expect(text).not.toContain('Another-pass-99');
    expect(statSync(path.join(data, 'audit.log')).mode & 0o777).toBe(0o600);

    const ok = tk(['audit', 'verify', '--data', data]);
    expect(ok.code).toBe(0);
    expect(ok.out).toContain('共 6 条记录，哈希链完整');

    const copy = mkdtempSync(path.join(os.tmpdir(), 'tk-audit-edit-'));
    const edited = text.replace(
      '"target":"wang","detail":{},"prev"',
      '"target":"zhang.san","detail":{},"prev"',
    );
    expect(edited).not.toBe(text);
    writeFileSync(path.join(copy, 'audit.log'), edited);
    const bad = tk(['audit', 'verify', '--data', copy]);
    expect(bad.code).toBe(1);
    expect(bad.err).toContain(`${path.join(copy, 'audit.log')}:3:1`);
    expect(bad.err).toContain('第 3 条记录');
    expect(bad.err).toContain('[AuditLogBroken]');

    const missing = tk(['audit', 'verify', '--data', mkdtempSync(path.join(os.tmpdir(), 'tk-'))]);
    expect(missing.code).toBe(1);
    expect(missing.err).toContain('[AuditLogMissing]');
  });

  it('locates a hand-edited users.yaml mistake and narrows a loosened mode', () => {
    const d = mkdtempSync(path.join(os.tmpdir(), 'tk-users-bad-'));
    writeFileSync(
      path.join(d, 'users.yaml'),
      'version: 1\nusers:\n  - name: a\n    role: boss\n    password: x\n    created: 2025-01-01T00:00:00Z\n    passwordChanged: 2025-01-01T00:00:00Z\n',
    );
    chmodSync(path.join(d, 'users.yaml'), 0o644);
    const r = tk(['users', 'list', '--data', d]);
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/users\.yaml:4:11 users\[0\]\.role/);
    expect(r.err).toMatch(/users\.yaml:5:15 users\[0\]\.password/);

    const loose = mkdtempSync(path.join(os.tmpdir(), 'tk-users-mode-'));
    writeFileSync(path.join(loose, 'users.yaml'), readFileSync(path.join(data, 'users.yaml')));
    chmodSync(path.join(loose, 'users.yaml'), 0o644);
    expect(tk(['users', 'list', '--data', loose]).code).toBe(0);
    expect(statSync(path.join(loose, 'users.yaml')).mode & 0o777).toBe(0o600);
  });
});

describe('tenderkit serve on a reachable address', () => {
  it('starts with accounts, and then serves only the sign-in page before sign-in', async () => {
    const data = mkdtempSync(path.join(os.tmpdir(), 'tk-serve-ok-'));
    expect(
      tk(['users', 'add', 'root', '--role', 'admin', '--data', data], `${PW}\n${PW}\n`).code,
    ).toBe(0);
    const child = spawn(
      process.execPath,
      [BIN, 'serve', '--port', '0', '--host', '0.0.0.0', '--data', data],
      {
        stdio: 'pipe',
      },
    );
    try {
      let out = '';
      const port = await new Promise<string>((resolve, reject) => {
        child.stdout.on('data', (d: Buffer) => {
          out += d.toString();
          const m = /已启动：http:\/\/[^:]+:(\d+)\//.exec(out);
          if (m) resolve(m[1]!);
        });
        child.stderr.on('data', (d: Buffer) => (out += d.toString()));
        child.once('exit', () => reject(new Error(out)));
      });
      const r = await fetch(`http://127.0.0.1:${port}/bids`, { redirect: 'manual' });
      expect(r.status).toBe(303);
      expect(r.headers.get('location')).toBe('/signin?next=%2Fbids');
      const page = await fetch(`http://127.0.0.1:${port}/signin`);
      expect(await page.text()).toContain('登录 TenderKit');
    } finally {
      child.kill('SIGTERM');
    }
  });

  it('refuses to start without accounts (exit 2, naming tenderkit users add)', () => {
    const empty = mkdtempSync(path.join(os.tmpdir(), 'tk-serve-'));
    for (const args of [['--host', '0.0.0.0'], ['--host', '192.168.1.20'], ['--trust-proxy']]) {
      const r = tk(['serve', '--port', '0', '--data', empty, ...args]);
      expect(r.code).toBe(2);
      expect(r.err).toContain('必须先创建账户：tenderkit users add');
      expect(r.err).toContain('服务未启动');
    }
  });
});
