import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import http, { type Server } from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { createApp } from '../src/server/app.js';
import { Busy, RenderPool } from '../src/server/render-pool.js';
import { bidSchema } from '../src/schema/bid.js';
import { BidStore, STORE_ENTRIES } from '../src/server/store.js';
import { ROOT, startApp } from './helpers.js';
import { bodyOf, formFields } from './web-client.js';

let server: Server;
let store: BidStore;
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

const getPage = async (loc: string) =>
  (await fetch(`${base}${loc}`, { headers: { cookie } })).text();

const savedYaml = (loc: string) =>
  parse(readFileSync(path.join(dataDir, `${loc.split('/').pop()}.yaml`), 'utf8')) as Record<
    string,
    unknown
  >;

/** The shipped examples the server offers (every bid in examples/ but the tender files). */
const EXAMPLE_NAMES = readdirSync(path.join(ROOT, 'examples'))
  .filter((f) => f.endsWith('.yaml') && !f.endsWith('-tender.yaml'))
  .map((f) => f.replace(/\.yaml$/, ''));

beforeAll(async () => {
  dataDir = mkdtempSync(path.join(os.tmpdir(), 'tk-srv-'));
  writeFileSync(path.join(dataDir, '.tk-save-999-leftover'), 'partial');
  pool = new RenderPool({ threads: 1 });
  ({ server, base, store } = await startApp(dataDir, pool));
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

  it('lists the examples by their Chinese titles', async () => {
    const html = await getPage('/bids');
    expect(html).toContain('<option value="highway-monitoring"');
    expect(html).toMatch(/<option value="highway-monitoring"[^>]*>高速公路监控系统<\/option>/);
    expect(html).toMatch(/<option value="minimal"[^>]*>最小的投标参数文件<\/option>/);
    expect(html).not.toContain('>highway-monitoring<');
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

  it('creates a bid from an example, saves an edit, and refuses a stale save with 409', async () => {
    const loc = await newFromExample('dev-project-60m');
    const id = loc.split('/').pop()!;
    const page = await getPage(loc);
    expect(page).toContain('滨海市住房公积金综合服务平台开发项目');
    const fields = formFields(page);
    const version = fields.find(([k]) => k === '_version')![1];
    expect(fields).toContainEqual(['warranty.components[0].period', '60个月']);
    const ok = await post(loc, {
      ...bodyOf(fields, { 'warranty.components[0].period': '48个月' }),
      _action: 'save',
    });
    expect(ok.status).toBe(303);
    const file = path.join(dataDir, `${id}.yaml`);
    const saved = readFileSync(file, 'utf8');
    expect(savedYaml(loc).warranty).toMatchObject({
      components: [{ name: '软件', period: '48个月' }],
    });
    // A second save from the same starting version must not overwrite the first.
    const stale = await post(loc, {
      ...bodyOf(fields, { 'warranty.components[0].period': '36个月' }),
      _version: version,
      _action: 'save',
    });
    expect(stale.status).toBe(409);
    expect(await stale.text()).toContain('已被其他人修改并保存');
    expect(readFileSync(file, 'utf8')).toBe(saved);
  });

  it.each(EXAMPLE_NAMES)(
    'saves the example %s unedited with the same values it was opened with',
    async (name) => {
      const original = parse(
        readFileSync(path.join(ROOT, 'examples', `${name}.yaml`), 'utf8'),
      ) as Record<string, unknown>;
      const loc = await newFromExample(name);
      const page = await getPage(loc);
      expect(page).not.toContain('处需要修改');
      const res = await post(loc, { ...bodyOf(formFields(page)), _action: 'save' });
      expect(res.status).toBe(303);
      const saved = savedYaml(loc);
      // The same YAML values, so the same documents: nothing added, dropped or rewritten.
      expect(saved).toEqual(original);
      expect(bidSchema.parse(saved)).toEqual(bidSchema.parse(original));
    },
  );

  it('shows shorthand for object-form values and keeps them unless edited', async () => {
    type Loose = {
      responseTiers: { milestones: { within?: unknown }[] }[];
      service: { availability?: unknown };
      spares?: unknown;
    };
    const input = parse(
      readFileSync(path.join(ROOT, 'examples', 'hospital-his.yaml'), 'utf8'),
    ) as Loose;
    input.responseTiers[0]!.milestones[0]!.within = { amount: 30, unit: 'minute' };
    input.responseTiers[0]!.milestones[2]!.within = { workday: '2小时', holiday: '4小时' };
    input.service.availability = [{ metric: '系统可用率', percent: 99.5 }];
    input.spares = { period: { amount: 5, unit: 'fortnight' } }; // no shorthand: an error, kept as is
    await store.save('bid-objects', input as never, null);
    const page = await getPage('/bids/bid-objects');
    const fields = formFields(page);
    const value = (k: string) => fields.find(([f]) => f === k)?.[1];
    expect(value('responseTiers[0].milestones[0].within')).toBe('30分钟');
    expect(value('responseTiers[0].milestones[2].within')).toBe('工作日2小时、节假日4小时');
    expect(value('service.availability[0].percent')).toBe('99.5%');
    expect(value('spares.period')).toBe('{"amount":5,"unit":"fortnight"}');
    // The help and an example sit beside a duration field.
    expect(page).toMatch(
      /name="responseTiers\[0\]\.milestones\[0\]\.within" value="30分钟" placeholder="例如 30分钟"/,
    );
    expect(page).toContain('工作日与节假日时限不同时写“工作日48小时、节假日72小时”');
    expect(page).toMatch(/<ul class="errors" id="e-spares\.period"[^>]*><li[^>]*>unit 应为/);

    const unedited = await post('/bids/bid-objects', { ...bodyOf(fields), _action: 'save' });
    expect(unedited.status).toBe(303);
    expect(savedYaml('/bids/bid-objects')).toEqual(input);

    const page2 = await getPage('/bids/bid-objects');
    const edited = await post('/bids/bid-objects', {
      ...bodyOf(formFields(page2), {
        'responseTiers[0].milestones[0].within': '15分钟',
        'responseTiers[0].milestones[2].within': '工作日1小时、节假日3小时',
        'service.availability[0].percent': '99%',
        'spares.period': '5年',
      }),
      _action: 'save',
    });
    expect(edited.status).toBe(303);
    const after = savedYaml('/bids/bid-objects') as Loose;
    expect(after.responseTiers[0]!.milestones[0]!.within).toBe('15分钟');
    expect(after.responseTiers[0]!.milestones[2]!.within).toEqual({
      workday: '1小时',
      holiday: '3小时',
    });
    expect(after.service.availability).toEqual([{ metric: '系统可用率', percent: '99%' }]);
    expect(after.spares).toEqual({ period: '5年' });
    expect(bidSchema.safeParse(after).error?.issues ?? []).toEqual([]);
  });

  it('writes optional yes/no answers only when chosen, and no empty optional groups', async () => {
    const loc = await newFromExample('minimal');
    const page = await getPage(loc);
    // An optional yes/no is a select that starts at 不写, never a pre-ticked box.
    expect(page).toMatch(
      /<select id="f-staff\.fullTime" name="staff\.fullTime"[^>]*><option value="" selected>不写<\/option><option value="true">是<\/option><option value="false">否<\/option><\/select>/,
    );
    // Only the documents made by default are shown ticked (and saved only if changed).
    expect(page).not.toMatch(/type="checkbox" name="(?!documents")[^"]*"[^>]* checked/);
    const fields = formFields(page);
    const res = await post(loc, {
      ...bodyOf(fields, {
        'staff.fullTime': 'false',
        'service.freeUpgrades.period': '2年',
      }),
      _action: 'save',
    });
    expect(res.status).toBe(303);
    const saved = savedYaml(loc);
    expect(saved.staff).toEqual({ fullTime: false });
    expect(saved.service).toEqual({ freeUpgrades: { period: '2年' } });
    for (const k of ['warranty', 'responseTiers', 'afterWarranty', 'penalties', 'training'])
      expect(saved, k).not.toHaveProperty(k);
  });

  it('does not edit a version-1 file (the form would drop its fields) and says how to convert it', async () => {
    const v1 = [
      '# 第 1 版格式：没有 version，质保按月数写',
      'tenderee: { name: 江宁市第一人民医院 }',
      'bidder: { name: 杭州衡泽医疗信息技术有限公司 }',
      'project: { name: 信息系统升级改造项目 }',
      'warranty: { softwareMonths: 12 }',
      'signature: { signer: 陈立新, date: 2026-11-20 }',
      '',
    ].join('\n');
    writeFileSync(path.join(dataDir, 'bid-old.yaml'), v1);
    const res = await fetch(`${base}/bids/bid-old`, { headers: { cookie } });
    expect(res.status).toBe(422);
    const html = await res.text();
    expect(html).toContain('第 1 版格式的投标参数文件');
    expect(html).toContain('tenderkit migrate');
    expect(html).not.toContain('id="bid"');
    const save = await post('/bids/bid-old', { 'tenderee.name': '改名', _action: 'save' });
    expect(save.status).toBe(422);
    expect(readFileSync(path.join(dataDir, 'bid-old.yaml'), 'utf8')).toBe(v1);
  });

  it('adds rows without JavaScript and shows errors beside their fields', async () => {
    const loc = await newFromExample('dev-project-60m');
    const fields = formFields(await getPage(loc));
    const res = await post(loc, {
      ...bodyOf(fields, { 'staff.committedCount': '999' }),
      _action: 'add:responseTiers',
    });
    expect(res.status).toBe(200);
    const html = await res.text();
    expect(html).toContain('name="responseTiers[2].name"');
    expect(html).toMatch(
      /<ul class="errors" id="e-staff\.committedCount"[^>]*><li[^>]*>不能大于 500，实际为 999<\/li>/,
    );
    expect(html).toMatch(
      /<ul class="errors" id="e-responseTiers\[2\]\.name"[^>]*><li class="err deferred">必填，请填写<\/li>/,
    );
    expect(html).toContain('value="add:responseTiers[2].milestones"');
    // Paths outside the form model's lists are refused (400): the page is shown again, unchanged.
    const bad = await post(loc, { ...bodyOf(fields), _action: 'add:tenderee.name' });
    expect(bad.status).toBe(400);
    expect(formFields(await bad.text()).filter(([k]) => k.startsWith('tenderee'))).toEqual([
      ['tenderee.name', '滨海市住房公积金管理中心'],
    ]);
  });

  it('adds a milestone with cases without JavaScript and saves it', async () => {
    const loc = await newFromExample('dev-project-60m');
    let fields = formFields(await getPage(loc));
    const before = fields.filter(([k]) => /^responseTiers\[0\]\.milestones\[\d+\]\.kind$/.test(k));
    const m = `responseTiers[0].milestones[${before.length}]`;
    const step = async (edits: Record<string, string>, action: string) => {
      const res = await post(loc, { ...bodyOf(fields, edits), _action: action });
      expect(res.status).toBe(200);
      fields = formFields(await res.text());
    };
    await step({}, 'add:responseTiers[0].milestones');
    expect(fields).toContainEqual([`${m}.kind`, '']);
    await step({ [`${m}.kind`]: 'onsite' }, `add:${m}.cases`);
    await step({}, `add:${m}.cases`);
    await step({}, `add:${m}.cases`);
    expect(fields.filter(([k]) => k.startsWith(`${m}.cases[`) && k.endsWith('.when'))).toHaveLength(
      3,
    );
    await step({}, `remove:${m}.cases[2]`);
    expect(fields.filter(([k]) => k.startsWith(`${m}.cases[`) && k.endsWith('.when'))).toHaveLength(
      2,
    );
    expect(fields).toContainEqual([`${m}.kind`, 'onsite']);
    const res = await post(loc, {
      ...bodyOf(fields, {
        [`${m}.cases[0].when`]: '滨海市区',
        [`${m}.cases[0].within`]: '2小时',
        [`${m}.cases[1].when`]: '其他区县',
        [`${m}.cases[1].within`]: '1个工作日',
        [`${m}.from`]: 'report',
      }),
      _action: 'save',
    });
    expect(res.status).toBe(303);
    const saved = savedYaml(loc) as { responseTiers: { milestones: unknown[] }[] };
    expect(saved.responseTiers[0]!.milestones[before.length]).toEqual({
      kind: 'onsite',
      from: 'report',
      cases: [
        { when: '滨海市区', within: '2小时' },
        { when: '其他区县', within: '1个工作日' },
      ],
    });
    // The untouched fallback group was not created; the saved bid is valid and renders the cases.
    const page = await getPage(loc);
    expect(page).not.toContain('处需要修改');
    expect(page.replace(/<[^>]+>/g, '')).toContain('滨海市区2小时内、其他区县1个工作日内');
  });

  it('edits the escalation order without JavaScript: up, remove, add, save', async () => {
    const loc = await newFromExample('highway-monitoring');
    let html = await getPage(loc);
    let fields = formFields(html);
    const order = () => fields.filter(([k]) => k === 'service.escalation').map(([, v]) => v);
    const text = (h: string) => h.replace(/<[^>]+>/g, '');
    expect(order()).toEqual(['hotline', 'remote', 'onsite', 'emergency-team']);
    // An ordered list, not checkboxes: each item with its buttons, the ends' moves disabled.
    expect(html).not.toMatch(/type="checkbox" name="service\.escalation"/);
    expect(html).toContain(
      '<button type="submit" name="_action" value="up:service.escalation[0]" class="up" aria-label="上移：服务热线" disabled>上移</button>',
    );
    expect(html).toMatch(
      /value="down:service\.escalation\[3\]" class="down" aria-label="下移：应急小组" disabled>/,
    );
    expect(html).toMatch(
      /value="remove:service\.escalation\[1\]" class="remove-item" aria-label="删除：远程支持">/,
    );
    // The select offers only what is not chosen yet.
    const pick = /<select id="p-service\.escalation"[^>]*>([\s\S]*?)<\/select>/.exec(html)![1]!;
    expect([...pick.matchAll(/<option value="([^"]*)">/g)].map((m) => m[1])).toEqual([
      '',
      'phone',
      'email',
      'online',
      'fax',
      'im',
    ]);
    expect(pick).toContain('<option value="hotline" disabled hidden>服务热线</option>');

    const step = async (action: string, edits: Record<string, string> = {}, status = 200) => {
      const res = await post(loc, { ...bodyOf(fields, edits), _action: action });
      expect(res.status, action).toBe(status);
      html = await res.text();
      fields = formFields(html);
    };
    await step('up:service.escalation[2]');
    expect(order()).toEqual(['hotline', 'onsite', 'remote', 'emergency-team']);
    // The preview shows the new order at once (the bid is still complete).
    expect(text(html)).toContain('服务热线→现场服务→远程支持→应急小组');
    await step('remove:service.escalation[0]');
    expect(order()).toEqual(['onsite', 'remote', 'emergency-team']);
    await step('add:service.escalation', { 'service.escalation.__pick': 'hotline' });
    expect(order()).toEqual(['onsite', 'remote', 'emergency-team', 'hotline']);
    expect(html).toMatch(
      /value="down:service\.escalation\[3\]" class="down" aria-label="下移：服务热线" disabled>/,
    );

    // Refused, the page shown unchanged: moves past either end, a chosen or unknown item (200);
    // fields that are not ordered lists, paths outside the form, prototype keys (400).
    for (const [action, pickValue] of [
      ['up:service.escalation[0]', ''],
      ['down:service.escalation[3]', ''],
      ['remove:service.escalation[9]', ''],
      ['add:service.escalation', 'onsite'],
      ['add:service.escalation', 'carrier-pigeon'],
      ['add:service.escalation', '__proto__'],
      ['add:service.escalation', ''],
      ['up:responseTiers[1]', ''],
      ['up:service.hours[0]', ''],
      ['remove:service.escalation', ''],
      ['add:constructor', 'phone'],
      ['add:service.constructor', 'phone'],
      ['up:__proto__[0]', ''],
    ] as const) {
      const before = fields;
      const structural =
        !/^(up|down|remove):service\.escalation\[\d\]$|^add:service\.escalation$/.test(action);
      await step(action, { 'service.escalation.__pick': pickValue }, structural ? 400 : 200);
      expect(order(), action).toEqual(['onsite', 'remote', 'emergency-team', 'hotline']);
      expect(
        fields.filter(([k]) => !k.endsWith('.__pick')),
        action,
      ).toEqual(before.filter(([k]) => !k.endsWith('.__pick')));
    }

    const saved = await post(loc, { ...bodyOf(fields), _action: 'save' });
    expect(saved.status).toBe(303);
    const yaml = savedYaml(loc) as { service: { escalation: string[] } };
    expect(yaml.service.escalation).toEqual(['onsite', 'remote', 'emergency-team', 'hotline']);
    expect(Object.keys(yaml).filter((k) => k.includes('proto') || k === 'constructor')).toEqual([]);
    const page = await getPage(`${loc}?saved=1`);
    expect(page).not.toContain('处需要修改');
    expect(text(page)).toContain('按现场服务→远程支持→应急小组→服务热线的顺序逐级升级处理');
    expect(
      formFields(page)
        .filter(([k]) => k === 'service.escalation')
        .map(([, v]) => v),
    ).toEqual(['onsite', 'remote', 'emergency-team', 'hotline']);
  });

  it('shows a value the options do not know in the order, with its error, and keeps it', async () => {
    const input = parse(
      readFileSync(path.join(ROOT, 'examples', 'dev-project-60m.yaml'), 'utf8'),
    ) as { service: { escalation: string[] } };
    input.service.escalation = ['phone', 'pager', 'onsite'];
    await store.save('bid-unknown-channel', input as never, null);
    const html = await getPage('/bids/bid-unknown-channel');
    expect(html).toMatch(
      /<li data-index="1" class="unknown invalid"><input type="hidden" name="service\.escalation" value="pager"><span class="item-label">（文件中的值：pager）<\/span>/,
    );
    expect(html).toMatch(
      /<ul class="errors" id="e-service\.escalation\[1\]"[^>]*><li[^>]*>[^<]+<\/li>/,
    );
    const res = await post('/bids/bid-unknown-channel', {
      ...bodyOf(formFields(html)),
      _action: 'save',
    });
    expect(res.status).toBe(303);
    expect(savedYaml('/bids/bid-unknown-channel')).toEqual(input);
  });

  it('shows the help of repeated row fields once per top-level list, referenced by each row', async () => {
    const loc = await newFromExample('highway-monitoring');
    let outside = await getPage(loc);
    for (let prev = ''; prev !== outside;) {
      prev = outside;
      outside = outside.replace(/<template[^>]*>(?:(?!<template)[\s\S])*?<\/template>/g, '');
    }
    const limitHelp =
      '例如“30分钟”“2小时”“1个工作日”“立即”“协商确定”；工作日与节假日时限不同时写“工作日48小时、节假日72小时”';
    const within = [
      ...outside.matchAll(
        /name="(responseTiers\[\d+\]\.milestones\[\d+\][.\w[\]]*\.within)"[^>]*aria-describedby="([^"]+)"/g,
      ),
    ];
    // Four tiers, many milestones with cases and fallbacks: every time limit in them…
    expect(within.length).toBeGreaterThan(10);
    expect(within.map((m) => m[1]!).filter((p) => p.includes('.cases['))).not.toEqual([]);
    expect(within.map((m) => m[1]!).filter((p) => p.includes('.fallback.'))).not.toEqual([]);
    // …points at its own errors and at the one help entry in the tiers' header.
    for (const m of within) expect(m[2], m[1]).toBe(`e-${m[1]} h-responseTiers.milestones.within`);
    expect(outside.split(`>${limitHelp}<`).length - 1).toBe(
      ['responseTiers', 'afterWarranty.milestones', 'service.consultationClosure.within'].length,
    );
    expect(outside).toContain(
      `<dt>处理环节 · 时限；处理环节 · 分情形时限 · 时限；处理环节 · 未达成时的补救 · 时限</dt><dd id="h-responseTiers.milestones.within">${limitHelp}</dd>`,
    );
    // Four tiers: their header starts closed; the one report row leaves its header open.
    expect(outside).toContain('<details class="row-help"><summary>故障响应等级填写说明</summary>');
    expect(outside).toMatch(/<details class="row-help" open><summary>定期报告填写说明<\/summary>/);
    // No help paragraph inside a row; the help is a tooltip there.
    expect(outside).not.toMatch(/<p class="help" id="[^"]*\[/);
    expect(outside).toMatch(
      /<div class="field value duration" data-path="responseTiers\[0\]\.milestones\[1\]\.cases\[0\]\.within" title="例如“30分钟”[^"]*">/,
    );
    // Every id that aria-describedby names is on the page.
    const ids = [...outside.matchAll(/aria-describedby="([^"]+)"/g)].flatMap((m) =>
      m[1]!.split(' '),
    );
    const defined = new Set([...outside.matchAll(/ id="([^"]+)"/g)].map((m) => m[1]));
    expect(ids.filter((i) => !defined.has(i))).toEqual([]);
    // Fields outside rows keep their help beside them, referenced too.
    expect(outside).toContain(
      '<p class="help" id="h-service.escalation">故障未能解决时逐级升级的服务方式，按先后排列</p>',
    );
    expect(outside).toContain('aria-describedby="e-service.escalation h-service.escalation"');
  });

  it('lists the 偏离表 among the downloads and sends a document with a correct Chinese name', async () => {
    const loc = await newFromExample('highway-monitoring');
    const id = loc.split('/').pop()!;
    const page = await getPage(loc);
    // The download list is what the build makes: the three documents the bid lists, and the
    // 偏离表 its tender file makes (documentsOf adds it; the bid's own list leaves it out).
    expect(page).toContain(
      `<li>售后服务承诺书：<a href="/bids/${id}/download/commitment-letter.docx">`,
    );
    expect(page).toContain(`<li>培训方案：<a href="/bids/${id}/download/training-plan.docx">`);
    expect(page).toContain(
      `<li>偏离表：<a href="/bids/${id}/download/deviation-table.docx">Word</a> · <a href="/bids/${id}/download/deviation-table.pdf">PDF</a></li>`,
    );
    // The zip (its name, entries and manifest) is checked for every example in
    // form-lossless.test.ts, where `tenderkit verify` also rebuilds it byte for byte.
    const res = await fetch(`${base}/bids/${id}/download/commitment-letter.pdf`, {
      headers: { cookie },
    });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/pdf');
    const cd = res.headers.get('content-disposition') ?? '';
    expect(cd).toContain(`filename*=UTF-8''${encodeURIComponent('售后服务承诺书.pdf')}`);
    expect(cd).toMatch(/^attachment; filename="[\x20-\x7e]+"/);
    const served = Buffer.from(await res.arrayBuffer());
    expect(served.subarray(0, 5).toString('latin1')).toBe('%PDF-');
  });

  it('previews as JSON for live validation, and browses clauses read-only', async () => {
    const res = await fetch(`${base}/api/preview`, {
      method: 'POST',
      headers: {
        cookie,
        'x-csrf-token': token,
        'content-type': 'application/x-www-form-urlencoded',
      },
      body: 'version=2&tenderee.name=%E5%8C%BB%E9%99%A2',
    });
    const j = (await res.json()) as { errors: Record<string, string[]>; docs: unknown[] };
    expect(j.errors['bidder.name']).toEqual(['必填，请填写']);
    expect(j.errors.version).toBeUndefined();
    // The preview is always shown, what is not filled in yet marked.
    expect(JSON.stringify(j.docs)).toContain('【未填写：投标人名称】');
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
      preview: () => Promise.reject(new Busy('full')),
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
    // Previews render in the pool too: the form page still renders, without its preview.
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
    // No temp file left; besides the bid only the store's own index and history.
    expect(readdirSync(store.dir).filter((f) => !STORE_ENTRIES.includes(f))).toEqual([
      'bid-a.yaml',
    ]);
    // The version the winning save replaced is kept.
    expect(readdirSync(path.join(store.dir, 'history', 'bid-a'))).toHaveLength(1);
  });
});

