// End to end in a real browser: Debian's Chromium driven by playwright-core (.ci/run installs it).
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import type { Server } from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { loadBidFile } from '../src/load/bid.js';
import { RenderPool } from '../src/server/render-pool.js';
import { squash, startApp } from './helpers.js';

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
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        '--no-first-run',
        '--disable-quic',
      ],
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
  const errorsOf = (page: Page, p: string) =>
    page.locator(`[data-errors-for="${p}"] li`).allTextContents();

  it('fills a new bid with a tier of milestones, shows an error beside its field, fixes it, previews, saves, reopens and downloads the PDF', async () => {
    const page = await browser.newPage({ viewport: { width: 1440, height: 1000 } });
    const problems: string[] = [];
    page.on('pageerror', (e) => problems.push(e.message));
    await page.goto(`${base}/bids`);
    await Promise.all([
      page.waitForURL(/\/bids\/bid-[0-9a-f]+$/),
      page.click('button:has-text("新建投标")'),
    ]);
    // A new bid promises nothing: no rows, no ticked boxes, every yes/no at 不写.
    expect(await page.locator('.row').count()).toBe(0);
    expect(await page.locator('input[type=checkbox]:checked').count()).toBe(0);
    expect(await page.locator('[name="staff.fullTime"]').inputValue()).toBe('');

    const fill = (name: string, value: string) => page.fill(`[name="${name}"]`, value);
    const pick = (name: string, value: string) => page.selectOption(`[name="${name}"]`, value);
    const add = async (list: string, first: string) => {
      await page.click(`button[value="add:${list}"]`);
      await page.locator(`[name="${first}"]`).waitFor({ state: 'visible' });
    };
    await fill('tenderee.name', '东江市人民医院');
    await fill('bidder.name', '东江智联信息技术有限公司');
    await fill('bidder.legalRepresentative', '刘振华');
    await fill('bidder.address', '东江市滨江路 18 号');
    await fill('bidder.hotline', '热线八八八'); // a mistake: letters in a phone number
    await fill('project.name', '东江市人民医院门诊系统运维项目');
    await add('warranty.components', 'warranty.components[0].name');
    await fill('warranty.components[0].name', '应用软件');
    await fill('warranty.components[0].period', '2年');
    await pick('warranty.start', 'final-acceptance');
    await fill('staff.committedCount', '3');
    await pick('staff.fullTime', 'true');
    await fill('service.hours', '7x24');

    // A tier with staged milestones, one with per-area cases and a fallback, all added in place.
    await add('responseTiers', 'responseTiers[0].name');
    await fill('responseTiers[0].name', '严重故障');
    await fill('responseTiers[0].definition', '门诊业务中断。');
    const m = 'responseTiers[0].milestones';
    await add(m, `${m}[0].kind`);
    await pick(`${m}[0].kind`, 'respond');
    await fill(`${m}[0].within`, '30分钟');
    await pick(`${m}[0].from`, 'report');
    await add(m, `${m}[1].kind`);
    await pick(`${m}[1].kind`, 'onsite');
    await add(`${m}[1].cases`, `${m}[1].cases[0].when`);
    await add(`${m}[1].cases`, `${m}[1].cases[1].when`);
    await fill(`${m}[1].cases[0].when`, '东江市区');
    await fill(`${m}[1].cases[0].within`, '2小时');
    await fill(`${m}[1].cases[1].when`, '其他县区');
    await fill(`${m}[1].cases[1].within`, '1个工作日');
    await add(m, `${m}[2].kind`);
    await pick(`${m}[2].kind`, 'restore');
    await fill(`${m}[2].within`, '工作日8小时、节假日24小时');
    await pick(`${m}[2].fallback.kind`, 'custom');
    await fill(`${m}[2].fallback.label`, '启用备用系统');
    await fill(`${m}[2].fallback.within`, '1个工作日');

    await add('training.audiences', 'training.audiences[0].id');
    await fill('training.audiences[0].id', 'ops');
    await fill('training.audiences[0].name', '操作员');
    await fill('training.audiences[0].goal', '能够独立完成日常操作。');
    await add('training.modules', 'training.modules[0].id');
    await fill('training.modules[0].id', 'basic');
    await fill('training.modules[0].title', '系统操作');
    await fill('training.modules[0].content', '挂号与收费操作。');
    await fill('training.modules[0].audiences', 'ops');
    await fill('training.modules[0].hours', '4');
    await pick('training.modules[0].method', 'hands-on');
    await fill('signature.signer', '刘振华');
    await fill('signature.date', '2026-11-20');

    // The error appears beside the hotline field while typing, before any submit.
    await expect
      .poll(() => errorsOf(page, 'bidder.hotline'), { timeout: 10_000 })
      .toEqual(['电话号码只能包含数字、空格、+、- 和括号']);
    await expect
      .poll(() => page.locator('[name="bidder.hotline"]').getAttribute('aria-invalid'))
      .toBe('true');
    await page.locator('[name="bidder.hotline"]').scrollIntoViewIfNeeded();
    await shot(page, 'form-error');

    await fill('bidder.hotline', '0769-8888-1234');
    await expect.poll(() => errorsOf(page, 'bidder.hotline'), { timeout: 10_000 }).toEqual([]);
    // The preview updates and marks filled values, the staged milestones included.
    await expect
      .poll(() => page.locator('#preview [data-path="tenderee.name"]').first().textContent(), {
        timeout: 15_000,
      })
      .toBe('东江市人民医院');
    const previewText = squash((await page.locator('#preview').textContent()) ?? '');
    expect(previewText).toContain('应用软件的免费质保期为');
    expect(previewText).toContain('东江市区2小时内、其他县区1个工作日内');
    expect(previewText).toContain('启用备用系统');
    await page.locator('#g-responseTiers').scrollIntoViewIfNeeded();
    await shot(page, 'form-preview');
    if (SHOTS)
      await page
        .locator('#g-responseTiers')
        .screenshot({ path: path.join(SHOTS, 'form-tier-milestones.png') });

    // Add a second tier in the browser, then remove it again.
    await add('responseTiers', 'responseTiers[1].name');
    await page
      .locator('[data-list="responseTiers"] > .rows > .row')
      .nth(1)
      .locator(':scope > button.remove')
      .click();
    await page.locator('[name="responseTiers[1].name"]').waitFor({ state: 'detached' });

    await Promise.all([page.waitForURL(/\?saved=1$/), page.click('.toolbar button.primary')]);
    expect(await page.locator('#status').textContent()).toContain('已保存');
    const id = /\/bids\/(bid-[0-9a-f]+)/.exec(page.url())![1]!;

    // Reopen: the saved values come back, and the CLI reads the same file.
    await page.goto(`${base}/bids/${id}`);
    expect(await page.locator('[name="bidder.hotline"]').inputValue()).toBe('0769-8888-1234');
    expect(await page.locator(`[name="${m}[2].within"]`).inputValue()).toBe(
      '工作日8小时、节假日24小时',
    );
    const saved = parse(readFileSync(path.join(dataDir, `${id}.yaml`), 'utf8')) as {
      staff: unknown;
      responseTiers: { milestones: unknown[] }[];
      service: unknown;
    };
    expect(saved.staff).toEqual({ committedCount: 3, fullTime: true });
    expect(saved.service).toEqual({ hours: '7x24' });
    expect(saved.responseTiers[0]!.milestones).toEqual([
      { kind: 'respond', within: '30分钟', from: 'report' },
      {
        kind: 'onsite',
        cases: [
          { when: '东江市区', within: '2小时' },
          { when: '其他县区', within: '1个工作日' },
        ],
      },
      {
        kind: 'restore',
        within: { workday: '8小时', holiday: '24小时' },
        fallback: { kind: 'custom', label: '启用备用系统', within: '1个工作日' },
      },
    ]);
    const cli = loadBidFile(path.join(dataDir, `${id}.yaml`));
    expect(cli.ok && cli.bid.params.warranty?.components[0]?.period.text).toBe('2年');

    // Download the PDF through the page's link and read its text.
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.click('.downloads a[href$="commitment-letter.pdf"]'),
    ]);
    expect(download.suggestedFilename()).toBe('售后服务承诺书.pdf');
    const file = path.join(dataDir, 'dl.pdf');
    await download.saveAs(file);
    const text = squash(execFileSync('pdftotext', ['-raw', file, '-'], { encoding: 'utf8' }));
    expect(text).toContain('致：东江市人民医院');
    expect(text).toContain('东江市区2小时内、其他县区1个工作日内');
    expect(problems).toEqual([]);
    await page.close();
  });

  it('opens an example with staged tiers and shows every value as the bid wrote it', async () => {
    const page = await browser.newPage({ viewport: { width: 1440, height: 1000 } });
    await page.goto(`${base}/bids`);
    await page.selectOption('select[name="example"]', 'highway-monitoring');
    await Promise.all([
      page.waitForURL(/\/bids\/bid-[0-9a-f]+$/),
      page.click('button:has-text("创建")'),
    ]);
    const value = (name: string) => page.locator(`[name="${name}"]`).inputValue();
    const m = 'responseTiers[0].milestones';
    expect(await value(`${m}[1].cases[0].when`)).toBe('郴州市区');
    expect(await value(`${m}[3].within`)).toBe('工作日48小时、节假日72小时');
    expect(await value(`${m}[3].fallback.label`)).toBe('启用第二套方案恢复运行');
    expect(await value('service.consultationClosure.percent')).toBe('90%');
    expect(await value('staff.stableTeam')).toBe('true');
    expect(await value('staff.minTenureYears')).toBe('');
    expect(await page.locator('[name="responseTiers[3].negotiable"]').isChecked()).toBe(true);
    expect(await page.locator('[name="responseTiers[0].negotiable"]').isChecked()).toBe(false);
    // The escalation order is shown as the bid wrote it, as an ordered list.
    expect(
      await page.locator('#f-service\\.escalation > li .item-label').allTextContents(),
    ).toEqual(['电话支持', '远程支持', '现场服务', '应急小组']);
    expect(await page.locator('#status').textContent()).toContain('填写完整');
    await page.locator('#g-responseTiers').scrollIntoViewIfNeeded();
    await shot(page, 'example-tiers');
    await page.close();
  });

  it('reorders the escalation with the buttons, in place, and the preview follows', async () => {
    const page = await browser.newPage({ viewport: { width: 1440, height: 1000 } });
    const problems: string[] = [];
    page.on('pageerror', (e) => problems.push(e.message));
    await page.goto(`${base}/bids`);
    await page.selectOption('select[name="example"]', 'highway-monitoring');
    await Promise.all([
      page.waitForURL(/\/bids\/bid-[0-9a-f]+$/),
      page.click('button:has-text("创建")'),
    ]);
    const box = page.locator('[data-ordered="service.escalation"]');
    const items = box.locator('ol > li');
    const order = () =>
      box
        .locator('input[name="service.escalation"]')
        .evaluateAll((els) => els.map((e) => (e as HTMLInputElement).value));
    const previewText = async () => squash((await page.locator('#preview').textContent()) ?? '');
    // A mark on the window: it survives in-place edits, not a page load.
    await page.evaluate(() => Object.assign(window, { tkMark: 1 }));
    const samePage = () => page.evaluate(() => (window as unknown as { tkMark?: number }).tkMark);
    expect(await order()).toEqual(['phone', 'remote', 'onsite', 'emergency-team']);
    expect(await previewText()).toContain('电话支持→远程支持→现场服务→应急小组');
    await box.scrollIntoViewIfNeeded();

    // 上移 on the third item: it moves up in place (no page load), and keeps the focus.
    const up = items.nth(2).getByRole('button', { name: '上移：现场服务' });
    await up.click();
    expect(await order()).toEqual(['phone', 'onsite', 'remote', 'emergency-team']);
    expect(await samePage()).toBe(1);
    expect(
      await page.evaluate(() => (document.activeElement as HTMLButtonElement | null)?.value),
    ).toBe('up:service.escalation[1]');
    // The buttons now name their new places, as the server expects without JavaScript.
    expect(await items.nth(2).locator('button.up').getAttribute('value')).toBe(
      'up:service.escalation[2]',
    );
    expect(await items.nth(2).locator('button.up').getAttribute('aria-label')).toBe(
      '上移：远程支持',
    );
    await items.nth(1).getByRole('button', { name: '上移：现场服务' }).click();
    expect(await order()).toEqual(['onsite', 'phone', 'remote', 'emergency-team']);
    expect(await items.nth(0).locator('button.up').isDisabled()).toBe(true);
    await expect
      .poll(previewText, { timeout: 15_000 })
      .toContain('按现场服务→电话支持→远程支持→应急小组的顺序逐级升级处理');

    // 删除 phone, then 添加 hotline from the select of items not yet chosen.
    await items.nth(1).getByRole('button', { name: '删除：电话支持' }).click();
    expect(await order()).toEqual(['onsite', 'remote', 'emergency-team']);
    const pick = box.locator('select');
    const offered = () =>
      pick
        .locator('option:not([disabled])')
        .evaluateAll((os) => os.map((o) => (o as HTMLOptionElement).value));
    expect(await offered()).toEqual(['', 'hotline', 'phone', 'email', 'online', 'fax', 'im']);
    await pick.selectOption('hotline');
    await box.getByRole('button', { name: '添加到升级顺序' }).click();
    expect(await order()).toEqual(['onsite', 'remote', 'emergency-team', 'hotline']);
    expect(await offered()).toEqual(['', 'phone', 'email', 'online', 'fax', 'im']);
    // The select is back at 选择一项…; 添加 with nothing picked adds nothing and goes to the select.
    expect(await pick.inputValue()).toBe('');
    await box.getByRole('button', { name: '添加到升级顺序' }).click();
    expect(await order()).toEqual(['onsite', 'remote', 'emergency-team', 'hotline']);
    expect(await page.evaluate(() => document.activeElement?.id)).toBe('p-service.escalation');
    expect(await items.nth(3).locator('button.down').isDisabled()).toBe(true);
    expect(await items.nth(2).locator('button.down').isDisabled()).toBe(false);
    await expect
      .poll(previewText, { timeout: 15_000 })
      .toContain('按现场服务→远程支持→应急小组→服务热线的顺序逐级升级处理');
    expect(await page.locator('#status').textContent()).toContain('填写完整（未保存）');
    expect(await samePage()).toBe(1);
    await page.locator('#preview p', { hasText: '逐级升级处理' }).first().scrollIntoViewIfNeeded();
    await box.scrollIntoViewIfNeeded();
    await shot(page, 'escalation-order');
    if (SHOTS) await box.screenshot({ path: path.join(SHOTS, 'escalation-order-field.png') });

    await Promise.all([page.waitForURL(/\?saved=1$/), page.click('.toolbar button.primary')]);
    const id = /\/bids\/(bid-[0-9a-f]+)/.exec(page.url())![1]!;
    const saved = parse(readFileSync(path.join(dataDir, `${id}.yaml`), 'utf8')) as {
      service: { escalation: string[] };
    };
    expect(saved.service.escalation).toEqual(['onsite', 'remote', 'emergency-team', 'hotline']);
    expect(await order()).toEqual(['onsite', 'remote', 'emergency-team', 'hotline']);
    expect(problems).toEqual([]);
    await page.close();
  });

  it('opens the clause browser and a redline', async () => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    await page.goto(`${base}/clauses`);
    await page.click('a:has-text("故障响应与处理时限")');
    await page.click('a:has-text("与第 2 版对照")');
    await page.locator('del.tk-rev').first().waitFor({ state: 'visible' });
    expect(await page.locator('ins.tk-rev').count()).toBeGreaterThan(0);
    await shot(page, 'clause-diff');
    await page.close();
  });
});
