// 修改密码 in the browser, through the real HTTP server (and once in Chromium): a signed-in local
// account changes its own password with the CLI's rules and the CLI's write of users.yaml; a wrong
// current password is a failed sign-in (same words, same lockout); every other session of the
// account ends; the change is audited without the password. Accounts start with a low scrypt cost
// passed explicitly; the new hash is the server's default cost, as `tenderkit users passwd` writes.
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync } from 'node:fs';
import type { Server } from 'node:http';
import path from 'node:path';
import { chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkChain } from '../src/audit/log.js';
import type { AuthOptions } from '../src/auth/auth.js';
import { hashPassword, parseHash, verifyPassword } from '../src/auth/passwords.js';
import { readUsers, setPassword, type Role } from '../src/auth/users.js';
import { createApp } from '../src/server/app.js';
import { RenderPool } from '../src/server/render-pool.js';
import { addAccounts as addTestAccounts, TEST_COST } from './accounts.js';
import { tempFolders } from './helpers.js';
import { type Reply, WebClient } from './web-client.js';

const temp = tempFolders();
const PW: Record<string, string> = {
  alice: 'alice-secret-01',
  bob: 'bob-secret-0002',
  carol: 'manager-pass-03',
  dave: 'dave-secret-004',
  root: 'root-secret-005',
};
const ROLE_OF: Record<string, Role> = {
  alice: 'sales',
  bob: 'sales',
  carol: 'manager',
  dave: 'sales',
  root: 'admin',
};
const NEW_PW = '新的口令-Tender-2026';
const SIGNIN_FAILED = '用户名或密码不正确，或账户已停用。';
/** The password page's answer to a wrong current password (it counts as a failed sign-in). */
const CURRENT_WRONG = '当前密码不正确。与登录时输错一同计数：连续 5 次，该用户名将锁定 15 分钟。';

/** Accounts made an hour ago, so a password change shows as a new passwordChanged line. */
const addAccounts = (dataDir: string, names: string[]) =>
  addTestAccounts(dataDir, names, {
    passwords: PW,
    roles: ROLE_OF,
    at: new Date(Date.now() - 3600_000),
  });

let pool: RenderPool;
const running: (() => Promise<void>)[] = [];

async function start(dataDir: string, auth: AuthOptions = {}) {
  const made = createApp({ dataDir, pool, auth });
  await made.store.open();
  const server = await new Promise<Server>((r) => {
    const s = made.app.listen(0, '127.0.0.1', () => r(s));
  });
  running.push(
    () =>
      new Promise<void>((r) => {
        server.close(() => r());
        server.closeAllConnections();
      }),
  );
  const addr = server.address();
  return {
    base: `http://127.0.0.1:${typeof addr === 'object' && addr ? addr.port : 0}`,
    auth: made.auth,
  };
}

beforeAll(() => {
  pool = new RenderPool({ threads: 1 });
});
afterAll(async () => {
  for (const close of running) await close();
  await pool?.close();
});

const usersText = (dataDir: string) => readFileSync(path.join(dataDir, 'users.yaml'), 'utf8');
const auditText = (dataDir: string) => readFileSync(path.join(dataDir, 'audit.log'), 'utf8');
const audit = (dataDir: string) =>
  auditText(dataDir)
    .trim()
    .split('\n')
    .map(
      (l) =>
        JSON.parse(l) as {
          event: string;
          actor: string | null;
          via: string;
          roles: string[];
          target: string | null;
          detail: Record<string, unknown>;
        },
    );
/** The text of each account's block in users.yaml, by name (the file's header under ''). */
const blocks = (text: string): Map<string, string> => {
  const [head = '', ...rest] = text.split(/^(?= {2}- name: )/m);
  return new Map([['', head], ...rest.map((b) => [/name: (\S+)/.exec(b)![1]!, b] as const)]);
};
const alertOf = (r: Reply) => /role="alert">([^<]*)</.exec(r.text)?.[1];
const change = (c: WebClient, current: string, password: string, again = password) =>
  c.post('/account/password', { current, password, again });

