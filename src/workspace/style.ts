// The company's house style, `style:` in tenderkit.yaml: fonts, sizes, line spacing, margins,
// header and footer. `houseStyleSchema` checks what is written (sizes as 字号 names or points,
// lengths in mm/cm); `resolveHouseStyle` then fills in the built-in defaults and checks the files
// it names (fonts, logo): they must exist inside the workspace, symlinks included. The result is
// plain data that every writer reads from the document (see HouseStyle in src/ir/types.ts).
import { createHash } from 'node:crypto';
import { closeSync, openSync, readFileSync, readSync, realpathSync, statSync } from 'node:fs';
import path from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import { z } from 'zod';
import {
  diagnostic,
  TenderKitError,
  type Diagnostic,
  type Location,
} from '../diagnostics/diagnostic.js';
import {
  DEFAULT_FOOTER,
  DEFAULT_HOUSE_STYLE,
  FOOTER_BOTTOM_PT,
  HEADER_GAP_PT,
  HEADER_TOP_PT,
  PAGE,
} from '../ir/layout.js';
import type { HouseStyle, PdfFont, StyleFont } from '../ir/types.js';
import { codePointName, firstForbiddenChar } from '../schema/fields.js';
import { FontFileProblem, readSfntFile, type SfntFile, type SfntInfo } from '../fonts/sfnt.js';

export type { HouseStyle, PdfFont, StyleFont };

// ── Values ──────────────────────────────────────────────────────────────────

/** Chinese font size names (字号) in points, as Word and WPS define them. */
export const ZIHAO_PT: Readonly<Record<string, number>> = {
  初号: 42,
  小初: 36,
  一号: 26,
  小一: 24,
  二号: 22,
  小二: 18,
  三号: 16,
  小三: 15,
  四号: 14,
  小四: 12,
  五号: 10.5,
  小五: 9,
  六号: 7.5,
  小六: 6.5,
  七号: 5.5,
  八号: 5,
};

const MIN_SIZE_PT = 5;
const MAX_SIZE_PT = 72;
const PT_PER_MM = 72 / 25.4;

type Parse<T> = { ok: true; value: T } | { ok: false; message: string };

/** `小四`, `五号`, `12pt`, `10.5 pt` → points (Word stores half points: steps of 0.5). */
export function parseFontSize(v: unknown): Parse<number> {
  if (typeof v === 'number')
    return { ok: false, message: `请写明单位，例如“${v}pt”，或写字号名称如“小四”` };
  if (typeof v !== 'string') return { ok: false, message: '应为字号名称（如“小四”）或“12pt”' };
  const s = v.trim();
  if (s in ZIHAO_PT) return { ok: true, value: ZIHAO_PT[s]! };
  const m = /^(-?\d+(?:\.\d+)?)\s*(?:pt|磅)$/i.exec(s);
  if (!m)
    return {
      ok: false,
      message: `“${s}”不是字号：请写 ${Object.keys(ZIHAO_PT).join('、')} 之一，或“12pt”这样的磅值`,
    };
  const pt = Number(m[1]);
  if (pt < MIN_SIZE_PT || pt > MAX_SIZE_PT)
    return { ok: false, message: `字号应在 ${MIN_SIZE_PT}pt 到 ${MAX_SIZE_PT}pt 之间，收到 ${s}` };
  if (!Number.isInteger(pt * 2))
    return { ok: false, message: '磅值应为 0.5 的整数倍，例如 10.5pt' };
  return { ok: true, value: pt };
}

/** `25mm`, `2.5cm`, `2.54 厘米` → points. */
export function parseLength(v: unknown, what: string, min: number, max: number): Parse<number> {
  if (typeof v === 'number') return { ok: false, message: `请写明单位，例如“${v}mm”或“${v}cm”` };
  if (typeof v !== 'string') return { ok: false, message: `${what}应写成“25mm”或“2.5cm”` };
  const s = v.trim();
  const m = /^(-?\d+(?:\.\d+)?)\s*(mm|cm|毫米|厘米)$/i.exec(s);
  if (!m) return { ok: false, message: `“${s}”不是长度：${what}应写成“25mm”或“2.5cm”` };
  const mm = Number(m[1]) * (/^(cm|厘米)$/i.test(m[2]!) ? 10 : 1);
  if (mm < 0) return { ok: false, message: `${what}不能为负数，收到 ${s}` };
  if (mm < min || mm > max)
    return { ok: false, message: `${what}应在 ${min}mm 到 ${max}mm 之间，收到 ${s}` };
  return { ok: true, value: Math.round(mm * PT_PER_MM * 1000) / 1000 };
}

