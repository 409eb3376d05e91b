// service.visitsFrom: the day the first year of visits counts from. An evaluator found every letter
// promising first-year visits “系统投入使用后的首年内” — a clock start the clause wrote and no bid
// chose (the examples' warranties start at final or overall acceptance; go-live is earlier). Since
// routine-service@4 the letter names a start only when the bid states one, from the warranty's
// start events; without it, 首年内 and no start, and lint warns at the frequency. Checked in the IR,
// through the real CLI (build read back with pdftotext and from the .docx and HTML, lint with its
// exit codes) and through the web form (an unedited save is byte for byte the file).
import { spawnSync } from 'node:child_process';
import { copyFileSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import type { Server } from 'node:http';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { renderAll } from '../src/build.js';
import { blockLines } from '../src/ir/text.js';
import type { Document } from '../src/ir/types.js';
import { warrantyStartLabels } from '../src/schema/labels.js';
import { RenderPool } from '../src/server/render-pool.js';
import { bodyOf, formFields } from './form-helpers.js';
import { WebClient } from './web-client.js';
import {
  bidFromText,
  docxParagraphs,
  exampleFile,
  loadExample,
  pdfPages,
  ROOT,
  squash,
  startApp,
  tempFolders,
} from './helpers.js';

const temp = tempFolders();
const BIN = path.join(ROOT, 'bin', 'tenderkit.js');
const MINIMAL = readFileSync(exampleFile('minimal'), 'utf8');
const HIGHWAY = readFileSync(exampleFile('highway-monitoring'), 'utf8');
const LETTER = '售后服务承诺书';
const PLAN = '售后服务方案';
/** The wording of routine-service@3 and earlier, never printed for a bid that states no start. */
const GO_LIVE = /投入使用后的首年|投入使用后第一年/;

function lines(docs: Document[], title: string): string[] {
  const doc = docs.find((d) => d.meta.title === title);
  if (!doc) throw new Error(`no document ${title}`);
  return blockLines(doc.children);
}
const allText = (docs: Document[]) => docs.flatMap((d) => blockLines(d.children)).join('\n');
const render = (service: string) => renderAll(bidFromText(`${MINIMAL}service:\n${service}`));

const VISITS = '  visitsFirstYear: 每月\n  visitsLater: 每季度\n  routinePeriod: warranty\n';

describe('the 用户回访 sentence (IR)', () => {
  it('without visitsFrom: 首年内 and no start, in the letter and the plan', () => {
    const docs = render(VISITS);
    for (const title of [LETTER, PLAN])
      expect(lines(docs, title)).toContain(
        '• 用户回访：首年内回访频次为每月一次；此后至质保期满，回访频次为每季度一次。',
      );
    expect(allText(docs)).not.toMatch(GO_LIVE);
    expect(allText(docs)).not.toContain('起的首年');
    // Other frequencies and no period read the same way.
    expect(lines(render('  visitsFirstYear: 不定期\n'), LETTER)).toContain(
      '• 用户回访：首年内不定期回访。',
    );
    expect(
      lines(render('  visitsFirstYear: 每月不少于一次\n  visitsLater: 每季度\n'), LETTER),
    ).toContain('• 用户回访：首年内回访频次为每月不少于一次；此后回访频次为每季度一次。');
  });

  it('with visitsFrom: 自<the start as the warranty names it>起的首年内, for every start event', () => {
    for (const [value, label] of Object.entries(warrantyStartLabels)) {
      const docs = render(`${VISITS}  visitsFrom: ${value}\n`);
      for (const title of [LETTER, PLAN])
        expect(lines(docs, title), value).toContain(
          `• 用户回访：自${label}起的首年内，回访频次为每月一次；此后至质保期满，回访频次为每季度一次。`,
        );
      expect(allText(docs)).not.toMatch(GO_LIVE);
    }
    expect(
      lines(render(`${VISITS}  visitsFrom: final-acceptance\n`), LETTER).filter((l) =>
        l.includes('用户回访'),
      ),
    ).toEqual([
      '• 用户回访：自项目终验合格之日起的首年内，回访频次为每月一次；此后至质保期满，回访频次为每季度一次。',
    ]);
  });

  it('the examples start the first year when their warranty starts', () => {
    for (const [name, label] of [
      ['hospital-his', '项目终验合格之日'],
      ['highway-monitoring', '项目总体验收合格之日'],
    ] as const) {
      const bid = loadExample(name);
      expect(bid.service?.visitsFrom, name).toBe(bid.warranty?.start);
      const docs = renderAll(bid);
      for (const title of [LETTER, PLAN])
        expect(lines(docs, title), name).toContain(
          `• 用户回访：自${label}起的首年内，回访频次为每月一次；此后至质保期满，回访频次为每季度一次。`,
        );
      expect(allText(docs)).not.toMatch(GO_LIVE);
    }
  });

  it('no bid file in the project that states no start gets one: examples, seeds, fixtures', () => {
    const files = [
      ...readdirSync(path.join(ROOT, 'examples'))
        .filter((f) => f.endsWith('.yaml') && !f.endsWith('-tender.yaml'))
        .map((f) => path.join(ROOT, 'examples', f)),
      ...readdirSync(path.join(ROOT, 'test/seeds'))
        .filter((f) => f.endsWith('.yaml') && !f.endsWith('.expect.yaml'))
        .map((f) => path.join(ROOT, 'test/seeds', f)),
      ...['tier-lead-in', 'lead-in-word', 'heading-after-figure'].map((f) =>
        path.join(ROOT, 'test/fixtures/keep', `${f}.yaml`),
      ),
    ];
    let withVisits = 0;
    for (const f of files) {
      const bid = bidFromText(readFileSync(f, 'utf8'));
      const text = allText(renderAll(bid));
      expect(text, f).not.toMatch(GO_LIVE);
      if (!bid.service?.visitsFirstYear) continue;
      withVisits++;
      if (bid.service.visitsFrom)
        expect(text, f).toContain(`自${warrantyStartLabels[bid.service.visitsFrom]}起的首年内`);
      else expect(text, f).toMatch(/用户回访：首年内/);
    }
    expect(withVisits).toBeGreaterThanOrEqual(6);
  });
});

function cli(...args: string[]) {
  const r = spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8' });
  return { code: r.status, out: `${r.stdout}${r.stderr}` };
}

/** highway-monitoring, its tender file beside it, with `edit` applied; the file's path. */
function highway(dir: string, edit: (t: string) => string, name = 'bid.yaml'): string {
  copyFileSync(exampleFile('highway-tender'), path.join(dir, 'highway-tender.yaml'));
  const file = path.join(dir, name);
  writeFileSync(file, edit(HIGHWAY));
  return file;
}
const withoutStart = (t: string) => {
  expect(t).toContain('  visitsFrom: acceptance\n');
  return t.replace('  visitsFrom: acceptance\n', '');
};

describe('through the real CLI', () => {
  it('lint warns at the first-year frequency when no start is stated: exit 0, exit 1 with --strict', () => {
    const dir = temp('tk-visits-lint-');
    const shipped = highway(dir, (t) => t, 'shipped.yaml');
    const ok = cli('lint', shipped, '--strict');
    expect(ok.code, ok.out).toBe(0);
    expect(ok.out).not.toContain('first-year-visits-start');

    const file = highway(dir, withoutStart);
    const line = readFileSync(file, 'utf8').split('\n').indexOf('  visitsFirstYear: 每月') + 1;
    expect(line).toBeGreaterThan(0);
    const r = cli('lint', file);
    expect(r.code, r.out).toBe(0);
    expect(r.out).toContain(
      `bid.yaml:${line}:20 service.visitsFirstYear（第一年回访频次）：警告：承诺首年内回访（每月一次），但没有写首年从哪一天起算。“首年内”从哪一天算起不写，招标人无法核对回访是否按时：请写明 service.visitsFrom（如项目终验合格之日、项目总体验收合格之日），与质保期起算一致为宜。 [first-year-visits-start]`,
    );
    expect([...r.out.matchAll(/\[([a-z-]+)\]$/gm)].map((m) => m[1])).toEqual([
      'first-year-visits-start',
    ]);
    expect(r.out).not.toMatch(/\n\s+at /);
    const strict = cli('lint', file, '--strict');
    expect(strict.code, strict.out).toBe(1);
    expect(strict.out).toContain('[first-year-visits-start]');

    // A start without first-year visits: told to drop the start, at the start.
    const orphan = highway(dir, (t) => t.replace('  visitsFirstYear: 每月\n', ''), 'orphan.yaml');
    const at = readFileSync(orphan, 'utf8').split('\n').indexOf('  visitsFrom: acceptance') + 1;
    const o = cli('lint', orphan);
    expect(o.code, o.out).toBe(0);
    expect(o.out).toContain(
      `orphan.yaml:${at}:15 service.visitsFrom（第一年回访起算）：警告：写了第一年回访起算，但没有写第一年回访频次。没有第一年回访时，请删去 service.visitsFrom；若有，请写明 service.visitsFirstYear。 [first-year-visits-start]`,
    );
  });

  it('build writes the start only when the bid states it, in PDF, Word and HTML', () => {
    const dir = temp('tk-visits-build-');
    const read = (out: string, title: string) => ({
      pdf: squash(pdfPages(readFileSync(path.join(out, `${title}.pdf`))).join('')),
      docx: squash(docxParagraphs(readFileSync(path.join(out, `${title}.docx`))).join('')),
      html: squash(
        readFileSync(path.join(out, `${title}.html`), 'utf8')
          .replace(/<(style|script)[\s\S]*?<\/\1>/g, '')
          .replace(/<[^>]*>/g, ''),
      ),
    });
    const build = (file: string, out: string) => {
      const r = cli('build', file, '--format', 'pdf,docx,html', '--out', out);
      expect(r.code, r.out).toBe(0);
      return readdirSync(out);
    };

    const stated = path.join(dir, 'stated');
    build(
      highway(dir, (t) => t, 'stated.yaml'),
      stated,
    );
    const without = path.join(dir, 'without');
    const files = build(highway(dir, withoutStart, 'without.yaml'), without);

    for (const title of [LETTER, PLAN]) {
      for (const [format, text] of Object.entries(read(stated, title))) {
        expect(text, `${title}.${format}`).toContain(
          '用户回访：自项目总体验收合格之日起的首年内，回访频次为每月一次；此后至质保期满，回访频次为每季度一次。',
        );
        expect(text).not.toMatch(GO_LIVE);
      }
      for (const [format, text] of Object.entries(read(without, title))) {
        expect(text, `${title}.${format}`).toContain(
          '用户回访：首年内回访频次为每月一次；此后至质保期满，回访频次为每季度一次。',
        );
        expect(text).not.toContain('起的首年内');
      }
    }
    // No document of the bid without the field, in any format, says 投入使用后的首年.
    const docs = files.filter((f) => /\.(pdf|docx|html)$/.test(f));
    expect(docs.length).toBeGreaterThanOrEqual(12);
    for (const f of docs) {
      const buf = readFileSync(path.join(without, f));
      const text = f.endsWith('.pdf')
        ? pdfPages(buf).join('')
        : f.endsWith('.docx')
          ? docxParagraphs(buf).join('')
          : buf.toString('utf8');
      expect(squash(text), f).not.toMatch(GO_LIVE);
    }
  });
});

describe('through the web form', () => {
  let server: Server;
  let pool: RenderPool;
  let base = '';
  let dataDir = '';
  let client: WebClient;

  beforeAll(async () => {
    dataDir = temp('tk-visits-form-');
    pool = new RenderPool({ threads: 1 });
    ({ server, base } = await startApp(dataDir, pool));
    client = new WebClient(base);
    await client.get('/bids'); // the form token and its cookie
  });
  afterAll(async () => {
    server?.close();
    await pool?.close();
  });

  const post = (p: string, fields: Record<string, string | string[]>) => client.post(p, fields);
  const page = async (id: string) => (await client.get(`/bids/${id}`)).text;
  const stored = (id: string) => readFileSync(path.join(dataDir, `${id}.yaml`), 'utf8');

  it('shows the start as a choice, keeps the file byte for byte unedited, and changes only its line', async () => {
    const res = await post('/bids/new', { example: 'hospital-his' });
    expect(res.status).toBe(303);
    const id = String(res.headers.location).split('/').pop()!;
    const original = readFileSync(exampleFile('hospital-his'), 'utf8');
    expect(stored(id)).toBe(original);

    const html = await page(id);
    const fields = formFields(html);
    expect(fields).toContainEqual(['service.visitsFrom', 'final-acceptance']);
    const select = /<select[^>]*name="service\.visitsFrom"[^>]*>([\s\S]*?)<\/select>/.exec(html);
    expect(select).not.toBeNull();
    for (const label of Object.values(warrantyStartLabels)) expect(select![1]).toContain(label);
    expect(html).toContain('第一年回访起算');
    expect(html).toContain('“首年”从哪一天算起；不填则文件只写“首年内”，不写起算日');

    // Saved unedited: the same bytes.
    let saved = await post(`/bids/${id}`, { ...bodyOf(fields), _action: 'save' });
    expect(saved.status).toBe(303);
    expect(stored(id)).toBe(original);

    // Another start: that line alone changes.
    saved = await post(`/bids/${id}`, {
      ...bodyOf(formFields(await page(id)), { 'service.visitsFrom': 'go-live' }),
      _action: 'save',
    });
    expect(saved.status).toBe(303);
    const a = original.split('\n');
    const b = stored(id).split('\n');
    expect(b.length).toBe(a.length);
    expect(b.filter((l, i) => l !== a[i])).toEqual(['  visitsFrom: go-live']);

    // Left empty: the key goes, nothing else moves; saved again unedited, the same bytes.
    saved = await post(`/bids/${id}`, {
      ...bodyOf(formFields(await page(id)), { 'service.visitsFrom': '' }),
      _action: 'save',
    });
    expect(saved.status).toBe(303);
    const cleared = original.replace('  visitsFrom: final-acceptance\n', '');
    expect(stored(id)).toBe(cleared);
    const again = formFields(await page(id));
    expect(again).toContainEqual(['service.visitsFrom', '']);
    saved = await post(`/bids/${id}`, { ...bodyOf(again), _action: 'save' });
    expect(saved.status).toBe(303);
    expect(stored(id)).toBe(cleared);
  });
});
