// Print fidelity (issue 14), read off the printed pages: every example PDF is laid out as an
// evaluator sees it (`pdftotext -bbox-layout`: each line with its box), and checked for stranded
// headings, ragged right edges, page numbers, bookmarks; the HTML for the same layout rules; the
// figures for their smallest text at print size.
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { unzipSync } from 'fflate';
import { renderAll, renderChecked } from '../src/build.js';
import { drawFigure } from '../src/figures/figures.js';
import { textWidth, wrap } from '../src/figures/svg.js';
import { frontMatter, PAGE, TEXT_WIDTH_PT, breakablePieces } from '../src/ir/layout.js';
import { listMarker } from '../src/ir/numbering.js';
import { figureCaption, flatBlocks, inlineText } from '../src/ir/text.js';
import type { Block, Document, Figure, List, Signature } from '../src/ir/types.js';
import { pdfWriter } from '../src/writers/pdf/index.js';
import {
  decode,
  exampleFile,
  loadExample,
  pdfPages,
  prepareExample,
  ROOT,
  squash,
} from './helpers.js';

const EXAMPLES = ['hospital-his', 'highway-monitoring', 'dev-project-60m', 'minimal'] as const;
const RIGHT_EDGE = PAGE.widthPt - PAGE.marginSidePt;
const FOOTER = /^第(\d+)页共(\d+)页$/;

interface Line {
  readonly xMin: number;
  readonly yMin: number;
  readonly xMax: number;
  readonly yMax: number;
  /** Words joined without spaces (as squash would). */
  readonly text: string;
}
interface Page {
  readonly lines: Line[];
}

const tmp = mkdtempSync(path.join(os.tmpdir(), 'tk-print-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/** Every page's lines, top to bottom, as pdftotext lays them out with their boxes. */
function bboxPages(pdf: Buffer, name: string): Page[] {
  const file = path.join(tmp, `${name}.pdf`);
  writeFileSync(file, pdf);
  const xml = execFileSync('pdftotext', ['-bbox-layout', '-enc', 'UTF-8', file, '-'], {
    encoding: 'utf8',
    maxBuffer: 64 << 20,
  });
  return [...xml.matchAll(/<page [^>]*>([\s\S]*?)<\/page>/g)].map((p) => {
    const lines = [...p[1]!.matchAll(/<line ([^>]*)>([\s\S]*?)<\/line>/g)].map((l) => {
      const box = Object.fromEntries(
        [...l[1]!.matchAll(/(\w+)="([\d.]+)"/g)].map((a) => [a[1]!, Number(a[2])]),
      ) as Record<string, number>;
      const words = [...l[2]!.matchAll(/<word [^>]*>([^<]*)<\/word>/g)].map((w) => decode(w[1]!));
      return {
        xMin: box.xMin!,
        yMin: box.yMin!,
        xMax: box.xMax!,
        yMax: box.yMax!,
        text: squash(words.join('')),
      };
    });
    lines.sort((a, b) => a.yMin - b.yMin || a.xMin - b.xMin);
    // pdftotext cuts a printed line where a gap is wide (a list marker and its text, a contents
    // entry and its page number): pieces on the same baseline are one line.
    const rows: Line[] = [];
    for (const l of lines) {
      const row = rows.find((r) => Math.abs(r.yMax - l.yMax) < 2 && Math.abs(r.yMin - l.yMin) < 4);
      if (!row) rows.push(l);
      else
        rows[rows.indexOf(row)] = {
          xMin: Math.min(row.xMin, l.xMin),
          yMin: Math.min(row.yMin, l.yMin),
          xMax: Math.max(row.xMax, l.xMax),
          yMax: Math.max(row.yMax, l.yMax),
          text: row.xMin <= l.xMin ? row.text + l.text : l.text + row.text,
        };
    }
    return { lines: rows };
  });
}

/** The page's body lines: without the footer (and anything else below the text area). */
const bodyLines = (page: Page) =>
  page.lines.filter((l) => !FOOTER.test(l.text) && l.yMax <= PAGE.heightPt - PAGE.marginBottomPt);

/** Text of every justified paragraph, in reading order; list items with their marker. */
function justifiedParagraphs(blocks: readonly Block[]): string[] {
  const out: string[] = [];
  const list = (l: List) =>
    l.children.forEach((item, i) =>
      item.children.forEach((b, j) => {
        if (b.type === 'list') list(b);
        else out.push((j === 0 ? listMarker(l, i) : '') + inlineText(b.children));
      }),
    );
  for (const b of flatBlocks(blocks)) {
    if (b.type === 'paragraph' && b.align === 'left') out.push(inlineText(b.children));
    else if (b.type === 'list') list(b);
  }
  // A forced line break ends a line early on purpose: each piece is checked on its own.
  return out
    .flatMap((t) => t.split('\n'))
    .map(squash)
    .filter(Boolean);
}

/**
 * The lines of the PDF that are a paragraph's non-final lines: lines are matched in order against
 * the paragraphs' text (each line a prefix of what remains of its paragraph).
 */
function nonFinalLines(pages: Page[], paragraphs: string[]): Line[] {
  const out: Line[] = [];
  let k = 0;
  let rest = '';
  for (const line of pages.flatMap(bodyLines)) {
    if (!line.text) continue;
    if (!rest || !rest.startsWith(line.text)) {
      if (process.env.TK_DEBUG && rest)
        console.log('LOST', JSON.stringify(line.text), 'REST', rest.slice(0, 30));
      rest = '';
      // The next paragraph that starts with this line (headings, tables and figures lie between).
      const at = paragraphs.findIndex(
        (p, i) => i >= k && p.startsWith(line.text) && line.text.length >= Math.min(p.length, 6),
      );
      if (at < 0) {
        if (process.env.TK_DEBUG) console.log('SKIP', line.text.slice(0, 40));
        continue;
      }
      k = at + 1;
      rest = paragraphs[at]!;
    }
    rest = rest.slice(line.text.length);
    if (rest) out.push(line);
  }
  return out;
}

/** Pages before the body: the cover and the contents (one page in every example). */
const frontPages = (b: Built) => (frontMatter(b.doc).body > 0 ? 2 : 0);

interface Built {
  readonly name: string;
  readonly doc: Document;
  readonly pdf: Buffer;
  readonly pages: Page[];
}

/** Headings at a page's foot, and headings with fewer than two lines under them on their page. */
function headingProblems(list: readonly Built[]) {
  const stranded: string[] = [];
  const short: string[] = [];
  let seen = 0;
  let all = 0;
  for (const b of list) {
    const headings = new Set(headingTexts(b.doc).map(squash));
    all += headings.size;
    b.pages.forEach((page, i) => {
      if (i < frontPages(b)) return;
      const lines = bodyLines(page);
      lines.forEach((l, j) => {
        if (!headings.has(l.text)) return;
        seen++;
        const after = lines.slice(j + 1).filter((x) => !headings.has(x.text));
        if (j === lines.length - 1) stranded.push(`${b.name} p${i + 1}: ${l.text}`);
        else if (after.length < 2) short.push(`${b.name} p${i + 1}: ${l.text}`);
      });
    });
  }
  return { stranded, short, seen, all };
}

const built: Built[] = [];

/** Runs the real CLI; resolves with its exit code and output. */
function cliRun(
  args: string[],
): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [path.join(ROOT, 'bin/tenderkit.js'), ...args]);
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString('utf8')));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString('utf8')));
    child.on('close', (status) => resolve({ status, stdout, stderr }));
  });
}

