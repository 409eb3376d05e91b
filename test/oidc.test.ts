// Single sign-on end to end: a real OpenID provider (oidc-provider, started here on a random port)
// and the real TenderKit server. A "browser" follows the redirects, signs in at the provider,
// consents, and comes back with a TenderKit session whose roles come from the `groups` claim.
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import http, { type Server } from 'node:http';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Provider from 'oidc-provider';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { OidcSettings } from '../src/auth/oidc-settings.js';
import { createApp } from '../src/server/app.js';
import { RenderPool } from '../src/server/render-pool.js';
import { openWorkspace } from '../src/workspace/workspace.js';
import { TenderKitError } from '../src/diagnostics/diagnostic.js';
import { ROOT } from './helpers.js';

const PEOPLE: Record<string, { name: string; groups: string[] }> = {
  zhangsan: { name: '张三', groups: ['staff', 'tk-sales'] },
  boss: { name: '王经理', groups: ['tk-managers'] },
  it: { name: '信息中心', groups: ['tk-admins'] },
  visitor: { name: '访客', groups: ['staff'] },
  both: { name: '兼职管理员', groups: ['tk-sales', 'tk-admins'] },
};

/** A cookie jar per origin and manual redirects: the browser's part of the flow. */
class Browser {
  private jars = new Map<string, Map<string, string>>();

  async fetch(url: string, init: { method?: string; form?: Record<string, string> } = {}) {
    const u = new URL(url);
    const jar = this.jars.get(u.origin) ?? new Map<string, string>();
    this.jars.set(u.origin, jar);
    const body = init.form ? new URLSearchParams(init.form).toString() : undefined;
    const res = await fetch(u, {
      method: init.method ?? 'GET',
      redirect: 'manual',
      headers: {
        ...(jar.size ? { cookie: [...jar].map(([k, v]) => `${k}=${v}`).join('; ') } : {}),
        ...(body ? { 'content-type': 'application/x-www-form-urlencoded' } : {}),
      },
      ...(body ? { body } : {}),
    });
    for (const c of res.headers.getSetCookie()) {
      const [pair = ''] = c.split(';');
      const i = pair.indexOf('=');
      const value = pair.slice(i + 1);
      if (!value || /expires=Thu, 01 Jan 1970/i.test(c)) jar.delete(pair.slice(0, i));
      else jar.set(pair.slice(0, i), value);
    }
    const location = res.headers.get('location');
    return {
      status: res.status,
      location: location ? new URL(location, u).href : undefined,
      text: await res.text(),
    };
  }

  /** Follows redirects from `url` until a page answers; returns the chain and the last answer. */
  async follow(url: string, init: { method?: string; form?: Record<string, string> } = {}) {
    const chain: string[] = [url];
    let r = await this.fetch(url, init);
    while (r.location && chain.length < 20) {
      chain.push(r.location);
      r = await this.fetch(r.location);
    }
    return { ...r, url: chain[chain.length - 1]!, chain };
  }

  cookie(origin: string, name: string): string | undefined {
    return this.jars.get(origin)?.get(name);
  }
}

const formAction = (html: string, base: string) =>
  new URL(/<form[^>]*action="([^"]+)"/.exec(html)![1]!.replace(/&amp;/g, '&'), base).href;

let idp: Server;
let tk: Server;
let pool: RenderPool;
let issuer = '';
let base = '';
let dataDir = '';
let cli: ChildProcess | undefined;
let cliBase = '';
const BIN = path.join(ROOT, 'bin/tenderkit.js');

