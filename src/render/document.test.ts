import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { TenderKitError } from '../diagnostics/diagnostic.js';
import type { Document, Var } from '../ir/types.js';
import { blockLines, flatBlocks, inlineText, visit } from '../ir/text.js';
import { defaultLibrary } from '../library/library.js';
import { bidFromText, exampleFile, loadExample } from '../../test/helpers.js';
import { renderDocument } from './document.js';

const lib = defaultLibrary();
const vars = (d: Document) => {
  const out: Var[] = [];
  visit(d, (n) => n.type === 'var' && out.push(n));
  return out;
};

describe('rendering a document', () => {
  const bid = loadExample('hospital-his');
  const letter = renderDocument(lib, bid, 'commitment-letter');

  it('numbers headings 一、二、… and keeps clause provenance', () => {
    const headings = flatBlocks(letter.children).flatMap((b) => (b.type === 'heading' ? [b] : []));
    expect(headings.map((h) => h.label)).toEqual([
      '一、',
      '二、',
      '三、',
      '四、',
      '五、',
      '六、',
      '七、',
      '八、',
      '九、',
    ]);
    const clauses = letter.children
      .filter((b) => b.type === 'clause')
      .map((c) => `${c.id}@${c.version}`);
    expect(clauses).toContain('warranty-period@3');
    expect(clauses).toContain('response-tiers@3');
  });

  it('records where every filled value came from', () => {
    const v = vars(letter);
    expect(v.find((x) => x.path === 'warranty.components[0].period')).toMatchObject({
      raw: { kind: 'amount', amount: 12, unit: 'month', text: '12个月' },
      value: '壹年（12个月）',
    });
    expect(v.find((x) => x.path === 'responseTiers[0].milestones[0].within')).toMatchObject({
      raw: { text: '30分钟' },
      value: '30分钟内',
    });
    expect(
      v.find((x) => x.path === 'responseTiers[0].milestones[1].cases[1].within'),
    ).toMatchObject({ value: '24小时内' });
    expect(v.find((x) => x.path === 'responseTiers[0].milestones[1].cases[1].when')?.value).toBe(
      '需从外地派员时',
    );
    expect(v.find((x) => x.path === 'tenderee.name')?.value).toBe('江宁市第一人民医院');
  });

  it('writes the addressee, the closing and the signature block', () => {
    const lines = blockLines(letter.children);
    expect(lines[0]).toBe('售后服务承诺书');
    expect(lines[1]).toBe('致：江宁市第一人民医院');
    expect(lines).toContain('特此承诺。');
    expect(lines.slice(-3)).toEqual([
      '投标人（盖单位章）：杭州衡泽医疗信息技术有限公司',
      '法定代表人或其委托代理人（签字）：', // left blank, to be signed by hand
      '日期：2026年11月22日',
    ]);
  });

  it('builds the training syllabus table with a total row and 甲方 confirmation', () => {
    const plan = renderDocument(lib, bid, 'training-plan');
    const table = flatBlocks(plan.children).find((b) => b.type === 'table');
    expect(table?.type).toBe('table');
    if (table?.type !== 'table') return;
    expect(table.head[0]!.children).toHaveLength(6);
    expect(table.body).toHaveLength(5);
    const total = table.body[4]!.children.map((c) =>
      c.children.map((i) => (i.type === 'text' || i.type === 'var' ? i.value : '')).join(''),
    );
    expect(total[0]).toBe('合计');
    expect(total[4]).toBe('24');
    // The tenderee's block only when the bid asks for it (signature.tendereeConfirmation).
    expect(blockLines(plan.children)).not.toContain('甲方确认（盖章）：');
    const asked = renderDocument(
      lib,
      { ...bid, signature: { ...bid.signature, tendereeConfirmation: true } },
      'training-plan',
    );
    expect(blockLines(asked.children)).toContain('甲方确认（盖章）：');
  });

  it('leaves out a clause whose parameters the bid does not set, and renumbers', () => {
    const text = readFileSync(exampleFile('dev-project-60m'), 'utf8');
    const doc = renderDocument(lib, bidFromText(text), 'commitment-letter');
    const lines = blockLines(doc.children);
    expect(lines.some((l) => l.includes('巡检、回访与升级'))).toBe(false);
    expect(lines).toContain('五、质保期外服务');
  });

  it('renders a value that looks like a template literally, never evaluating it', () => {
    const text = readFileSync(exampleFile('hospital-his'), 'utf8').replace(
      'name: 江宁市第一人民医院\n',
      'name: "{{ 7*7 }} **粗** | <b>医院</b>"\n',
    );
    const doc = renderDocument(lib, bidFromText(text), 'commitment-letter');
    expect(blockLines(doc.children)[1]).toBe('致：{{ 7*7 }} **粗** | <b>医院</b>');
  });

  it('fails the build when a placeholder would reach the document, naming the field', () => {
    const text = readFileSync(exampleFile('hospital-his'), 'utf8').replace(
      'name: 江宁市第一人民医院\n',
      'name: XX市人民医院\n',
    );
    try {
      renderDocument(lib, bidFromText(text), 'commitment-letter');
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(TenderKitError);
      const d = (e as TenderKitError).diagnostics;
      expect(d[0]).toMatchObject({ name: 'PlaceholderLeft', path: 'tenderee.name' });
    }
  });

  describe("the bid's own extra commitments", () => {
    const withExtra = (body: string) =>
      readFileSync(exampleFile('minimal'), 'utf8') +
      `extraCommitments:\n  - title: 驻地值守\n    body: |\n${body
        .split('\n')
        .map((l) => `      ${l}`)
        .join('\n')}\n`;

    it('get their own numbered section, marked as coming from the bid, Markdown parsed but never run', () => {
      const doc = renderDocument(
        lib,
        bidFromText(
          withExtra('节日期间安排**两名**工程师值守，{{ 7*7 }} 照写。\n\n- 第一项\n- 第二项'),
        ),
        'commitment-letter',
      );
      const extra = doc.children.filter((b) => b.type === 'clause' && b.origin);
      expect(extra).toHaveLength(1);
      expect(extra[0]).toMatchObject({ id: 'extra-commitment', origin: 'extraCommitments[0]' });
      const lines = blockLines(doc.children);
      expect(lines).toContain('一、其他承诺');
      expect(lines).toContain('（一）驻地值守');
      expect(lines).toContain('节日期间安排两名工程师值守，{{ 7*7 }} 照写。');
      expect(vars(doc).find((v) => v.path === 'extraCommitments[0].title')?.value).toBe('驻地值守');
    });

    it('are located at their body when they hold a placeholder; other Markdown stays text', () => {
      const fail = (body: string) => {
        try {
          renderDocument(lib, bidFromText(withExtra(body)), 'commitment-letter');
        } catch (e) {
          return (e as TenderKitError).diagnostics[0];
        }
        throw new Error('expected a failure');
      };
      expect(fail('由XX负责。')).toMatchObject({
        name: 'PlaceholderLeft',
        path: 'extraCommitments[0].body',
      });
      // Constructs outside the subset (headings, links, HTML) are switched off: they stay text.
      const doc = renderDocument(
        lib,
        bidFromText(withExtra('# 标题 [链接](http://x) <b>粗</b>')),
        'commitment-letter',
      );
      expect(blockLines(doc.children)).toContain('# 标题 [链接](http://x) <b>粗</b>');
    });
  });
});

