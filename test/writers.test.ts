import { describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { buildBid, renderAll } from '../src/build.js';
import { blockLines, figureCaption, flatBlocks } from '../src/ir/text.js';
import { docxPart, docxWriter } from '../src/writers/docx/index.js';
import { htmlWriter } from '../src/writers/html/index.js';
import { pdfWriter } from '../src/writers/pdf/index.js';
import { TenderKitError } from '../src/diagnostics/diagnostic.js';
import { cnUpper } from '../src/format/cn-number.js';
import type { Milestone } from '../src/schema/bid.js';
import type { Duration } from '../src/schema/duration.js';
import { clockFromLabels, milestoneLabels } from '../src/schema/labels.js';
import {
  EXAMPLES,
  bidFromText,
  docxParagraphs,
  exampleFile,
  loadExample,
  pdfPages,
  prepareExample,
  squash,
} from './helpers.js';
import { readFileSync } from 'node:fs';

const FOOTER = /第\s*\d+\s*页\s*共\s*\d+\s*页/g;

/** A period as the letter writes it: 60个月 → 伍年（60个月）, 3年 → 叁年, 18个月 → 壹拾捌个月（18个月）. */
function formalPeriod(d: Duration): string {
  if (d.kind !== 'amount') return d.text;
  if (d.unit === 'month')
    return `${d.amount % 12 === 0 ? `${cnUpper(d.amount / 12)}年` : `${cnUpper(d.amount)}个月`}（${d.amount}个月）`;
  return d.unit === 'year' ? `${cnUpper(d.amount)}年` : d.text;
}

/** A limit as a phrase: 30分钟内, 立即, 工作日48小时内、节假日72小时内. */
function within(d: Duration): string {
  switch (d.kind) {
    case 'amount':
      return `${d.text}内`;
    case 'immediate':
      return '立即';
    case 'negotiable':
      return '在双方协商确定的时限内';
    case 'lifetime':
      return '终身';
    case 'split':
      return `工作日${within(d.workday)}、节假日${within(d.holiday)}`;
  }
}

/** One stage of a tier as the letter states it, from the bid's own values. */
function stage(m: Milestone): string {
  const limit = m.cases
    ? m.cases.map((c) => `${c.when}${within(c.within)}`).join('、')
    : m.within
      ? within(m.within)
      : '';
  const name = (k: Milestone['kind'], label?: string) => label ?? milestoneLabels[k];
  return [
    m.from ? `自${clockFromLabels[m.from]}起` : '',
    limit,
    m.performer ? `由${m.performer}` : '',
    name(m.kind, m.label),
    m.fallback
      ? `；如未能按时完成，则${within(m.fallback.within)}${name(m.fallback.kind, m.fallback.label)}`
      : '',
  ].join('');
}

describe.each(EXAMPLES)('example %s', (name) => {
  const prepared = prepareExample(name);
  const bid = prepared.params;
  const docs = renderAll(bid, undefined, prepared.extra);

  it.each(docs.map((d) => [d.meta.title, d] as const))(
    '%s: Word, PDF and HTML say the same thing',
    async (_t, doc) => {
      const [docx, pdf, html] = await Promise.all([
        docxWriter.write(doc),
        pdfWriter.write(doc),
        htmlWriter.write(doc),
      ]);
      const ir = squash(blockLines(doc.children).join(''));
      // The Word contents carries the PDF's page numbers too (PAGEREF results): left out.
      const wordText = squash(docxParagraphs(docx, { pageRefs: false }).join(''));
      // Tables repeat their header row on each new page in PDF; drop a repeated header at a page top.
      const heads = flatBlocks(doc.children).flatMap((b) =>
        b.type === 'table' ? [squash(blockLines([{ ...b, body: [] }]).join(''))] : [],
      );
      // The PDF's contents page also carries page numbers: drop them before comparing.
      const pages = pdfPages(pdf).map((p) => {
        const page = p.replace(FOOTER, '');
        return squash(/^\s*目录\s*$/m.test(page) ? page.replace(/\s+\d+\s*$/gm, '') : page);
      });
      const pdfText = pages
        .map((p, i) =>
          i > 0
            ? heads.find((h) => p.startsWith(h))
              ? p.slice(heads.find((h) => p.startsWith(h))!.length)
              : p
            : p,
        )
        .join('');
      const htmlText = squash(
        html
          .toString('utf8')
          .replace(/<style>[\s\S]*?<\/style>|<title>[\s\S]*?<\/title>/g, '')
          .replace(/<[^>]+>/g, '')
          .replace(/&lt;/g, '<')
          .replace(/&gt;/g, '>')
          .replace(/&quot;/g, '"')
          .replace(/&#39;/g, "'")
          .replace(/&amp;/g, '&'),
      );
      expect(wordText).toBe(ir);
      // The PDF draws each figure's labels as text (Word and HTML as shapes): they come before
      // its caption, in the order drawn.
      let pdfIr = ir;
      for (const f of doc.children)
        if (f.type === 'figure') {
          const caption = squash(figureCaption(f));
          const labels = f.marks.map((m) => (m.type === 'text' ? m.text : '')).join('');
          pdfIr = pdfIr.replace(caption, squash(labels) + caption);
        }
      expect(pdfText).toBe(pdfIr);
      expect(htmlText).toBe(ir);
    },
  );

  it('shows every commitment value identically in all formats', async () => {
    const files = await buildBid(bid, { formats: ['docx', 'pdf', 'html'], extra: prepared.extra });
    const letter = files.filter((f) => f.documentId === 'commitment-letter');
    const texts = letter.map((f) =>
      f.format === 'docx'
        ? squash(docxParagraphs(f.bytes).join(''))
        : f.format === 'pdf'
          ? squash(pdfPages(f.bytes).join(''))
          : squash(f.bytes.toString('utf8').replace(/<[^>]+>/g, '')),
    );
    for (const t of texts) {
      for (const c of bid.warranty?.components ?? [])
        expect(t).toContain(
          squash(
            c.period.kind === 'lifetime'
              ? `${c.name}提供终身免费保修`
              : `${c.name}的免费质保期为${formalPeriod(c.period)}`,
          ),
        );
      if (bid.staff?.committedCount) expect(t).toContain(`不少于${bid.staff.committedCount}名`);
      if (bid.service?.hours) expect(t).toContain(`我方售后服务时间为${bid.service.hours.text}`);
      for (const tier of bid.responseTiers ?? []) {
        const head = squash(tier.definition ? `${tier.name}：${tier.definition}` : tier.name);
        expect(t).toContain(head);
        const after = t.slice(t.indexOf(head) + head.length).replace(/^[◦•]/, '');
        if (tier.negotiable) expect(after.startsWith('处理时限由双方协商确定')).toBe(true);
        for (const m of tier.milestones ?? []) expect(after).toContain(squash(stage(m)));
      }
      for (const x of bid.extraCommitments ?? [])
        expect(t).toContain(squash(`${x.title}${x.body}`));
    }
  });
});

describe('docx output', () => {
  const bid = loadExample('hospital-his');
  const [letter] = renderAll(bid);

  it('uses 宋体 for the body and 黑体 for real heading styles, A4, footer 第 X 页 共 Y 页', async () => {
    const buf = await docxWriter.write(letter!);
    const styles = docxPart(buf, 'word/styles.xml');
    expect(styles).toMatch(/<w:docDefaults>[\s\S]*w:eastAsia="宋体"[\s\S]*<\/w:docDefaults>/);
    expect(styles).toMatch(
      /<w:style w:type="paragraph" w:styleId="Heading1">[\s\S]*?w:eastAsia="黑体"/,
    );
    const body = docxPart(buf, 'word/document.xml');
    expect(body).toContain('<w:pStyle w:val="Heading1"/>');
    expect(body).toContain('<w:tblHeader/>');
    expect(body).toMatch(/<w:pgSz w:w="11906" w:h="16838"/);
    const footer = docxPart(buf, 'word/footer1.xml');
    expect(footer).toMatch(/第 [\s\S]*PAGE[\s\S]*页 共 [\s\S]*NUMPAGES[\s\S]* 页/);
  });

  it('is byte-identical when built twice, with dates from the bid', async () => {
    const a = await docxWriter.write(letter!);
    const b = await docxWriter.write(renderAll(bid)[0]!);
    expect(a.equals(b)).toBe(true);
    expect(docxPart(a, 'docProps/core.xml')).toContain(
      '<dcterms:created xsi:type="dcterms:W3CDTF">2026-11-22T00:00:00Z</dcterms:created>',
    );
  });

  it('stays well-formed XML whatever characters a value holds', async () => {
    const text = readFileSync(exampleFile('hospital-his'), 'utf8').replace(
      'name: 江宁市第一人民医院\n',
      'name: "<w:t>&amp; ]]> \\"\'\\t 𠀀 🏥"\n',
    );
    const doc = renderAll(bidFromText(text))[0]!;
    const buf = await docxWriter.write(doc);
    const xml = docxPart(buf, 'word/document.xml');
    expect(xml).toContain('&lt;w:t&gt;&amp;amp; ]]&gt;');
    const dir = mkdtempSync(path.join(os.tmpdir(), 'tk-xml-'));
    writeFileSync(path.join(dir, 'd.xml'), xml);
    // A strict XML parser (python's expat) must accept the part.
    execFileSync('python3', [
      '-c',
      'import sys,xml.dom.minidom as m; m.parse(sys.argv[1])',
      path.join(dir, 'd.xml'),
    ]);
  });
});

describe('PDF output', () => {
  const bid = loadExample('highway-monitoring');
  const docs = renderAll(bid);

  it('embeds every font and extracts correct Chinese text', async () => {
    const buf = await pdfWriter.write(docs[0]!);
    const dir = mkdtempSync(path.join(os.tmpdir(), 'tk-pdf-'));
    const f = path.join(dir, 'x.pdf');
    writeFileSync(f, buf);
    const fonts = execFileSync('pdffonts', [f], { encoding: 'utf8' })
      .split('\n')
      .slice(2)
      .filter(Boolean);
    expect(fonts.length).toBeGreaterThan(0);
    for (const line of fonts) expect(line).toMatch(/\byes\s+yes\s+yes\b/);
    const text = pdfPages(buf).join('');
    expect(squash(text)).toContain(
      '外场及中心硬件设备的免费质保期为叁年（其中3个月内出现质量问题的免费更换新品，1年内免费上门服务），自项目总体验收合格之日起计算。',
    );
    expect(text).toMatch(/第 1 页 共 \d 页/);
  });

  it('is byte-identical when built twice', async () => {
    const a = await pdfWriter.write(docs[1]!);
    const b = await pdfWriter.write(renderAll(bid)[1]!);
    expect(a.equals(b)).toBe(true);
  });

  it('refuses a character the embedded font cannot draw, naming the character and field', async () => {
    const text = readFileSync(exampleFile('hospital-his'), 'utf8').replace(
      'name: 江宁市第一人民医院\n',
      'name: 江宁市𓀀医院\n',
    );
    const doc = renderAll(bidFromText(text))[0]!;
    await expect(pdfWriter.write(doc)).rejects.toThrow(TenderKitError);
    try {
      await pdfWriter.write(doc);
    } catch (e) {
      expect((e as TenderKitError).diagnostics[0]).toMatchObject({
        name: 'MissingGlyph',
        path: 'tenderee.name',
      });
      expect((e as TenderKitError).diagnostics[0]!.message).toContain('U+13000');
    }
  });

  it('checks a figure’s labels against the font that draws them (the built-in Noto Sans SC)', () => {
    // 鿰 (U+9FF0) is in Noto Serif SC, which draws the roster table, but not in Noto Sans SC,
    // which draws the organisation chart's labels: only the figure can show it as a box.
    const dir = mkdtempSync(path.join(os.tmpdir(), 'tk-figglyph-'));
    writeFileSync(
      path.join(dir, 'highway-tender.yaml'),
      readFileSync(exampleFile('highway-tender'), 'utf8'),
    );
    const file = path.join(dir, 'bid.yaml');
    writeFileSync(
      file,
      readFileSync(exampleFile('highway-monitoring'), 'utf8').replaceAll('唐晓峰', '唐晓鿰'),
    );
    let out = '';
    try {
      execFileSync(
        process.execPath,
        ['bin/tenderkit.js', 'build', file, '--out', path.join(dir, 'out')],
        {
          encoding: 'utf8',
          stdio: 'pipe',
        },
      );
    } catch (e) {
      out = String((e as { stderr?: string }).stderr);
    }
    expect(out).toContain(
      '字符“鿰”（U+9FF0）在图中标注所用的 Noto Sans SC 中没有字形（出现在图1“售后服务组织机构”的标注）',
    );
    expect(out).toContain('[MissingGlyph]');
    expect(out).not.toMatch(/at .*\.js:\d+/);
  }, 60_000);
});

describe('HTML preview', () => {
  it('marks filled values with their field path and escapes user text', async () => {
    const text = readFileSync(exampleFile('hospital-his'), 'utf8').replace(
      'name: 江宁市第一人民医院\n',
      'name: "<script>alert(1)</script>医院"\n',
    );
    const doc = renderAll(bidFromText(text))[0]!;
    const html = (await htmlWriter.write(doc)).toString('utf8');
    expect(html).not.toContain('<script>');
    expect(html).toContain(
      '<span class="tk-var" data-path="tenderee.name" title="tenderee.name">&lt;script&gt;alert(1)&lt;/script&gt;医院</span>',
    );
    expect(html).toContain(
      '<span class="tk-var" data-path="warranty.components[0].period" title="warranty.components[0].period">壹年（12个月）</span>',
    );
    expect(html).toContain(
      '<span class="tk-var" data-path="responseTiers[0].milestones[1].cases[1].within" title="responseTiers[0].milestones[1].cases[1].within">24小时内</span>',
    );
    expect(html).toContain('<section data-clause="warranty-period" data-version="3">');
  });
});