beforeAll(async () => {
  idp = http.createServer();
  await new Promise<void>((r) => idp.listen(0, '127.0.0.1', () => r()));
  issuer = `http://127.0.0.1:${(idp.address() as { port: number }).port}`;

  const settings: OidcSettings = {
    issuer,
    clientId: 'tenderkit',
    clientSecret: 'a-client-secret-for-tests-only',
    scopes: 'openid profile groups',
    roleClaim: 'groups',
    roles: { sales: ['tk-sales'], manager: ['tk-managers'], admin: ['tk-admins'] },
  };
  dataDir = mkdtempSync(path.join(os.tmpdir(), 'tk-oidc-'));
  pool = new RenderPool({ threads: 1 });
  const made = createApp({ dataDir, pool, auth: { oidc: settings } });
  await made.store.open();
  tk = await new Promise<Server>((r) => {
    const s = made.app.listen(0, '127.0.0.1', () => r(s));
  });
  base = `http://127.0.0.1:${(tk.address() as { port: number }).port}`;

  // The same through the real CLI: `serve` on 0.0.0.0 with single sign-on from tenderkit.yaml (no
  // local accounts, so single sign-on is what lets it start) and the secret from the environment.
  const ws = mkdtempSync(path.join(os.tmpdir(), 'tk-oidc-cli-'));
  execFileSync(process.execPath, [BIN, 'init', ws], { stdio: 'pipe' });
  const settingsFile = path.join(ws, 'tenderkit.yaml');
  writeFileSync(
    settingsFile,
    `${readFileSync(settingsFile, 'utf8')}\nauth:\n  oidc:\n    issuer: ${issuer}\n    clientId: tenderkit-cli\n    scopes: openid profile groups\n    roleClaim: groups\n    roles:\n      manager: [tk-managers]\n`,
  );
  cli = spawn(
    process.execPath,
    [
      BIN,
      'serve',
      '--port',
      '0',
      '--host',
      '0.0.0.0',
      '--data',
      path.join(ws, 'data'),
      '--workspace',
      ws,
    ],
    {
      env: { ...process.env, TENDERKIT_OIDC_CLIENT_SECRET: 'the-cli-client-secret' },
      stdio: 'pipe',
    },
  );
  let printed = '';
  cli.stderr!.on('data', (d: Buffer) => (printed += d.toString()));
  const port = await new Promise<string>((resolve, reject) => {
    cli!.stdout!.on('data', (d: Buffer) => {
      printed += d.toString();
      const m = /已启动：http:\/\/[^:]+:(\d+)\//.exec(printed);
      if (m) resolve(m[1]!);
    });
    cli!.once('exit', () => reject(new Error(`serve exited: ${printed}`)));
  });
  cliBase = `http://127.0.0.1:${port}`;

  const provider = new Provider(issuer, {
    clients: [
      {
        client_id: 'tenderkit-cli',
        client_secret: 'the-cli-client-secret',
        redirect_uris: [`${cliBase}/signin/oidc/callback`],
        grant_types: ['authorization_code'],
        response_types: ['code'],
        token_endpoint_auth_method: 'client_secret_basic',
      },
      {
        client_id: 'tenderkit',
        client_secret: 'a-client-secret-for-tests-only',
        redirect_uris: [`${base}/signin/oidc/callback`],
        grant_types: ['authorization_code'],
        response_types: ['code'],
        token_endpoint_auth_method: 'client_secret_basic',
      },
    ],
    findAccount: (_ctx: unknown, sub: string) => {
      const p = PEOPLE[sub];
      if (!p) return undefined;
      return {
        accountId: sub,
        claims: () => ({ sub, preferred_username: sub, name: p.name, groups: p.groups }),
      };
    },
    claims: { openid: ['sub'], profile: ['name', 'preferred_username'], groups: ['groups'] },
    pkce: { required: () => true },
    cookies: { keys: ['tests-only-cookie-key'] },
    features: { devInteractions: { enabled: true } },
  });
  idp.on('request', provider.callback());
});

afterAll(async () => {
  cli?.kill('SIGTERM');
  tk?.closeAllConnections();
  tk?.close();
  idp?.closeAllConnections();
  idp?.close();
  await pool?.close();
});

