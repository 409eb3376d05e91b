import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { markdownToBlocks, markdownToInlines, parsedBlocks, parsedInlines } from './markdown.js';
import { TemplateCodeError, type Rendered, type Slot } from './template-engine.js';

const slots: Slot[] = [0, 1, 2].map((i) => ({
  path: `a.b${i}`,
  local: false,
  expr: `a.b${i}`,
  raw: i,
  value: `值${i}`,
}));
const rendered = (text: string): Rendered => ({ text, slots });
/** The result of a function, or the message it threw. */
const outcome = (f: () => unknown) => {
  try {
    return { ok: f() };
  } catch (e) {
    return { threw: (e as Error).message };
  }
};

describe('one-line template strings', () => {
  it('reads plain lines without the parser exactly as the parser reads them', () => {
    // Pieces of real titles and values, with the characters a shortcut could get wrong: spaces
    // and tabs at the ends, digits before `.`/`)`, full-width and private-use characters.
    const plain = fc.constantFrom(
      '售后服务',
      '承诺书',
      'ABC',
      'x',
      ' ',
      '  ',
      '\t',
      '\u3000',
      '\f',
      '\v',
      '1',
      '12',
      '3.',
      '2)',
      '.',
      ')',
      '(',
      ':',
      '/',
      '"',
      "'",
      '%',
      '@',
      '$',
      '{',
      '}',
      '^',
      '，',
      '。',
      '（',
      '）',
      '\u00a0',
      '\uE0000\uE001',
      '\uE0002\uE001',
    );
    const markup = fc.constantFrom(
      '*',
      '**',
      '_',
      '\\',
      '-',
      '+',
      '#',
      '>',
      '|',
      '[',
      ']',
      '!',
      '<',
      '&',
      '`',
      '~',
      '=',
      '\n',
    );
    const piece = fc.oneof({ weight: 12, arbitrary: plain }, { weight: 1, arbitrary: markup });
    let shortcut = 0;
    fc.assert(
      fc.property(fc.array(piece, { maxLength: 12 }), (parts) => {
        const text = parts.join('');
        if (!/[\0\n\r*_\\`<>&[\]!#|~=+-]/.test(text)) shortcut++;
        expect(outcome(() => markdownToInlines(rendered(text)))).toEqual(
          outcome(() => parsedInlines(rendered(text))),
        );
      }),
      { numRuns: 1000 },
    );
    expect(shortcut).toBeGreaterThan(200);
  });

  it('keeps values as slots, trims the ends, and refuses a second line', () => {
    expect(markdownToInlines(rendered('  第\uE0001\uE001章\t'))).toEqual([
      { type: 'text', value: '第' },
      { type: 'var', path: 'a.b1', local: false, expr: 'a.b1', raw: 1, value: '值1' },
      { type: 'text', value: '章' },
    ]);
    expect(markdownToInlines(rendered(' \t '))).toEqual([]);
    expect(markdownToInlines(rendered('**售后**服务'))).toEqual([
      { type: 'strong', children: [{ type: 'text', value: '售后' }] },
      { type: 'text', value: '服务' },
    ]);
    expect(() => markdownToInlines(rendered('一\n\n二'))).toThrow(TemplateCodeError);
    expect(() => markdownToInlines(rendered('1. 列表'))).toThrow('此处只能写一行文字');
  });
});

describe('clause bodies', () => {
  it('reads plain paragraphs without the parser exactly as the parser reads them', () => {
    const plain = fc.constantFrom(
      '我方承诺',
      '，',
      '。',
      'ABC',
      'x',
      ' ',
      '  ',
      '    ',
      '\t',
      '\u3000',
      '\n',
      '\n\n',
      '\n  \n',
      '\n\t',
      '\n    ',
      '1',
      '3.',
      '2)',
      '.',
      ')',
      ':',
      '\uE0000\uE001',
      '\uE0001\uE001',
    );
    const markup = fc.constantFrom(
      '*',
      '**',
      '_',
      '\\',
      '-',
      '+',
      '#',
      '>',
      '|',
      '[',
      ']',
      '<',
      '&',
      '`',
      '=',
      '\r',
    );
    const piece = fc.oneof({ weight: 12, arbitrary: plain }, { weight: 1, arbitrary: markup });
    let shortcut = 0;
    fc.assert(
      fc.property(fc.array(piece, { maxLength: 14 }), (parts) => {
        const text = parts.join('');
        if (!/[\0\r*_\\`<>&[\]!#|~=+-]|[ \t](?:\n|$)|^[ \t]*\d+[.)]/m.test(text)) shortcut++;
        expect(outcome(() => markdownToBlocks(rendered(text)))).toEqual(
          outcome(() => parsedBlocks(rendered(text))),
        );
      }),
      { numRuns: 1000 },
    );
    expect(shortcut).toBeGreaterThan(100);
  });

  it('reads tables with their column alignment', () => {
    const blocks = markdownToBlocks(
      rendered(
        '说明：\n\n| 项目 | 时限 |\n|:--|--:|\n| 响应 | \uE0000\uE001 |\n| **到场** | 2 |\n',
      ),
    );
    expect(blocks).toEqual([
      {
        type: 'paragraph',
        align: 'left',
        indent: true,
        children: [{ type: 'text', value: '说明：' }],
      },
      {
        type: 'table',
        columns: [{ align: 'left' }, { align: 'right' }],
        head: [
          {
            type: 'tableRow',
            children: [
              { type: 'tableCell', children: [{ type: 'text', value: '项目' }] },
              { type: 'tableCell', children: [{ type: 'text', value: '时限' }] },
            ],
          },
        ],
        body: [
          {
            type: 'tableRow',
            children: [
              { type: 'tableCell', children: [{ type: 'text', value: '响应' }] },
              {
                type: 'tableCell',
                children: [
                  { type: 'var', path: 'a.b0', local: false, expr: 'a.b0', raw: 0, value: '值0' },
                ],
              },
            ],
          },
          {
            type: 'tableRow',
            children: [
              {
                type: 'tableCell',
                children: [{ type: 'strong', children: [{ type: 'text', value: '到场' }] }],
              },
              { type: 'tableCell', children: [{ type: 'text', value: '2' }] },
            ],
          },
        ],
      },
    ]);
  });

  it('refuses Markdown outside the subset, naming the line; switched-off constructs stay text', () => {
    expect(() => markdownToBlocks(rendered('一\n\n二*强调*'))).toThrow(
      '不支持的 Markdown 写法“emphasis”（渲染结果第 3 行）',
    );
    expect(markdownToBlocks(rendered('[链接](http://x) > # 标题'))).toEqual([
      {
        type: 'paragraph',
        align: 'left',
        indent: true,
        children: [{ type: 'text', value: '[链接](http://x) > # 标题' }],
      },
    ]);
  });
});