// Each example built once by the real CLI (PDF and HTML), two at a time; the IR beside each PDF
// (rendered in this process, the same documents) says what the pages should hold.
beforeAll(async () => {
  const runs = [...EXAMPLES];
  const worker = async () => {
    for (let example = runs.shift(); example; example = runs.shift()) {
      const r = await cliRun([
        'build',
        exampleFile(example),
        '--out',
        path.join(tmp, example),
        '--format',
        'pdf,html',
      ]);
      if (r.status !== 0) throw new Error(`${example}: ${r.stderr}`);
    }
  };
  await Promise.all([worker(), worker()]);
  for (const example of EXAMPLES) {
    const prepared = prepareExample(example);
    for (const doc of renderChecked(prepared.params, { extra: prepared.extra })) {
      const name = `${example}-${doc.meta.id}`;
      const pdf = readFileSync(path.join(tmp, example, `${doc.meta.title}.pdf`));
      built.push({ name, doc, pdf, pages: bboxPages(pdf, name) });
    }
  }
}, 180_000);

describe('the example PDFs as printed', () => {
  it('builds every document of every example', () => {
    expect(built.map((b) => b.name)).toEqual(
      expect.arrayContaining([
        'hospital-his-commitment-letter',
        'hospital-his-service-plan',
        'hospital-his-training-plan',
        'hospital-his-deviation-table',
        'highway-monitoring-service-plan',
        'dev-project-60m-training-plan',
        'minimal-service-plan',
      ]),
    );
  });

  it('never end a page with a numbered heading above the footer', () => {
    const { stranded, seen, all } = headingProblems(built);
    // Every heading was found on the pages (so a missing one cannot hide a stranded one).
    expect(seen).toBe(all);
    expect(stranded).toEqual([]);
  });

  it('keep at least two lines of text under a heading on its page', () => {
    expect(headingProblems(built).short).toEqual([]);
  });

  it('justify body paragraphs: no line but a paragraph’s last ends short of the right margin', () => {
    const ragged: string[] = [];
    let checked = 0;
    for (const b of built) {
      const lines = nonFinalLines(b.pages, justifiedParagraphs(b.doc.children));
      checked += lines.length;
      for (const l of lines)
        if (l.xMax < RIGHT_EDGE - 1.5)
          ragged.push(`${b.name}: ${(RIGHT_EDGE - l.xMax).toFixed(1)} pt short: ${l.text}`);
    }
    expect(checked).toBeGreaterThan(80);
    expect(ragged).toEqual([]);
  });

  it('keep the line-start and line-end rules (避头尾)', () => {
    const bad: string[] = [];
    for (const b of built)
      for (const l of b.pages.flatMap(bodyLines)) {
        if (/^[，。、；：？！）》」』】”’％]/.test(l.text)) bad.push(`${b.name} starts: ${l.text}`);
        if (/[（《「『【“‘]$/.test(l.text)) bad.push(`${b.name} ends: ${l.text}`);
      }
    expect(bad).toEqual([]);
  });

  it('number the body from 1; the cover and the contents carry no page number', () => {
    for (const b of built) {
      const footers = b.pages.map((p) => p.lines.map((l) => FOOTER.exec(l.text)).find(Boolean));
      const front = frontMatter(b.doc).body > 0;
      const unnumbered = front ? 2 : 0; // every example's contents fits on one page
      expect(
        footers.slice(0, unnumbered).every((f) => !f),
        b.name,
      ).toBe(true);
      const body = footers.slice(unnumbered);
      expect(
        body.map((f) => [Number(f?.[1]), Number(f?.[2])]),
        b.name,
      ).toEqual(body.map((_, i) => [i + 1, body.length]));
    }
  });

  it('give the contents the page each heading is printed on, in the body’s numbering', () => {
    const plans = built.filter((b) => b.doc.meta.id === 'service-plan');
    expect(plans).toHaveLength(EXAMPLES.length);
    for (const b of plans) {
      const toc = b.doc.children.find((x) => x.type === 'toc');
      const depth = toc?.type === 'toc' ? toc.depth : 0;
      const headings = flatBlocks(b.doc.children)
        .filter((x) => x.type === 'heading' && x.level <= depth)
        .map((x) => (x.type === 'heading' ? squash(x.label + inlineText(x.children)) : ''));
      const printedOn = (text: string) =>
        b.pages.findIndex((p, i) => i >= 2 && bodyLines(p).some((l) => l.text === text)) - 1;
      const tocLines = bodyLines(b.pages[1]!);
      for (const h of headings) {
        const entry = tocLines.find(
          (l) => l.text.startsWith(h) && /^\d+$/.test(l.text.slice(h.length)),
        );
        expect(entry, `${b.name}: contents entry ${h}`).toBeDefined();
        expect(Number(entry!.text.slice(h.length)), `${b.name}: ${h}`).toBe(printedOn(h));
      }
    }
  });

  it('set the cover in the middle of its page, with tenderee, project, bidder and date', () => {
    for (const b of built.filter((x) => x.doc.meta.id === 'service-plan')) {
      const cover = bodyLines(b.pages[0]!);
      const text = cover.map((l) => l.text).join('\n');
      const bid = prepareExample(b.name.replace(/-service-plan$/, '')).params;
      expect(text).toContain(squash(`招标人：${bid.tenderee.name}`));
      expect(text).toContain(squash(`项目名称：${bid.project.name}`));
      if (bid.project.number) expect(text).toContain(squash(`项目编号：${bid.project.number}`));
      expect(text).toContain(squash(`投标人：${bid.bidder.name}（盖单位章）`));
      expect(text).toMatch(/日期：\d{4}年\d{1,2}月\d{1,2}日/);
      const top = cover[0]!.yMin - PAGE.marginTopPt;
      const bottom = PAGE.heightPt - PAGE.marginBottomPt - cover.at(-1)!.yMax;
      // Balanced: the room above and below differ by less than a fifth of the text area.
      expect(top, b.name).toBeGreaterThan(150);
      expect(Math.abs(top - bottom), b.name).toBeLessThan(
        (PAGE.heightPt - PAGE.marginTopPt - PAGE.marginBottomPt) / 5,
      );
    }
  });
});