/** The whole sign-in as `sub`: TenderKit → provider (login, consent) → TenderKit. */
async function signIn(b: Browser, sub: string, next = '') {
  const start = await b.fetch(
    `${base}/signin/oidc${next ? `?next=${encodeURIComponent(next)}` : ''}`,
  );
  expect(start.status).toBe(303);
  const auth = new URL(start.location!);
  const login = await b.follow(auth.href);
  expect(login.text).toContain('name="login"');
  const consent = await b.follow(formAction(login.text, login.url), {
    method: 'POST',
    form: { prompt: 'login', login: sub, password: 'anything' },
  });
  expect(consent.text).toContain('name="prompt" value="consent"');
  const back = await b.follow(formAction(consent.text, consent.url), {
    method: 'POST',
    form: { prompt: 'consent' },
  });
  return { auth, back };
}

describe('OpenID Connect sign-in against a real provider', () => {
  it('signs a sales user in with the authorization code flow and PKCE', async () => {
    const b = new Browser();
    expect((await b.fetch(`${base}/bids`)).location).toBe(`${base}/signin?next=%2Fbids`);
    const page = await b.fetch(`${base}/signin`);
    expect(page.text).toContain('使用单位统一身份认证登录');
    const { auth, back } = await signIn(b, 'zhangsan', '/bids');
    expect(auth.origin).toBe(issuer);
    expect(auth.searchParams.get('response_type')).toBe('code');
    expect(auth.searchParams.get('code_challenge_method')).toBe('S256');
    expect(auth.searchParams.get('code_challenge')).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(auth.searchParams.get('state')).toBeTruthy();
    expect(auth.searchParams.get('nonce')).toBeTruthy();
    expect(back.chain.some((u) => u.startsWith(`${base}/signin/oidc/callback?code=`))).toBe(true);
    expect(back.url).toBe(`${base}/bids`);
    expect(back.status).toBe(200);
    expect(back.text).toContain('张三');
    expect(b.cookie(base, 'tk_session')).toMatch(/^[A-Za-z0-9_-]{43}$/);

    // The sales role applies: own bids yes, the audit log no.
    const made = await b.fetch(`${base}/bids`);
    expect(made.status).toBe(200);
    expect((await b.fetch(`${base}/admin/audit`)).status).toBe(403);
    const log = readFileSync(path.join(dataDir, 'audit.log'), 'utf8');
    const signin = log
      .trim()
      .split('\n')
      .map(
        (l) =>
          JSON.parse(l) as {
            event: string;
            actor: string;
            roles: string[];
            detail: Record<string, string>;
          },
      )
      .find((e) => e.event === 'signin')!;
    expect(signin).toMatchObject({
      actor: 'sso:zhangsan',
      roles: ['sales'],
      detail: { method: 'oidc', subject: 'zhangsan' },
    });
  });

  it('maps other groups to other roles', async () => {
    const admin = new Browser();
    const r = await signIn(admin, 'it');
    expect(r.back.url).toBe(`${base}/admin/audit`);
    expect(r.back.status).toBe(200);
    expect(r.back.text).toContain('审计日志');
    const both = new Browser();
    expect((await signIn(both, 'both')).back.url).toBe(`${base}/bids`);
    expect((await both.fetch(`${base}/admin/audit`)).status).toBe(200);
    expect((await both.fetch(`${base}/trash`)).status).toBe(403);
    const manager = new Browser();
    expect((await signIn(manager, 'boss')).back.url).toBe(`${base}/bids`);
    expect((await manager.fetch(`${base}/trash`)).status).toBe(200);
  });

  it('refuses a user whose groups map to no role', async () => {
    const b = new Browser();
    const { back } = await signIn(b, 'visitor');
    expect(back.status).toBe(403);
    expect(back.text).toContain('账户“visitor”没有分配 TenderKit 的角色');
    expect(b.cookie(base, 'tk_session')).toBeUndefined();
    expect((await b.fetch(`${base}/bids`)).status).toBe(303);
  });

  it('refuses a callback it did not start, a changed state, and a replayed code', async () => {
    const b = new Browser();
    const start = await b.fetch(`${base}/signin/oidc`);
    const login = await b.follow(start.location!);
    const consent = await b.follow(formAction(login.text, login.url), {
      method: 'POST',
      form: { prompt: 'login', login: 'zhangsan', password: 'x' },
    });
    // Stop before TenderKit's callback: take the provider's answer by hand.
    let r = await b.fetch(formAction(consent.text, consent.url), {
      method: 'POST',
      form: { prompt: 'consent' },
    });
    while (r.location && !r.location.startsWith(`${base}/signin/oidc/callback`))
      r = await b.fetch(r.location);
    const callback = new URL(r.location!);
    // Another browser (no pending sign-in of its own) cannot use the code.
    const other = new Browser();
    const stolen = await other.fetch(callback.href);
    expect(stolen.status).toBe(400);
    expect(stolen.text).toContain('单点登录已过期或不是从本站发起的');
    // The right browser with the state changed: refused (and the pending sign-in is used up).
    const bad = new URL(callback);
    bad.searchParams.set('state', 'forged-state');
    const forged = await b.fetch(bad.href);
    expect(forged.status).toBe(403);
    expect(b.cookie(base, 'tk_session')).toBeUndefined();
    const replay = await b.fetch(callback.href);
    expect(replay.status).toBe(400);
    expect(b.cookie(base, 'tk_session')).toBeUndefined();
  });

  it('works from the workspace settings through `tenderkit serve`, the secret from the environment', async () => {
    const b = new Browser();
    const start = await b.fetch(`${cliBase}/bids`);
    expect(start.location).toBe(`${cliBase}/signin?next=%2Fbids`);
    const begin = await b.fetch(`${cliBase}/signin/oidc?next=%2Ftrash`);
    const login = await b.follow(begin.location!);
    const consent = await b.follow(formAction(login.text, login.url), {
      method: 'POST',
      form: { prompt: 'login', login: 'boss', password: 'x' },
    });
    const back = await b.follow(formAction(consent.text, consent.url), {
      method: 'POST',
      form: { prompt: 'consent' },
    });
    expect(back.url).toBe(`${cliBase}/trash`);
    expect(back.status).toBe(200);
    expect(back.text).toContain('王经理');
  });

  it('reads auth.oidc from tenderkit.yaml, with mistakes located', () => {
    const ws = mkdtempSync(path.join(os.tmpdir(), 'tk-oidc-ws-'));
    for (const d of ['clauses', 'templates'])
      mkdirSync(path.join(ws, 'lib', d), { recursive: true });
    const write = (auth: string) =>
      writeFileSync(path.join(ws, 'tenderkit.yaml'), `version: 1\nlibrary: lib\n${auth}`);
    write(
      'auth:\n  oidc:\n    issuer: https://sso.example.com/realms/staff\n    clientId: tenderkit\n    roleClaim: realm_access.roles\n    roles:\n      sales: [销售部]\n      legal: [法务部]\n',
    );
    expect(openWorkspace(ws).settings.auth).toEqual({
      oidc: {
        issuer: 'https://sso.example.com/realms/staff',
        clientId: 'tenderkit',
        roleClaim: 'realm_access.roles',
        roles: { sales: ['销售部'], legal: ['法务部'] },
      },
    });
    write(
      'auth:\n  oidc:\n    issuer: sso.example.com\n    clientId: tenderkit\n    roleClaim: groups\n    role: {}\n',
    );
    let found: string[] = [];
    try {
      openWorkspace(ws);
    } catch (e) {
      if (!(e instanceof TenderKitError)) throw e;
      found = e.diagnostics.map((d) => `${d.location?.line} ${d.path}`);
    }
    expect(found).toEqual(
      expect.arrayContaining([
        '5 auth.oidc.issuer',
        '8 auth.oidc.role',
        expect.stringMatching(/^\d+ auth\.oidc\.roles$/),
      ]),
    );
  });
});
