// PDF keep rules from the outside: a numbered heading is never the last line above a page's footer,
// also when the content around it is an unbreakable block pdfmake moved to another page (a figure
// above it, the closing paragraph and signature below it), whose positions pdfmake records on the
// page where the block began. A lead-in (a paragraph introducing a list, a response tier above its
// sub-items) is never the last text of its page with its items on the next, in the PDF and in the
// .docx (w:keepNext, and as LibreOffice lays it out), and the HTML's print CSS says the same. Built
// through the real CLI; each page read with pdftotext.
import { execFileSync, spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { renderDocx, soffice } from '../scripts/lo-render.mjs';
import { docxPart } from '../src/writers/docx/index.js';
import { decode, exampleFile, ROOT, squash } from './helpers.js';

const tmp = mkdtempSync(path.join(os.tmpdir(), 'tk-keep-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/** The lines of text above the footer on every page of a PDF. */
function pageLines(pdf: string): string[][] {
  const pages = Number(
    /Pages:\s+(\d+)/.exec(execFileSync('pdfinfo', [pdf], { encoding: 'utf8' }))![1],
  );
  return Array.from({ length: pages }, (_, i) => {
    const text = execFileSync(
      'pdftotext',
      ['-layout', '-f', `${i + 1}`, '-l', `${i + 1}`, pdf, '-'],
      {
        encoding: 'utf8',
      },
    );
    return text
      .split('\n')
      .map((l) => l.trim())
      .filter((l) => l && !/^第\s*\d+\s*页\s*共\s*\d+\s*页$/.test(l));
  });
}

/** The last line of text above the footer on every page of a PDF. */
function lastLines(pdf: string): string[] {
  return pageLines(pdf).map((lines) => lines.at(-1) ?? '');
}

describe('no heading alone at the foot of a page', () => {
  it.each([
    [
      'a heading below a figure pdfmake moved to the next page',
      'test/fixtures/keep/heading-after-figure.yaml',
    ],
    [
      'a heading above the closing paragraph kept with the signature',
      exampleFile('dev-project-60m'),
    ],
  ])(
    '%s',
    (_what, bid) => {
      const out = path.join(tmp, path.basename(bid, '.yaml'));
      const r = spawnSync(
        process.execPath,
        ['bin/tenderkit.js', 'build', bid, '--format', 'pdf', '--out', out],
        { cwd: ROOT, encoding: 'utf8' },
      );
      expect(r.status, r.stderr).toBe(0);
      const last = lastLines(path.join(out, '售后服务方案.pdf'));
      expect(last.length).toBeGreaterThan(4);
      // (A contents entry ends in its page number; a heading does not.)
      const stranded = last.filter((l) => /^[一二三四五六七八九十]+、\S/.test(l) && !/\d$/.test(l));
      expect(stranded).toEqual([]);
    },
    120_000,
  );
});

/** A lead-in and the first item of its list: its text's start and end, the item's text start. */
interface LeadIn {
  readonly start: string;
  readonly end: string;
  readonly item: string;
}

/**
 * Where each lead-in is printed: the line below its last line on that page (undefined: none, the
 * lead-in ends its page), and whether it begins its page (below a heading at most).
 */
function placeOfLeadIns(pages: string[][], leads: readonly LeadIn[]) {
  const all = pages.flatMap((lines, page) => lines.map((line) => ({ page, text: squash(line) })));
  return leads.map((l) => {
    const first = all.findIndex((x) => x.text.includes(l.start));
    let last = first;
    for (let text = all[first]?.text ?? ''; last < all.length - 1 && !text.includes(l.end);)
      text += all[++last]!.text;
    const below = all[last + 1]?.page === all[last]?.page ? all[last + 1]?.text : undefined;
    const above = all.slice(0, Math.max(0, first)).filter((x) => x.page === all[first]?.page);
    return {
      lead: l.start,
      below: below?.includes(l.item) ? l.item : below,
      beginsPage:
        first >= 0 &&
        above.length <= 1 &&
        above.every((x) => /^[一二三四五六七八九十]+、/.test(x.text)),
    };
  });
}

/** Lines ending a page with ：/: (or a response tier) whose next page begins with list items. */
function strandedLeadIns(pages: string[][]): string[] {
  return pages.flatMap((lines, i) => {
    const last = squash(lines.at(-1) ?? '');
    const next = squash(pages[i + 1]?.[0] ?? '');
    return (/[：:]$/.test(last) || /^\d+\.[A-Z]类问题/.test(last)) &&
      /^(（\d+）|\d+\.|•|◦)/.test(next)
      ? [`p${i + 1}: ${last} ‖ ${next}`]
      : [];
  });
}

describe('a lead-in stays on the page of its list’s first item', () => {
  // The highway letter with roster rows and a few one-line promises added or taken away until a
  // lead-in fell at a page foot (see each fixture's first lines): before lead-ins were kept, these
  // lines ended their pages and the items began the next.
  const cases = [
    {
      bid: 'test/fixtures/keep/tier-lead-in.yaml',
      leads: [
        { start: '2.B类问题：', end: '可临时采取替代措施。', item: '自接到报修起1小时内响应；' },
        {
          start: '我方接受以下违约处罚：',
          end: '我方接受以下违约处罚：',
          item: 'A类问题未在承诺时限内到达现场',
        },
      ],
    },
    {
      bid: 'test/fixtures/keep/lead-in-word.yaml',
      leads: [
        { start: '4.D类问题：', end: '新增需求等非故障类问题。', item: '处理时限由双方协商确定。' },
        { start: '下列情形不属于免费保修范围', end: '准收取：', item: '超出质保期限的；' },
      ],
    },
  ].map((c) => {
    const name = path.basename(c.bid, '.yaml');
    const out = path.join(tmp, name);
    const file = (ext: string) => path.join(out, `售后服务承诺书.${ext}`);
    return { ...c, name, out, pdf: file('pdf'), docx: file('docx'), html: file('html') };
  });

  beforeAll(() => {
    for (const c of cases) {
      const r = spawnSync(
        process.execPath,
        ['bin/tenderkit.js', 'build', c.bid, '--format', 'docx,pdf,html', '--out', c.out],
        { cwd: ROOT, encoding: 'utf8' },
      );
      expect(r.status, r.stderr).toBe(0);
    }
  }, 120_000);

  it.each(cases)('PDF: $name', (c) => {
    const pages = pageLines(c.pdf);
    const placed = placeOfLeadIns(pages, c.leads);
    // Each lead-in's last line has the first line of its first item below it, on its page.
    expect(placed.map((p) => [p.lead, p.below])).toEqual(c.leads.map((l) => [l.start, l.item]));
    expect(strandedLeadIns(pages)).toEqual([]);
    // The fixture still brings each lead-in to a page boundary: it now begins its page.
    expect(placed.filter((p) => !p.beginsPage)).toEqual([]);
  });

  it.each(cases)('Word: $name', (c) => {
    const xml = docxPart(readFileSync(c.docx), 'word/document.xml');
    const paragraphs = [...xml.matchAll(/<w:p[ >][\s\S]*?<\/w:p>/g)].map((m) => ({
      props: /<w:pPr>[\s\S]*?<\/w:pPr>/.exec(m[0])?.[0] ?? '',
      text: squash(
        [...m[0].matchAll(/<w:t(?: [^>]*)?>([^<]*)<\/w:t>/g)].map((t) => decode(t[1]!)).join(''),
      ),
    }));
    for (const l of c.leads) {
      // Word draws list markers from numbering.xml: the text starts after them.
      const i = paragraphs.findIndex((p) => p.text.startsWith(l.start.replace(/^\d+\./, '')));
      expect(i, l.start).toBeGreaterThanOrEqual(0);
      // The lead-in is kept with the next paragraph, which is its first item.
      expect(paragraphs[i]!.props, l.start).toContain('<w:keepNext/>');
      expect(paragraphs[i + 1]?.text.startsWith(l.item), l.start).toBe(true);
    }
  });

  it.each(cases)('HTML: $name', (c) => {
    const html = readFileSync(c.html, 'utf8');
    const marked = [
      ...html.matchAll(/<p class="(?:[^"]* )?tk-lead(?: [^"]*)?"[^>]*>([\s\S]*?)<\/p>/g),
    ].map((m) => squash(decode(m[1]!.replace(/<[^>]+>/g, ''))));
    for (const l of c.leads)
      expect(
        marked.some((t) => t.startsWith(l.start)),
        l.start,
      ).toBe(true);
    // The print CSS: no page break after a lead-in.
    const rule = /([^{}]*\.tk-lead\b[^{}]*)\{([^}]*)\}/.exec(html);
    expect(rule?.[2]).toMatch(/break-after:\s*avoid/);
  });

  const lo = soffice();
  it.skipIf(!lo)(
    'Word as LibreOffice lays the .docx out (with the PDF fonts): lead-ins kept, pages as the PDF',
    () => {
      const dir = path.join(tmp, 'lo');
      mkdirSync(dir, { recursive: true });
      const files = cases.map((c) => {
        const f = path.join(dir, `${c.name}.docx`);
        copyFileSync(c.docx, f);
        return f;
      });
      renderDocx(files, path.join(dir, 'out'), lo);
      for (const c of cases) {
        const pages = pageLines(path.join(dir, 'out', `${c.name}.pdf`));
        expect(
          placeOfLeadIns(pages, c.leads).map((p) => [p.lead, p.below]),
          c.name,
        ).toEqual(c.leads.map((l) => [l.start, l.item]));
        expect(strandedLeadIns(pages), c.name).toEqual([]);
        expect(pages.length, c.name).toBe(pageLines(c.pdf).length);
      }
    },
    120_000,
  );
});