describe('breaking long numbers and addresses', () => {
  it('cuts after - / _ and before @ . without losing a character', () => {
    expect(breakablePieces('热线：0731-8890-5566，邮箱：support@zhixing-its.com。')).toEqual([
      '热线：0731-',
      '8890-',
      '5566，邮箱：support',
      '@zhixing-',
      'its',
      '.com。',
    ]);
    expect(breakablePieces('7×24小时，HIS 系统')).toEqual(['7×24小时，HIS 系统']);
    for (const s of ['a-b-c-d-e-f-g-h', 'www.example.com/a/b', '13973124408', 'x@y.z'])
      expect(breakablePieces(s).join('')).toBe(s);
  });
});

describe('figures at print size', () => {
  it('print no text smaller than 9 pt, and wrap no label to a lone character', () => {
    const figures = built.flatMap((b) =>
      b.doc.children.filter((x): x is Figure => x.type === 'figure').map((f) => ({ b, f })),
    );
    expect(figures.length).toBeGreaterThan(6);
    for (const { b, f } of figures) {
      const scale = Math.min(1, TEXT_WIDTH_PT / f.width);
      // Each label is a path scaled from font units (1000 per em in Noto Sans SC) to its size.
      const sizes = [...f.svg.matchAll(/scale\(([\d.]+) -[\d.]+\)/g)].map(
        (m) => Number(m[1]) * 1000 * scale,
      );
      expect(sizes.length, `${b.name} ${f.id}`).toBeGreaterThan(0);
      expect(Math.min(...sizes), `${b.name} ${f.id}`).toBeGreaterThanOrEqual(9 - 1e-6);
      // The PDF draws the same labels as text, at the same sizes.
      const marks = f.marks.filter((m) => m.type === 'text').map((m) => m.size * scale);
      expect(marks.length, `${b.name} ${f.id}`).toBe(sizes.length);
      expect(Math.min(...marks), `${b.name} ${f.id}`).toBeGreaterThanOrEqual(9 - 1e-6);
    }
  });

  it('print their labels as real text inside the figure, above its caption and within the margins', () => {
    let checked = 0;
    for (const b of built) {
      for (const f of b.doc.children.filter((x): x is Figure => x.type === 'figure')) {
        const caption = squash(figureCaption(f));
        const page = b.pages.find((p) => p.lines.some((l) => l.text === caption));
        expect(page, `${b.name}: ${caption}`).toBeDefined();
        const cap = page!.lines.find((l) => l.text === caption)!;
        const scale = Math.min(1, TEXT_WIDTH_PT / f.width);
        // The figure's box: its height above the caption (4 pt apart), the text width across.
        const top = cap.yMin - 4 - f.height * scale - 2;
        const inside = page!.lines.filter((l) => l.yMin >= top && l.yMax <= cap.yMin);
        const text = inside.map((l) => l.text).join('');
        for (const m of f.marks) {
          if (m.type !== 'text') continue;
          expect(text, `${b.name} ${f.id}: ${m.text}`).toContain(squash(m.text));
          checked++;
        }
        for (const l of inside) {
          expect(l.xMin, `${b.name} ${f.id}: ${l.text}`).toBeGreaterThanOrEqual(
            PAGE.marginSidePt - 1,
          );
          expect(l.xMax, `${b.name} ${f.id}: ${l.text}`).toBeLessThanOrEqual(RIGHT_EDGE + 1);
        }
      }
    }
    expect(checked).toBeGreaterThan(50);
  });

  it('centre a box’s label on the box, as the SVG does', () => {
    const b = built.find((x) => x.name === 'highway-monitoring-service-plan')!;
    const f = b.doc.children.find((x): x is Figure => x.type === 'figure' && x.id === 'org-chart')!;
    const page = b.pages.find((p) => p.lines.some((l) => l.text === squash(figureCaption(f))))!;
    const cap = page.lines.find((l) => l.text === squash(figureCaption(f)))!;
    const scale = Math.min(1, TEXT_WIDTH_PT / f.width);
    const left = PAGE.marginSidePt + (TEXT_WIDTH_PT - f.width * scale) / 2;
    const top = cap.yMin - 4 - f.height * scale;
    // The root box's first line (the bidder's name) stands alone on its baseline.
    const first = f.marks.find((m) => m.type === 'text' && m.bold && m.anchor === 'middle')!;
    if (first.type !== 'text') throw new Error('no label');
    const line = page.lines.find((l) => l.text === squash(first.text))!;
    expect(line, first.text).toBeDefined();
    expect(Math.abs((line.xMin + line.xMax) / 2 - (left + first.x * scale))).toBeLessThan(1.5);
    // Its glyphs sit on the baseline the SVG gives (pdftotext's box reaches below it).
    expect(line.yMin).toBeLessThan(top + first.y * scale);
    expect(line.yMax).toBeGreaterThan(top + first.y * scale);
  });
});

