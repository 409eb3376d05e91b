import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  compileTemplate,
  instantiateTemplate,
  precompileTemplate,
  RenderScope,
  SLOT_RE,
  TemplateCodeError,
} from './template-engine.js';

const scope = (p: Record<string, unknown>) => new RenderScope(p);

describe('template engine', () => {
  it('turns every output into a slot that records the bid field it came from', () => {
    const t = compileTemplate(
      '{% for t in tiers %}{{ t.name }}:{{ t.min | minutes }};{% endfor %}{{ a.b | cnUpper }}{{ tiers | length }}{{ n }}',
      't',
    );
    const r = t.render(
      scope({
        tiers: [
          { name: 'A', min: 30 },
          { name: 'B', min: 120 },
        ],
        a: { b: 12 },
        n: 'x',
      }),
    );
    expect(r.text.replace(SLOT_RE, (_m, i: string) => `[${r.slots[Number(i)]!.value}]`)).toBe(
      '[A]:[30分钟];[B]:[2小时];[壹拾贰][2][x]',
    );
    expect(r.slots.map((s) => s.path)).toEqual([
      'tiers[0].name',
      'tiers[0].min',
      'tiers[1].name',
      'tiers[1].min',
      'a.b',
      null,
      'n',
    ]);
    expect(r.slots[1]).toMatchObject({ raw: 30, value: '30分钟', expr: 't.min | minutes' });
  });

  it('drops the line break of tag-only lines, but not of a line that starts with a tag and holds text', () => {
    const r = compileTemplate(
      '{% if a %}\n\n{% if b %}X{% endif %}\n{% endif %}\n{% if c %}\n\nY\n{% endif %}\n',
      't',
    ).render(scope({ a: 1, b: 1, c: 1 }));
    // Two paragraphs, X and Y: the blank line between them survives.
    expect(r.text).toBe('\nX\n\nY\n');
  });

  it('writes durations, frequencies, percentages and service hours as the bid wrote them', () => {
    const t = compileTemplate(
      '{{ d | within }}|{{ d | dur }}|{{ p | period }}|{{ y | period }}|{{ l | period }}|{{ s | within }}|{{ f | freq }}|{{ n | pct }}|{{ h | svcHours }}',
      't',
    );
    const r = t.render(
      scope({
        d: { kind: 'amount', amount: 1, unit: 'workday', text: '1个工作日' },
        p: { kind: 'amount', amount: 60, unit: 'month', text: '60个月' },
        y: { kind: 'amount', amount: 3, unit: 'year', text: '3年' },
        l: { kind: 'lifetime', text: '终身' },
        s: {
          kind: 'split',
          workday: { kind: 'amount', amount: 24, unit: 'hour', text: '24小时' },
          holiday: { kind: 'amount', amount: 48, unit: 'hour', text: '48小时' },
          text: '工作日24小时、节假日48小时',
        },
        f: { kind: 'every', perYear: 4, text: '每季度一次' },
        n: 95,
        h: { days: 'workdays', from: '8:00', to: '18:00', text: '工作日8:00–18:00' },
      }),
    );
    expect(r.slots.map((x) => x.value)).toEqual([
      '1个工作日内',
      '1个工作日',
      '伍年（60个月）',
      '叁年',
      '终身',
      '工作日24小时内、节假日48小时内',
      '每季度一次',
      '95%',
      '工作日8:00–18:00',
    ]);
    expect(r.slots.map((x) => x.path)).toEqual(['d', 'd', 'p', 'y', 'l', 's', 'f', 'n', 'h']);
  });

  it('gives a loop variable its array index path', () => {
    const r = compileTemplate('{% for e in list %}{{ e }}{% endfor %}', 't').render(
      scope({ list: ['x', 'y'] }),
    );
    expect(r.slots.map((s) => [s.path, s.value])).toEqual([
      ['list[0]', 'x'],
      ['list[1]', 'y'],
    ]);
  });

  it('never evaluates user values: template syntax in data stays literal', () => {
    const evil = '{{ range.constructor("return process.exit(1)")() }}{% raw %}';
    const r = compileTemplate('值：{{ v }}', 't').render(scope({ v: evil }));
    expect(r.slots[0]!.value).toBe(evil);
    expect(r.text).not.toContain('{{');
  });

  it('reports an undefined value with its expression instead of printing nothing', () => {
    const t = compileTemplate('{{ a.missing }}', 't');
    expect(() => t.render(scope({ a: {} }))).toThrow(/a\.missing/);
  });

  it('drops the newline after a line holding only block tags, not after text ending in a tag', () => {
    const t = compileTemplate(
      '{% for x in xs %}\n- {{ x }}{% if x %}!{% endif %}\n{% endfor %}\nend',
      't',
    );
    const r = t.render(scope({ xs: ['a', 'b'] }));
    expect(r.text.replace(SLOT_RE, (_m, i: string) => r.slots[Number(i)]!.value)).toBe(
      '- a!\n- b!\nend',
    );
  });

  it('reports template syntax errors with a line', () => {
    try {
      compileTemplate('ok\n{% if %}', 't');
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(TemplateCodeError);
      expect((e as TemplateCodeError).line).toBe(2);
    }
  });

  it('renders text without a tag as itself, as compiling it would, and still refuses private-use characters', () => {
    const piece = fc.constantFrom(
      '售后',
      'a',
      ' ',
      '\n',
      '\t',
      '%}',
      '}}',
      '#}',
      '%',
      '}',
      '#',
      '-',
      '\\',
      '"',
      "'",
      '\r\n',
    );
    fc.assert(
      fc.property(fc.array(piece, { maxLength: 10 }), (parts) => {
        const src = parts.join('');
        const outcome = (f: () => unknown) => {
          try {
            return { ok: f() };
          } catch (e) {
            return { threw: (e as Error).message };
          }
        };
        expect(outcome(() => compileTemplate(src, 't').render(scope({})))).toEqual(
          outcome(() => instantiateTemplate(precompileTemplate(src, 't'), 't').render(scope({}))),
        );
      }),
      { numRuns: 300 },
    );
    expect(() => compileTemplate('标题\uE0000\uE001', 't')).toThrow('私用区字符');
  });
});