/** `1.5` / `1.5倍` (a multiple of single spacing) or `28pt` (exact). */
export function parseLineSpacing(v: unknown): Parse<HouseStyle['lineSpacing']> {
  const multiple = (n: number): Parse<HouseStyle['lineSpacing']> =>
    n >= 1 && n <= 3 && Number.isInteger(n * 100)
      ? { ok: true, value: { kind: 'multiple', value: n } }
      : { ok: false, message: `倍数行距应在 1 到 3 之间（最多两位小数），收到 ${n}` };
  if (typeof v === 'number') return multiple(v);
  if (typeof v !== 'string')
    return { ok: false, message: '行距应写成倍数（如 1.5）或固定值（如“28pt”）' };
  const s = v.trim();
  const times = /^(\d+(?:\.\d+)?)\s*倍?$/.exec(s);
  if (times) return multiple(Number(times[1]));
  const exact = /^(-?\d+(?:\.\d+)?)\s*(?:pt|磅)$/i.exec(s);
  if (exact) {
    const pt = Number(exact[1]);
    if (pt < 6 || pt > 100)
      return { ok: false, message: `固定行距应在 6pt 到 100pt 之间，收到 ${s}` };
    if (!Number.isInteger(pt * 20)) return { ok: false, message: '固定行距最小精度为 0.05pt' };
    return { ok: true, value: { kind: 'exact', pt } };
  }
  return { ok: false, message: `“${s}”不是行距：请写倍数（如 1.5）或固定值（如“28pt”）` };
}

/** The only placeholders a footer may use. */
export const FOOTER_PLACEHOLDERS = ['{page}', '{pages}'] as const;

