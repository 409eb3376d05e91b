import { describe, expect, it } from 'vitest';
import { renderAll, renderChecked } from '../build.js';
import { TenderKitError } from '../diagnostics/diagnostic.js';
import type { Block, Clause, Document, Inline, Paragraph } from '../ir/types.js';
import { blockLines, inlineText } from '../ir/text.js';
import { defaultLibrary, loadLibrary, type Library } from '../library/library.js';
import type { BidParams } from '../schema/bid.js';
import { bidFromText, exampleFile, loadExample, prepareExample } from '../../test/helpers.js';
import { readFileSync } from 'node:fs';
import { composedOf, literalFragments, untracedText } from './traceability.js';

const lib = defaultLibrary();
const highway = loadExample('highway-monitoring');
const letterOf = (bid: BidParams) => renderAll(bid).find((d) => d.meta.id === 'commitment-letter')!;

const para = (children: Inline[], source?: string): Paragraph => ({
  type: 'paragraph',
  align: 'left',
  indent: true,
  children,
  ...(source ? { source } : {}),
});
const text = (value: string): Inline => ({ type: 'text', value });
const withBlocks = (doc: Document, f: (blocks: Block[]) => Block[]): Document => ({
  ...doc,
  children: f([...doc.children]),
});
const mapClause = (doc: Document, id: string, f: (c: Clause) => Clause): Document =>
  withBlocks(doc, (bs) => bs.map((b) => (b.type === 'clause' && b.id === id ? f(b) : b)));
const messages = (docs: Document[], bid: BidParams = highway) =>
  untracedText(docs, bid, lib).map((d) => {
    expect(d.name).toBe('UntracedText');
    expect(d.severity).toBe('error');
    return d.message;
  });

describe('literal pieces of a template', () => {
  it('are the texts between tags, without whitespace or Markdown escapes', () => {
    expect(literalFragments('甲 {{ a }}乙{% if b %}\n丙\\*{% endif %}丁')).toEqual([
      '甲',
      '乙',
      '丙*',
      '丁',
    ]);
  });

  it('compose a text node only as the template could print it', () => {
    const f = literalFragments(
      '开头{% if a %}，中间{% endif %}{% for x in xs %}重复{% endfor %}结尾。',
    );
    expect(composedOf('开头，中间结尾。', f)).toBe(true); // condition true
    expect(composedOf('开头结尾。', f)).toBe(true); // condition false
    expect(composedOf('开头重复重复结尾。', f)).toBe(true); // a loop
    expect(composedOf('间', f)).toBe(true); // part of one piece (bold or a block split it)
    expect(composedOf('中间结尾', f)).toBe(true); // end of one piece, start of another
    expect(composedOf('开头，另外结尾。', f)).toBe(false);
    expect(composedOf('开头中结尾。', f)).toBe(false); // half a piece in the middle
    expect(composedOf('', f)).toBe(true);
  });
});

