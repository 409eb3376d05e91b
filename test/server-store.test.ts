// The bid store through the real HTTP server: the bid list from an index (status, updated time,
// out-of-band changes picked up at start-up), delete to a recoverable trash, and a version history
// per bid with restore (a save based on a replaced version still gets 409). These pages at 390 px
// wide are checked in browser.test.ts (one Chromium for every browser check).
import {
  existsSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import type { Server } from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../src/server/app.js';
import { RenderPool } from '../src/server/render-pool.js';
import type { BidStore } from '../src/server/store.js';
import { ROOT } from './helpers.js';
import { formFields, WebClient, withEdits } from './web-client.js';

interface Running {
  store: BidStore;
  base: string;
  close: () => Promise<void>;
}

async function start(dataDir: string): Promise<Running> {
  const { app, store } = createApp({ dataDir, pool });
  await store.open();
  const server = await new Promise<Server>((r) => {
    const s = app.listen(0, '127.0.0.1', () => r(s));
  });
  const addr = server.address();
  return {
    store,
    base: `http://127.0.0.1:${typeof addr === 'object' && addr ? addr.port : 0}`,
    close: () =>
      new Promise<void>((r) => {
        server.close(() => r());
        server.closeAllConnections();
      }),
  };
}

const example = (name: string) => readFileSync(path.join(ROOT, 'examples', `${name}.yaml`), 'utf8');
const text = (html: string) => html.replace(/<[^>]+>/g, ' ').replace(/\s+/g, ' ');
/** The rows of the bid list: [id, the row's text]. */
const rows = (html: string) =>
  [...html.matchAll(/<tr>\s*<td><a href="\/bids\/([a-z0-9-]+)">([\s\S]*?)<\/tr>/g)].map(
    (m) => [m[1]!, text(m[2]!)] as const,
  );

let pool: RenderPool;
let dataDir: string;
let app: Running;
let c: WebClient;

beforeAll(async () => {
  pool = new RenderPool({ threads: 1 });
  dataDir = mkdtempSync(path.join(os.tmpdir(), 'tk-store-'));
  app = await start(dataDir);
  c = new WebClient(app.base);
  await c.get('/bids');
});

afterAll(async () => {
  await app?.close();
  await pool?.close();
});

async function newBid(example?: string): Promise<string> {
  const r = await c.post('/bids/new', example ? { example } : {});
  expect(r.status).toBe(303);
  return String(r.headers.location).split('/').pop()!;
}

/** Opens the form, edits it, saves; returns the saved text. */
async function saveForm(id: string, edits: Record<string, string>): Promise<string> {
  const fields = formFields((await c.get(`/bids/${id}`)).text);
  const r = await c.post(`/bids/${id}`, withEdits(fields, { ...edits, _action: 'save' }));
  expect(r.status).toBe(303);
  return readFileSync(path.join(dataDir, `${id}.yaml`), 'utf8');
}

describe('the bid list', () => {
  it('comes from an index with each bid’s status and updated time; changes made outside show after a restart', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'tk-index-'));
    let run = await start(dir);
    const w = new WebClient(run.base);
    await w.get('/bids');
    const made = async (fields: Record<string, string>) =>
      String((await w.post('/bids/new', fields)).headers.location)
        .split('/')
        .pop()!;
    const valid = await made({ example: 'minimal' });
    const blank = await made({});
    await run.store.saveText('bid-broken', 'project: [unclosed\n', null);
    let html = (await w.get('/bids')).text;
    let list = new Map(rows(html));
    expect(list.get(valid)).toContain('青溪县政务办公系统运维服务项目');
    expect(list.get(valid)).toContain('青溪县人民政府办公室');
    expect(list.get(valid)).toContain('填写完整');
    expect(list.get(blank)).toContain('（未命名）');
    expect(list.get(blank)).toMatch(/\d+ 处需要修改/);
    expect(list.get('bid-broken')).toContain('文件无法读取');
    // Updated time, in the server's time zone, with the exact time for machines.
    expect(html).toMatch(
      /<time datetime="\d{4}-\d{2}-\d{2}T[\d:.]+Z">\d{4}-\d{2}-\d{2} \d{2}:\d{2}<\/time>/,
    );
    // Most recently updated first; the examples offered by their Chinese titles.
    expect([...list.keys()][0]).toBe('bid-broken');
    expect(html).toMatch(/<option value="highway-monitoring"[^>]*>高速公路监控系统<\/option>/);
    expect(html).toMatch(/<option value="minimal"[^>]*>最小的投标参数文件<\/option>/);

    // Outside the server: a new file, an edited file, a removed file.
    writeFileSync(path.join(dir, 'bid-outside.yaml'), example('dev-project-60m'));
    // A tender requirements file beside the bids is not a bid (the store's ids never end in -tender).
    writeFileSync(path.join(dir, 'bid-outside-tender.yaml'), example('highway-tender'));
    const validFile = path.join(dir, `${valid}.yaml`);
    writeFileSync(
      validFile,
      readFileSync(validFile, 'utf8').replace(
        '青溪县政务办公系统运维服务项目',
        '外部修改的项目名称',
      ),
    );
    utimesSync(validFile, new Date(), new Date(Date.now() + 5000));
    rmSync(path.join(dir, `${blank}.yaml`));
    // The running server lists from its index: none of it shows yet.
    list = new Map(rows((await w.get('/bids')).text));
    expect(list.has('bid-outside')).toBe(false);
    expect(list.get(valid)).toContain('青溪县政务办公系统运维服务项目');
    expect(list.has(blank)).toBe(true);

    await run.close();
    run = await start(dir);
    // Only the two changed files were read again; the others came from the index file.
    expect(run.store.index.lastRebuild).toEqual({ parsed: 2, reused: 1 });
    const w2 = new WebClient(run.base);
    html = (await w2.get('/bids')).text;
    list = new Map(rows(html));
    expect([...list.keys()].sort()).toEqual(['bid-broken', 'bid-outside', valid].sort());
    expect(list.get('bid-outside')).toContain('滨海市住房公积金管理中心');
    expect(list.get('bid-outside')).toContain('填写完整');
    expect(list.get(valid)).toContain('外部修改的项目名称');
    expect([...list.keys()][0]).toBe(valid); // its new mtime is the latest
    await run.close();
  });
});

