import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import http, { type Server } from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { buildBid } from '../src/build.js';
import { prepareBid } from '../src/load/prepare.js';
import { createApp } from '../src/server/app.js';
import { Busy, RenderPool } from '../src/server/render-pool.js';
import { BidStore } from '../src/server/store.js';
import { ROOT, startApp } from './helpers.js';

let server: Server;
let base = '';
let dataDir = '';
let pool: RenderPool;
let cookie = '';
let token = '';

async function session() {
  const res = await fetch(`${base}/bids`);
  cookie = (res.headers.get('set-cookie') ?? '').split(';')[0]!;
  token = /name="_csrf" value="([^"]+)"/.exec(await res.text())![1]!;
}

function post(
  p: string,
  fields: Record<string, string | string[]>,
  opts: { token?: string | null; cookie?: string } = {},
) {
  const body = new URLSearchParams();
  for (const [k, v] of Object.entries(fields)) for (const x of [v].flat()) body.append(k, x);
  if (opts.token !== null) body.set('_csrf', opts.token ?? token);
  return fetch(`${base}${p}`, {
    method: 'POST',
    body,
    redirect: 'manual',
    headers: { cookie: opts.cookie ?? cookie },
  });
}

/** The form's current fields, as a browser would submit them (text inputs, checked boxes, selects). */
function formFields(html: string): [string, string][] {
  const out: [string, string][] = [];
  const form = html.slice(
    html.indexOf('<form method="post" action="/bids/'),
    html.indexOf('</form>', html.indexOf('id="bid"')),
  );
  const noTemplates = form.replace(/<template[\s\S]*?<\/template>/g, '');
  const dec = (s: string) =>
    s
      .replace(/&quot;/g, '"')
      .replace(/&#39;/g, "'")
      .replace(/&lt;/g, '<')
      .replace(/&gt;/g, '>')
      .replace(/&amp;/g, '&');
  for (const m of noTemplates.matchAll(/<input ([^>]*)>/g)) {
    const a = m[1]!;
    const name = /name="([^"]+)"/.exec(a)?.[1];
    if (!name || name === '_csrf') continue;
    const type = /type="([^"]+)"/.exec(a)?.[1];
    const value = dec(/value="([^"]*)"/.exec(a)?.[1] ?? '');
    if (type === 'checkbox' && !/ checked/.test(a)) continue;
    out.push([dec(name), type === 'checkbox' ? value || '1' : value]);
  }
  for (const m of noTemplates.matchAll(/<textarea[^>]*name="([^"]+)"[^>]*>([\s\S]*?)<\/textarea>/g))
    out.push([dec(m[1]!), dec(m[2]!)]);
  for (const m of noTemplates.matchAll(/<select[^>]*name="([^"]+)"[^>]*>([\s\S]*?)<\/select>/g)) {
    const sel =
      /<option value="([^"]*)" selected>/.exec(m[2]!) ?? /<option value="([^"]*)"/.exec(m[2]!);
    out.push([dec(m[1]!), dec(sel?.[1] ?? '')]);
  }
  return out;
}

/** A GET whose path is sent exactly as written (fetch would resolve `%2e%2e` itself). */
function rawGet(p: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      { host: '127.0.0.1', port: Number(new URL(base).port), path: p, headers: { cookie } },
      (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => (body += c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      },
    );
    req.on('error', reject);
    req.end();
  });
}

async function newFromExample(example: string): Promise<string> {
  const res = await post('/bids/new', { example });
  expect(res.status).toBe(303);
  return res.headers.get('location')!;
}

beforeAll(async () => {
  dataDir = mkdtempSync(path.join(os.tmpdir(), 'tk-srv-'));
  writeFileSync(path.join(dataDir, '.tk-save-999-leftover'), 'partial');
  pool = new RenderPool({ threads: 1 });
  ({ server, base } = await startApp(dataDir, pool));
  await session();
});