describe('the HTML preview', () => {
  it('justifies body paragraphs and centres table cells vertically, for screen and print', async () => {
    const html = readFileSync(path.join(tmp, 'hospital-his', '售后服务方案.html'), 'utf8');
    expect(/\.tk-page p \{[^}]*text-align: justify/.test(html)).toBe(true);
    expect(/th, \.tk-page td \{[^}]*vertical-align: middle/.test(html)).toBe(true);
    expect(html.includes('line-break: strict')).toBe(true);
  });
});

/** The PDF's bookmarks in reading order: title, and whether it nests under another bookmark. */
function outline(pdf: Buffer): { title: string; nested: boolean }[] {
  const raw = pdf.toString('latin1');
  const objects = new Map(
    [...raw.matchAll(/(\d+) 0 obj\n<<([\s\S]*?)>>\nendobj/g)].map((m) => [m[1]!, m[2]!]),
  );
  const root = /\/Outlines (\d+) 0 R/.exec(raw)?.[1];
  // A literal string: escapes undone, then UTF-16BE after its byte-order mark.
  const literal = (s: string) => {
    const bytes = s.replace(/\\([nrtbf()\\]|[0-7]{1,3})/g, (_m, e: string) =>
      /^[0-7]/.test(e)
        ? String.fromCharCode(parseInt(e, 8))
        : (({ n: '\n', r: '\r', t: '\t', b: '\b', f: '\f' } as Record<string, string>)[e] ?? e),
    );
    return Buffer.from(bytes.slice(2), 'latin1').swap16().toString('utf16le');
  };
  const ref = (obj: string | undefined, key: string) =>
    obj ? new RegExp(`/${key} (\\d+) 0 R`).exec(obj)?.[1] : undefined;
  const out: { title: string; nested: boolean }[] = [];
  const walk = (first: string | undefined, nested: boolean) => {
    for (let id = first; id; id = ref(objects.get(id), 'Next')) {
      const obj = objects.get(id)!;
      out.push({ title: literal(/\/Title \(((?:\\.|[^\\)])*)\)/.exec(obj)![1]!), nested });
      walk(ref(obj, 'First'), true);
    }
  };
  walk(ref(objects.get(root ?? ''), 'First'), false);
  return out;
}

