// End to end in a real browser: Debian's Chromium driven by playwright-core (.ci/run installs it).
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync } from 'node:fs';
import type { Server } from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadBidFile } from '../src/load/bid.js';
import { RenderPool } from '../src/server/render-pool.js';
import { startApp } from './helpers.js';

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

  it('fills a new bid, shows an error beside its field, fixes it, previews, saves, reopens and downloads the PDF', async () => {
    const page = await browser.newPage({ viewport: { width: 1440, height: 1000 } });
    const problems: string[] = [];
    page.on('pageerror', (e) => problems.push(e.message));
    await page.goto(`${base}/bids`);
    await Promise.all([
      page.waitForURL(/\/bids\/bid-[0-9a-f]+$/),
      page.click('button:has-text("新建投标")'),
    ]);

    const fill = (name: string, value: string) => page.fill(`[name="${name}"]`, value);
    await fill('tenderee.name', '东江市人民医院');
    await fill('bidder.name', '东江智联信息技术有限公司');
    await fill('bidder.legalRepresentative', '刘振华');
    await fill('bidder.address', '东江市滨江路 18 号');
    await fill('bidder.hotline', '热线八八八'); // a mistake: letters in a phone number
    await fill('project.name', '东江市人民医院门诊系统运维项目');
    await fill('warranty.softwareMonths', '24');
    await fill('staff.committedCount', '3');
    await fill('responseTiers[0].name', '严重故障');
    await fill('responseTiers[0].definition', '门诊业务中断。');
    await fill('responseTiers[0].responseMinutes', '30');
    await fill('training.audiences[0].id', 'ops');
    await fill('training.audiences[0].name', '操作员');
    await fill('training.audiences[0].goal', '能够独立完成日常操作。');
    await fill('training.modules[0].id', 'basic');
    await fill('training.modules[0].title', '系统操作');
    await fill('training.modules[0].content', '挂号与收费操作。');
    await fill('training.modules[0].audiences', 'ops');
    await fill('training.modules[0].hours', '4');
    await page.selectOption('[name="training.modules[0].method"]', 'hands-on');
    await fill('training.trainers[0].role', '实施工程师');
    await fill('training.location', '医院信息科');
    await fill('training.timing', '系统上线前一周');
    await fill('signature.signer', '刘振华');
    await fill('signature.date', '2026-11-20');

    // The error appears beside the hotline field while typing, before any submit.
    await expect
      .poll(() => errorsOf(page, 'bidder.hotline'), { timeout: 10_000 })
      .toEqual(['电话号码只能包含数字、空格、+、- 和括号']);
    await expect
      .poll(() => page.locator('[name="bidder.hotline"]').getAttribute('aria-invalid'))
      .toBe('true');
    await shot(page, 'form-error');

    await fill('bidder.hotline', '0769-8888-1234');
    await expect.poll(() => errorsOf(page, 'bidder.hotline'), { timeout: 10_000 }).toEqual([]);
    // The preview updates and marks filled values.
    await expect
      .poll(() => page.locator('#preview [data-path="tenderee.name"]').first().textContent(), {
        timeout: 15_000,
      })
      .toBe('东江市人民医院');
    expect(
      await page.locator('#preview [data-path="warranty.softwareMonths"]').first().textContent(),
    ).toBe('贰年');
    await shot(page, 'form-preview');

    // Add a second tier in the browser, then remove it again.
    await page.click('button[value="add:responseTiers"]');
    await page.locator('[name="responseTiers[1].name"]').waitFor({ state: 'visible' });
    await page.locator('[data-list="responseTiers"] .row').nth(1).locator('button.remove').click();
    await page.locator('[name="responseTiers[1].name"]').waitFor({ state: 'detached' });

    await Promise.all([page.waitForURL(/\?saved=1$/), page.click('.toolbar button.primary')]);
    expect(await page.locator('#status').textContent()).toContain('已保存');
    const id = /\/bids\/(bid-[0-9a-f]+)/.exec(page.url())![1]!;

    // Reopen: the saved values come back, and the CLI reads the same file.
    await page.goto(`${base}/bids/${id}`);
    expect(await page.locator('[name="bidder.hotline"]').inputValue()).toBe('0769-8888-1234');
    const cli = loadBidFile(path.join(dataDir, `${id}.yaml`));
    expect(cli.ok && cli.bid.params.warranty.softwareMonths).toBe(24);

    // Download the PDF through the page's link and read its text.
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.click('.downloads a[href$="commitment-letter.pdf"]'),
    ]);
    expect(download.suggestedFilename()).toBe('售后服务承诺书.pdf');
    const file = path.join(dataDir, 'dl.pdf');
    await download.saveAs(file);
    const text = execFileSync('pdftotext', ['-raw', file, '-'], { encoding: 'utf8' }).replace(
      /\s+/g,
      '',
    );
    expect(text).toContain('致：东江市人民医院');
    expect(text).toContain('本项目软件免费质保期为贰年（24个月）');
    expect(problems).toEqual([]);
    await page.close();
  });

  it('opens the clause browser and a redline', async () => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    await page.goto(`${base}/clauses`);
    await page.click('a:has-text("故障响应与处理时限")');
    await page.click('a:has-text("与第 1 版对照")');
    await page.locator('del.tk-rev').first().waitFor({ state: 'visible' });
    expect(await page.locator('del.tk-rev').first().textContent()).toContain('12小时');
    await shot(page, 'clause-diff');
    await page.close();
  });
});