/** A footer format: literal text with `{page}` / `{pages}`; anything template-like is refused. */
export function checkFooter(s: string): string | undefined {
  if (/\{\{|\}\}|\{%|%\}|\{#|#\}|\$\{/.test(s))
    return '页脚格式只是文字，不是模板：不能使用 {{ }}、{% %} 或 ${ }；页码写 {page}，总页数写 {pages}';
  const rest = s.replace(/\{pages?\}/g, '');
  const unknown = /\{[^{}]*\}/.exec(rest);
  if (unknown)
    return `页脚格式中的“${unknown[0]}”不是可用的占位符：只能使用 {page}（页码）和 {pages}（总页数）`;
  if (/[{}]/.test(rest)) return '页脚格式中有不成对的花括号：只能使用 {page} 和 {pages}';
  return undefined;
}

// ── Schema ──────────────────────────────────────────────────────────────────

function parsed<T>(parse: (v: unknown) => Parse<T>) {
  return (v: unknown, ctx: z.RefinementCtx): T => {
    const r = parse(v);
    if (!r.ok) {
      // `continue`: inside a union (margins), the branch whose type matched reports its own issue.
      ctx.addIssue({
        code: 'custom',
        message: r.message,
        params: { problem: 'InvalidValue' },
        continue: true,
      });
      return z.NEVER;
    }
    return r.value;
  };
}

/** Single-line text without control characters. */
function line(label: string, help: string, max: number) {
  return z
    .string()
    .trim()
    .min(1, { message: '不能为空' })
    .max(max, { message: `不能超过 ${max} 个字符` })
    .superRefine((s, ctx) => {
      const bad = firstForbiddenChar(s);
      const message =
        bad !== undefined
          ? `含有不允许的字符 ${codePointName(bad)}`
          : /[\r\n]/.test(s)
            ? '应为单行文本，不能换行'
            : undefined;
      if (message) ctx.addIssue({ code: 'custom', message, params: { problem: 'InvalidText' } });
    })
    .meta({ label, help });
}

/** A font name as Word and CSS see it: no quotes, brackets or separators. */
function fontName(label: string, help: string) {
  return line(label, help, 31).refine((s) => !/["'<>;{}\\,]/.test(s), {
    message: '字体名称不能包含引号、尖括号、花括号、分号、逗号或反斜杠',
  });
}

/** A file named relative to the workspace folder (checked against the disk by resolveHouseStyle). */
function workspaceFile(label: string, help: string) {
  return line(label, help, 260).refine((s) => !path.isAbsolute(s) && !/^[a-zA-Z]:/.test(s), {
    message: '请写相对于工作区文件夹（tenderkit.yaml 所在文件夹）的路径，不要写绝对路径',
  });
}

export const BUILTIN_PDF_FONTS = {
  'noto-serif-sc': '思源宋体（Noto Serif SC，随 TenderKit 安装）',
  'noto-sans-sc': '思源黑体（Noto Sans SC，随 TenderKit 安装）',
} as const;

const fontRoleSchema = (role: string, chinese: string, latin: string, pdf: string) =>
  z
    .strictObject({
      chinese: fontName(
        `${role}中文字体`,
        `Word 中${role}的中文字体名称（默认“${chinese}”；设了 PDF 字体文件时默认用该字体的名称），网页预览也优先用它`,
      ).optional(),
      latin: fontName(
        `${role}西文字体`,
        `Word 中${role}的西文字体名称（默认“${latin}”）`,
      ).optional(),
      pdf: workspaceFile(
        `${role} PDF 字体`,
        `PDF 嵌入的${role}字体：内置的 noto-serif-sc 或 noto-sans-sc，或工作区中的 .ttf/.otf/.ttc 文件路径（如 fonts/仿宋.ttf、fonts/simsun.ttc）；默认 ${pdf}`,
      ).optional(),
      pdfFace: line(
        `${role} PDF 字体集合中的字体`,
        `PDF 字体是字体集合（.ttc）时必填：用其中哪个字体，写 PostScript 名称（pdffonts 显示的，如 SimSun、NSimSun）或字体名称（Word 显示的，如 宋体）`,
        63,
      ).optional(),
      pdfBold: workspaceFile(
        `${role} PDF 粗体字体`,
        `与 PDF 字体文件配套的粗体 .ttf/.otf/.ttc 文件；不填则粗体文字也用 PDF 字体文件`,
      ).optional(),
      pdfBoldFace: line(
        `${role} PDF 粗体字体集合中的字体`,
        `粗体用字体集合（.ttc）中的哪个字体（写法同 pdfFace）；粗体文件是集合时必填，不设粗体文件时默认同 pdfFace`,
        63,
      ).optional(),
    })
    .meta({ label: `${role}字体`, help: `${role}在 Word、PDF 和网页预览中使用的字体` });

const size = (label: string, dflt: string) =>
  z
    .union([z.string(), z.number()])
    .transform(parsed(parseFontSize))
    .meta({ label, help: `字号名称（如“小四”“五号”）或磅值（如“12pt”）；默认${dflt}` });

const margin = (label: string) =>
  z
    .union([z.string(), z.number()])
    .transform(parsed((v) => parseLength(v, '页边距', 0, 80)))
    .meta({ label, help: '例如“25mm”或“2.54cm”' });

const buildHouseStyleSchema = () =>
  z
    .strictObject({
      fonts: z
        .strictObject({
          body: fontRoleSchema('正文', '宋体', 'Times New Roman', 'noto-serif-sc').optional(),
          heading: fontRoleSchema('标题', '黑体', 'Arial', 'noto-sans-sc').optional(),
        })
        .meta({
          label: '字体',
          help: '正文和标题的字体；Word 与 PDF 分别设置，网页预览随 Word 字体',
        })
        .optional(),
      sizes: z
        .strictObject({
          body: size('正文字号', '小四（12pt）').optional(),
          title: size('文件标题字号', '二号（22pt）').optional(),
          heading1: size('一级标题字号', '四号（14pt）').optional(),
          heading2: size('二级标题字号', '小四（12pt）').optional(),
          heading3: size('三级标题字号', '小四（12pt）').optional(),
          heading4: size('四级标题字号', '小四（12pt）').optional(),
          table: size('表格字号', '五号（10.5pt）').optional(),
          header: size('页眉字号', '小五（9pt）').optional(),
          footer: size('页脚字号', '小五（9pt）').optional(),
        })
        .meta({ label: '字号', help: '各部分文字的大小：字号名称（初号…八号）或磅值' })
        .optional(),
      lineSpacing: z
        .union([z.number(), z.string()])
        .transform(parsed(parseLineSpacing))
        .meta({
          label: '行距',
          help: '倍数行距（如 1.5，即 Word 的“1.5 倍行距”）或固定值（如“28pt”）；默认 1.5',
        })
        .optional(),
      margins: z
        .union([
          z.string(),
          z.number(),
          z
            .strictObject({
              top: margin('上边距').optional(),
              bottom: margin('下边距').optional(),
              left: margin('左边距').optional(),
              right: margin('右边距').optional(),
            })
            .meta({ label: '各边页边距', help: '分别设置上、下、左、右边距，未写的边用默认值' }),
        ])
        .transform((v, ctx) =>
          typeof v === 'object'
            ? v
            : (() => {
                const r = parseLength(v, '页边距', 0, 80);
                if (!r.ok) {
                  ctx.addIssue({
                    code: 'custom',
                    message: r.message,
                    params: { problem: 'InvalidValue' },
                  });
                  return z.NEVER;
                }
                return { top: r.value, bottom: r.value, left: r.value, right: r.value };
              })(),
        )
        .meta({
          label: '页边距',
          help: 'A4 纸的页边距：一个值（如“25mm”）用于四边，或分别写 top/bottom/left/right；默认上下 2.54cm、左右 2.5cm',
        })
        .optional(),
      header: z
        .strictObject({
          text: line('页眉文字', '每页顶部右侧的文字，例如公司名称', 100).optional(),
          logo: z
            .strictObject({
              file: workspaceFile(
                '徽标文件',
                '工作区中的 PNG 或 SVG 文件路径，例如 images/logo.png',
              ),
              width: z
                .union([z.string(), z.number()])
                .transform(parsed((v) => parseLength(v, '徽标宽度', 3, 100)))
                .meta({ label: '徽标宽度', help: '徽标印出的宽度，例如“30mm”；高度按图片比例' })
                .optional(),
            })
            .meta({ label: '页眉徽标', help: '每页顶部左侧的公司徽标' })
            .optional(),
        })
        .meta({ label: '页眉', help: '每页顶部的文字和徽标；不设则没有页眉' })
        .optional(),
      footer: line(
        '页脚格式',
        '每页底部居中的文字：{page} 为页码，{pages} 为总页数，例如“第 {page} 页 共 {pages} 页”',
        100,
      )
        .superRefine((s, ctx) => {
          const problem = checkFooter(s);
          if (problem)
            ctx.addIssue({ code: 'custom', message: problem, params: { problem: 'InvalidValue' } });
        })
        .optional(),
      cleanMetadata: z
        .boolean()
        .meta({
          label: '文件属性不含工具信息',
          help: '为 true 时，Word 和 PDF 文件属性中不写工具版本、投标参数哈希和条款清单（仍记在 manifest.json 中），同 build --clean-metadata',
        })
        .optional(),
    })
    .meta({
      label: '版式',
      help: '公司统一的文件版式：字体、字号、行距、页边距、页眉和页脚，同时用于 Word、PDF 和网页预览',
    });

let houseStyle: ReturnType<typeof buildHouseStyleSchema> | undefined;

/**
 * The schema of `style:` in tenderkit.yaml, built on first use (a command run outside a workspace
 * never builds it).
 */
export function houseStyleSchema(): ReturnType<typeof buildHouseStyleSchema> {
  return (houseStyle ??= buildHouseStyleSchema());
}

/** `style:` as the schema parsed it (before the files are checked). */
export type HouseStyleSettings = z.output<ReturnType<typeof buildHouseStyleSchema>>;

// ── Resolution ──────────────────────────────────────────────────────────────

const MAX_FONT_BYTES = 64 * 1024 * 1024;
const MAX_LOGO_BYTES = 2 * 1024 * 1024;
const DEFAULT_LOGO_WIDTH_PT = Math.round(30 * PT_PER_MM * 1000) / 1000;

/** Where a `style.…` setting is written; the settings loader maps it to line:col. */
export type Locate = (path: readonly (string | number)[]) => Location | undefined;

class SettingProblem extends Error {
  constructor(
    readonly at: readonly (string | number)[],
    message: string,
  ) {
    super(message);
  }
}

/**
 * A file a setting names, as its real absolute path: it must exist, be a regular file, and lie
 * inside the workspace after every symlink is followed.
 */
function realFileIn(
  root: string,
  rel: string,
  at: readonly (string | number)[],
  exts: readonly string[],
  maxBytes: number,
): string {
  const ext = path.extname(rel).toLowerCase();
  if (!exts.includes(ext))
    throw new SettingProblem(at, `“${rel}”的扩展名应为 ${exts.join(' 或 ')}`);
  const realRoot = realpathSync(root);
  const lexical = path.resolve(realRoot, rel);
  const inside = (p: string, base: string) => {
    const r = path.relative(base, p);
    return r !== '' && !r.startsWith('..') && !path.isAbsolute(r);
  };
  if (!inside(lexical, realRoot))
    throw new SettingProblem(at, `“${rel}”在工作区文件夹之外：只能使用工作区内的文件`);
  let real: string;
  try {
    real = realpathSync(lexical);
  } catch {
    throw new SettingProblem(at, `找不到文件“${rel}”（相对于工作区 ${realRoot}）`);
  }
  if (!inside(real, realRoot))
    throw new SettingProblem(
      at,
      `“${rel}”是指向工作区之外的链接（实际位置 ${real}）：只能使用工作区内的文件`,
    );
  const st = statSync(real);
  if (!st.isFile()) throw new SettingProblem(at, `“${rel}”不是普通文件`);
  if (st.size > maxBytes)
    throw new SettingProblem(
      at,
      `“${rel}”有 ${(st.size / 1024 / 1024).toFixed(1)} MB，超过上限 ${maxBytes / 1024 / 1024} MB`,
    );
  return real;
}

/** A font role as written under `style.fonts`. */
interface FontRoleSettings {
  chinese?: string;
  latin?: string;
  pdf?: string;
  pdfFace?: string;
  pdfBold?: string;
  pdfBoldFace?: string;
}

/** A face as the user may name it: its PostScript name, then its other family names. */
function faceLabel(f: SfntInfo): string {
  const lower = f.postscriptName.toLowerCase();
  const others = [...new Set(f.familyNames)].filter((n) => n.toLowerCase() !== lower);
  return others.length ? `${f.postscriptName}（${others.join('／')}）` : f.postscriptName;
}

/**
 * The face `face` names in the font file `rel` (`fileKey` is where the file is set, `faceKey` where
 * the face is): a single font's only face (no face may be given), or the collection's face whose
 * PostScript name — else whose family name, in any language — is `face`, ignoring letter case.
 */
function chooseFace(
  rel: string,
  font: SfntFile,
  face: string | undefined,
  fileKey: readonly (string | number)[],
  faceKey: readonly (string | number)[],
): { index?: number; info: SfntInfo } {
  const key = String(faceKey[faceKey.length - 1]);
  const listed = font.faces.map(faceLabel).join('、');
  if (!font.collection) {
    if (face !== undefined)
      throw new SettingProblem(
        faceKey,
        `“${rel}”只含一个字体（${faceLabel(font.faces[0]!)}），不是字体集合（.ttc）：请删去 ${key}`,
      );
    return { info: font.faces[0]! };
  }
  if (face === undefined)
    throw new SettingProblem(
      fileKey,
      `“${rel}”含有 ${font.faces.length} 个字体：${listed}；请用 ${key} 指明使用哪一个`,
    );
  const want = face.toLowerCase();
  const all = font.faces.map((info, index) => ({ index, info }));
  const byName = all.filter((f) => f.info.postscriptName.toLowerCase() === want);
  const matches = byName.length
    ? byName
    : all.filter((f) => f.info.familyNames.some((n) => n.toLowerCase() === want));
  if (matches.length === 1) return matches[0]!;
  if (!matches.length)
    throw new SettingProblem(
      faceKey,
      `“${rel}”中没有名为“${face}”的字体：它含有 ${font.faces.length} 个字体：${listed}`,
    );
  throw new SettingProblem(
    faceKey,
    `“${rel}”中有 ${matches.length} 个字体都名为“${face}”：${matches.map((m) => m.info.postscriptName).join('、')}；请写其中一个的 PostScript 名称`,
  );
}

function pdfFontFor(
  root: string,
  given: FontRoleSettings | undefined,
  dflt: PdfFont,
  at: readonly (string | number)[],
): PdfFont {
  const file = given?.pdf;
  const boldFile = given?.pdfBold;
  if (file === undefined || file in BUILTIN_PDF_FONTS) {
    if (boldFile !== undefined)
      throw new SettingProblem(
        [...at, 'pdfBold'],
        '内置 PDF 字体已带粗体，只有 PDF 字体是工作区中的字体文件时才能设置粗体文件',
      );
    for (const key of ['pdfFace', 'pdfBoldFace'] as const)
      if (given?.[key] !== undefined)
        throw new SettingProblem(
          [...at, key],
          `只有 PDF 字体是工作区中的字体集合文件（.ttc）时才能设置 ${key}`,
        );
    return file === undefined
      ? dflt
      : { kind: 'builtin', name: file as keyof typeof BUILTIN_PDF_FONTS };
  }
  const read = (rel: string, key: string) => {
    const real = realFileIn(root, rel, [...at, key], ['.ttf', '.otf', '.ttc'], MAX_FONT_BYTES);
    try {
      return { real, font: readSfntFile(real) };
    } catch (e) {
      if (e instanceof FontFileProblem)
        throw new SettingProblem([...at, key], `“${rel}”：${e.message}`);
      throw e;
    }
  };
  if (!/[./\\]/.test(file))
    throw new SettingProblem(
      [...at, 'pdf'],
      `“${file}”不是内置 PDF 字体（${Object.keys(BUILTIN_PDF_FONTS).join('、')}），也不像字体文件路径（如 fonts/仿宋.ttf）`,
    );
  const regular = read(file, 'pdf');
  const face = chooseFace(file, regular.font, given?.pdfFace, [...at, 'pdf'], [...at, 'pdfFace']);
  // Without a bold file, bold text uses the same file: the face pdfBoldFace names, else pdfFace's.
  const bold =
    boldFile === undefined
      ? {
          real: regular.real,
          face:
            given?.pdfBoldFace === undefined
              ? face
              : chooseFace(
                  file,
                  regular.font,
                  given.pdfBoldFace,
                  [...at, 'pdf'],
                  [...at, 'pdfBoldFace'],
                ),
        }
      : (() => {
          const b = read(boldFile, 'pdfBold');
          const f = chooseFace(
            boldFile,
            b.font,
            given?.pdfBoldFace,
            [...at, 'pdfBold'],
            [...at, 'pdfBoldFace'],
          );
          return { real: b.real, face: f };
        })();
  return {
    kind: 'file',
    regular: regular.real,
    bold: bold.real,
    ...(face.index !== undefined ? { regularFace: face.index } : {}),
    ...(bold.face.index !== undefined ? { boldFace: bold.face.index } : {}),
    family: face.info.family,
    postscriptName: face.info.postscriptName,
  };
}

function styleFont(
  root: string,
  given: FontRoleSettings | undefined,
  dflt: StyleFont,
  at: readonly (string | number)[],
): StyleFont {
  const pdf = pdfFontFor(root, given, dflt.pdf, at);
  // A workspace font file names the family Word and the preview should use unless told otherwise.
  const family = pdf.kind === 'file' ? pdf.family.replace(/["'<>;{}\\,]/g, '').slice(0, 31) : '';
  return {
    chinese: given?.chinese ?? (family || dflt.chinese),
    latin: given?.latin ?? dflt.latin,
    pdf,
  };
}

/** Width and height of a PNG (IHDR) or an SVG (width/height or viewBox), checked for safety. */
function imageSize(file: string, rel: string, at: readonly (string | number)[]) {
  const ext = path.extname(file).toLowerCase();
  if (ext === '.png') {
    const fd = openSync(file, 'r');
    const head = Buffer.alloc(24);
    try {
      readSync(fd, head, 0, 24, 0);
    } finally {
      closeSync(fd);
    }
    if (!head.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])))
      throw new SettingProblem(at, `“${rel}”不是 PNG 图片`);
    const w = head.readUInt32BE(16);
    const h = head.readUInt32BE(20);
    if (!w || !h || w > 10000 || h > 10000)
      throw new SettingProblem(at, `“${rel}”的像素尺寸无效（${w}×${h}）`);
    return { format: 'png' as const, w, h };
  }
  const svg = readFileSync(file, 'utf8');
  const problem = unsafeSvg(svg);
  if (problem) throw new SettingProblem(at, `“${rel}”${problem}`);
  const root = /<svg\b[^>]*>/i.exec(svg)?.[0];
  if (!root) throw new SettingProblem(at, `“${rel}”不是 SVG 图片（没有 <svg> 元素）`);
  const attr = (name: string) => new RegExp(`\\s${name}\\s*=\\s*["']([^"']*)["']`).exec(root)?.[1];
  const num = (s: string | undefined) => {
    const m = s === undefined ? null : /^\s*(\d+(?:\.\d+)?)\s*(px|pt|mm|cm)?\s*$/.exec(s);
    return m ? Number(m[1]) : undefined;
  };
  const box = attr('viewBox')
    ?.trim()
    .split(/[\s,]+/)
    .map(Number);
  const w = num(attr('width')) ?? box?.[2];
  const h = num(attr('height')) ?? box?.[3];
  if (!w || !h || !Number.isFinite(w) || !Number.isFinite(h))
    throw new SettingProblem(at, `“${rel}”没有写明尺寸：SVG 根元素需要 width/height 或 viewBox`);
  return { format: 'svg' as const, w, h };
}

/**
 * Why an SVG logo is refused, if it is: it must be a picture only — no scripts, no external
 * files or URLs (renderers would fetch or read them), no DTD (entity expansion).
 */
export function unsafeSvg(svg: string): string | undefined {
  if (/<!DOCTYPE|<!ENTITY/i.test(svg)) return '含有 DOCTYPE/ENTITY 声明，不能用作徽标';
  if (/<(script|foreignObject|image|iframe|object|embed|use)\b/i.test(svg))
    return '含有脚本、外部图片、嵌入对象或 <use> 引用，不能用作徽标：请导出为只含图形的 SVG 或改用 PNG';
  if (/\son[a-z]+\s*=/i.test(svg)) return '含有事件属性（on…），不能用作徽标';
  if (/(?:xlink:)?href\s*=\s*["'](?!#)/i.test(svg)) return '引用了外部资源（href），不能用作徽标';
  if (/url\(\s*["']?(?!#)/i.test(svg) || /@import/i.test(svg))
    return '引用了外部资源（url()），不能用作徽标';
  return undefined;
}

/**
 * The complete house style from the parsed `style:` settings: defaults filled in, files checked
 * (inside the workspace, existing, the right kind), sizes in points. Problems are thrown together
 * as one TenderKitError, each at its setting (`style.fonts.body.pdf`), located with `locate` when
 * given. Without settings, the built-in style itself.
 */
export function resolveHouseStyle(
  parsed: HouseStyleSettings | undefined,
  workspaceRoot: string,
  locate?: Locate,
): HouseStyle {
  if (parsed === undefined) return DEFAULT_HOUSE_STYLE;
  const problems: Diagnostic[] = [];
  const attempt = <T>(f: () => T): T | undefined => {
    try {
      return f();
    } catch (e) {
      if (!(e instanceof SettingProblem)) throw e;
      const at = ['style', ...e.at];
      problems.push(
        diagnostic('HouseStyleInvalid', e.message, {
          path: at.map((s, i) => (typeof s === 'number' ? `[${s}]` : i ? `.${s}` : s)).join(''),
          ...(locate?.(at) ? { location: locate(at)! } : {}),
        }),
      );
      return undefined;
    }
  };
  const D = DEFAULT_HOUSE_STYLE;
  const body = attempt(() =>
    styleFont(workspaceRoot, parsed.fonts?.body, D.fonts.body, ['fonts', 'body']),
  );
  const heading = attempt(() =>
    styleFont(workspaceRoot, parsed.fonts?.heading, D.fonts.heading, ['fonts', 'heading']),
  );
  const sizes = { ...D.sizes, ...definedOnly(parsed.sizes ?? {}) };
  const margins = { ...D.margins, ...definedOnly(parsed.margins ?? {}) };
  attempt(() => {
    if (PAGE.widthPt - margins.left - margins.right < 60 * PT_PER_MM)
      throw new SettingProblem(['margins'], '左右页边距过大：正文宽度不足 60mm');
    if (PAGE.heightPt - margins.top - margins.bottom < 100 * PT_PER_MM)
      throw new SettingProblem(['margins'], '上下页边距过大：正文高度不足 100mm');
    // The footer's line sits FOOTER_BOTTOM_PT above the page's edge, inside the bottom margin.
    const footerRoom = FOOTER_BOTTOM_PT + sizes.footer * 1.25;
    if (margins.bottom < footerRoom)
      throw new SettingProblem(
        ['margins'],
        `下边距过小，放不下页脚：至少需要 ${Math.ceil(footerRoom / PT_PER_MM)}mm`,
      );
  });
  const logo = attempt(() => {
    const l = parsed.header?.logo;
    if (!l) return undefined;
    const at = ['header', 'logo', 'file'];
    const file = realFileIn(workspaceRoot, l.file, at, ['.png', '.svg'], MAX_LOGO_BYTES);
    const { format, w, h } = imageSize(file, l.file, at);
    const widthPt = l.width ?? DEFAULT_LOGO_WIDTH_PT;
    const heightPt = Math.round(((widthPt * h) / w) * 1000) / 1000;
    const room = margins.top - HEADER_TOP_PT - HEADER_GAP_PT;
    if (heightPt > room)
      throw new SettingProblem(
        ['header', 'logo', l.width === undefined ? 'file' : 'width'],
        `徽标按此宽度印出高 ${(heightPt / PT_PER_MM).toFixed(1)}mm，超过页眉可用高度 ${Math.max(0, room / PT_PER_MM).toFixed(1)}mm：请减小徽标宽度或增大上边距`,
      );
    return { file, format, widthPt, heightPt };
  });
  attempt(() => {
    if (parsed.header?.text && sizes.header > margins.top - HEADER_TOP_PT - HEADER_GAP_PT)
      throw new SettingProblem(
        ['sizes', 'header'],
        '页眉文字过大，放不进上边距：请减小页眉字号或增大上边距',
      );
  });
  if (problems.length) throw new TenderKitError(problems);
  const header =
    parsed.header?.text !== undefined || logo
      ? {
          ...(parsed.header?.text !== undefined ? { text: parsed.header.text } : {}),
          ...(logo ? { logo } : {}),
        }
      : undefined;
  const style: HouseStyle = {
    fonts: { body: body!, heading: heading! },
    sizes,
    lineSpacing: parsed.lineSpacing ?? D.lineSpacing,
    margins,
    ...(header ? { header } : {}),
    footer: parsed.footer ?? DEFAULT_FOOTER,
    ...(parsed.cleanMetadata ? { cleanMetadata: true } : {}),
  };
  // Settings that only restate the defaults are the built-in style (writers then write the same
  // bytes as without a workspace).
  return isDeepStrictEqual(style, D) ? D : style;
}

function definedOnly<T extends object>(o: T): { [K in keyof T]-?: Exclude<T[K], undefined> } {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as never;
}

/** The workspace files a style uses (fonts, logo), for provenance. */
export function styleFiles(style: HouseStyle): string[] {
  const out = new Set<string>();
  for (const f of [style.fonts.body.pdf, style.fonts.heading.pdf])
    if (f.kind === 'file') out.add(f.regular).add(f.bold);
  if (style.header?.logo) out.add(style.header.logo.file);
  return [...out];
}

/** SHA-256 of a style file's bytes. */
export function fileSha256(file: string): string {
  return createHash('sha256').update(readFileSync(file)).digest('hex');
}
