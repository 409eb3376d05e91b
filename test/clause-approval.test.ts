// Clause approval in the browser, through the real HTTP server on a workspace made by
// `tenderkit init`: legal proposes (checked as `clauses new-version` checks), another legal user
// approves (sealed as the CLI seals, visible in `tenderkit clauses show`), the author cannot approve
// their own version, sales and managers only read. Also the bid states 草稿 → 待审核 → 已定稿 and
// the bid list's filters. Accounts use a low scrypt cost.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import type { Server } from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hashPassword } from '../src/auth/passwords.js';
import { updateUsers, type Role } from '../src/auth/users.js';
import { bodySha256 } from '../src/library/governance.js';
import { createApp } from '../src/server/app.js';
import { RenderPool } from '../src/server/render-pool.js';
import { docxPart } from '../src/writers/docx/index.js';
import { openWorkspace } from '../src/workspace/workspace.js';
import { WebClient } from './web-client.js';
import { ROOT } from './helpers.js';

const TEST_COST = { ln: 10, r: 8, p: 1 };
const ACCOUNTS: { name: string; display: string; role: Role; pw: string }[] = [
  { name: 'wu', display: '吴晓岚', role: 'legal', pw: 'wu-secret-00001' },
  { name: 'meng', display: '孟庆和（法务部）', role: 'legal', pw: 'meng-secret-0002' },
  // The author's second account, under a disguised name: traditional characters, a department.
  { name: 'wu2', display: '吳曉嵐（合規部）', role: 'legal', pw: 'wu2-secret-00003' },
  { name: 'alice', display: '艾丽丝', role: 'sales', pw: 'alice-secret-004' },
  { name: 'mary', display: '马瑞', role: 'manager', pw: 'mary-secret-0005' },
  { name: 'bob', display: '鲍勃', role: 'sales', pw: 'bob-secret-00006' },
];

const cli = (...args: string[]) =>
  execFileSync(process.execPath, [path.join(ROOT, 'bin', 'tenderkit.js'), ...args], {
    encoding: 'utf8',
    cwd: os.tmpdir(),
  });

let pool: RenderPool;
let server: Server;
let base = '';
let ws = '';
let dataDir = '';
let made2: ReturnType<typeof createApp>;
const clients: Record<string, WebClient> = {};

beforeAll(async () => {
  ws = path.join(mkdtempSync(path.join(os.tmpdir(), 'tk-clause-ws-')), 'ws');
  cli('init', ws);
  dataDir = mkdtempSync(path.join(os.tmpdir(), 'tk-clause-data-'));
  const t = new Date().toISOString();
  const hashes = await Promise.all(ACCOUNTS.map((a) => hashPassword(a.pw, { cost: TEST_COST })));
  await updateUsers(dataDir, (f) => {
    ACCOUNTS.forEach((a, i) =>
      f.users.push({
        name: a.name,
        displayName: a.display,
        role: a.role,
        password: hashes[i]!,
        created: t,
        passwordChanged: t,
      }),
    );
    return { file: f, result: true };
  });
  const workspace = openWorkspace(ws);
  pool = new RenderPool({ threads: 1, workspaceRoot: workspace.root });
  const made = createApp({ dataDir, pool, workspace });
  made2 = made;
  await made.store.open();
  server = await new Promise<Server>((r) => {
    const s = made.app.listen(0, '127.0.0.1', () => r(s));
  });
  const addr = server.address();
  base = `http://127.0.0.1:${typeof addr === 'object' && addr ? addr.port : 0}`;
  for (const a of ACCOUNTS) {
    const c = new WebClient(base);
    const r = await c.signIn(a.name, a.pw);
    expect(r.status).toBe(303);
    await c.get('/clauses');
    clients[a.name] = c;
  }
}, 60_000);

afterAll(async () => {
  await new Promise<void>((r) => {
    server?.close(() => r());
    server?.closeAllConnections();
  });
  await pool?.close();
});

const CLAUSE = 'warranty-period';
const NEW_BODY = [
  '{% if warranty %}',
  '{% for c in warranty.components %}{{ c.name }}的免费质保期为{{ c.period | period }}{% if loop.last %}。{% else %}；{% endif %}{% endfor %}',
  '{% endif %}',
].join('\n');