function headingTexts(doc: Document): string[] {
  return flatBlocks(doc.children).flatMap((x) =>
    x.type === 'heading' ? [x.label + inlineText(x.children)] : [],
  );
}

describe('PDF bookmarks', () => {
  it('every example PDF has one bookmark per heading, in order, sub-headings nested', () => {
    for (const b of built) {
      const marks = outline(b.pdf);
      expect(
        marks.map((m) => m.title),
        b.name,
      ).toEqual(headingTexts(b.doc));
      const levels = flatBlocks(b.doc.children).flatMap((x) =>
        x.type === 'heading' ? [x.level] : [],
      );
      expect(
        marks.map((m) => m.nested),
        b.name,
      ).toEqual(levels.map((l) => l > 1));
    }
    expect(built.some((b) => outline(b.pdf).some((m) => m.nested))).toBe(true);
  });
});

describe('signature blocks', () => {
  const LABELS = ['投标人（盖单位章）', '法定代表人或其委托代理人（签字）', '日期'];
  const signatures = (d: Document) =>
    flatBlocks(d.children).filter((x): x is Signature => x.type === 'signature');

  it('every document is signed by the bidder’s seal, a signature by hand and a date', () => {
    for (const b of built) {
      const [sig, ...others] = signatures(b.doc);
      expect(
        sig!.children.map((l) => l.label),
        b.name,
      ).toEqual(LABELS);
      // The name line is left empty, for the signature; the bidder and date are printed.
      expect(
        sig!.children.map((l) => inlineText(l.children) === ''),
        b.name,
      ).toEqual([false, true, false]);
      // The examples do not ask for the tenderee's confirmation block.
      expect(others, b.name).toEqual([]);
      const text = squash(pdfPages(b.pdf).join(''));
      expect(text, b.name).toContain(squash('法定代表人或其委托代理人（签字）：日期'));
    }
  });

  it('keeps the closing paragraph on the page of the signature block', () => {
    for (const b of built) {
      const page = b.pages.find((p) =>
        p.lines.some((l) => l.text.startsWith('投标人（盖单位章）')),
      )!;
      const lines = bodyLines(page);
      const at = lines.findIndex((l) => l.text.startsWith('投标人（盖单位章）'));
      expect(at, b.name).toBeGreaterThan(0);
    }
  });

  it('prints the name only when the bid asks, and the tenderee’s block only when asked', () => {
    const hospital = loadExample('hospital-his');
    const bid = {
      ...hospital,
      signature: {
        ...hospital.signature,
        signerTitle: '委托代理人',
        typedName: true,
        tendereeConfirmation: true,
      },
    };
    const docs = renderAll({ ...bid, documents: ['commitment-letter', 'training-plan'] });
    for (const d of docs) {
      const [sig] = signatures(d);
      expect(sig!.children[1]!.label).toBe('法定代表人或其委托代理人（签字）');
      expect(inlineText(sig!.children[1]!.children)).toBe(
        `${hospital.signature.signer}（委托代理人）`,
      );
    }
    const training = docs.find((d) => d.meta.id === 'training-plan')!;
    expect(signatures(training).map((s) => s.children.map((l) => l.label))).toEqual([
      LABELS,
      ['甲方确认（盖章）', '确认日期'],
    ]);
  });
});