afterAll(async () => {
  server?.close();
  await pool?.close();
});

describe('web app over HTTP', () => {
  it('cleans leftover temp files at start-up', () => {
    expect(readdirSync(dataDir).filter((f) => f.startsWith('.tk-save-'))).toEqual([]);
  });

  it('sends security headers that work on plain HTTP', async () => {
    const res = await fetch(`${base}/bids`, { headers: { cookie } });
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    expect(res.headers.get('x-frame-options')).toBe('SAMEORIGIN');
    const csp = res.headers.get('content-security-policy') ?? '';
    expect(csp).toContain("default-src 'self'");
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).not.toContain('upgrade-insecure-requests');
    expect(res.headers.get('strict-transport-security')).toBeNull();
    expect(res.headers.get('x-powered-by')).toBeNull();
  });

  it('refuses a POST without the CSRF token (403) and writes nothing', async () => {
    const before = readdirSync(dataDir).length;
    expect((await post('/bids/new', {}, { token: null })).status).toBe(403);
    expect((await post('/bids/new', {}, { token: 'forged' })).status).toBe(403);
    expect(
      (await post('/bids/new', {}, { cookie: 'tk_csrf=someoneelsesnonce12345678' })).status,
    ).toBe(403);
    expect(readdirSync(dataDir).length).toBe(before);
  });

  it('answers 413 to an oversized body or too many fields', async () => {
    expect((await post('/bids/new', { big: 'x'.repeat(400_000) })).status).toBe(413);
    const many: Record<string, string> = {};
    for (let i = 0; i < 3100; i++) many[`f${i}`] = '1';
    expect((await post('/bids/new', many)).status).toBe(413);
  });

  it('validates ids before touching the file system (no path traversal)', async () => {
    for (const p of [
      '/bids/..%2F..%2Fetc%2Fpasswd',
      '/bids/%2e%2e',
      '/bids/UPPER',
      '/bids/a%00b',
      '/bids/x/download/commitment-letter.pdf',
      '/clauses/..%2Fpackage',
    ]) {
      const res = await rawGet(p);
      expect(res.status, p).toBe(404);
      const text = res.body;
      expect(text).not.toMatch(/\/work\/|node_modules|at .*\.js:\d+/);
    }
  });

  it('creates a bid from an example, saves it, and refuses a stale save with 409', async () => {
    const loc = await newFromExample('dev-project-60m');
    const id = loc.split('/').pop()!;
    const page = await (await fetch(`${base}${loc}`, { headers: { cookie } })).text();
    expect(page).toContain('滨海市住房公积金综合服务平台开发项目');
    const fields = formFields(page);
    const version = fields.find(([k]) => k === '_version')![1];
    const edited = fields.map(([k, v]): [string, string] => [
      k,
      k === 'warranty.softwareMonths' ? '48' : v,
    ]);
    const body = (f: [string, string][]) => {
      const out: Record<string, string[]> = {};
      for (const [k, v] of f) (out[k] ??= []).push(v);
      return out;
    };
    const ok = await post(loc, { ...body(edited), _action: 'save' });
    expect(ok.status).toBe(303);
    const file = path.join(dataDir, `${id}.yaml`);
    const saved = readFileSync(file, 'utf8');
    expect(saved).toContain('softwareMonths: 48');
    // A second save from the same starting version must not overwrite the first.
    const stale = await post(loc, {
      ...body(
        fields.map(([k, v]): [string, string] => [k, k === 'warranty.softwareMonths' ? '36' : v]),
      ),
      _version: version,
      _action: 'save',
    });
    expect(stale.status).toBe(409);
    expect(await stale.text()).toContain('已被其他人修改并保存');
    expect(readFileSync(file, 'utf8')).toBe(saved);
  });

  it('adds a row without JavaScript and shows errors beside their fields', async () => {
    const loc = await newFromExample('dev-project-60m');
    const fields = formFields(await (await fetch(`${base}${loc}`, { headers: { cookie } })).text());
    const body: Record<string, string[]> = {};
    for (const [k, v] of fields) (body[k] ??= []).push(k === 'warranty.softwareMonths' ? '999' : v);
    const res = await post(loc, { ...body, _action: 'add:responseTiers' });
    expect(res.status).toBe(200);
    const html = await res.text();
    expect(html).toContain('name="responseTiers[2].name"');
    expect(html).toMatch(
      /<ul class="errors" id="e-warranty\.softwareMonths"[^>]*><li>不能大于 240，实际为 999<\/li>/,
    );
    expect(html).toMatch(
      /<ul class="errors" id="e-responseTiers\[2\]\.name"[^>]*><li>缺少必填字段<\/li>/,
    );
  });

  it('downloads with a correct Chinese Content-Disposition, identical to the CLI build', async () => {
    const loc = await newFromExample('highway-monitoring');
    const id = loc.split('/').pop()!;
    const res = await fetch(`${base}/bids/${id}/download/commitment-letter.pdf`, {
      headers: { cookie },
    });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/pdf');
    const cd = res.headers.get('content-disposition') ?? '';
    expect(cd).toContain(`filename*=UTF-8''${encodeURIComponent('售后服务承诺书.pdf')}`);
    expect(cd).toMatch(/^attachment; filename="[\x20-\x7e]+"/);
    const served = Buffer.from(await res.arrayBuffer());
    const prepared = prepareBid(path.join(dataDir, `${id}.yaml`), () => {});
    const cli = await buildBid(prepared.params, {
      formats: ['pdf'],
      extra: prepared.extra,
      provenance: { bid: prepared.source, formats: ['pdf'], drafts: false },
    });
    expect(served.equals(cli.find((f) => f.fileName === '售后服务承诺书.pdf')!.bytes)).toBe(true);
    const zip = await fetch(`${base}/bids/${id}/download.zip`, { headers: { cookie } });
    expect(zip.status).toBe(200);
    expect(zip.headers.get('content-disposition')).toContain(
      encodeURIComponent('湘南高速公路机电工程监控系统采购项目-售后服务文件.zip'),
    );
    const { unzipSync } = await import('fflate');
    expect(Object.keys(unzipSync(new Uint8Array(await zip.arrayBuffer()))).sort()).toEqual(
      [
        'manifest.json',
        `${id}.yaml`,
        '售后服务承诺书.docx',
        '售后服务承诺书.pdf',
        '培训方案.docx',
        '培训方案.pdf',
        '售后服务方案.docx',
        '售后服务方案.pdf',
      ].sort(),
    );
  });

  it('previews as JSON for live validation, and browses clauses read-only', async () => {
    const res = await fetch(`${base}/api/preview`, {
      method: 'POST',
      headers: {
        cookie,
        'x-csrf-token': token,
        'content-type': 'application/x-www-form-urlencoded',
      },
      body: 'tenderee.name=%E5%8C%BB%E9%99%A2',
    });
    const j = (await res.json()) as { errors: Record<string, string[]>; docs: unknown[] };
    expect(j.errors['bidder.name']).toEqual(['缺少必填字段']);
    expect(j.docs).toEqual([]);
    const diff = await (
      await fetch(`${base}/clauses/response-tiers/diff?from=1&to=2`, { headers: { cookie } })
    ).text();
    expect(diff).toContain('<del class="tk-rev"');
    expect(
      (await fetch(`${base}/clauses/response-tiers?v=9`, { headers: { cookie } })).status,
    ).toBe(404);
  });
});