describe('untraced text', () => {
  it('finds nothing in any document of the shipped examples', () => {
    for (const name of ['hospital-his', 'highway-monitoring', 'dev-project-60m', 'minimal']) {
      const p = prepareExample(name);
      const docs = renderAll(p.params, undefined, p.extra);
      expect(docs.length).toBeGreaterThan(1);
      expect(messages(docs, p.params), name).toEqual([]);
      // Wired into the build's checks: renderChecked throws on any error.
      expect(renderChecked(p.params, { extra: p.extra }).map((d) => d.meta.id)).toEqual(
        docs.map((d) => d.meta.id),
      );
    }
  });

  it('accepts extra commitments written with bold, lists and escapes', () => {
    const src = readFileSync(exampleFile('minimal'), 'utf8');
    const bid = bidFromText(
      `${src}\nextraCommitments:\n  - title: 驻场值守\n    body: |\n      **重点时段**我方安排工程师值守{{ 7*7 }}：\n\n      - 春节\\*\n      - 国庆{% raw %}\n        期间全天在岗\n`,
    );
    const letter = letterOf(bid);
    const extra = letter.children.find((b): b is Clause => b.type === 'clause' && !!b.origin)!;
    expect(extra.origin).toBe('extraCommitments[0]');
    const shown = blockLines(extra.children).join('\n');
    expect(shown).toContain('重点时段我方安排工程师值守{{ 7*7 }}：');
    expect(shown).toContain('春节*');
    expect(shown).toContain('国庆{% raw %}期间全天在岗');
    expect(messages([letter], bid)).toEqual([]);
  });

  it('reports a stray paragraph that no clause or template item produced', () => {
    const letter = letterOf(highway);
    const stray = withBlocks(letter, (bs) => [
      ...bs.slice(0, 3),
      para([text('我方另行承诺终身免费更换全部设备。')]),
      ...bs.slice(3),
    ]);
    expect(messages([stray])).toEqual([
      '《售后服务承诺书》中的“我方另行承诺终身免费更换全部设备。”既不在任何条款中，也没有对应的文档模板项（commitment-letter）',
    ]);
  });

  it('reports a paragraph whose text is not the wording of the template item it names', () => {
    const letter = letterOf(highway);
    // items[1] is `致：{{ tenderee.name }}`.
    expect(letter.children[1]).toMatchObject({ type: 'paragraph', source: 'items[1]' });
    const forged = withBlocks(letter, (bs) => [
      bs[0]!,
      para([text('敬呈：'), ...(bs[1] as Paragraph).children.slice(1)], 'items[1]'),
      ...bs.slice(2),
    ]);
    expect(messages([forged])).toEqual([
      '《售后服务承诺书》中的文字“敬呈：”不是文档模板 items[1] 的段落的内容',
    ]);
    // A source that names an item of another kind (items[2] is a clause) is no source.
    const wrongKind = withBlocks(letter, (bs) => [
      bs[0]!,
      { ...(bs[1] as Paragraph), source: 'items[2]' },
      ...bs.slice(2),
    ]);
    expect(messages([wrongKind])).toEqual([
      '《售后服务承诺书》中的“致：湘南高速公路建设开发有限公司”既不在任何条款中，也没有对应的文档模板项（commitment-letter items[2]）',
    ]);
  });

  it('reports clause text that is not in the clause version it claims', () => {
    const letter = letterOf(highway);
    const wp = letter.children.find(
      (b): b is Clause => b.type === 'clause' && b.id === 'warranty-period',
    )!;
    const added = mapClause(letter, 'warranty-period', (c) => ({
      ...c,
      children: [...c.children, para([text('质保期满后仍终身免费上门。')])],
    }));
    expect(messages([added])).toEqual([
      `《售后服务承诺书》中的文字“质保期满后仍终身免费上门。”不是条款 warranty-period 第 ${wp.version} 版的内容`,
    ]);
    const unknown = mapClause(letter, 'warranty-period', (c) => ({ ...c, version: 99 }));
    expect(messages([unknown])).toEqual([
      '《售后服务承诺书》中有一段注明来自条款 warranty-period 第 99 版的文字，但条款库中没有这个版本',
    ]);
    // Clause bodies never write headings; one without a template item is untraced.
    const heading = mapClause(letter, 'warranty-period', (c) => ({
      ...c,
      children: [
        { type: 'heading', level: 2, label: '', children: [text('质保期')] },
        ...c.children.slice(1),
      ],
    }));
    expect(messages([heading])).toEqual([
      '《售后服务承诺书》中条款 warranty-period 的标题“质保期”没有对应的文档模板项',
    ]);
  });

  it('holds an extra commitment to the bid text it came from', () => {
    const letter = letterOf(highway);
    const edited = mapClause(letter, 'extra-commitment', (c) => ({
      ...c,
      children: [...c.children, para([text('并免费提供除冰车辆。')])],
    }));
    expect(messages([edited])).toEqual([
      '《售后服务承诺书》中的文字“并免费提供除冰车辆。”不是投标参数 extraCommitments[0]（本投标自拟的承诺）的内容',
    ]);
    const orphan = mapClause(letter, 'extra-commitment', (c) => ({
      ...c,
      origin: 'extraCommitments[3]',
    }));
    expect(messages([orphan])).toEqual([
      '《售后服务承诺书》中有一段注明来自 extraCommitments[3] 的文字，但投标参数中没有这项其他承诺',
    ]);
  });

  it('reports a value that claims a bid field the bid does not set', () => {
    const letter = letterOf(highway);
    const forged = mapClause(letter, 'warranty-period', (c) => ({
      ...c,
      children: [
        ...c.children,
        para([
          {
            type: 'var',
            path: 'warranty.overall',
            local: false,
            expr: 'warranty.overall',
            raw: null,
            value: '终身',
          },
        ]),
      ],
    }));
    expect(messages([forged])).toEqual([
      '《售后服务承诺书》中的“终身”注明来自投标参数 warranty.overall，但投标参数中没有这个字段',
    ]);
  });

  it('checks figures, contents and signatures against their template items', () => {
    const plan = renderAll(highway).find((d) => d.meta.id === 'service-plan')!;
    const recaption = withBlocks(plan, (bs) =>
      bs.map((b) =>
        b.type === 'figure' && b.id === 'org-chart' ? { ...b, caption: '组织机构' } : b,
      ),
    );
    expect(messages([recaption])).toEqual([
      expect.stringMatching(
        /^《售后服务方案》中的图“组织机构”既不在任何条款中，也没有对应的文档模板项（service-plan items\[\d+\]）$/,
      ),
    ]);
    const resigned = withBlocks(plan, (bs) =>
      bs.map((b) =>
        b.type === 'signature'
          ? { ...b, children: b.children.map((l, i) => (i === 0 ? { ...l, label: '见证人' } : l)) }
          : b,
      ),
    );
    expect(messages([resigned])).toEqual(['《售后服务方案》中的落款“见证人”不是文档模板的内容']);
    const sig = plan.children.find((b) => b.type === 'signature')!;
    expect(sig.type === 'signature' && inlineText(sig.children[0]!.children)).toBe(
      highway.bidder.name,
    );
  });

  it('fails the build when a clause renders text its recorded body does not have', () => {
    // A library whose compiled warranty-period no longer matches the body on record (as if the
    // approved text had been edited after compiling): renderChecked must refuse it.
    const base = loadLibrary();
    const wp = base.clauses.get('warranty-period')!;
    const letter = letterOf(highway);
    const used = letter.children.find(
      (b): b is Clause => b.type === 'clause' && b.id === 'warranty-period',
    )!;
    const sentence = inlineText(
      (used.children.find((b) => b.type === 'paragraph') as Paragraph).children.filter(
        (c) => c.type === 'text',
      ),
    );
    expect(sentence.length).toBeGreaterThan(4);
    const edited: Library = {
      templates: base.templates,
      clauses: new Map([
        ...base.clauses,
        [
          'warranty-period',
          {
            ...wp,
            clause: {
              ...wp.clause,
              versions: wp.clause.versions.map((v) =>
                v.version === used.version
                  ? { ...v, body: '{% if warranty %}质保期按合同约定。{% endif %}' }
                  : v,
              ),
            },
          },
        ],
      ]),
    };
    let err: unknown;
    try {
      renderChecked(highway, { library: edited });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(TenderKitError);
    const found = (err as TenderKitError).diagnostics;
    expect(found.length).toBeGreaterThan(0);
    expect(found.every((d) => d.name === 'UntracedText')).toBe(true);
    expect(found.map((d) => d.message)).toContainEqual(
      expect.stringMatching(
        new RegExp(
          `^《售后服务承诺书》中的文字“.+”不是条款 warranty-period 第 ${used.version} 版的内容$`,
        ),
      ),
    );
  });
});