describe('figures: labels and levels', () => {
  it('wrap labels between words, never leaving one character on a line', () => {
    expect(wrap('外场维护工程师', 10.5, 69, { balanced: true })).toEqual(['外场维护', '工程师']);
    expect(wrap('故障排除并提交报告', 10.5, 60, { balanced: true })).toEqual([
      '故障排除并',
      '提交报告',
    ]);
    expect(wrap('提交报告', 10, 33)).toEqual(['提交', '报告']);
    for (const text of [
      '外场维护工程师',
      '故障排除并提交报告',
      '设备原厂工程师',
      '系统管理与参数配置',
    ])
      for (let max = 31; max < 120; max += 1.5)
        for (const balanced of [false, true]) {
          const lines = wrap(text, 10, max, { balanced });
          expect(lines.join(''), `${text} @${max}`).toBe(text);
          for (const l of lines) expect(textWidth(l, 10), `${l} @${max}`).toBeLessThanOrEqual(max);
          if (lines.length > 1)
            expect(
              lines.every((l) => [...l].length > 1),
              `${text} @${max}: ${lines.join('/')}`,
            ).toBe(true);
        }
  });

  it('draw the organisation’s managers above its engineers', () => {
    const f = drawFigure('org-chart', loadExample('highway-monitoring'), '组织机构')!;
    const { levels } = f.data as { levels: string[][] };
    expect(levels[0]).toEqual(['售后服务经理', '客户经理']);
    expect(levels[1]).toContain('外场维护工程师');
    // The managers' boxes sit higher on the figure than the engineers'.
    const boxes = [
      ...f.svg.matchAll(/<rect x="[\d.]+" y="([\d.]+)" [^>]*fill="(#fff7ed|#eef2ff)"/g),
    ];
    const top = (fill: string) => boxes.filter((m) => m[2] === fill).map((m) => Number(m[1]));
    expect(Math.max(...top('#fff7ed'))).toBeLessThan(Math.min(...top('#eef2ff')));
    const hospital = drawFigure('org-chart', loadExample('hospital-his'), '组织机构')!;
    expect((hospital.data as { levels: string[][] }).levels[0]).toEqual(['项目经理']);
  });
});

