// Sign-in, sessions, lockout, roles and the audit trail through the real HTTP server. Accounts are
// made with a low scrypt cost passed explicitly (the CLI and the server's defaults are untouched).
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import type { Server } from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkChain } from '../src/audit/log.js';
import type { AuthOptions } from '../src/auth/auth.js';
import { hashPassword } from '../src/auth/passwords.js';
import { ROUTES, type RouteRule } from '../src/auth/routes.js';
import { updateUsers, type Role } from '../src/auth/users.js';
import { createApp } from '../src/server/app.js';
import { RenderPool } from '../src/server/render-pool.js';
import type { BidStore } from '../src/server/store.js';
import { addAccounts as addTestAccounts, TEST_COST } from './accounts.js';
import { ROOT } from './helpers.js';
import { formFields, type Reply, WebClient } from './web-client.js';

const PW: Record<string, string> = {
  alice: 'alice-secret-01',
  bob: 'bob-secret-0002',
  mary: 'mary-secret-003',
  lee: 'lee-secret-0004',
  root: 'root-secret-005',
  temp: 'temp-secret-006',
};
const ROLE_OF: Record<string, Role> = {
  alice: 'sales',
  bob: 'sales',
  mary: 'manager',
  lee: 'legal',
  root: 'admin',
  temp: 'sales',
};

const addAccounts = (dataDir: string, names: string[]) =>
  addTestAccounts(dataDir, names, { passwords: PW, roles: ROLE_OF });

interface Running {
  base: string;
  store: BidStore;
  auth: NonNullable<ReturnType<typeof createApp>['auth']>;
  close: () => Promise<void>;
}

let pool: RenderPool;

async function start(dataDir: string, auth: AuthOptions = {}): Promise<Running> {
  const made = createApp({ dataDir, pool, auth });
  await made.store.open();
  const server = await new Promise<Server>((r) => {
    const s = made.app.listen(0, '127.0.0.1', () => r(s));
  });
  const addr = server.address();
  return {
    base: `http://127.0.0.1:${typeof addr === 'object' && addr ? addr.port : 0}`,
    store: made.store,
    auth: made.auth!,
    close: () =>
      new Promise<void>((r) => {
        server.close(() => r());
        server.closeAllConnections();
      }),
  };
}

const auditOf = (dataDir: string) =>
  readFileSync(path.join(dataDir, 'audit.log'), 'utf8')
    .trim()
    .split('\n')
    .map(
      (l) =>
        JSON.parse(l) as {
          event: string;
          actor: string | null;
          target: string | null;
          ip: string | null;
          detail: Record<string, unknown>;
        },
    );

const idFrom = (r: Reply) => String(r.headers.location).split('/').pop()!;

beforeAll(() => {
  pool = new RenderPool({ threads: 1 });
});
afterAll(async () => {
  await pool?.close();
});

describe('without accounts on a loopback host', () => {
  it('works as before: no sign-in, no session cookie, no audit or ownership files', async () => {
    const dataDir = mkdtempSync(path.join(os.tmpdir(), 'tk-noauth-'));
    const app = await start(dataDir);
    try {
      const c = new WebClient(app.base);
      const list = await c.get('/bids');
      expect(list.status).toBe(200);
      expect(list.text).toContain('新建投标');
      expect(list.text).not.toContain('退出');
      const made = await c.post('/bids/new', { example: 'minimal' });
      expect(made.status).toBe(303);
      expect((await c.get(`/bids/${idFrom(made)}`)).status).toBe(200);
      expect((await c.get('/signin')).status).toBe(303);
      expect(c.session).toBeUndefined();
      const files = readdirSync(dataDir);
      expect(files).not.toContain('audit.log');
      expect(files).not.toContain('.tk-owners.json');
      expect(files).not.toContain('users.yaml');
    } finally {
      await app.close();
    }
  });
});