describe('a new blank bid', () => {
  it('starts as a version 2 skeleton: the required fields, empty, and no promises', async () => {
    const res = await post('/bids/new', {});
    const loc = res.headers.get('location')!;
    expect(savedYaml(loc)).toEqual({
      version: 2,
      tenderee: { name: '' },
      bidder: { name: '' },
      project: { name: '' },
      signature: { signer: '', date: '' },
    });
    const html = await getPage(loc);
    const fields = formFields(html);
    expect(fields).toContainEqual(['version', '2']);
    // Nothing pre-filled: no list rows, no ticked boxes, every select at its empty choice.
    expect(fields.filter(([k]) => /\[\d+\]/.test(k))).toEqual([]);
    // The documents made by default are shown ticked; unchanged, nothing is written.
    expect(fields.filter(([k]) => k === 'documents')).toEqual([
      ['documents', 'commitment-letter'],
      ['documents', 'service-plan'],
    ]);
    const filled = fields.filter(
      ([k, v]) =>
        v !== '' &&
        !k.startsWith('_') &&
        !/\.__(orig|shown)$/.test(k) &&
        !['version', 'documents'].includes(k),
    );
    expect(filled).toEqual([]);
    // The default the schema applies is shown, as a placeholder the user can see.
    expect(html).toMatch(/name="signature\.signerTitle" value="" placeholder="默认：法定代表人"/);
    // Reported once the user tries to save (the page then has the class "checked").
    expect(html).toMatch(
      /<ul class="errors" id="e-tenderee\.name"[^>]*><li class="err deferred">必填，请填写<\/li>/,
    );
    // Saving the untouched form writes the same skeleton: no optional group and no answer.
    const saved = await post(loc, { ...bodyOf(fields), _action: 'save' });
    expect(saved.status).toBe(303);
    expect(savedYaml(loc)).toEqual({
      version: 2,
      tenderee: { name: '' },
      bidder: { name: '' },
      project: { name: '' },
      signature: { signer: '', date: '' },
    });
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
    const fields = formFields(await getPage(loc));
    const res = await post(
      `${loc}/duplicate`,
      bodyOf(fields, { 'tenderee.name': '滨海市新区管理委员会' }),
    );
    expect(res.status).toBe(303);
    const copy = res.headers.get('location')!;
    expect(copy).not.toBe(loc);
    expect(readFileSync(path.join(dataDir, `${copy.split('/').pop()}.yaml`), 'utf8')).toContain(
      '滨海市新区管理委员会',
    );
  });
});