describe('build --pdfa --clean-metadata (the CLI)', () => {
  const out = path.join(tmp, 'pdfa');
  const cli = (args: string[]) =>
    spawnSync(process.execPath, [path.join(ROOT, 'bin/tenderkit.js'), ...args], {
      encoding: 'utf8',
    });
  beforeAll(() => {
    const r = cli([
      'build',
      exampleFile('minimal'),
      '--out',
      out,
      '--format',
      'docx,pdf,html',
      '--pdfa',
      '--clean-metadata',
    ]);
    expect(r.status, r.stderr).toBe(0);
  }, 120_000);
  const file = (name: string) => readFileSync(path.join(out, name));

  it('writes PDF/A-2b: PDF 1.7, XMP with pdfaid:part 2, an sRGB output intent, embedded fonts', () => {
    const pdf = file('售后服务方案.pdf');
    const raw = pdf.toString('latin1');
    expect(raw.startsWith('%PDF-1.7')).toBe(true);
    const xmp = execFileSync('pdfinfo', ['-meta', path.join(out, '售后服务方案.pdf')], {
      encoding: 'utf8',
    });
    expect(xmp).toMatch(/<pdfaid:part>2<\/pdfaid:part>/);
    expect(xmp).toMatch(/<pdfaid:conformance>B<\/pdfaid:conformance>/);
    expect(raw).toMatch(/\/OutputIntents \[\d+ 0 R\]/);
    expect(raw).toMatch(/\/S \/GTS_PDFA1[\s\S]*?\/DestOutputProfile \d+ 0 R/);
    const fonts = execFileSync('pdffonts', [path.join(out, '售后服务方案.pdf')], {
      encoding: 'utf8',
    })
      .split('\n')
      .slice(2)
      .filter(Boolean);
    expect(fonts.length).toBeGreaterThan(0);
    for (const f of fonts) expect(f, f).toMatch(/ yes yes yes /); // embedded, subset, ToUnicode
    expect(outline(pdf).map((m) => m.title)).toEqual(['一、服务原则与质量保证']);
  });

  it('keeps tool fingerprints out of the files and in manifest.json', () => {
    for (const name of ['售后服务承诺书.pdf', '售后服务方案.pdf', '售后服务承诺书.html']) {
      const text = file(name).toString('latin1');
      expect(text, name).not.toMatch(/TenderKit/i);
    }
    const info = execFileSync('pdfinfo', [path.join(out, '售后服务承诺书.pdf')], {
      encoding: 'utf8',
    });
    expect(info).toMatch(/Creator:\s+青溪信达科技有限公司/);
    expect(info).toMatch(/Producer:\s+青溪信达科技有限公司/);
    const docx = unzipSync(file('售后服务承诺书.docx'));
    const parts = Object.entries(docx).map(
      ([n, b]) => [n, Buffer.from(b).toString('utf8')] as const,
    );
    for (const [n, xml] of parts) expect(xml, n).not.toMatch(/TenderKit|[0-9a-f]{64}/);
    const manifest = JSON.parse(file('manifest.json').toString('utf8')) as {
      options: Record<string, unknown>;
      bid: { sha256: string };
      documents: { clauses: unknown[] }[];
    };
    expect(manifest.options).toMatchObject({ pdfa: true, cleanMetadata: true });
    expect(manifest.bid.sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(manifest.documents[0]!.clauses.length).toBeGreaterThan(0);
  });

  it('verify rebuilds with the recorded options, byte for byte', () => {
    const r = cli(['verify', out]);
    expect(r.status, r.stdout + r.stderr).toBe(0);
    expect(r.stdout).toContain('售后服务方案.pdf 重新生成后逐字节一致');
  }, 120_000);
});

describe('keeping headings with their text, wherever the page breaks fall', () => {
  // The same letter and plan with 0, 2, 4 or 6 more people in the roster table (early in both):
  // everything after it moves down two table rows at a time, so headings meet the page foot at
  // many heights.
  const variants: Built[] = [];
  beforeAll(async () => {
    const hospital = loadExample('hospital-his');
    const roster = hospital.staff!.roster;
    for (let k = 0; k <= 6; k += 2) {
      const more = Array.from({ length: k }, (_, i) => ({
        name: `工程师${i + 1}`,
        phone: `138-0000-000${i}`,
        role: '实施工程师',
      }));
      const bid = {
        ...hospital,
        staff: {
          ...hospital.staff!,
          committedCount: roster.length + k,
          roster: [...roster, ...more],
        },
        documents: ['commitment-letter' as const, 'service-plan' as const],
      };
      for (const doc of renderAll(bid)) {
        const pdf = await pdfWriter.write(doc);
        const name = `+${k} ${doc.meta.id}`;
        variants.push({ name, doc, pdf, pages: bboxPages(pdf, `v${k}-${doc.meta.id}`) });
      }
    }
  }, 120_000);

  it('strand no heading and keep two lines under each', () => {
    const { stranded, short, seen, all } = headingProblems(variants);
    expect(seen).toBe(all);
    expect([...stranded, ...short]).toEqual([]);
    // The variants did move the text: the headings stand at different heights in each.
    const where = (v: Built) => {
      const headings = new Set(headingTexts(v.doc).map(squash));
      return JSON.stringify(
        v.pages.flatMap((p, i) =>
          bodyLines(p)
            .filter((l) => headings.has(l.text))
            .map((l) => [i, Math.round(l.yMin)]),
        ),
      );
    };
    for (const id of ['commitment-letter', 'service-plan'])
      expect(
        new Set(variants.filter((v) => v.doc.meta.id === id).map(where)).size,
      ).toBeGreaterThanOrEqual(3);
  });

  it('never leave a paragraph’s first line alone at the foot of a page', () => {
    const orphans: string[] = [];
    for (const v of [...variants, ...built]) {
      const paragraphs = justifiedParagraphs(v.doc.children);
      v.pages.forEach((page, i) => {
        const last = bodyLines(page).at(-1);
        if (!last || last.text.length < 6) return;
        // A first line (a paragraph starts with it) that is not the whole paragraph.
        if (paragraphs.some((p) => p.startsWith(last.text) && p.length > last.text.length))
          orphans.push(`${v.name} p${i + 1}: ${last.text}`);
      });
    }
    expect(orphans).toEqual([]);
  });
});

describe('tables at a page foot', () => {
  it('never leave a table’s header row as the last line of a page', () => {
    const alone: string[] = [];
    for (const b of built) {
      const heads = new Set(
        flatBlocks(b.doc.children).flatMap((x) =>
          x.type === 'table'
            ? x.head.map((r) => squash(r.children.map((c) => inlineText(c.children)).join('')))
            : [],
        ),
      );
      b.pages.forEach((page, i) => {
        const lines = bodyLines(page);
        lines.forEach((l, j) => {
          // The header row and at least one row of the table under it on the page.
          if (heads.has(l.text) && j >= lines.length - 1) alone.push(`${b.name} p${i + 1}`);
        });
      });
    }
    expect(alone).toEqual([]);
  });
});

describe('long numbers and addresses in a justified paragraph', () => {
  it('break at their punctuation rather than leave a gap at the right margin', async () => {
    const minimal = loadExample('minimal');
    const address = 'service-desk@qingxi-xinda-tech.com.cn';
    const brokenInside: string[] = [];
    for (let k = 0; k < 12; k++) {
      const body = `${'我方'.repeat(8)}${'服'.repeat(k)}，如有疑问请发送邮件至${address}或致电0731-8890-5566-8012联系我方工程师。`;
      const bid = {
        ...minimal,
        documents: ['commitment-letter' as const],
        extraCommitments: [{ title: '联系方式', body }],
      };
      const [doc] = renderAll(bid);
      const pdf = await pdfWriter.write(doc!);
      const pages = bboxPages(pdf, `addr-${k}`);
      const lines = nonFinalLines(pages, justifiedParagraphs(doc!.children));
      for (const l of lines) expect(l.xMax, `${k}: ${l.text}`).toBeGreaterThan(RIGHT_EDGE - 1.5);
      // A line that ends inside the address or the number: the break fell at its punctuation.
      for (const l of lines)
        if (/[-.@][a-z0-9]*$|-$/.test(l.text) && !l.text.endsWith('。')) brokenInside.push(l.text);
    }
    expect(brokenInside.length).toBeGreaterThan(2);
    for (const l of brokenInside) expect(l).toMatch(/(?:-|\.[a-z]+|[a-z0-9]+)$/);
  });
});

describe('the HTML preview printed from a browser', () => {
  it('leaves the cover and contents unnumbered and numbers the body from 1', () => {
    const html = path.join(tmp, 'hospital-his', '售后服务方案.html');
    const pdf = path.join(tmp, 'html-print.pdf');
    const r = spawnSync(
      'chromium',
      [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        `--user-data-dir=${path.join(tmp, 'chromium-profile')}`,
        '--no-pdf-header-footer',
        `--print-to-pdf=${pdf}`,
        html,
      ],
      { encoding: 'utf8', timeout: 60_000 },
    );
    expect(r.status, r.stderr).toBe(0);
    const pages = pdfPages(readFileSync(pdf)).map(squash);
    expect(pages[0]).toContain('售后服务方案');
    expect(pages[0]).toContain('招标人：');
    expect(pages[1]).toContain('目录');
    for (const p of pages.slice(0, 2)) expect(p).not.toMatch(/第\d+页/);
    pages.slice(2).forEach((p, i) => {
      expect(p).toContain(`第${i + 1}页`);
      expect(p).not.toMatch(/共\d+页/);
    });
  }, 90_000);
});

describe('cleanMetadata in the house style', () => {
  it('keeps tool fingerprints out of a workspace’s files, as --clean-metadata does', async () => {
    const ws = path.join(tmp, 'ws');
    expect((await cliRun(['init', ws])).status).toBe(0);
    const settings = path.join(ws, 'tenderkit.yaml');
    writeFileSync(settings, `${readFileSync(settings, 'utf8')}\nstyle:\n  cleanMetadata: true\n`);
    const out = path.join(tmp, 'ws-out');
    const r = await cliRun([
      'build',
      path.join(ws, 'bids', '示例投标.yaml'),
      '--out',
      out,
      '--format',
      'docx,pdf',
    ]);
    expect(r.status, r.stderr).toBe(0);
    const pdf = readFileSync(path.join(out, '售后服务承诺书.pdf')).toString('latin1');
    expect(pdf).not.toMatch(/TenderKit/i);
    const docx = unzipSync(readFileSync(path.join(out, '售后服务承诺书.docx')));
    for (const [n, b] of Object.entries(docx))
      expect(Buffer.from(b).toString('utf8'), n).not.toMatch(/TenderKit/);
    const manifest = JSON.parse(readFileSync(path.join(out, 'manifest.json'), 'utf8')) as {
      bid: { sha256: string };
    };
    expect(manifest.bid.sha256).toMatch(/^[0-9a-f]{64}$/);
  }, 120_000);
});