describe('with accounts', () => {
  let dataDir = '';
  let app: Running;
  const clients: Record<string, WebClient> = {};

  beforeAll(async () => {
    dataDir = mkdtempSync(path.join(os.tmpdir(), 'tk-auth-'));
    await addAccounts(dataDir, Object.keys(PW));
    app = await start(dataDir, { lockout: { slowAfter: 100 } });
    for (const n of Object.keys(PW)) {
      clients[n] = new WebClient(app.base);
      const r = await clients[n].signIn(n, PW[n]!);
      expect(r.status).toBe(303);
    }
  });
  afterAll(async () => {
    await app?.close();
  });

  it('serves nothing but the sign-in page before sign-in', async () => {
    const c = new WebClient(app.base);
    for (const p of [
      '/',
      '/bids',
      '/clauses',
      '/trash',
      '/admin/audit',
      '/nope',
      '/bids/x/download.zip',
    ]) {
      const r = await c.get(p);
      expect(r.status, p).toBe(303);
      expect(String(r.headers.location), p).toMatch(/^\/signin(\?|$)/);
      expect(r.text).not.toContain('投标');
    }
    expect((await c.get('/bids')).headers.location).toBe('/signin?next=%2Fbids');
    const api = await c.postJson('/api/preview', {});
    expect(api.status).toBe(401);
    expect(JSON.parse(api.text)).toEqual({ error: '请先登录。', details: [] });
    const page = await c.get('/signin');
    expect(page.status).toBe(200);
    expect(page.text).toContain('name="password" type="password"');
    expect(page.text).not.toContain('href="/bids"');
    const post = await c.post('/bids/new', { example: 'minimal' });
    expect(post.status).toBe(303);
    expect(post.headers.location).toBe('/signin');
    expect((await app.store.list()).length).toBe(0);
    expect((await c.get('/static/app.css')).status).toBe(200);
  });

  it('sets an HttpOnly SameSite=Lax session cookie (not Secure on plain HTTP) with a new id at each sign-in', async () => {
    const c = new WebClient(app.base);
    const first = await c.signIn('alice', PW.alice!);
    expect(first.status).toBe(303);
    expect(first.headers.location).toBe('/bids');
    const set = first.setCookies.find((s) => s.startsWith('tk_session='))!;
    expect(set).toMatch(/^tk_session=[A-Za-z0-9_-]{43}; Path=\/; HttpOnly; SameSite=Lax$/);
    const old = c.session!;
    const again = await c.signIn('alice', PW.alice!);
    expect(again.status).toBe(303);
    expect(c.session).not.toBe(old);
    const stale = new WebClient(app.base);
    stale.cookies.set('tk_session', old);
    expect((await stale.get('/bids')).status).toBe(303);
    const page = await c.get('/bids');
    expect(page.status).toBe(200);
    expect(page.text).toContain('alice（测试）');
    expect(page.text).toContain('action="/signout"');
  });

  it('gives the same answer for a wrong password and an unknown name, in about the same time', async () => {
    const c = new WebClient(app.base);
    const wrong = await c.signIn('lee', 'not-the-password');
    const unknown = await c.signIn('nobody-here', 'not-the-password');
    expect(wrong.status).toBe(401);
    expect(unknown.status).toBe(401);
    const msg = (r: Reply) => /<p class="signin-error" role="alert">([^<]*)</.exec(r.text)?.[1];
    expect(msg(wrong)).toBe('用户名或密码不正确，或账户已停用。');
    expect(msg(unknown)).toBe(msg(wrong));
    expect(c.session).toBeUndefined();
  });

  it('walks every route for every role: 200 / 303, 403, or the sign-in page', async () => {
    // Fixtures: bids owned by alice (sales), a history version, a trash entry, a throwaway account.
    const alice = clients.alice!;
    const fresh = async (): Promise<{ id: string; version: string; current: string }> => {
      const r = await alice.post('/bids/new', { example: 'minimal' });
      expect(r.status).toBe(303);
      const id = idFrom(r);
      const bid = await app.store.read(id);
      await app.store.saveText(id, `${bid.text}# 第二次保存\n`, bid.version);
      const [h] = await app.store.history(id);
      return { id, version: h!.version, current: (await app.store.read(id)).version };
    };
    // Routes that change nothing, and requests that will be refused, share one fixture; a
    // request that will change a bid gets a fresh one.
    let one: Awaited<ReturnType<typeof fresh>> | undefined;
    const shared = async () => (one ??= await fresh());
    let changes = false;
    const target = () => (changes ? fresh() : shared());
    let sharedEntry: string | undefined;
    const trashed = async (): Promise<string> => {
      if (!changes && sharedEntry) return sharedEntry;
      const { id } = await fresh();
      const entry = await app.store.remove(id);
      if (!changes) sharedEntry = entry;
      return entry;
    };
    let formBody: Record<string, string> | undefined;
    type Call = {
      method: 'GET' | 'POST';
      path: string;
      body?: Record<string, string>;
      json?: unknown;
    };
    const specs: Record<string, { call: () => Promise<Call>; ok: number }> = {
      'GET /': { call: async () => ({ method: 'GET', path: '/' }), ok: 303 },
      'GET /bids': { call: async () => ({ method: 'GET', path: '/bids' }), ok: 200 },
      'POST /bids/new': {
        call: async () => ({ method: 'POST', path: '/bids/new', body: { example: 'minimal' } }),
        ok: 303,
      },
      'GET /bids/:id/history': {
        call: async () => ({ method: 'GET', path: `/bids/${(await shared()).id}/history` }),
        ok: 200,
      },
      'GET /bids/:id/history/:version': {
        call: async () => {
          const f = await shared();
          return { method: 'GET', path: `/bids/${f.id}/history/${f.version}` };
        },
        ok: 200,
      },
      'POST /bids/:id/history/:version/restore': {
        call: async () => {
          const f = await target();
          return {
            method: 'POST',
            path: `/bids/${f.id}/history/${f.version}/restore`,
            body: { _version: f.current },
          };
        },
        ok: 303,
      },
      'GET /bids/:id/download/:doc.:fmt': {
        call: async () => ({
          method: 'GET',
          path: `/bids/${(await shared()).id}/download/commitment-letter.docx`,
        }),
        ok: 200,
      },
      'GET /bids/:id/download.zip': {
        call: async () => ({ method: 'GET', path: `/bids/${(await shared()).id}/download.zip` }),
        ok: 200,
      },
      'POST /bids/:id/duplicate': {
        call: async () => ({ method: 'POST', path: `/bids/${(await shared()).id}/duplicate` }),
        ok: 303,
      },
      'GET /bids/:id/delete': {
        call: async () => ({ method: 'GET', path: `/bids/${(await shared()).id}/delete` }),
        ok: 200,
      },
      'POST /bids/:id/delete': {
        call: async () => ({
          method: 'POST',
          path: `/bids/${(await target()).id}/delete`,
          body: { confirm: '1' },
        }),
        ok: 303,
      },
      'POST /bids/:id/submit': {
        call: async () => ({ method: 'POST', path: `/bids/${(await target()).id}/submit` }),
        ok: 303,
      },
      'POST /bids/:id/return': {
        call: async () => {
          const { id } = await target();
          await app.auth.owners().set(id, (o) => ({
            ...o,
            submitted: { by: 'alice', byName: 'alice', at: new Date().toISOString(), sha256: '' },
          }));
          return { method: 'POST', path: `/bids/${id}/return`, body: { comment: '请补充' } };
        },
        ok: 303,
      },
      'POST /bids/:id/finalise': {
        call: async () => ({ method: 'POST', path: `/bids/${(await target()).id}/finalise` }),
        ok: 303,
      },
      'GET /bids/:id': {
        call: async () => ({ method: 'GET', path: `/bids/${(await shared()).id}` }),
        ok: 200,
      },
      'POST /bids/:id': {
        call: async () => {
          const f = await target();
          formBody ??= Object.fromEntries(
            formFields((await clients.mary!.get(`/bids/${f.id}`)).text),
          );
          return {
            method: 'POST',
            path: `/bids/${f.id}`,
            body: { ...formBody, _version: f.current, _action: 'save' },
          };
        },
        ok: 303,
      },
      'POST /api/preview': {
        call: async () => ({
          method: 'POST',
          path: '/api/preview',
          json: { _id: (await shared()).id },
        }),
        ok: 200,
      },
      'GET /trash': { call: async () => ({ method: 'GET', path: '/trash' }), ok: 200 },
      'POST /trash/:entry/restore': {
        call: async () => ({ method: 'POST', path: `/trash/${await trashed()}/restore` }),
        ok: 303,
      },
      'GET /clauses': { call: async () => ({ method: 'GET', path: '/clauses' }), ok: 200 },
      'GET /clauses/:id/diff': {
        call: async () => ({ method: 'GET', path: '/clauses/warranty-period/diff?from=1&to=2' }),
        ok: 200,
      },
      'GET /clauses/:id': {
        call: async () => ({ method: 'GET', path: '/clauses/warranty-period' }),
        ok: 200,
      },
      // Clause editing: this server runs without a workspace, so changes are refused (409) to
      // those allowed to make them (the built-in library is read-only); see clause-approval.test.ts.
      'GET /clauses/:id/propose': {
        call: async () => ({ method: 'GET', path: '/clauses/warranty-period/propose' }),
        ok: 200,
      },
      'POST /clauses/:id/propose': {
        call: async () => ({ method: 'POST', path: '/clauses/warranty-period/propose' }),
        ok: 409,
      },
      'GET /clauses/:id/versions/:n/review': {
        call: async () => ({ method: 'GET', path: '/clauses/warranty-period/versions/2/review' }),
        ok: 200,
      },
      'GET /clauses/:id/versions/:n/redline.docx': {
        call: async () => ({
          method: 'GET',
          path: '/clauses/warranty-period/versions/2/redline.docx',
        }),
        ok: 200,
      },
      ...Object.fromEntries(
        ['approve', 'reject', 'retire'].flatMap((a) => [
          [
            `POST /clauses/:id/versions/:n/${a}`,
            {
              call: async () => ({
                method: 'POST',
                path: `/clauses/warranty-period/versions/2/${a}`,
              }),
              ok: 409,
            },
          ],
          [
            `POST /api/clauses/:id/versions/:n/${a}`,
            {
              call: async () => ({
                method: 'POST',
                path: `/api/clauses/warranty-period/versions/2/${a}`,
                json: {},
              }),
              ok: 409,
            },
          ],
        ]),
      ),
      'POST /api/clauses/:id/versions': {
        call: async () => ({
          method: 'POST',
          path: '/api/clauses/warranty-period/versions',
          json: {},
        }),
        ok: 409,
      },
      'GET /admin/audit': { call: async () => ({ method: 'GET', path: '/admin/audit' }), ok: 200 },
      'GET /admin/users': { call: async () => ({ method: 'GET', path: '/admin/users' }), ok: 200 },
      'POST /admin/users/:name/disable': {
        call: async () => ({ method: 'POST', path: '/admin/users/temp/disable' }),
        ok: 303,
      },
      'POST /admin/users/:name/enable': {
        call: async () => ({ method: 'POST', path: '/admin/users/temp/enable' }),
        ok: 303,
      },
      'GET /account/password': {
        call: async () => ({ method: 'GET', path: '/account/password' }),
        ok: 200,
      },
      // (new passwords that differ: refused before the current one is tried, so nothing changes
      // and no lockout counts; test/password-change.test.ts changes passwords for real)
      'POST /account/password': {
        call: async () => ({
          method: 'POST',
          path: '/account/password',
          body: { current: 'x', password: 'new-secret-one', again: 'new-secret-two' },
        }),
        ok: 400,
      },
    };
    const send = (c: WebClient, call: Call) =>
      call.json !== undefined
        ? c.postJson(call.path, call.json)
        : call.method === 'GET'
          ? c.get(call.path)
          : c.post(call.path, call.body ?? {});
    const actors = ['anonymous', 'alice', 'bob', 'mary', 'lee', 'root'] as const;
    const anonymous = new WebClient(app.base);
    await anonymous.get('/signin');
    const expected = (
      rule: RouteRule,
      who: (typeof actors)[number],
      ok: number,
    ): number | 'signin' => {
      if (who === 'anonymous') return rule.path.startsWith('/api/') ? 401 : 'signin';
      const access = rule.roles?.[ROLE_OF[who]!];
      if (!access) return 403;
      if (access === 'own' && who === 'bob' && rule.path.includes(':id')) return 403;
      if (access === 'own' && who === 'bob' && rule.path === '/api/preview') return 403;
      return ok;
    };
    const seen: string[] = [];
    const table: string[] = [];
    for (const rule of ROUTES) {
      if (rule.public) continue;
      const key = `${rule.method} ${rule.path}`;
      const spec = specs[key];
      expect(spec, `no request for ${key} in this test`).toBeDefined();
      seen.push(key);
      for (const who of actors) {
        const c = who === 'anonymous' ? anonymous : clients[who]!;
        const want = expected(rule, who, spec!.ok);
        changes = rule.method === 'POST' && want === spec!.ok;
        const r = await send(c, await spec!.call());
        const got =
          r.status === 303 && String(r.headers.location).startsWith('/signin')
            ? 'signin'
            : r.status;
        table.push(`${key} ${who} ${got}`);
        expect(got, `${key} as ${who}: ${r.text.slice(0, 300)}`).toBe(want);
        if (want === 403) expect(r.text).toMatch(/无权/);
      }
    }
    expect(seen.length).toBe(Object.keys(specs).length);
    // The home page sends each role to its own start page.
    expect((await clients.root!.get('/')).headers.location).toBe('/admin/audit');
    expect((await clients.alice!.get('/')).headers.location).toBe('/bids');
  });

  it('lists every route the app registers in the table, and nothing else', async () => {
    const made = createApp({ dataDir: mkdtempSync(path.join(os.tmpdir(), 'tk-routes-')), pool });
    const registered = (
      made.app.router.stack as { route?: { path: string; methods: Record<string, boolean> } }[]
    )
      .filter((l) => l.route)
      .flatMap((l) =>
        Object.keys(l.route!.methods)
          .filter((m) => m !== '_all')
          .map((m) => `${m.toUpperCase()} ${l.route!.path}`),
      )
      .sort();
    const table = ROUTES.map((r) => `${r.method} ${r.path}`).sort();
    expect(registered).toEqual(table);
  });

  it('keeps sales to their own bids, shows managers and legal all, and legal cannot change them', async () => {
    const made = await clients.alice!.post('/bids/new', { example: 'minimal' });
    const id = idFrom(made);
    const row = (html: string) => html.includes(`href="/bids/${id}"`);
    expect(row((await clients.alice!.get('/bids')).text)).toBe(true);
    expect(row((await clients.bob!.get('/bids')).text)).toBe(false);
    expect(row((await clients.mary!.get('/bids')).text)).toBe(true);
    expect(row((await clients.lee!.get('/bids')).text)).toBe(true);
    expect((await clients.bob!.get(`/bids/${id}`)).status).toBe(403);
    expect((await clients.bob!.get(`/bids/${id}/download/commitment-letter.docx`)).status).toBe(
      403,
    );
    expect((await clients.bob!.postJson('/api/preview', { _id: id })).status).toBe(403);
    expect((await clients.lee!.get(`/bids/${id}`)).status).toBe(200);
    expect((await clients.lee!.post(`/bids/${id}/delete`, { confirm: '1' })).status).toBe(403);
    const owners = JSON.parse(readFileSync(path.join(dataDir, '.tk-owners.json'), 'utf8')) as {
      bids: Record<string, { owner: string; lastEditor: string }>;
    };
    expect(owners.bids[id]).toMatchObject({ owner: 'alice', lastEditor: 'alice' });
    // The manager saves it: the owner stays, the last editor changes.
    const form = await clients.mary!.get(`/bids/${id}`);
    const saved = await clients.mary!.post(`/bids/${id}`, [
      ...formFields(form.text).filter(([k]) => k !== 'project.name'),
      ['project.name', '经理改过的项目名称'],
      ['_action', 'save'],
    ]);
    expect(saved.status).toBe(303);
    expect(app.auth.owners().get(id)).toMatchObject({ owner: 'alice', lastEditor: 'mary' });
    // A bid id that is the accounts file is no bid: users.yaml is never served.
    expect((await clients.mary!.get('/bids/users')).status).toBe(404);
    expect((await clients.mary!.get('/bids')).text).not.toContain('/bids/users"');
  });

  it('shows a bid without owner to managers and legal only, and answers 403 for a missing one', async () => {
    const bid = await app.store.saveText('bid-from-before', 'version: 2\n', null);
    expect(app.auth.owners().get(bid.id)?.owner).toBeUndefined();
    const listed = (c: WebClient) =>
      c.get('/bids').then((r) => r.text.includes('/bids/bid-from-before"'));
    expect(await listed(clients.alice!)).toBe(false);
    expect(await listed(clients.mary!)).toBe(true);
    expect(await listed(clients.lee!)).toBe(true);
    expect((await clients.alice!.get('/bids/bid-from-before')).status).toBe(403);
    const missing = await clients.bob!.get('/bids/bid-does-not-exist');
    expect(missing.status).toBe(403);
    expect(missing.text).toContain('这份投标不是您创建的');
    expect((await clients.mary!.get('/bids/bid-does-not-exist')).status).toBe(404);
  });

  it('finalises (manager only): read-only from then on, duplicate to change, downloads still work', async () => {
    const id = idFrom(await clients.alice!.post('/bids/new', { example: 'minimal' }));
    expect((await clients.alice!.post(`/bids/${id}/finalise`)).status).toBe(403);
    const list = (await clients.mary!.get('/bids')).text;
    expect(list).toContain(`action="/bids/${id}/finalise"`);
    expect(list).toContain('创建：alice（测试）');
    expect((await clients.alice!.get('/bids')).text).not.toContain('/finalise"');
    const fin = await clients.mary!.post(`/bids/${id}/finalise`);
    expect(fin.status).toBe(303);
    expect(app.auth.owners().get(id)?.finalised).toMatchObject({ by: 'mary' });
    const after = (await clients.mary!.get('/bids')).text;
    expect(after).not.toContain(`action="/bids/${id}/finalise"`);
    expect(after).toContain('已定稿');
    const form = await clients.alice!.get(`/bids/${id}`);
    const save = await clients.alice!.post(`/bids/${id}`, [
      ...formFields(form.text),
      ['_action', 'save'],
    ]);
    expect(save.status).toBe(409);
    expect(save.text).toContain('已定稿');
    expect((await clients.mary!.post(`/bids/${id}/delete`, { confirm: '1' })).status).toBe(409);
    expect((await clients.alice!.get(`/bids/${id}/download/commitment-letter.docx`)).status).toBe(
      200,
    );
    const copy = await clients.alice!.post(`/bids/${id}/duplicate`);
    expect(copy.status).toBe(303);
    expect(app.auth.owners().get(idFrom(copy))).toMatchObject({ owner: 'alice' });
    expect(app.auth.owners().get(idFrom(copy))?.finalised).toBeUndefined();
    // A bid with problems cannot be finalised.
    const blank = idFrom(await clients.mary!.post('/bids/new'));
    const refused = await clients.mary!.post(`/bids/${blank}/finalise`);
    expect(refused.status).toBe(422);
  });

  it('ends the sessions of a disabled account at once, and on sign-out', async () => {
    const temp = new WebClient(app.base);
    expect((await temp.signIn('temp', PW.temp!)).status).toBe(303);
    expect((await temp.get('/bids')).status).toBe(200);
    const dis = await clients.root!.post('/admin/users/temp/disable');
    expect(dis.status).toBe(303);
    expect((await temp.get('/bids')).status).toBe(303);
    expect((await new WebClient(app.base).signIn('temp', PW.temp!)).status).toBe(401);
    await clients.root!.post('/admin/users/temp/enable');
    expect((await temp.signIn('temp', PW.temp!)).status).toBe(303);
    const cookie = temp.session!;
    const out = await temp.post('/signout');
    expect(out.status).toBe(303);
    expect(out.headers.location).toBe('/signin?signedout=1');
    expect(temp.session).toBeUndefined();
    const replay = new WebClient(app.base);
    replay.cookies.set('tk_session', cookie);
    expect((await replay.get('/bids')).status).toBe(303);
    // An administrator cannot lock themselves out from the page.
    expect((await clients.root!.post('/admin/users/root/disable')).status).toBe(400);
  });

  it('writes sign-ins, failures and bid events to a verifiable audit log, never passwords or bid contents', async () => {
    const secretProject = '绝密项目名称-不得进入日志';
    const id = idFrom(await clients.alice!.post('/bids/new', { example: 'minimal' }));
    const form = await clients.alice!.get(`/bids/${id}`);
    await clients.alice!.post(`/bids/${id}`, [
      ...formFields(form.text).filter(([k]) => k !== 'project.name'),
      ['project.name', secretProject],
      ['_action', 'save'],
    ]);
    expect((await clients.alice!.get(`/bids/${id}/download/commitment-letter.docx`)).status).toBe(
      200,
    );
    const entry = String(
      (await clients.alice!.post(`/bids/${id}/delete`, { confirm: '1' })).headers.location,
    ).split('=')[1]!;
    expect((await clients.mary!.post(`/trash/${decodeURIComponent(entry)}/restore`)).status).toBe(
      303,
    );
    await new Promise((r) => setTimeout(r, 50)); // the download entry is written after the answer
    const text = readFileSync(path.join(dataDir, 'audit.log'), 'utf8');
    expect(checkChain(text).ok).toBe(true);
    for (const pw of Object.values(PW)) expect(text).not.toContain(pw);
    expect(text).not.toContain('not-the-password');
    expect(text).not.toContain(secretProject);
    const mine = auditOf(dataDir)
      .filter((e) => e.target === id)
      .map((e) => `${e.event} ${e.actor}`);
    expect(mine).toEqual([
      'bid.create alice',
      'bid.save alice',
      'bid.download alice',
      'bid.delete alice',
      'bid.restore mary',
    ]);
    const all = auditOf(dataDir);
    expect(all.filter((e) => e.event === 'signin').length).toBeGreaterThanOrEqual(6);
    const failed = all.filter((e) => e.event === 'signin.failed');
    expect(failed.map((e) => e.detail.reason)).toEqual(
      expect.arrayContaining(['wrong-password', 'unknown-account']),
    );
    // A name with no account is never written down (it may be a password typed in the wrong box).
    expect(text).not.toContain('nobody-here');
    expect(all.some((e) => e.event === 'signout' && e.actor === 'temp')).toBe(true);
    expect(all.some((e) => e.event === 'account.disable' && e.target === 'temp')).toBe(true);
    expect(all.some((e) => e.event === 'bid.finalise' && e.actor === 'mary')).toBe(true);
    expect(all.find((e) => e.event === 'signin')?.ip).toBe('127.0.0.1');

    const page = await clients.root!.get('/admin/audit?event=bid.restore');
    expect(page.status).toBe(200);
    expect(page.text).toContain('哈希链完整');
    expect(page.text).toContain(id);
    expect(page.text).not.toContain('登录失败</td>');
    const rowsOf = (html: string) => (html.match(/<tr>\s*<td data-label="序号">/g) ?? []).length;
    const byActor = await clients.root!.get(`/admin/audit?actor=temp`);
    expect(rowsOf(byActor.text)).toBe(all.filter((e) => (e.actor ?? '').includes('temp')).length);
    const future = await clients.root!.get('/admin/audit?from=2999-01-01');
    expect(rowsOf(future.text)).toBe(0);
    expect(future.text).toContain('没有符合条件的记录');
    const d = new Date();
    const ymd = `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')}`;
    expect(rowsOf((await clients.root!.get(`/admin/audit?from=${ymd}&to=${ymd}`)).text)).toBe(
      Math.min(auditOf(dataDir).length, 100),
    );
    expect((await clients.alice!.get('/admin/audit')).status).toBe(403);
  });

  it('shows a broken chain on the admin page', async () => {
    const file = path.join(dataDir, 'audit.log');
    const original = readFileSync(file, 'utf8');
    try {
      writeFileSync(
        file,
        original.replace('"event":"signin","actor":"bob"', '"event":"signin","actor":"eve"'),
      );
      const page = await clients.root!.get('/admin/audit');
      expect(page.text).toContain('审计日志已被改动');
    } finally {
      writeFileSync(file, original);
    }
  });
});