describe('修改密码 over HTTP', () => {
  let dataDir = '';
  let base = '';
  let auth: Awaited<ReturnType<typeof start>>['auth'];
  let now = Date.now();

  beforeAll(async () => {
    dataDir = temp('tk-passwd-');
    await addAccounts(dataDir, Object.keys(PW));
    ({ base, auth } = await start(dataDir, { clock: () => now, lockout: { slowAfter: 100 } }));
  });

  it('changes the password: the new one signs in, the old one fails; other sessions end, this one goes on under a new id', async () => {
    const here = new WebClient(base, '127.0.0.2');
    const laptop = new WebClient(base, '127.0.0.3');
    const bob = new WebClient(base, '127.0.0.4');
    expect((await here.signIn('alice', PW.alice!)).status).toBe(303);
    expect((await laptop.signIn('alice', PW.alice!)).status).toBe(303);
    expect((await bob.signIn('bob', PW.bob!)).status).toBe(303);
    const before = usersText(dataDir);
    const auditBefore = audit(dataDir).length;

    // Every signed-in page's header links to the page, beside 退出.
    const list = await here.get('/bids');
    expect(list.text).toMatch(
      /alice（测试）（销售）<\/span><a href="\/account\/password">修改密码<\/a><form method="post" action="\/signout">/,
    );
    const page = await here.get('/account/password');
    expect(page.status).toBe(200);
    expect(page.headers['cache-control']).toBe('no-store');
    expect(page.headers['content-security-policy']).toContain("script-src 'self'");
    expect(page.text).toContain('<h1>修改密码</h1>');
    for (const [name, ac] of [
      ['current', 'current-password'],
      ['password', 'new-password'],
      ['again', 'new-password'],
    ])
      expect(page.text).toMatch(
        new RegExp(`name="${name}" type="password" autocomplete="${ac}" required`),
      );

    const oldSession = here.session!;
    const r = await change(here, PW.alice!, NEW_PW);
    expect(r.status, r.text.slice(0, 400)).toBe(303);
    expect(r.headers.location).toBe('/account/password?done=1&ended=1');
    // Re-issued: a new id for this browser, marked as at sign-in.
    expect(here.session).toBeDefined();
    expect(here.session).not.toBe(oldSession);
    expect(r.setCookies.find((s) => s.startsWith('tk_session='))).toMatch(
      /^tk_session=[A-Za-z0-9_-]{43}; Path=\/; HttpOnly; SameSite=Lax$/,
    );
    const done = await here.get(String(r.headers.location));
    expect(done.status).toBe(200);
    expect(/role="status">([^<]*)</.exec(done.text)![1]).toBe(
      '密码已修改。下次登录请使用新密码。您在其他浏览器或设备上的 1 个登录已全部退出；本页面保持登录，无需重新登录。',
    );
    expect((await here.get('/bids')).status).toBe(200);
    // The old cookie value is worth nothing; the other browser is signed out; bob is not touched.
    const stale = new WebClient(base, '127.0.0.2');
    stale.cookies.set('tk_session', oldSession);
    expect((await stale.get('/bids')).status).toBe(303);
    const gone = await laptop.get('/bids');
    expect(gone.status).toBe(303);
    expect(gone.headers.location).toBe('/signin?next=%2Fbids');
    expect((await bob.get('/bids')).status).toBe(200);
    // Sign-in: the old password fails as any wrong one does, the new one works.
    const old = await new WebClient(base, '127.0.0.5').signIn('alice', PW.alice!);
    expect(old.status).toBe(401);
    expect(alertOf(old)).toBe(SIGNIN_FAILED);
    expect((await new WebClient(base, '127.0.0.5').signIn('alice', NEW_PW)).status).toBe(303);

    // users.yaml: written by the CLI's code path (atomic, 0600, no temp file left), alice's hash
    // and date changed, every other byte the same.
    const after = usersText(dataDir);
    expect(statSync(path.join(dataDir, 'users.yaml')).mode & 0o777).toBe(0o600);
    expect(readdirSync(dataDir).filter((f) => f.startsWith('.tk-save-'))).toEqual([]);
    const [b, a] = [blocks(before), blocks(after)];
    expect([...a.keys()]).toEqual([...b.keys()]);
    for (const name of ['', 'bob', 'carol', 'dave', 'root']) expect(a.get(name)).toBe(b.get(name));
    const diff = (x: string, y: string) => x.split('\n').filter((l, i) => l !== y.split('\n')[i]);
    expect(diff(a.get('alice')!, b.get('alice')!).map((l) => l.split(':')[0]!.trim())).toEqual([
      'password',
      'passwordChanged',
    ]);
    const alice = readUsers(dataDir)!.users.find((u) => u.name === 'alice')!;
    expect(alice.passwordChanged).toBe(new Date(now).toISOString());
    expect(parseHash(alice.password)!.cost).toEqual({ ln: 17, r: 8, p: 1 }); // the CLI's cost
    expect(await verifyPassword(NEW_PW, alice.password)).toBe(true);
    expect(after).not.toContain(NEW_PW);

    // One audit entry for the change, by alice from the web, holding no password.
    const added = audit(dataDir).slice(auditBefore);
    const changed = added.filter((e) => e.event === 'account.passwd');
    expect(changed).toEqual([
      expect.objectContaining({
        actor: 'alice',
        via: 'web',
        roles: ['sales'],
        target: 'alice',
        detail: { by: 'self', sessionsEnded: 1 },
      }),
    ]);
    const log = auditText(dataDir);
    for (const p of [NEW_PW, PW.alice!, encodeURIComponent(NEW_PW)]) expect(log).not.toContain(p);
    expect(checkChain(log).ok).toBe(true);
  });

  it("refuses what the CLI refuses, with the CLI's words, and the same password again; nothing is written", async () => {
    const c = new WebClient(base, '127.0.0.6');
    expect((await c.signIn('carol', PW.carol!)).status).toBe(303);
    const before = usersText(dataDir);
    const auditBefore = audit(dataDir).length;
    const cases: [string, string, string, string][] = [
      [PW.carol!, 'short', 'short', '密码不符合要求：密码太短：至少 10 个字符（现为 5 个）。'],
      [PW.carol!, 'carol-2026-new-pw', 'carol-2026-new-pw', '密码不符合要求：密码不能包含用户名。'],
      [
        PW.carol!,
        'abababababab',
        'abababababab',
        '密码不符合要求：密码至少要由 4 个不同的字符组成。',
      ],
      [
        PW.carol!,
        ' padded-new-pw ',
        ' padded-new-pw ',
        '密码不符合要求：密码的开头和结尾不能是空格。',
      ],
      [
        PW.carol!,
        'x'.repeat(198) + 'abc',
        'x'.repeat(198) + 'abc',
        '密码不符合要求：密码太长：最多 200 个字符。',
      ],
      [PW.carol!, 'first-new-secret', 'other-new-secret', '密码不符合要求：两次输入的密码不一致。'],
      [PW.carol!, PW.carol!, PW.carol!, '密码不符合要求：新密码不能与当前密码相同。'],
      ['', 'first-new-secret', 'first-new-secret', '请填写当前密码，并把新密码输入两次。'],
    ];
    for (const [current, pw, again, message] of cases) {
      const r = await change(c, current, pw, again);
      expect(r.status, message).toBe(400);
      expect(alertOf(r)).toBe(message);
      // Nothing typed is sent back into the page.
      expect(r.text).not.toContain(`value="${pw}"`);
      expect(r.text).not.toContain(PW.carol!);
    }
    expect(usersText(dataDir)).toBe(before);
    expect(audit(dataDir).slice(auditBefore)).toEqual([]); // no failure counted or recorded
    expect((await c.get('/bids')).status).toBe(200);
  });

  it('answers a wrong current password as a failed sign-in, counted toward the same lockout: five lock the name', async () => {
    const c = new WebClient(base, '127.0.0.7');
    expect((await c.signIn('dave', PW.dave!)).status).toBe(303);
    const before = usersText(dataDir);
    // Two failed sign-ins elsewhere, then three wrong current passwords here: the fifth locks.
    const elsewhere = new WebClient(base, '127.0.0.8');
    const signinAlerts: string[] = [];
    for (let i = 0; i < 2; i++) {
      const r = await elsewhere.signIn('dave', `wrong-password-${i}`);
      expect(r.status).toBe(401);
      signinAlerts.push(alertOf(r)!);
    }
    const alerts: string[] = [];
    for (let i = 0; i < 3; i++) {
      const r = await change(c, `wrong-password-x${i}`, 'dv-new-secret-1');
      expect(r.status).toBe(401);
      alerts.push(alertOf(r)!);
    }
    expect(signinAlerts).toEqual([SIGNIN_FAILED, SIGNIN_FAILED]);
    expect(alerts.slice(0, 2)).toEqual([CURRENT_WRONG, CURRENT_WRONG]);
    expect(alerts[2]).toBe(
      '该用户名连续登录失败次数过多，已暂时锁定 15 分钟（锁定期间即使密码正确也不能登录），请稍后再试或联系系统管理员。',
    );
    // While locked: the right current password is refused the same way, and so is sign-in.
    const right = await change(c, PW.dave!, 'dv-new-secret-1');
    expect(right.status).toBe(401);
    expect(alertOf(right)).toBe(alerts[2]);
    const signin = await new WebClient(base, '127.0.0.9').signIn('dave', PW.dave!);
    expect(signin.status).toBe(401);
    expect(alertOf(signin)).toBe(alerts[2]);
    expect(usersText(dataDir)).toBe(before);
    const entries = audit(dataDir).filter((e) => e.actor === 'dave');
    expect(
      entries
        .filter((e) => e.detail.during === 'passwd')
        .map((e) => [e.event, e.detail.reason ?? null]),
    ).toEqual([
      ['signin.failed', 'wrong-password'],
      ['signin.failed', 'wrong-password'],
      ['signin.failed', 'wrong-password'],
      ['lockout', null],
      ['signin.locked', null],
    ]);
    expect(entries.some((e) => e.event === 'account.passwd')).toBe(false);
    // After the 15 minutes (the session kept alive meanwhile), the change goes through.
    for (let i = 0; i < 3; i++) {
      now += 5 * 60_000 + 1000;
      expect((await c.get('/bids')).status).toBe(200);
    }
    const ok = await change(c, PW.dave!, 'dv-new-secret-1');
    expect(ok.status, ok.text.slice(0, 300)).toBe(303);
  });

  it('refuses requests without a session, from another site, without a token or too large, as the other forms are refused', async () => {
    const anon = new WebClient(base, '127.0.0.10');
    await anon.get('/signin');
    const page = await anon.get('/account/password');
    expect(page.status).toBe(303);
    expect(page.headers.location).toBe('/signin?next=%2Faccount%2Fpassword');
    const noSession = await change(anon, PW.bob!, 'bob-new-secret-1');
    expect(noSession.status).toBe(303);
    expect(noSession.headers.location).toBe('/signin');
    expect((await anon.post('/bids/new', { example: 'minimal' })).headers.location).toBe('/signin');

    const c = new WebClient(base, '127.0.0.11');
    expect((await c.signIn('bob', PW.bob!)).status).toBe(303);
    await c.get('/account/password');
    const before = usersText(dataDir);
    const heading = (r: Reply) => /<h1>([^<]*)<\/h1>/.exec(r.text)?.[1];
    const fields = { current: PW.bob!, password: 'bob-new-secret-1', again: 'bob-new-secret-1' };
    const tries: [string, (p: string, f: Record<string, string>) => Promise<Reply>][] = [
      ['cross-site', (p, f) => c.post(p, f, { headers: { 'sec-fetch-site': 'cross-site' } })],
      ['same-site sibling', (p, f) => c.post(p, f, { headers: { 'sec-fetch-site': 'same-site' } })],
      ['other origin', (p, f) => c.post(p, f, { headers: { origin: 'http://evil.example' } })],
      ['no token', (p, f) => c.post(p, f, { token: null })],
      ['wrong token', (p, f) => c.post(p, f, { token: 'x'.repeat(43) })],
      ['too large', (p, f) => c.post(p, { ...f, pad: 'x'.repeat(400 * 1024) })],
    ];
    for (const [what, send] of tries) {
      const mine = await send('/account/password', fields);
      const other = await send('/bids/new', { example: 'minimal' });
      expect(mine.status, what).toBe(other.status);
      expect(heading(mine), what).toBe(heading(other));
      expect(mine.status, what).toBe(what === 'too large' ? 413 : 403);
    }
    expect(usersText(dataDir)).toBe(before);
    expect((await new WebClient(base).signIn('bob', PW.bob!)).status).toBe(303);
  });

  it('writes nothing when an administrator set another password while the current one was checked', async () => {
    const c = new WebClient(base, '127.0.0.12');
    expect((await c.signIn('root', PW.root!)).status).toBe(303);
    const adminHash = await hashPassword('set-by-the-administrator', { cost: TEST_COST });
    // `tenderkit users passwd root` runs after the server has read root's hash for checking the
    // current password (its cost lookup comes next) and before the new hash is written.
    const accounts = auth.accounts;
    const list = accounts.list.bind(accounts);
    let cli: Promise<unknown> | undefined;
    accounts.list = () => {
      cli ??= setPassword(dataDir, 'root', adminHash);
      return list();
    };
    try {
      const r = await change(c, PW.root!, 'admin-new-secret-1');
      expect(r.status).toBe(409);
      expect(alertOf(r)).toBe('账户刚被系统管理员修改（停用或重设了密码），您的密码未修改。');
    } finally {
      accounts.list = list;
    }
    await cli;
    const root = readUsers(dataDir)!.users.find((u) => u.name === 'root')!;
    expect(root.password).toBe(adminHash);
    expect(audit(dataDir).some((e) => e.event === 'account.passwd' && e.actor === 'root')).toBe(
      false,
    );
    expect((await c.get('/bids')).status).toBe(303); // the administrator's change ends the session
  });

  it('has no page for single sign-on users (the identity provider keeps their password)', async () => {
    const c = new WebClient(base, '127.0.0.13');
    c.cookies.set(
      'tk_session',
      auth.sessions.create({ id: 'sso:wang', display: '王五', roles: ['sales'], source: 'oidc' }),
    );
    const list = await c.get('/bids');
    expect(list.status).toBe(200);
    expect(list.text).toContain('王五（销售）');
    expect(list.text).not.toContain('修改密码');
    const r = await c.get('/account/password');
    expect(r.status).toBe(404);
    expect(r.text).toContain('单点登录的账户没有本系统的密码，请在单位统一身份认证中修改密码。');
    expect((await change(c, 'x', 'some-new-secret-1')).status).toBe(404);
  });

  it('keeps the absolute session lifetime from sign-in across the re-issue', async () => {
    const dir = temp('tk-passwd-abs-');
    await addAccounts(dir, ['alice']);
    let t = Date.now();
    const { base: b } = await start(dir, {
      clock: () => t,
      sessions: { idleMs: 30 * 60_000, absoluteMs: 60 * 60_000 },
    });
    const c = new WebClient(b);
    expect((await c.signIn('alice', PW.alice!)).status).toBe(303);
    t += 25 * 60_000;
    expect((await change(c, PW.alice!, NEW_PW)).status).toBe(303);
    t += 25 * 60_000;
    expect((await c.get('/bids')).status).toBe(200);
    t += 25 * 60_000; // 75 minutes after sign-in
    const r = await c.get('/bids');
    expect(r.status).toBe(303);
    expect(r.headers.location).toBe('/signin?next=%2Fbids&expired=1');
  });

  it('is not there without sign-in (a loopback host without accounts)', async () => {
    const { base: b } = await start(temp('tk-passwd-none-'));
    const c = new WebClient(b);
    expect((await c.get('/bids')).text).not.toContain('修改密码');
    const r = await c.get('/account/password');
    expect(r.status).toBe(404);
    expect(r.text).toContain('页面不存在。');
  });
});