describe('overload and storage', () => {
  it('answers 503 with Retry-After when the render pool is full, while the form page still works', async () => {
    const busyPool = {
      build: () => Promise.reject(new Busy('full')),
      warmup: async () => {},
      close: async () => {},
    } as unknown as RenderPool;
    const dir = mkdtempSync(path.join(os.tmpdir(), 'tk-busy-'));
    const { app, store } = createApp({ dataDir: dir, pool: busyPool });
    await store.open();
    await store.save(
      'bid-busy',
      parse(readFileSync(path.join(ROOT, 'examples', 'dev-project-60m.yaml'), 'utf8')) as never,
      null,
    );
    const s = await new Promise<Server>((r) => {
      const x = app.listen(0, '127.0.0.1', () => r(x));
    });
    const addr = s.address();
    const url = `http://127.0.0.1:${typeof addr === 'object' && addr ? addr.port : 0}`;
    const res = await fetch(`${url}/bids/bid-busy/download/commitment-letter.pdf`);
    expect(res.status).toBe(503);
    expect(res.headers.get('retry-after')).toBe('5');
    expect(await res.text()).toContain('服务器正忙');
    // Previews do not use the pool: the form page still renders.
    const form = await fetch(`${url}/bids/bid-busy`);
    expect(form.status).toBe(200);
    expect(await form.text()).toContain('data-path="tenderee.name"');
    s.close();
  });

  it('lets only the first of two saves from the same version win', async () => {
    const store = await new BidStore(mkdtempSync(path.join(os.tmpdir(), 'tk-store-'))).open();
    const first = await store.save('bid-a', { tenderee: { name: '甲' } } as never, null);
    const results = await Promise.allSettled([
      store.save('bid-a', { tenderee: { name: '乙' } } as never, first.version),
      store.save('bid-a', { tenderee: { name: '丙' } } as never, first.version),
    ]);
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected']);
    expect((await store.read('bid-a')).input).toEqual({ tenderee: { name: '乙' } });
    expect(existsSync(path.join(store.dir, 'bid-a.yaml'))).toBe(true);
    expect(readdirSync(store.dir)).toEqual(['bid-a.yaml']);
  });
});