describe('lockout, slow-down and timeouts', () => {
  let dataDir = '';
  let app: Running;
  let now = Date.now();

  beforeAll(async () => {
    dataDir = mkdtempSync(path.join(os.tmpdir(), 'tk-lock-'));
    await addAccounts(dataDir, ['alice', 'bob', 'root']);
    app = await start(dataDir, {
      clock: () => now,
      lockout: { slowAfter: 3, slowStepMs: 150, slowMaxMs: 400 },
    });
  });
  afterAll(async () => {
    await app?.close();
  });

  it('locks a name after five wrong passwords, even for the right one, for 15 minutes', async () => {
    const c = new WebClient(app.base, '127.0.0.2');
    const msgs: string[] = [];
    for (let i = 0; i < 6; i++) {
      const r = await c.signIn('alice', `wrong-password-${i}`);
      expect(r.status).toBe(401);
      msgs.push(/role="alert">([^<]*)</.exec(r.text)![1]!);
    }
    expect(msgs.slice(0, 4).every((m) => m === '用户名或密码不正确，或账户已停用。')).toBe(true);
    expect(msgs[4]).toContain('已暂时锁定 15 分钟');
    expect(msgs[5]).toBe(msgs[4]);
    const right = await new WebClient(app.base, '127.0.0.3').signIn('alice', PW.alice!);
    expect(right.status).toBe(401);
    expect(right.text).toContain('已暂时锁定');
    // A name without account locks the same way: the lock says nothing about existence.
    const u = new WebClient(app.base, '127.0.0.4');
    let last = '';
    for (let i = 0; i < 5; i++) last = (await u.signIn('ghost', `wrong-password-${i}`)).text;
    expect(last).toContain('已暂时锁定 15 分钟');
    const events = auditOf(dataDir).map((e) => e.event);
    expect(events.filter((e) => e === 'lockout')).toHaveLength(2);
    expect(events).toContain('signin.locked');
    // The administrator's 解除锁定 lifts it; otherwise it ends after 15 minutes.
    const admin = new WebClient(app.base, '127.0.0.9');
    expect((await admin.signIn('root', PW.root!)).status).toBe(303);
    expect((await admin.get('/admin/users')).text).toContain('解除锁定');
    expect((await admin.post('/admin/users/alice/enable')).status).toBe(303);
    const fresh = () => new WebClient(app.base, '127.0.0.3');
    expect((await fresh().signIn('alice', PW.alice!)).status).toBe(303);
    const d = new WebClient(app.base, '127.0.0.11');
    for (let i = 0; i < 5; i++) await d.signIn('alice', `wrong-password-${i}`);
    expect((await fresh().signIn('alice', PW.alice!)).status).toBe(401);
    now += 15 * 60_000 + 1000;
    expect((await fresh().signIn('alice', PW.alice!)).status).toBe(303);
  });

  it('slows an address down after repeated failures, and refuses parallel attempts from it', async () => {
    const c = new WebClient(app.base, '127.0.0.5');
    const times: number[] = [];
    // Different names each time (no name reaches its lock): only the address is counted.
    for (let i = 0; i < 5; i++) times.push((await c.signIn(`guess-${i}`, `nope-${i}`)).ms);
    expect(times[0]!).toBeLessThan(150);
    expect(times[3]!).toBeGreaterThanOrEqual(145); // after 3 failures from this address: 150 ms
    expect(times[4]!).toBeGreaterThanOrEqual(295); // after 4: 300 ms
    const other = new WebClient(app.base, '127.0.0.6');
    expect((await other.signIn('bob', PW.bob!)).ms).toBeLessThan(150 + 200);
    await c.get('/signin');
    const burst = await Promise.all(
      Array.from({ length: 4 }, () => c.post('/signin', { name: 'bob', password: 'x-parallel' })),
    );
    expect(burst.map((r) => r.status).sort()).toEqual([401, 401, 429, 429]);
  });

  it('ends a session after 30 idle minutes, and after 12 hours in any case', async () => {
    const c = new WebClient(app.base, '127.0.0.7');
    expect((await c.signIn('bob', PW.bob!)).status).toBe(303);
    now += 29 * 60_000;
    expect((await c.get('/bids')).status).toBe(200);
    now += 31 * 60_000;
    const r = await c.get('/bids');
    expect(r.status).toBe(303);
    expect(r.headers.location).toBe('/signin?next=%2Fbids&expired=1');
    expect((await c.get(String(r.headers.location))).text).toContain('登录已超时');
    expect((await c.signIn('bob', PW.bob!)).status).toBe(303);
    for (let i = 0; i < 24; i++) {
      now += 29 * 60_000;
      expect((await c.get('/bids')).status, `after ${i}`).toBe(200);
    }
    now += 29 * 60_000;
    expect((await c.get('/bids')).status).toBe(303);
  });

  it('takes a new account at once, and signs everyone out at a restart (sessions are in memory)', async () => {
    await addAccounts(dataDir, ['temp']);
    const c = new WebClient(app.base, '127.0.0.10');
    expect((await c.signIn('temp', PW.temp!)).status).toBe(303);
    expect((await c.get('/bids')).status).toBe(200);
    // A role changed in users.yaml applies at the next request too.
    expect((await c.get('/trash')).status).toBe(403);
    await updateUsers(dataDir, (f) => {
      f.users.find((u) => u.name === 'temp')!.role = 'manager';
      return { file: f, result: true };
    });
    expect((await c.get('/trash')).status).toBe(200);
    const again = await start(dataDir, { clock: () => now });
    try {
      const same = new WebClient(again.base, '127.0.0.10');
      same.cookies.set('tk_session', c.session!);
      expect((await same.get('/bids')).status).toBe(303);
    } finally {
      await again.close();
    }
  });

  it('ends sessions when the password is changed from the command line', async () => {
    const c = new WebClient(app.base, '127.0.0.8');
    expect((await c.signIn('alice', PW.alice!)).status).toBe(303);
    const hash = await hashPassword('alice-new-secret', { cost: TEST_COST });
    await updateUsers(dataDir, (f) => {
      const a = f.users.find((u) => u.name === 'alice')!;
      a.password = hash;
      a.passwordChanged = new Date(Date.now() + 1000).toISOString();
      return { file: f, result: true };
    });
    expect((await c.get('/bids')).status).toBe(303);
    expect((await c.signIn('alice', 'alice-new-secret')).status).toBe(303);
  });
});