const auditEvents = () =>
  readFileSync(path.join(dataDir, 'audit.log'), 'utf8')
    .trim()
    .split('\n')
    .map(
      (l) =>
        JSON.parse(l) as {
          event: string;
          actor: string;
          target: string;
          detail: Record<string, unknown>;
        },
    );

describe('clause approval in the browser', () => {
  let version = 0;

  it('refuses a body with a hard-coded number, located beside the textarea, and saves nothing', async () => {
    const wu = clients.wu!;
    const form = await wu.get(`/clauses/${CLAUSE}/propose`);
    expect(form.status).toBe(200);
    expect(form.text).toContain('<textarea id="body" name="body"');
    const bad = `${NEW_BODY}\n我方承诺 2 小时内到达现场。`;
    const r = await wu.post(`/clauses/${CLAUSE}/propose`, { body: bad, note: '测试' });
    expect(r.status).toBe(422);
    expect(r.text).toMatch(/第 4 行第 \d+ 列：[^<]*2 小时/);
    expect(r.text).toContain('id="body-problems"');
    // The text typed is shown again.
    expect(r.text).toContain('我方承诺 2 小时内到达现场。');
    const api = await wu.postJson(`/api/clauses/${CLAUSE}/versions`, { body: bad, note: '测试' });
    expect(api.status).toBe(422);
    const j = JSON.parse(api.text) as { problems: { line: number; col: number; text: string }[] };
    expect(j.problems[0]!.line).toBe(4);
    expect(j.problems[0]!.text).toMatch(/2 小时/);
    const noNote = await wu.post(`/clauses/${CLAUSE}/propose`, { body: NEW_BODY, note: ' ' });
    expect(noNote.status).toBe(422);
    expect(noNote.text).toMatch(/id="body-problems"[\s\S]*请填写修订说明/);
    // Control characters are refused, located in the textarea, with no server path shown.
    const ctl = await wu.postJson(`/api/clauses/${CLAUSE}/versions`, {
      body: `\n${NEW_BODY}\n保修\u0007期。`,
      note: '测试',
    });
    expect(ctl.status).toBe(422);
    const cj = JSON.parse(ctl.text) as { error: string; details: string[] };
    expect(cj.details.join('\n')).toMatch(/第 5 行第 3 列：.*U\+0007/);
    expect(ctl.text).not.toMatch(/tk-clause-|\/tmp\//);
    const unknown = await wu.postJson(`/api/clauses/${CLAUSE}/versions`, {
      body: '保修{{ warranty.nosuchfield }}。',
      note: '测试',
    });
    expect(unknown.status).toBe(422);
    expect(unknown.text).toMatch(/第 1 行第 \d+ 列/);
    expect(cli('clauses', 'show', CLAUSE, '--workspace', ws)).not.toContain('草稿');
  });

  it('sales and managers get 403 on proposing and approving, as forms and through the API', async () => {
    for (const who of ['alice', 'mary']) {
      const c = clients[who]!;
      expect((await c.get(`/clauses/${CLAUSE}/propose`)).status).toBe(403);
      const f = await c.post(`/clauses/${CLAUSE}/propose`, { body: NEW_BODY, note: 'x' });
      expect(f.status).toBe(403);
      expect(f.text).toMatch(/无权/);
      expect((await c.post(`/clauses/${CLAUSE}/versions/3/approve`, {})).status).toBe(403);
      const a = await c.postJson(`/api/clauses/${CLAUSE}/versions/3/approve`, {});
      expect(a.status).toBe(403);
      expect(
        (await c.postJson(`/api/clauses/${CLAUSE}/versions/3/retire`, { reason: 'x' })).status,
      ).toBe(403);
      // Reading stays open.
      expect((await c.get(`/clauses/${CLAUSE}`)).status).toBe(200);
    }
  });

  it('refuses an API call without the CSRF token', async () => {
    const wu = clients.wu!;
    const r = await wu.request('POST', `/api/clauses/${CLAUSE}/versions`, {
      body: JSON.stringify({ body: NEW_BODY, note: '无令牌' }),
      headers: { 'content-type': 'application/json' },
    });
    expect(r.status).toBe(403);
  });

  it('legal proposes a draft recorded under the signed-in name', async () => {
    const wu = clients.wu!;
    const r = await wu.post(`/clauses/${CLAUSE}/propose`, {
      body: NEW_BODY,
      note: '精简措辞',
      author: '孟庆和', // not a field the server reads
    });
    expect(r.status).toBe(303);
    version = Number(/\?v=(\d+)$/.exec(String(r.headers.location))![1]);
    expect(version).toBe(4);
    const shown = cli('clauses', 'show', CLAUSE, String(version), '--workspace', ws);
    expect(shown).toContain('草稿');
    expect(shown).toContain('起草：吴晓岚');
    const review = await wu.get(`/clauses/${CLAUSE}/versions/${version}/review`);
    expect(review.status).toBe(200);
    expect(review.text).toContain('<del>');
    expect(review.text).toContain('精简措辞');
    // Rendered against an example with the draft pinned: the new wording, not the approved one.
    const preview = await wu.get(
      `/clauses/${CLAUSE}/versions/${version}/review?against=example:hospital-his`,
    );
    expect(preview.status).toBe(200);
    const shownText = preview.text.slice(preview.text.indexOf('clause-preview'));
    expect(shownText, preview.text.slice(preview.text.indexOf('按投标预览'))).toMatch(
      /的免费质保期为/,
    );
    expect(shownText).not.toContain('免费更换新品');
    // The rendered wording compared with version 3 for that bid: words, not template tags.
    const wording = preview.text.slice(
      preview.text.indexOf('class="wording-diff"'),
      preview.text.indexOf('</div>', preview.text.indexOf('class="wording-diff"')),
    );
    expect(wording).toMatch(/<del>，自项目终验合格之日起计算<\/del>/);
    expect(wording).toMatch(/<p><del>质保期内，以下服务和费用由我方承担/);
    expect(wording).not.toContain('{%');
    // Someone else's or a missing bid is not a choice.
    expect(
      (await wu.get(`/clauses/${CLAUSE}/versions/${version}/review?against=nope`)).status,
    ).toBe(404);
  });

  it('the author cannot approve their own version, also under a disguised name', async () => {
    const own = await clients.wu!.post(`/clauses/${CLAUSE}/versions/${version}/approve`, {});
    expect(own.status).toBe(422);
    expect(own.text).toContain('批准人必须是作者以外的人');
    const disguised = await clients.wu2!.postJson(
      `/api/clauses/${CLAUSE}/versions/${version}/approve`,
      { by: '孟庆和' },
    );
    expect(disguised.status).toBe(422);
    expect(JSON.parse(disguised.text).error).toContain('批准人必须是作者以外的人');
    expect(cli('clauses', 'show', CLAUSE, String(version), '--workspace', ws)).toContain('草稿');
  });

  it('a .docx redline with tracked changes can be downloaded', async () => {
    const r = await clients.alice!.get(`/clauses/${CLAUSE}/versions/${version}/redline.docx`);
    expect(r.status).toBe(200);
    expect(r.headers['content-type']).toContain('wordprocessingml');
    const xml = docxPart(r.body, 'word/document.xml');
    expect(xml).toContain('<w:ins ');
    expect(xml).toContain('<w:del ');
  });

  it('another legal user approves; the CLI shows the approval with the recorded hash', async () => {
    const r = await clients.meng!.postJson(`/api/clauses/${CLAUSE}/versions/${version}/approve`, {
      comment: '同意',
    });
    expect(r.status).toBe(200);
    const j = JSON.parse(r.text) as { bodySha256: string; approvedOn: string };
    expect(j.bodySha256).toBe(bodySha256(`${NEW_BODY}\n`));
    expect(j.approvedOn).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    const shown = cli('clauses', 'show', CLAUSE, String(version), '--workspace', ws);
    expect(shown).toContain('已批准');
    expect(shown).toContain('批准：孟庆和（法务部）');
    const file = readFileSync(path.join(ws, 'library', 'clauses', `${CLAUSE}.yaml`), 'utf8');
    expect(file).toContain(`bodySha256: ${j.bodySha256}`);
    expect(file).toContain('approvalNote: 同意');
    expect(cli('clauses', 'lint', '--workspace', ws)).toBeDefined();
  });

  it('the library page shows bids per version and overdue reviews', async () => {
    const made = await clients.alice!.post('/bids/new', { example: 'hospital-his' });
    expect(made.status).toBe(303);
    const list = await clients.alice!.get('/clauses');
    expect(list.status).toBe(200);
    const row = list.text.slice(list.text.indexOf(`<code>${CLAUSE}</code>`));
    expect(row.slice(0, row.indexOf('</tr>'))).toMatch(
      /v4 已批准<\/a> <span class="badge used-by">1 份投标/,
    );
    // letter-closing v1's review date (2026-06-30) has passed (clauses lint warns of it too).
    const lc = list.text.slice(list.text.indexOf('<code>letter-closing</code>'));
    expect(lc.slice(0, lc.indexOf('</tr>'))).toContain('复审逾期');
    expect(list.text).not.toContain('/propose');
  });

  it('reject and retire record the reason; the audit log has every action', async () => {
    const wu = clients.wu!;
    const p = await wu.postJson(`/api/clauses/${CLAUSE}/versions`, {
      body: `${NEW_BODY}\n{% if warranty.overall %}整体质保期为{{ warranty.overall | period }}。{% endif %}`,
      note: '补充整体质保期',
    });
    expect(p.status).toBe(201);
    const n = (JSON.parse(p.text) as { version: number }).version;
    const noReason = await clients.meng!.post(`/clauses/${CLAUSE}/versions/${n}/reject`, {});
    expect(noReason.status).toBe(422);
    const rej = await clients.meng!.post(`/clauses/${CLAUSE}/versions/${n}/reject`, {
      comment: '措辞需再议',
    });
    expect(rej.status).toBe(303);
    expect(cli('clauses', 'show', CLAUSE, String(n), '--workspace', ws)).toContain(
      '退回：措辞需再议',
    );
    const again = await clients.meng!.postJson(`/api/clauses/${CLAUSE}/versions/${n}/approve`, {});
    expect(again.status).toBe(422);
    const ret = await clients.meng!.postJson(`/api/clauses/${CLAUSE}/versions/3/retire`, {
      reason: '已由第 4 版取代',
    });
    expect(ret.status).toBe(200);
    expect(cli('clauses', 'show', CLAUSE, '3', '--workspace', ws)).toContain('已由第 4 版取代');
    const events = auditEvents().filter((e) => e.event.startsWith('clause.'));
    expect(events.map((e) => `${e.event} ${e.actor} ${e.detail.version}`)).toEqual([
      `clause.propose wu ${version}`,
      `clause.approve meng ${version}`,
      `clause.propose wu ${n}`,
      `clause.reject meng ${n}`,
      'clause.retire meng 3',
    ]);
  });
});

describe('bid states: 草稿 → 待审核 → 已定稿', () => {
  const rowOf = (html: string, id: string) => {
    const i = html.indexOf(`href="/bids/${id}"`);
    if (i < 0) return '';
    return html.slice(html.lastIndexOf('<tr>', i), html.indexOf('</tr>', i));
  };

  it('sales submits, the manager returns with a comment or finalises; filters work without JS', async () => {
    const alice = clients.alice!;
    const bob = clients.bob!;
    const mary = clients.mary!;
    const made = await alice.post('/bids/new', { example: 'minimal' });
    expect(made.status).toBe(303);
    const id = String(made.headers.location).split('/').pop()!;
    const other = await bob.post('/bids/new', { example: 'minimal' });
    const bobs = String(other.headers.location).split('/').pop()!;

    let list = await alice.get('/bids');
    expect(rowOf(list.text, id)).toContain('草稿');
    expect(rowOf(list.text, id)).toContain('创建：艾丽丝');
    expect(rowOf(list.text, id)).toContain(`action="/bids/${id}/submit"`);
    // Another salesperson may not submit it.
    expect((await bob.post(`/bids/${id}/submit`)).status).toBe(403);
    // Legal reads bids but does not submit them.
    expect((await clients.wu!.post(`/bids/${id}/submit`)).status).toBe(403);
    expect((await alice.post(`/bids/${id}/submit`)).status).toBe(303);
    expect((await alice.post(`/bids/${id}/submit`)).status).toBe(409);

    list = await mary.get('/bids');
    expect(rowOf(list.text, id)).toContain('待审核');
    expect(rowOf(list.text, id)).toContain(`action="/bids/${id}/return"`);
    // Filters: by state, and mine / all (the manager owns none of them).
    const review = await mary.get('/bids?show=all&state=review');
    expect(rowOf(review.text, id)).not.toBe('');
    expect(rowOf(review.text, bobs)).toBe('');
    expect(rowOf((await mary.get('/bids?state=draft')).text, bobs)).not.toBe('');
    const mine = await mary.get('/bids?show=mine');
    expect(rowOf(mine.text, id)).toBe('');
    expect(rowOf((await alice.get('/bids?show=mine')).text, id)).not.toBe('');

    // The clause preview offers only bids the user may read.
    const foreign = await bob.get(`/clauses/${CLAUSE}/versions/3/review?against=${id}`);
    expect(foreign.status).toBe(404);
    expect(foreign.text).not.toContain(id);
    expect((await alice.get(`/clauses/${CLAUSE}/versions/4/review?against=${id}`)).status).toBe(
      200,
    );
    // Sales cannot return; a return needs a comment.
    expect((await alice.post(`/bids/${id}/return`, { comment: '自己退回' })).status).toBe(403);
    expect((await mary.post(`/bids/${id}/return`, {})).status).toBe(422);
    expect((await mary.post(`/bids/${id}/return`, { comment: '请补充质保期' })).status).toBe(303);
    list = await alice.get('/bids');
    expect(rowOf(list.text, id)).toContain('草稿');
    expect(rowOf(list.text, id)).toContain('马瑞 退回：请补充质保期');

    // Changed while 待审核: back to 草稿 (the manager finalises what was submitted).
    expect((await alice.post(`/bids/${id}/submit`)).status).toBe(303);
    const stored = await made2.store.read(id);
    await made2.store.saveText(id, `${stored.text}# 修改\n`, stored.version);
    expect(rowOf((await alice.get('/bids')).text, id)).toMatch(/state-draft/);

    // Submitted again and finalised: read-only from then on.
    expect((await alice.post(`/bids/${id}/submit`)).status).toBe(303);
    expect((await mary.post(`/bids/${id}/finalise`)).status).toBe(303);
    list = await mary.get('/bids?state=final');
    expect(rowOf(list.text, id)).toContain('已定稿');
    expect(rowOf(list.text, bobs)).toBe('');
    expect((await alice.post(`/bids/${id}/submit`)).status).toBe(409);
    expect((await mary.post(`/bids/${id}/return`, { comment: 'x' })).status).toBe(409);
    const events = auditEvents()
      .filter((e) => e.target === id && e.event !== 'bid.save')
      .map((e) => `${e.event} ${e.actor}`);
    expect(events).toEqual(
      expect.arrayContaining(['bid.submit alice', 'bid.return mary', 'bid.finalise mary']),
    );
  });
});

describe('without sign-in', () => {
  it('refuses clause changes (no name to record) even with a workspace', async () => {
    const data = mkdtempSync(path.join(os.tmpdir(), 'tk-clause-noauth-'));
    const made = createApp({ dataDir: data, pool, workspace: openWorkspace(ws) });
    await made.store.open();
    const s = await new Promise<Server>((r) => {
      const x = made.app.listen(0, '127.0.0.1', () => r(x));
    });
    try {
      const addr = s.address();
      const c = new WebClient(
        `http://127.0.0.1:${typeof addr === 'object' && addr ? addr.port : 0}`,
      );
      expect((await c.get(`/clauses/${CLAUSE}/propose`)).status).toBe(200);
      const r = await c.postJson(`/api/clauses/${CLAUSE}/versions`, { body: NEW_BODY, note: 'x' });
      expect(r.status).toBe(403);
      expect(JSON.parse(r.text).error).toContain('须先登录');
      const f = await c.post(`/clauses/${CLAUSE}/versions/4/retire`, { reason: 'x' });
      expect(f.status).toBe(403);
      expect(cli('clauses', 'show', CLAUSE, '4', '--workspace', ws)).toContain('已批准');
    } finally {
      await new Promise<void>((r) => {
        s.close(() => r());
        s.closeAllConnections();
      });
    }
  });
});
