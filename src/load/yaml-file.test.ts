import { describe, expect, it } from 'vitest';
import { parseYamlText } from './yaml-file.js';

/** The first problem of a text that must not parse: its name, Chinese message and place. */
function problem(text: string) {
  const r = parseYamlText(text, 'bid.yaml');
  if (r.ok) throw new Error(`parsed: ${text}`);
  const d = r.diagnostics[0]!;
  return { name: d.name, message: d.message, line: d.location?.line, col: d.location?.col };
}

describe('YAML syntax errors are reported in Chinese at their place', () => {
  it.each([
    ['project: 名称: 某医院', /一行里出现了两个“键: 值”/, 1],
    ['tenderee:\n  name: "某医院\nbidder: x', /引号没有闭合/, 2],
    ['tenderee:\n\tname: x', /制表符/, 2],
    ['tenderee:\n  name: x\n address: y', /缩进不一致/, 3],
    ['channels: [电话, 邮件', /方括号列表/, 1],
    ['tenderee: {name: x', /花括号/, 1],
    ['note: @团队', /保留字符“@”/, 1],
    ['path: "C:\\q"', /转义序列无效/, 1],
    ['&a &b x: 1', /只能有一个锚点/, 1],
  ])('%j', (text, message, line) => {
    const p = problem(text);
    expect(p.message).toMatch(message);
    expect(p.message).not.toMatch(/[a-z]{3,} [a-z]{2,}/); // no English sentence from the library
    expect(p.line).toBe(line);
  });

  it('an alias without its anchor names the alias', () => {
    expect(problem('a: *missing').message).toMatch(/别名 \*missing 没有对应的锚点/);
  });
});
