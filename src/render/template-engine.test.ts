import { describe, expect, it } from 'vitest';
import { compileTemplate, RenderScope, SLOT_RE, TemplateCodeError } from './template-engine.js';

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
});