const CHROMIUM = '/usr/bin/chromium';
const SHOTS = process.env.TK_SCREENSHOTS; // set to a folder to keep screenshots for review

describe.skipIf(!existsSync(CHROMIUM))('修改密码 in Chromium', () => {
  it('from the header link to the confirmation, under the CSP, then signs in with the new password', async () => {
    const dataDir = temp('tk-passwd-web-');
    await addAccounts(dataDir, ['alice', 'bob']);
    const { base } = await start(dataDir);
    const browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking'],
    });
    try {
      const other = await browser.newContext();
      const otherPage = await other.newPage();
      await otherPage.goto(`${base}/signin`);
      await otherPage.fill('#signin-name', 'alice');
      await otherPage.fill('#signin-password', PW.alice!);
      await Promise.all([otherPage.waitForURL(/\/bids$/), otherPage.click('button.primary')]);

      const page = await browser.newPage({ viewport: { width: 1100, height: 700 } });
      const problems: string[] = [];
      page.on('pageerror', (e) => problems.push(e.message));
      page.on('console', (m) => {
        // (a 401 answer is logged as a failed load: expected for the wrong password below)
        if (m.type() === 'error' && !m.text().startsWith('Failed to load resource'))
          problems.push(m.text());
      });
      await page.goto(`${base}/signin`);
      await page.fill('#signin-name', 'alice');
      await page.fill('#signin-password', PW.alice!);
      await Promise.all([page.waitForURL(/\/bids$/), page.click('button.primary')]);
      await Promise.all([
        page.waitForURL(/\/account\/password$/),
        page.click('header .account a:has-text("修改密码")'),
      ]);
      expect(await page.title()).toBe('修改密码 · TenderKit');
      // A wrong current password first.
      await page.fill('#pw-current', 'not-my-password');
      await page.fill('#pw-new', NEW_PW);
      await page.fill('#pw-again', NEW_PW);
      await Promise.all([
        page.waitForResponse((r) => r.request().method() === 'POST'),
        page.click('form button.primary'),
      ]);
      await page.waitForLoadState('load');
      expect(await page.locator('[role="alert"]').textContent()).toBe(CURRENT_WRONG);
      expect(await page.inputValue('#pw-new')).toBe('');
      if (SHOTS) {
        mkdirSync(SHOTS, { recursive: true });
        await page.screenshot({ path: path.join(SHOTS, 'passwd-wrong-current.png') });
      }
      await page.fill('#pw-current', PW.alice!);
      await page.fill('#pw-new', NEW_PW);
      await page.fill('#pw-again', NEW_PW);
      await Promise.all([
        page.waitForURL(/\/account\/password\?done=1/),
        page.click('form button.primary'),
      ]);
      expect(await page.locator('[role="status"]').textContent()).toContain('密码已修改。');
      if (SHOTS) await page.screenshot({ path: path.join(SHOTS, 'passwd-done.png') });
      // Still signed in here; the other browser is signed out.
      await page.goto(`${base}/bids`);
      expect(page.url()).toBe(`${base}/bids`);
      await otherPage.goto(`${base}/bids`);
      expect(otherPage.url()).toMatch(/\/signin\?next=%2Fbids$/);
      await otherPage.fill('#signin-name', 'alice');
      await otherPage.fill('#signin-password', NEW_PW);
      await Promise.all([otherPage.waitForURL(/\/bids$/), otherPage.click('button.primary')]);
      expect(problems).toEqual([]);
      await other.close();
    } finally {
      await browser.close();
    }
  });
});
