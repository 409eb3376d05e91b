// Reads a YAML file into plain data plus a way to locate any field path in the source (line:col).
import { createHash } from 'node:crypto';
import { readFileSync, statSync } from 'node:fs';
import {
  isMap,
  isPair,
  isScalar,
  isSeq,
  LineCounter,
  parseAllDocuments,
  type Document,
  type Node,
} from 'yaml';
import { diagnostic, type Diagnostic, type Location } from '../diagnostics/diagnostic.js';

export type FieldPath = readonly (string | number)[];

export interface LoadedYaml {
  readonly file: string;
  /** SHA-256 of the file's bytes, for provenance. */
  readonly sha256: string;
  readonly data: unknown;
  /** Where a field path stands in the file; walks up to the nearest existing parent. */
  locate(path: FieldPath, opts?: { key?: boolean }): Location;
}

export type YamlResult = { ok: true; value: LoadedYaml } | { ok: false; diagnostics: Diagnostic[] };

export const MAX_YAML_BYTES = 1024 * 1024;

/** Reads and parses; every problem found is returned, never thrown. */
export function readYamlFile(file: string, displayName = file): YamlResult {
  let buf: Buffer;
  try {
    const st = statSync(file);
    if (!st.isFile()) {
      return {
        ok: false,
        diagnostics: [
          diagnostic('FileUnreadable', `“${displayName}”不是普通文件`, {
            location: { file: displayName },
          }),
        ],
      };
    }
    if (st.size > MAX_YAML_BYTES) {
      return {
        ok: false,
        diagnostics: [
          diagnostic('FileTooLarge', `文件大小为 ${(st.size / 1024 / 1024).toFixed(1)} MB`, {
            location: { file: displayName },
          }),
        ],
      };
    }
    buf = readFileSync(file);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    const name = code === 'ENOENT' ? 'FileNotFound' : 'FileUnreadable';
    return {
      ok: false,
      diagnostics: [
        diagnostic(name, `无法打开“${displayName}”（${code ?? '未知原因'}）`, {
          location: { file: displayName },
        }),
      ],
    };
  }
  return parseYamlText(buf, displayName);
}