describe('behind a reverse proxy (--trust-proxy)', () => {
  it('marks the cookie Secure for HTTPS and records the forwarded client address', async () => {
    const dataDir = mkdtempSync(path.join(os.tmpdir(), 'tk-proxy-'));
    await addAccounts(dataDir, ['alice']);
    const proxied = await start(dataDir, { trustProxy: true, required: true });
    const direct = await start(mkdtempSync(path.join(os.tmpdir(), 'tk-direct-')), {
      required: true,
    });
    try {
      const c = new WebClient(proxied.base);
      await c.get('/signin');
      const https = { 'x-forwarded-proto': 'https', 'x-forwarded-for': '203.0.113.9, 10.0.0.7' };
      const r = await c.post('/signin', { name: 'alice', password: PW.alice! }, { headers: https });
      expect(r.status).toBe(303);
      expect(r.setCookies.find((s) => s.startsWith('tk_session='))).toContain('; Secure');
      // Through the same proxy without X-Forwarded-Proto: https, no Secure.
      const plain = new WebClient(proxied.base);
      await plain.get('/signin');
      const p = await plain.post('/signin', { name: 'alice', password: PW.alice! });
      expect(p.setCookies.find((s) => s.startsWith('tk_session='))).not.toContain('Secure');
      expect(auditOf(dataDir).find((e) => e.event === 'signin')?.ip).toBe('10.0.0.7');
      // Without --trust-proxy the same headers change nothing; without accounts, no one gets in.
      const d = new WebClient(direct.base);
      const page = await d.get('/signin', https);
      expect(page.text).toContain('还没有创建账户');
      expect(page.text).not.toContain('name="password"');
      expect((await d.get('/bids', https)).status).toBe(303);
      // (there is no form, so not even a form token: refused before any password check)
      const tried = await d.post(
        '/signin',
        { name: 'alice', password: PW.alice! },
        { headers: https },
      );
      expect([401, 403]).toContain(tried.status);
      expect(d.session).toBeUndefined();
    } finally {
      await proxied.close();
      await direct.close();
    }
  });
});

// The README's route table is this module's table.
describe('README', () => {
  it('documents the sign-in and deployment sections', () => {
    const readme = readFileSync(path.join(ROOT, 'README.md'), 'utf8');
    expect(readme).toContain('## Teams and sign-in');
    expect(readme).toContain('## Deployment');
  });
});