describe('delete and the trash', () => {
  it('moves a deleted bid to the trash, from where it comes back unchanged', async () => {
    const id = await newBid('dev-project-60m');
    const file = path.join(dataDir, `${id}.yaml`);
    // The bid's own tender file (the form writes it as <id>-tender.yaml) goes with it.
    const tenderFile = path.join(dataDir, `${id}-tender.yaml`);
    const tenderText = example('highway-tender');
    await app.store.writeTender(`${id}-tender.yaml`, tenderText);
    const linked = `${readFileSync(file, 'utf8')}tender:\n  file: ${id}-tender.yaml\n`;
    writeFileSync(file, linked);
    const original = readFileSync(file, 'utf8');
    const formPage = (await c.get(`/bids/${id}`)).text;
    const openForm = formFields(formPage);

    // The form links to the bid's history and has 删除, a button of a form of its own.
    expect(formPage).toContain(`<a href="/bids/${id}/history">历史版本</a>`);
    expect(formPage).toMatch(
      /<button type="submit" form="bid-delete" class="link danger">删除…<\/button>/,
    );
    expect(formPage).toContain(`<form method="post" action="/bids/${id}/delete" id="bid-delete"`);
    // Pressing it asks first (a page of its own, no JavaScript needed); nothing is moved yet.
    const ask = await c.post(`/bids/${id}/delete`, {});
    expect(ask.status).toBe(200);
    expect(text(ask.text)).toContain('删除投标“滨海市住房公积金综合服务平台开发项目”？');
    expect(text(ask.text)).toContain('招标要求文件（偏离表所依据的）一并移入回收站');
    expect(ask.text).toContain('<input type="hidden" name="confirm" value="1">');
    expect(ask.text).toContain(`<a class="button" href="/bids/${id}">取消，返回表单</a>`);
    // The same question by a link (GET), e.g. from a bookmark: still nothing moved.
    expect(text((await c.get(`/bids/${id}/delete`)).text)).toContain(
      '删除投标“滨海市住房公积金综合服务平台开发项目”？',
    );
    expect(existsSync(file)).toBe(true);
    expect(existsSync(tenderFile)).toBe(true);

    const del = await c.post(`/bids/${id}/delete`, { confirm: '1' });
    expect(del.status).toBe(303);
    const listPage = await c.get(String(del.headers.location));
    expect(listPage.text).toContain('已将投标移到');
    expect(listPage.text).toMatch(/<form method="post" action="\/trash\/[^"]+\/restore">/);
    expect(rows(listPage.text).map(([x]) => x)).not.toContain(id);
    expect(existsSync(file)).toBe(false);
    expect(existsSync(tenderFile)).toBe(false);
    expect((await c.get(`/bids/${id}`)).status).toBe(404);

    const trash = await c.get('/trash');
    expect(trash.status).toBe(200);
    expect(text(trash.text)).toContain('滨海市住房公积金管理中心');
    const entry = new RegExp(`action="/trash/([^"]+_${id})/restore"`).exec(trash.text)![1]!;
    expect(readFileSync(path.join(dataDir, 'trash', `${entry}.yaml`), 'utf8')).toBe(original);
    expect(readFileSync(path.join(dataDir, 'trash', `${entry}-tender.yaml`), 'utf8')).toBe(
      tenderText,
    );
    // One entry for the bid: its tender file is not listed (nor restorable) on its own.
    expect(trash.text.match(/action="\/trash\/[^"]+\/restore"/g)).toHaveLength(1);
    expect((await c.post(`/trash/${entry}-tender/restore`, {})).status).toBe(404);
    expect(trash.text).toMatch(/删除时间[\s\S]*<time datetime=/);

    // A form still open on the deleted bid cannot save over nothing: 409, values kept.
    const stale = await c.post(`/bids/${id}`, withEdits(openForm, { _action: 'save' }));
    expect(stale.status).toBe(409);
    expect(stale.text).toContain('该投标已被删除');

    const restored = await c.post(`/trash/${entry}/restore`, {});
    expect(restored.status).toBe(303);
    expect(restored.headers.location).toBe(`/bids?restored=${id}`);
    expect(readFileSync(file, 'utf8')).toBe(original);
    expect(readFileSync(tenderFile, 'utf8')).toBe(tenderText);
    expect(readdirSync(path.join(dataDir, 'trash'))).toEqual([]);
    expect(rows((await c.get('/bids')).text).map(([x]) => x)).toContain(id);
    const back = await c.get(`/bids/${id}`);
    expect(back.status).toBe(200);
    // The 偏离表's requirements are back with their file.
    expect(formFields(back.text)).toContainEqual(['tender.requirements[0].item', '第六章 2.1']);

    // Never over a bid saved under the same id meanwhile.
    const again = await c.post(`/bids/${id}/delete`, { confirm: '1' });
    const entry2 = decodeURIComponent(/deleted=([^&]+)/.exec(String(again.headers.location))![1]!);
    await app.store.saveText(id, original, null);
    const clash = await c.post(`/trash/${entry2}/restore`, {});
    expect(clash.status).toBe(409);
    expect(clash.text).toContain('不能恢复到同一编号');
    for (const bad of ['x', '..%2F..%2Fetc', `2025-01-01T00-00-00.000Z_${id}`]) {
      expect((await c.post(`/trash/${bad}/restore`, {})).status, bad).toBe(404);
    }
    expect((await c.post('/bids/bid-none/delete', { confirm: '1' })).status).toBe(404);
    expect((await c.post('/bids/bid-none/delete', {})).status).toBe(404);
  });

  it('copies a bid with its own tender file, so deleting the original keeps the copy’s 偏离表', async () => {
    const id = await newBid('minimal');
    const file = path.join(dataDir, `${id}.yaml`);
    await app.store.writeTender(`${id}-tender.yaml`, example('highway-tender'));
    writeFileSync(file, `${readFileSync(file, 'utf8')}tender:\n  file: ${id}-tender.yaml\n`);
    const original = readFileSync(file, 'utf8');
    const dup = await c.post(`/bids/${id}/duplicate`, {});
    expect(dup.status).toBe(303);
    const copy = String(dup.headers.location).split('/').pop()!;
    // The copy is the file as stored (comments kept), linked to its own copy of the tender file.
    expect(readFileSync(path.join(dataDir, `${copy}.yaml`), 'utf8')).toBe(
      original.replace(`file: ${id}-tender.yaml`, `file: ${copy}-tender.yaml`),
    );
    expect(readFileSync(path.join(dataDir, `${copy}-tender.yaml`), 'utf8')).toBe(
      example('highway-tender'),
    );
    expect((await c.post(`/bids/${id}/delete`, { confirm: '1' })).status).toBe(303);
    expect(existsSync(path.join(dataDir, `${copy}-tender.yaml`))).toBe(true);
  });
});

describe('version history', () => {
  it('keeps every replaced version; restore makes a new version and a form based on the replaced one gets 409', async () => {
    const id = await newBid('minimal');
    const file = path.join(dataDir, `${id}.yaml`);
    const v0 = readFileSync(file, 'utf8');
    const v1 = await saveForm(id, { 'project.name': '第一次修改的项目' });
    const v2 = await saveForm(id, { 'project.name': '第二次修改的项目' });
    expect(new Set([v0, v1, v2]).size).toBe(3);
    const kept = () =>
      readdirSync(path.join(dataDir, 'history', id)).map((f) =>
        readFileSync(path.join(dataDir, 'history', id, f), 'utf8'),
      );
    expect(kept().sort()).toEqual([v0, v1].sort());

    const history = await c.get(`/bids/${id}/history`);
    expect(history.status).toBe(200);
    const versions = [...history.text.matchAll(/href="\/bids\/[^/]+\/history\/([^"]+)">查看/g)].map(
      (m) => m[1]!,
    );
    expect(versions).toHaveLength(2);
    expect(versions[0]! > versions[1]!).toBe(true); // newest first
    expect(history.text).toMatch(
      /<time datetime="[^"]+">\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}<\/time>/,
    );
    const oldest = await c.get(`/bids/${id}/history/${versions[1]}`);
    expect(oldest.status).toBe(200);
    expect(oldest.text).toContain('青溪县政务办公系统运维服务项目');

    // A form opened now is based on v2.
    const stale = formFields((await c.get(`/bids/${id}`)).text);
    const current = /name="_version" value="([0-9a-f]{64})"/.exec(history.text)![1]!;
    const restore = await c.post(`/bids/${id}/history/${versions[1]}/restore`, {
      _version: current,
    });
    expect(restore.status).toBe(303);
    const after = await c.get(String(restore.headers.location));
    expect(after.text).toContain('已恢复');
    expect(readFileSync(file, 'utf8')).toBe(v0);
    expect(kept().sort()).toEqual([v0, v1, v2].sort()); // the replaced v2 is kept too
    expect([...after.text.matchAll(/>查看</g)]).toHaveLength(3);

    // The form based on v2 (now replaced) must not overwrite the restored version.
    const lost = await c.post(
      `/bids/${id}`,
      withEdits(stale, { 'project.name': '基于旧版本的修改', _action: 'save' }),
    );
    expect(lost.status).toBe(409);
    expect(lost.text).toContain('value="基于旧版本的修改"');
    expect(readFileSync(file, 'utf8')).toBe(v0);
    // Nor may a restore based on a replaced version.
    const late = await c.post(`/bids/${id}/history/${versions[0]}/restore`, { _version: current });
    expect(late.status).toBe(409);
    expect(readFileSync(file, 'utf8')).toBe(v0);
    expect((await c.get(`/bids/${id}/history/1999-01-01T00-00-00.000Z`)).status).toBe(404);
    expect((await c.get(`/bids/${id}/history/..%2F..%2Fsecret`)).status).toBe(404);
  });
});