/** Parses YAML bytes or text. Policy: plain YAML 1.2, one document, no tags, no directives. */
export function parseYamlText(input: Buffer | string, file: string): YamlResult {
  let src: string;
  if (typeof input === 'string') src = input;
  else {
    try {
      src = new TextDecoder('utf-8', { fatal: true }).decode(input);
    } catch {
      return {
        ok: false,
        diagnostics: [diagnostic('NotUtf8', '文件包含无效的 UTF-8 字节', { location: { file } })],
      };
    }
  }
  if (src.charCodeAt(0) === 0xfeff) src = src.slice(1);
  if (src.length > MAX_YAML_BYTES) {
    return {
      ok: false,
      diagnostics: [
        diagnostic('FileTooLarge', `内容长度为 ${src.length} 个字符`, { location: { file } }),
      ],
    };
  }
  const deep = tooDeep(src);
  if (deep) {
    return {
      ok: false,
      diagnostics: [
        diagnostic('YamlTooDeep', `第 ${deep.line} 行的嵌套超过 ${MAX_DEPTH} 层`, {
          location: { file, line: deep.line, col: 1 },
        }),
      ],
    };
  }
  const lineCounter = new LineCounter();
  const docs = parseAllDocuments(src, {
    lineCounter,
    prettyErrors: false,
    uniqueKeys: true,
    version: '1.2',
    schema: 'core',
    strict: true,
  });
  const at = (offset: number | undefined): Location => {
    if (offset === undefined) return { file };
    const p = lineCounter.linePos(offset);
    return { file, line: p.line, col: p.col };
  };
  const list = Array.isArray(docs) ? docs : [docs];
  const diagnostics: Diagnostic[] = [];
  if (list.length > 1) {
    diagnostics.push(
      diagnostic('YamlUnsupported', `文件包含 ${list.length} 个 YAML 文档，只允许一个`, {
        location: at(list[1]?.range[0]),
      }),
    );
  }
  const doc = list[0] as Document.Parsed | undefined;
  const sha256 = createHash('sha256').update(input).digest('hex');
  if (!doc) return { ok: true, value: located(file, sha256, null, undefined, at) };
  for (const err of doc.errors) {
    const dup = err.code === 'DUPLICATE_KEY';
    const msg = dup ? '同一层级中出现了重复的字段' : yamlMessage(err.code, err.message);
    // An unclosed quote is found at the end of the file; the place to fix is where it opens.
    const quote = err.code === 'MISSING_CHAR' ? /closing (["'])/.exec(err.message)?.[1] : undefined;
    const pos = quote ? Math.max(0, src.lastIndexOf(quote, err.pos[0] - 1)) : err.pos[0];
    diagnostics.push(
      diagnostic(dup ? 'YamlDuplicateKey' : 'YamlSyntax', msg, { location: at(pos) }),
    );
  }
  for (const w of doc.warnings) {
    diagnostics.push(
      diagnostic('YamlUnsupported', yamlMessage(w.code, w.message), { location: at(w.pos[0]) }),
    );
  }
  if (doc.directives?.yaml.explicit || src.trimStart().startsWith('%')) {
    diagnostics.push(diagnostic('YamlUnsupported', '不支持 %YAML/%TAG 指令', { location: at(0) }));
  }
  checkTags(doc.contents, (n) =>
    diagnostics.push(
      diagnostic('YamlUnsupported', `不支持自定义标签 ${n.tag}`, { location: at(n.range?.[0]) }),
    ),
  );
  if (diagnostics.length) return { ok: false, diagnostics };
  let data: unknown;
  try {
    data = doc.toJS({ maxAliasCount: 100 });
  } catch (e) {
    const m = (e as Error).message;
    const aliases = /alias/i.test(m);
    return {
      ok: false,
      diagnostics: [
        diagnostic(
          aliases ? 'YamlAliasLimit' : 'YamlSyntax',
          aliases
            ? /unresolved|not found/i.test(m)
              ? `别名 *${/: (\S+)$/.exec(m)?.[1] ?? ''} 没有对应的锚点（&名称），锚点须写在别名之前`
              : '别名展开过多，疑似“YAML 炸弹”'
            : yamlMessage(undefined, m),
          { location: at(0) },
        ),
      ],
    };
  }
  return { ok: true, value: located(file, sha256, data, doc, at) };
}

/**
 * The YAML library's messages are English; a bid team reads Chinese. Each error code gets a
 * sentence that says what is wrong in the terms of the file, with the library's detail where it
 * names the offending character.
 */
export function yamlMessage(code: string | undefined, english: string): string {
  const m = firstLine(english);
  switch (code) {
    case 'BLOCK_AS_IMPLICIT_KEY':
      return '一行里出现了两个“键: 值”（如“a: b: c”）；值里含冒号加空格时请给整个值加引号';
    case 'MISSING_CHAR':
      if (/quote/i.test(m)) return '引号没有闭合：请补上结尾的引号';
      if (/map values/i.test(m)) return '字段名后缺少冒号（“名称: 值”）';
      return `缺少字符：${m}`;
    case 'TAB_AS_INDENT':
      return '缩进里有制表符；YAML 只允许用空格缩进';
    case 'BAD_INDENT':
      if (/flow sequence/i.test(m)) return '方括号列表 [...] 没有闭合，或续行缩进不够';
      if (/flow map/i.test(m)) return '花括号 {...} 没有闭合，或续行缩进不够';
      return '缩进不一致：同一层级的字段和列表项必须从同一列开始';
    case 'UNEXPECTED_TOKEN':
      return '此处内容不符合 YAML 结构（常见原因：缩进错误，或列表项与字段混在同一层）';
    case 'BAD_SCALAR_START': {
      const ch = /character (\S)/.exec(m)?.[1];
      return `值不能以保留字符${ch ? `“${ch}”` : ''}开头，请给值加引号`;
    }
    case 'BAD_DQ_ESCAPE':
      return `双引号字符串中的转义序列无效（${/\\\S+/.exec(m)?.[0] ?? ''}）；要写反斜杠请改用单引号`;
    case 'MULTIPLE_ANCHORS':
      return '一个值只能有一个锚点（&名称）';
    case 'MULTIPLE_TAGS':
      return '一个值只能有一个标签';
    case 'BAD_ALIAS':
    case 'ALIAS_PROPS':
      return '别名（*名称）写法有误';
    case 'KEY_OVER_1024_CHARS':
      return '字段名超过 1024 个字符';
    case 'MULTILINE_IMPLICIT_KEY':
      return '字段名不能跨行；检查上一行是否缺少冒号或引号没有闭合';
    case 'BLOCK_IN_FLOW':
      return '方括号或花括号内不能使用块格式（换行缩进的列表或字段）';
    case 'NON_STRING_KEY':
      return '字段名必须是文字';
    case 'BAD_PROP_ORDER':
      return '锚点和标签必须写在值的前面';
    case 'TAG_RESOLVE_FAILED':
      return '无法识别的值类型标签';
    case 'MULTIPLE_DOCS':
      return '文件只能包含一个 YAML 文档';
    case 'BAD_COLLECTION_TYPE':
      return '列表或映射的类型与标签不符';
    case 'RESOURCE_EXHAUSTION':
      return '别名展开过多，疑似“YAML 炸弹”';
    default:
      return `YAML 语法错误（${m}）`;
  }
}

/** Bid files nest a few levels; anything past this is an attack or an accident, refused before parsing. */
export const MAX_DEPTH = 64;

/**
 * The first line where flow brackets or block indentation nest deeper than MAX_DEPTH, if any.
 * Reads character codes (no string per character): it runs on every file before parsing.
 */
function tooDeep(src: string): { line: number } | undefined {
  const [NL, SPACE, HASH, BACKSLASH, DQUOTE, SQUOTE] = [10, 32, 35, 92, 34, 39];
  const [OPEN_SQUARE, OPEN_CURLY, CLOSE_SQUARE, CLOSE_CURLY] = [91, 123, 93, 125];
  let flow = 0;
  let quote = 0; // the open quote's code, 0 outside quotes
  let line = 1;
  // The indentations of the open block levels, increasing: a line closes the deeper ones.
  const indentDepth: number[] = [];
  let atLineStart = true;
  let indent = 0;
  const n = src.length;
  for (let i = 0; i < n; i++) {
    const c = src.charCodeAt(i);
    if (c === NL) {
      line++;
      atLineStart = true;
      indent = 0;
      continue;
    }
    if (atLineStart) {
      if (c === SPACE) {
        indent++;
        continue;
      }
      atLineStart = false;
      if (c !== HASH && flow === 0) {
        while (indentDepth.length && indentDepth[indentDepth.length - 1]! >= indent)
          indentDepth.pop();
        indentDepth.push(indent);
        if (indentDepth.length > MAX_DEPTH) return { line };
      }
    }
    if (quote) {
      if (c === quote && src.charCodeAt(i - 1) !== BACKSLASH) quote = 0;
      continue;
    }
    if (c === DQUOTE || c === SQUOTE) quote = c;
    else if (c === HASH && (i === 0 || /\s/.test(src[i - 1]!))) {
      while (i + 1 < n && src.charCodeAt(i + 1) !== NL) i++;
    } else if (c === OPEN_SQUARE || c === OPEN_CURLY) {
      if (++flow > MAX_DEPTH) return { line };
    } else if ((c === CLOSE_SQUARE || c === CLOSE_CURLY) && flow > 0) flow--;
  }
  return undefined;
}

const ALLOWED_TAGS = new Set([
  'tag:yaml.org,2002:str',
  'tag:yaml.org,2002:int',
  'tag:yaml.org,2002:float',
  'tag:yaml.org,2002:bool',
  'tag:yaml.org,2002:null',
  'tag:yaml.org,2002:map',
  'tag:yaml.org,2002:seq',
]);

function checkTags(node: unknown, report: (n: Node) => void, depth = 0): void {
  if (depth > 200 || !node || typeof node !== 'object') return;
  const n = node as Node;
  if ('tag' in n && n.tag && !ALLOWED_TAGS.has(n.tag)) report(n);
  if (isMap(n) || isSeq(n)) for (const item of n.items) checkTags(item, report, depth + 1);
  if (isPair(n)) {
    checkTags(n.key, report, depth + 1);
    checkTags(n.value, report, depth + 1);
  }
}

/**
 * The parser's message without the source text some messages carry (`…extra characters: <text>`),
 * so a file that is not YAML is never quoted back; the location says where to look.
 */
function firstLine(s: string): string {
  return (s.split('\n')[0] ?? s)
    .replace(/ at line \d+, column \d+:?$/, '')
    .replace(
      /^(Block scalar header includes extra characters|Not a YAML token|Not a valid tag|Could not resolve tag|Unresolved tag):.*$/,
      '$1',
    )
    .replace(/^Verbatim tags aren't resolved, so .*$/, "Verbatim tags aren't resolved")
    .replace(
      /^Unexpected .+ in (flow collection|flow map|flow sequence|collection)$/s,
      'Unexpected token in $1',
    )
    .trim();
}

function located(
  file: string,
  sha256: string,
  data: unknown,
  doc: Document.Parsed | undefined,
  at: (o: number | undefined) => Location,
): LoadedYaml {
  return {
    file,
    sha256,
    data,
    locate(path, opts = {}) {
      if (!doc) return at(0);
      const keyOf = (sub: FieldPath): Location | undefined => {
        const parent = sub.length > 1 ? doc.getIn(sub.slice(0, -1), true) : doc.contents;
        const last = sub[sub.length - 1];
        if (!isMap(parent)) return undefined;
        const pair = parent.items.find((p) => isScalar(p.key) && p.key.value === last);
        return pair && isScalar(pair.key) ? at(pair.key.range?.[0]) : undefined;
      };
      for (let n = path.length; n > 0; n--) {
        const sub = path.slice(0, n);
        const exact = n === path.length;
        // The field itself: its value (or its key, for unknown keys). An ancestor of a missing
        // field: the ancestor's key, which is where the missing field belongs.
        if (exact && opts.key) {
          const k = keyOf(sub);
          if (k) return k;
        }
        const node = doc.getIn(sub, true) as Node | undefined;
        if (node === undefined || node === null) continue;
        if (!exact) return keyOf(sub) ?? at(node.range?.[0]);
        if (node.range) return at(node.range[0]);
      }
      return at(0);
    },
  };
}
