// `tenderkit info [FILE]`: which workspace, settings file, library, company profile and fonts a
// command run here (or on FILE) would use, and the tool's version.
import path from 'node:path';
import { TenderKitError } from '../diagnostics/diagnostic.js';
import { FONT_FILES } from '../fonts/files.js';
import { DEFAULT_HOUSE_STYLE } from '../ir/layout.js';
import type { PdfFont, StyleFont } from '../ir/types.js';
import { PACKAGE_ROOT } from '../library/library.js';
import { readYamlFile } from '../load/yaml-file.js';
import { toolVersion } from '../provenance/version.js';
import { profileFor, readProfile, type LoadedProfile } from './merge.js';
import { BUILTIN_PDF_FONTS } from './style.js';
import { discoverWorkspace, shownPath, workspaceLibrary, type Workspace } from './workspace.js';

export interface FontInfo {
  /** Word's names: the Chinese (East Asian) and Latin font. */
  readonly word: { readonly chinese: string; readonly latin: string };
  /** What the PDF embeds: a built-in font or a workspace file. */
  readonly pdf: {
    readonly kind: 'builtin' | 'file';
    readonly name: string;
    readonly files: readonly string[];
  };
}

export interface WorkspaceInfo {
  /** The workspace folder, or null when none is found (the built-in library is used). */
  readonly workspace: { readonly root: string; readonly name: string | null } | null;
  readonly settingsFile: string | null;
  readonly library: {
    readonly folder: string;
    readonly builtIn: boolean;
    readonly clauses: number;
    readonly templates: number;
  };
  /** The company profile a bid here would use, or null. */
  readonly company: {
    readonly file: string;
    readonly chosenBy: 'bid' | 'workspace';
    readonly bidder: string | null;
    readonly rosterPool: number;
    readonly standardChannels: number;
  } | null;
  readonly fonts: { readonly body: FontInfo; readonly heading: FontInfo };
  /** True when the fonts come from the workspace's house style. */
  readonly houseStyle: boolean;
  readonly bid: string | null;
  readonly version: string;
}

function pdfFont(f: PdfFont): FontInfo['pdf'] {
  if (f.kind === 'file')
    return {
      kind: 'file',
      name: f.family,
      files: [...new Set([f.regular, f.bold])].map(shownPath),
    };
  const files =
    f.name === 'noto-serif-sc'
      ? [FONT_FILES.serifRegular, FONT_FILES.serifBold]
      : [FONT_FILES.sansRegular, FONT_FILES.sansBold];
  return { kind: 'builtin', name: BUILTIN_PDF_FONTS[f.name], files };
}

const fontInfo = (f: StyleFont): FontInfo => ({
  word: { chinese: f.chinese, latin: f.latin },
  pdf: pdfFont(f.pdf),
});

/** The profile a bid (or, without one, any bid in the workspace) would use. */
function profileOf(ws: Workspace | undefined, file: string | undefined): LoadedProfile | undefined {
  if (file !== undefined) {
    const y = readYamlFile(file);
    if (!y.ok) throw new TenderKitError(y.diagnostics);
    const r = profileFor(y.value, file, ws);
    if (!r.ok) throw new TenderKitError(r.diagnostics);
    return r.profile;
  }
  if (!ws?.companyFile) return undefined;
  const r = readProfile(ws.companyFile, 'workspace');
  if (!r.ok) throw new TenderKitError(r.diagnostics);
  return r.profile;
}

export function workspaceInfo(opts: { workspace?: string; file?: string }): WorkspaceInfo {
  const ws = discoverWorkspace({ workspace: opts.workspace, from: opts.file }, 'info');
  const lib = workspaceLibrary(ws);
  const profile = profileOf(ws, opts.file);
  const data = (profile?.source.data ?? {}) as {
    bidder?: { name?: unknown };
    roster?: unknown[];
    service?: { channels?: unknown[] };
  };
  const style = ws?.style ?? DEFAULT_HOUSE_STYLE;
  return {
    workspace: ws ? { root: ws.root, name: ws.settings.name ?? null } : null,
    settingsFile: ws ? shownPath(ws.settingsFile) : null,
    library: {
      folder: ws ? shownPath(ws.libraryRoot) : PACKAGE_ROOT,
      builtIn: !ws,
      clauses: lib.clauses.size,
      templates: lib.templates.size,
    },
    company: profile
      ? {
          file: profile.file,
          chosenBy: profile.chosenBy,
          bidder: typeof data.bidder?.name === 'string' ? data.bidder.name : null,
          rosterPool: data.roster?.length ?? 0,
          standardChannels: data.service?.channels?.length ?? 0,
        }
      : null,
    fonts: { body: fontInfo(style.fonts.body), heading: fontInfo(style.fonts.heading) },
    houseStyle: Boolean(ws?.style),
    bid: opts.file ?? null,
    version: toolVersion(),
  };
}

export function infoText(i: WorkspaceInfo): string {
  const lines: string[] = [];
  const font = (role: string, f: FontInfo) =>
    `  ${role}：Word ${f.word.chinese} / ${f.word.latin}；PDF ${f.pdf.name}${f.pdf.kind === 'file' ? `（${f.pdf.files.join('、')}）` : ''}`;
  if (i.bid) lines.push(`投标文件：${i.bid}`);
  lines.push(
    i.workspace
      ? `工作区：${i.workspace.root}${i.workspace.name ? `（${i.workspace.name}）` : ''}`
      : '工作区：无（当前位置向上没有 tenderkit.yaml；运行 tenderkit init 新建工作区）',
  );
  if (i.settingsFile) lines.push(`工作区设置：${i.settingsFile}`);
  lines.push(
    `条款库：${i.library.builtIn ? `内置条款库（${path.join(i.library.folder, 'clauses')}）` : i.library.folder}，${i.library.clauses} 个条款、${i.library.templates} 个文档模板`,
  );
  lines.push(
    i.company
      ? `公司资料：${i.company.file}（${i.company.chosenBy === 'bid' ? '投标文件的 company 指定' : '工作区默认'}）：投标人 ${i.company.bidder ?? '未写'}，人员库 ${i.company.rosterPool} 人，标准服务渠道 ${i.company.standardChannels} 个`
      : '公司资料：无',
  );
  lines.push(`字体（${i.houseStyle ? '工作区版式' : '内置版式'}）：`);
  lines.push(font('正文', i.fonts.body), font('标题', i.fonts.heading));
  lines.push(`TenderKit 版本：${i.version}`);
  return `${lines.join('\n')}\n`;
}
