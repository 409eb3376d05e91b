// End to end in a real browser: Debian's Chromium driven by playwright-core (.ci/run installs it).
// A salesperson goes from a blank bid to a downloaded PDF in one pass, with and without
// JavaScript; the form fits a 390 px phone; axe-core finds no serious accessibility problem.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import type { Server } from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { RenderPool } from '../src/server/render-pool.js';
import { ROOT, squash, startApp } from './helpers.js';
import { formFields, WebClient, withEdits } from './web-client.js';

const CHROMIUM = '/usr/bin/chromium';
const SHOTS = process.env.TK_SCREENSHOTS; // set to a folder to keep screenshots for review

let server: Server;
let browser: Browser;
let pool: RenderPool;
let base = '';
let dataDir = '';

const present = existsSync(CHROMIUM);
if (!present && process.env.CI)
  throw new Error(`${CHROMIUM} is missing: .ci/run must install Debian's chromium`);

describe.skipIf(!present)('the bid form in Chromium', () => {
  beforeAll(async () => {
    dataDir = mkdtempSync(path.join(os.tmpdir(), 'tk-web-'));
    pool = new RenderPool({ threads: 1 });
    ({ server, base } = await startApp(dataDir, pool));
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking'],
    });
  });

  afterAll(async () => {
    await browser?.close();
    server?.close();
    await pool?.close();
  });

  const shot = async (page: Page, name: string) => {
    if (SHOTS) await page.screenshot({ path: path.join(SHOTS, `${name}.png`), fullPage: false });
  };
  const visibleErrors = (page: Page) => page.locator('ul.errors li:visible').allTextContents();
  const newBid = async (page: Page) => {
    await page.goto(`${base}/bids`);
    await Promise.all([
      page.waitForURL(/\/bids\/bid-[0-9a-f]+$/),
      page.click('button:has-text("新建投标")'),
    ]);
    return /\/bids\/(bid-[0-9a-f]+)/.exec(page.url())![1]!;
  };
  const downloadPdf = async (page: Page, id: string) => {
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.click('#downloads a[href$="commitment-letter.pdf"]'),
    ]);
    expect(download.suggestedFilename()).toBe('售后服务承诺书.pdf');
    const file = path.join(dataDir, `${id}.pdf`);
    await download.saveAs(file);
    return squash(execFileSync('pdftotext', ['-raw', file, '-'], { encoding: 'utf8' }));
  };

  it('with JavaScript: a blank bid to a downloaded PDF, guided step by step', async () => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    const problems: string[] = [];
    page.on('pageerror', (e) => problems.push(e.message));
    const id = await newBid(page);
    // A blank bid opens quietly: nothing to fix before anything is typed, the preview there.
    expect(await visibleErrors(page)).toEqual([]);
    expect(await page.locator('#status').textContent()).toContain('未填写完整');
    expect(await page.locator('#preview').textContent()).toContain('【未填写：招标人名称】');
    // Training is a step only when 培训方案 is ticked.
    expect(await page.locator('nav.progress li[data-step="training"]').isVisible()).toBe(false);
    await page.check('input[name="documents"][value="training-plan"]');
    expect(await page.locator('nav.progress li[data-step="training"]').isVisible()).toBe(true);
    await page.uncheck('input[name="documents"][value="training-plan"]');

    await page.fill('[name="tenderee.name"]', '东江市人民医院');
    await page.fill('[name="bidder.name"]', '东江智联信息技术有限公司');
    await page.fill('[name="bidder.hotline"]', '热线八八八'); // a mistake, shown at once
    await expect
      .poll(() => page.locator('[data-errors-for="bidder.hotline"] li').allTextContents(), {
        timeout: 60_000,
      })
      .toEqual(['电话号码只能包含数字、空格、+、- 和括号']);
    // Fields not touched yet are still not reported.
    expect(await page.locator('[data-errors-for="project.name"] li:visible').count()).toBe(0);
    await page.fill('[name="bidder.hotline"]', '0769-8888-1234');
    await page.fill('[name="project.name"]', '东江市人民医院门诊系统运维项目');
    await page.fill('[name="signature.signer"]', '刘振华');
    await page.fill('[name="signature.date"]', '2026-11-20');
    await shot(page, 'form-1280-basics');

    // 下一步 to 质保: the optional section is added on purpose, a component typed in.
    await page.click('#step-basics a.next');
    await page.locator('#step-warranty').waitFor({ state: 'visible', timeout: 30_000 });
    await page.click('#g-warranty > details > summary');
    await page.click('button[value="add:warranty.components"]');
    await page.fill('[name="warranty.components[0].name"]', '应用软件');
    await page.fill('[name="warranty.components[0].period"]', '2年');
    await page.selectOption('[name="warranty.start"]', 'final-acceptance');
    await expect
      .poll(() => page.locator('#preview').textContent(), { timeout: 60_000 })
      .toContain('应用软件的免费质保期为');
    await shot(page, 'form-1280-warranty');

    // The last step: nothing to fix, save, 已保存, download.
    await page.click('nav.progress a[href="#step-check"]');
    await expect
      .poll(() => page.locator('#status').textContent(), { timeout: 60_000 })
      .toContain('填写完整');
    await Promise.all([page.waitForURL(/\?saved=1/), page.click('#step-check button.save')]);
    expect(await page.locator('#status').textContent()).toContain('已保存');
    await page.goto(`${page.url()}#step-check`);
    await shot(page, 'form-1280-check');
    const text = await downloadPdf(page, id);
    expect(text).toContain('致：东江市人民医院');
    expect(text).toContain('应用软件的免费质保期为');
    const saved = parse(readFileSync(path.join(dataDir, `${id}.yaml`), 'utf8')) as {
      warranty: unknown;
    };
    expect(saved.warranty).toEqual({
      components: [{ name: '应用软件', period: '2年' }],
      start: 'final-acceptance',
    });
    expect(problems).toEqual([]);
    await page.close();
  });

  it('without JavaScript: the same bid, by links and buttons only', async () => {
    const ctx = await browser.newContext({ javaScriptEnabled: false });
    const page = await ctx.newPage();
    await page.setViewportSize({ width: 1280, height: 900 });
    const id = await newBid(page);
    await page.fill('[name="tenderee.name"]', '西江县卫生健康局');
    await page.fill('[name="bidder.name"]', '西江软件有限公司');
    await page.fill('[name="project.name"]', '西江县公卫系统运维项目');
    await page.fill('[name="signature.signer"]', '王强');
    await page.fill('[name="signature.date"]', '2026-12-01');
    // Steps are links; the optional section opens natively; rows are added by the server.
    await page.click('#step-basics a.next');
    await page.locator('#step-warranty').waitFor({ state: 'visible', timeout: 30_000 });
    await page.click('#g-warranty > details > summary');
    await Promise.all([
      page.waitForLoadState('load'),
      page.click('button[value="add:warranty.components"]'),
    ]);
    await page
      .locator('[name="warranty.components[0].name"]')
      .waitFor({ state: 'visible', timeout: 30_000 });
    expect(await page.inputValue('[name="tenderee.name"]')).toBe('西江县卫生健康局');
    await page.fill('[name="warranty.components[0].name"]', '公卫系统');
    await page.fill('[name="warranty.components[0].period"]', '1年');
    await Promise.all([page.waitForURL(/\?saved=1/), page.click('#step-warranty button.save')]);
    expect(await page.locator('#status').textContent()).toContain('已保存，填写完整');
    await page.click('nav.progress a[href="#step-check"]');
    await page.locator('#downloads').waitFor({ state: 'visible', timeout: 30_000 });
    const text = await downloadPdf(page, id);
    expect(text).toContain('致：西江县卫生健康局');
    expect(text).toContain('公卫系统的免费质保期为壹年');
    await ctx.close();
  });

  it('fits a 390 px phone: no element wider than the screen, the save button on one line', async () => {
    const ctx = await browser.newContext({ viewport: { width: 390, height: 844 } });
    const page = await ctx.newPage();
    await page.goto(`${base}/bids`);
    await page.selectOption('select[name="example"]', 'highway-monitoring');
    await Promise.all([
      page.waitForURL(/\/bids\/bid-[0-9a-f]+$/),
      page.click('button:has-text("创建")'),
    ]);
    for (const step of ['basics', 'warranty', 'staff', 'service', 'training', 'other', 'check']) {
      await page.goto(`${page.url().replace(/#.*$/, '')}#step-${step}`);
      await page.locator(`#step-${step}`).waitFor({ state: 'visible', timeout: 30_000 });
      const wide = await page.evaluate(() => {
        const w = document.documentElement.clientWidth;
        return Array.from(document.querySelectorAll('body *'))
          .filter((e) => {
            const r = e.getBoundingClientRect();
            return r.width > 0 && r.right > w + 0.5 && !e.closest('.preview .tk-page svg');
          })
          .map((e) => `${e.tagName}.${e.className}`)
          .slice(0, 5);
      });
      expect(wide, step).toEqual([]);
      expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBe(390);
      const save = await page.locator('.toolbar button.save').boundingBox();
      expect(save!.height).toBeLessThan(40); // one line: 保存 never wraps
      if (step === 'service' || step === 'check') await shot(page, `form-390-${step}`);
    }
    await ctx.close();
  });

  it('has no serious or critical accessibility violation (axe-core)', async () => {
    // axe is injected as a script of the test's own: the page's CSP (script-src 'self') is bypassed.
    const ctx = await browser.newContext({
      viewport: { width: 1280, height: 900 },
      bypassCSP: true,
    });
    const page = await ctx.newPage();
    await page.goto(`${base}/bids`);
    await page.selectOption('select[name="example"]', 'hospital-his');
    await Promise.all([
      page.waitForURL(/\/bids\/bid-[0-9a-f]+$/),
      page.click('button:has-text("创建")'),
    ]);
    await page.addScriptTag({
      content: readFileSync(path.join(ROOT, 'node_modules', 'axe-core', 'axe.min.js'), 'utf8'),
    });
    // Every step at once (hidden steps are not checked by axe), in one run.
    await page.addStyleTag({ content: '.steps-body .step { display: block !important; }' });
    for (const step of ['all steps']) {
      if (!(await page.evaluate(() => 'axe' in window)))
        await page.addScriptTag({
          content: readFileSync(path.join(ROOT, 'node_modules', 'axe-core', 'axe.min.js'), 'utf8'),
        });
      const found = await page.evaluate(async () => {
        const axe = (
          window as unknown as {
            axe: {
              run: (
                c: unknown,
                o: unknown,
              ) => Promise<{
                violations: { id: string; impact: string; nodes: { target: string[] }[] }[];
              }>;
            };
          }
        ).axe;
        const r = await axe.run(document.querySelector('main'), { resultTypes: ['violations'] });
        return r.violations
          .filter((v) => v.impact === 'serious' || v.impact === 'critical')
          .map(
            (v) =>
              `${v.id}: ${v.nodes
                .map((n) => n.target.join(' '))
                .slice(0, 3)
                .join(', ')}`,
          );
      });
      expect(found, step).toEqual([]);
    }
    await ctx.close();
  });

  it('fits the bid list, trash, history, delete question and clause pages on a 390 px phone', async () => {
    // A bid with a saved version (and a very long name), and a bid in the trash.
    const c = new WebClient(base);
    await c.get('/bids');
    const made = async (example: string) =>
      String((await c.post('/bids/new', { example })).headers.location)
        .split('/')
        .pop()!;
    const id = await made('highway-monitoring');
    const saved = await c.post(
      `/bids/${id}`,
      withEdits(formFields((await c.get(`/bids/${id}`)).text), {
        'project.name':
          '湘南高速公路机电工程监控系统采购项目二期扩建工程配套售后服务与培训方案投标文件',
        _action: 'save',
      }),
    );
    expect(saved.status).toBe(303);
    const gone = await made('minimal');
    expect((await c.post(`/bids/${gone}/delete`, { confirm: '1' })).status).toBe(303);
    const version = /href="(\/bids\/[^"]+\/history\/[^"]+)">查看/.exec(
      (await c.get(`/bids/${id}/history`)).text,
    )![1]!;

    const ctx = await browser.newContext({ viewport: { width: 390, height: 844 } });
    const page = await ctx.newPage();
    const fits = async (what: string) => {
      const wide = await page.evaluate(() => ({
        scroll: document.documentElement.scrollWidth,
        over: Array.from(document.querySelectorAll('body *'))
          .filter((e) => e.getBoundingClientRect().right > 391)
          .map((e) => e.tagName + (e.className ? `.${String(e.className)}` : ''))
          .slice(0, 5),
      }));
      expect(wide, what).toEqual({ scroll: 390, over: [] });
    };
    for (const p of [
      '/bids',
      '/trash',
      `/bids/${id}/history`,
      version,
      `/bids/${id}/delete`,
      '/clauses',
    ]) {
      await page.goto(`${base}${p}`);
      await fits(p);
    }
    // The buttons of a row stay on one line each (no 删/除 wrapping).
    await page.goto(`${base}/bids`);
    const heights = await page.$$eval('td.actions button, td.actions a', (els) =>
      els.map((e) => e.getBoundingClientRect().height),
    );
    expect(Math.max(...heights)).toBeLessThan(30);
    // The clause browser by its links: a clause, then its redline against the version before.
    await page.goto(`${base}/clauses`);
    await page.click('a:has-text("故障响应与处理时限")');
    await fits('clause');
    await page.click('a:has-text("与第 2 版对照")');
    await page.locator('del.tk-rev').first().waitFor({ state: 'visible' });
    expect(await page.locator('ins.tk-rev').count()).toBeGreaterThan(0);
    await fits('redline');
    await ctx.close();
  });
});