describe('lead-ins (introducesList)', () => {
  const letter = renderDocument(lib, loadExample('highway-monitoring'), 'commitment-letter');
  /** Every paragraph, in reading order (list items' too), with whether it is marked. */
  const paragraphs: [string, boolean][] = [];
  visit(letter, (n) => {
    if (n.type === 'paragraph')
      paragraphs.push([inlineText(n.children), n.introducesList === true]);
  });
  const marked = paragraphs.filter(([, m]) => m).map(([t]) => t);

  it('marks a paragraph ending with ： before a list, and a tier above its sub-items', () => {
    expect(marked).toEqual([
      '我方通过以下方式提供服务：',
      '我方对故障分级处理，各等级的定义和处理时限如下：',
      expect.stringMatching(/^A类问题：/),
      expect.stringMatching(/^B类问题：/),
      expect.stringMatching(/^C类问题：/),
      expect.stringMatching(/^D类问题：/),
      '我方接受以下违约处罚：',
      expect.stringMatching(/^下列情形不属于免费保修范围.*收取：$/),
    ]);
  });

  it('marks nothing else: not a paragraph before a table, nor the items themselves', () => {
    expect(paragraphs.some(([t, m]) => t === '本项目服务人员名单如下：' && !m)).toBe(true);
    expect(marked.some((t) => t.startsWith('自接到报修起'))).toBe(false);
  });
});