describe('a new blank bid', () => {
  it('starts with the schema defaults, lists included', async () => {
    const res = await post('/bids/new', {});
    const html = await (
      await fetch(`${base}${res.headers.get('location')}`, { headers: { cookie } })
    ).text();
    const fields = formFields(html);
    expect(
      fields.filter(([k]) => /^service\.channels\[\d+\]\.kind$/.test(k)).map(([, v]) => v),
    ).toEqual(['hotline', 'remote', 'onsite']);
    expect(fields.filter(([k]) => k === 'documents').map(([, v]) => v)).toEqual([
      'commitment-letter',
      'service-plan',
      'training-plan',
    ]);
    expect(fields.find(([k]) => k === 'staff.fullTime')?.[1]).toBe('1');
  });
});

describe('render time limit', () => {
  it('gives up on a render that takes too long', async () => {
    const { TimedOut } = await import('../src/server/render-pool.js');
    const slow = new RenderPool({ threads: 1, timeoutMs: 1 });
    await expect(
      slow.build(path.join(process.cwd(), 'examples', 'hospital-his.yaml'), 'x.yaml', ['pdf']),
    ).rejects.toBeInstanceOf(TimedOut);
    await slow.close();
  });

  it('duplicates the edits on screen as a new bid', async () => {
    const loc = await newFromExample('dev-project-60m');
    const fields = formFields(await (await fetch(`${base}${loc}`, { headers: { cookie } })).text());
    const body: Record<string, string[]> = {};
    for (const [k, v] of fields)
      (body[k] ??= []).push(k === 'tenderee.name' ? '滨海市新区管理委员会' : v);
    const res = await post(`${loc}/duplicate`, body);
    expect(res.status).toBe(303);
    const copy = res.headers.get('location')!;
    expect(copy).not.toBe(loc);
    expect(readFileSync(path.join(dataDir, `${copy.split('/').pop()}.yaml`), 'utf8')).toContain(
      '滨海市新区管理委员会',
    );
  });
});
