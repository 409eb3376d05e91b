// `tenderkit verify <out-dir>`: rebuild from the inputs a manifest records and compare byte for byte.
import { lstatSync, readdirSync, readFileSync, realpathSync, statSync } from 'node:fs';
import path from 'node:path';
import { buildBid } from '../build.js';
import { z } from 'zod';
import {
  diagnostic,
  TenderKitError,
  type Diagnostic,
  type Location,
} from '../diagnostics/diagnostic.js';
import { MAX_YAML_BYTES, parseYamlText } from '../load/yaml-file.js';
import { zodIssuesToDiagnostics } from '../load/zod-issues.js';
import { isPlainFileName } from '../output.js';
import { FORMATS } from '../writers/types.js';
import type { Library } from '../library/library.js';
import { prepareBid } from '../prepare.js';
import {
  openWorkspace,
  shownPath,
  workspaceLibrary,
  type Workspace,
} from '../workspace/workspace.js';
import {
  bidFolder,
  fontHashesFromFiles,
  MANIFEST_FILE,
  relativeToBid,
  sha256,
  workspaceInputs,
  type Manifest,
} from './manifest.js';

export interface VerifyResult {
  /** One line per check that passed. */
  readonly ok: string[];
  /** Every difference found, each saying exactly what changed. */
  readonly problems: Diagnostic[];
}

/** An output larger than this is reported changed without being read (builds write a few MB). */
const MAX_OUTPUT_BYTES = 512 * 1024 * 1024;
/** Index of the first byte where two buffers differ, or -1. */
export function firstDifference(a: Uint8Array, b: Uint8Array): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return i;
  return a.length === b.length ? -1 : n;
}

const hex64 = z.string().regex(/^[0-9a-f]{64}$/, { message: '应为 64 位十六进制 SHA-256' });
const anyText = z.string().max(1000);

/**
 * An input path as build records it: absolute, normalised (no `.` or `..`), a .yaml file; or, in a
 * download from the web app, relative to the manifest's folder (`bid-1a2b.yaml` beside it, `/`
 * separators, no `..`): the zip carries the inputs beside the outputs.
 */
const inputPath = z
  .string()
  .max(1000)
  .refine(
    (p) =>
      !p.includes('\0') &&
      /\.ya?ml$/i.test(p) &&
      (path.isAbsolute(p)
        ? path.normalize(p) === p && !p.split(/[/\\]/).includes('..')
        : !p.includes('\\') &&
          !/^[a-zA-Z]:/.test(p) &&
          path.posix.normalize(p) === p &&
          !p.split('/').includes('..') &&
          !p.split('/').includes('.')),
    {
      message:
        '应为构建时记录的 .yaml 文件绝对路径，不能含“..”（网页下载中为相对于 manifest.json 所在文件夹的路径）',
    },
  );

const inputSchema = z.object({ file: anyText, path: inputPath, sha256: hex64 });

/** A workspace path as build records it: relative to the bid's folder, normalised, `/`-separated. */
const relativePath = (yaml: boolean) =>
  z
    .string()
    .max(1000)
    .refine(
      (p) =>
        !p.includes('\0') &&
        !p.includes('\\') &&
        !path.posix.isAbsolute(p) &&
        !/^[a-zA-Z]:/.test(p) &&
        path.posix.normalize(p) === p &&
        (!yaml || /\.ya?ml$/i.test(p)),
      {
        message: yaml
          ? '应为构建时记录的、相对于投标参数文件所在文件夹的 .yaml 文件路径'
          : '应为构建时记录的、相对于投标参数文件所在文件夹的路径',
      },
    );

const relativeInput = (yaml: boolean) => z.object({ file: relativePath(yaml), sha256: hex64 });

const formatSchema = z.enum(FORMATS as readonly ['docx', 'pdf', 'html']);

/** The structure of manifest.json; every path in it is checked before it is used. */
export const manifestSchema = z
  .object({
    tool: z.object({ name: z.literal('tenderkit'), version: anyText }),
    schemaVersion: z.number().int(),
    bid: inputSchema,
    tender: inputSchema.nullable().default(null),
    options: z.object({
      formats: z.array(formatSchema).min(1).max(3),
      drafts: z.boolean(),
      pdfa: z.boolean().optional(),
      cleanMetadata: z.boolean().optional(),
    }),
    workspace: z
      .object({
        settings: relativeInput(true),
        library: relativePath(false),
        styleFiles: z.array(relativeInput(false)).max(10),
      })
      .nullable()
      .default(null),
    company: relativeInput(true).nullable().default(null),
    fonts: z.array(z.object({ name: anyText, sha256: hex64 })).max(100),
    documents: z
      .array(
        z.object({
          id: anyText,
          title: anyText,
          draft: z.boolean(),
          clauses: z
            .array(
              z.object({
                id: anyText,
                version: z.number().int(),
                status: anyText,
                bodySha256: hex64,
              }),
            )
            .max(1000),
          extraCommitments: z
            .array(
              z.object({
                id: z.literal('extra-commitment'),
                origin: anyText,
                title: anyText,
                tenderItem: anyText.nullable(),
                bodySha256: hex64,
                reviewed: z.literal(false),
              }),
            )
            .max(1000)
            .default([]),
          outputs: z
            .array(
              z.object({
                file: z.string().refine((f) => isPlainFileName(f) && f !== MANIFEST_FILE, {
                  message: '输出文件应为输出目录中的文件名，不能是绝对路径，也不能含“..”或“/”',
                }),
                format: formatSchema,
                bytes: z.number().int().nonnegative(),
                sha256: hex64,
              }),
            )
            .max(3),
        }),
      )
      .max(100),
  })
  .superRefine((m, ctx) => {
    const seen = new Set<string>();
    m.documents.forEach((d, i) =>
      d.outputs.forEach((o, j) => {
        if (seen.has(o.file))
          ctx.addIssue({
            code: 'custom',
            path: ['documents', i, 'outputs', j, 'file'],
            message: `输出文件 ${o.file} 重复记录`,
          });
        seen.add(o.file);
      }),
    );
    // Like build: the tender file sits in the bid's folder or below (both paths absolute, or both
    // relative to the manifest's folder).
    if (m.tender) {
      const relative = !path.isAbsolute(m.bid.path);
      const inside = relative
        ? !path.isAbsolute(m.tender.path) &&
          (path.posix.dirname(m.bid.path) === '.' ||
            m.tender.path.startsWith(`${path.posix.dirname(m.bid.path)}/`))
        : m.tender.path.startsWith(path.dirname(m.bid.path) + path.sep);
      if (!inside)
        ctx.addIssue({
          code: 'custom',
          path: ['tender', 'path'],
          message: '招标要求文件应在投标参数文件所在的文件夹内',
        });
    }
  });

/** Largest manifest read; a build of every document in every format writes a few kilobytes. */
const MAX_MANIFEST_BYTES = 1024 * 1024;

function manifestProblem(message: string, location: Location): TenderKitError {
  return new TenderKitError([diagnostic('ManifestInvalid', message, { location })]);
}

/** Offset of the first JSON syntax error in `s`, or -1 when `s` is valid JSON. */
export function jsonErrorOffset(s: string): number {
  let i = 0;
  const ws = () => {
    while (i < s.length && ' \t\n\r'.includes(s[i]!)) i++;
  };
  const string = () => {
    i++; // opening quote
    while (i < s.length) {
      const c = s.charCodeAt(i);
      if (c === 0x22) {
        i++;
        return;
      }
      if (c < 0x20) throw i;
      if (c === 0x5c) {
        const esc = /^(?:["\\/bfnrt]|u[0-9a-fA-F]{4})/.exec(s.slice(i + 1, i + 6));
        if (!esc) throw i;
        i += 1 + esc[0].length;
      } else i++;
    }
    throw i;
  };
  const value = (depth: number): void => {
    ws();
    if (depth > 64) throw i;
    const c = s[i];
    if (c === '{' || c === '[') {
      const close = c === '{' ? '}' : ']';
      i++;
      ws();
      if (s[i] === close) {
        i++;
        return;
      }
      for (;;) {
        ws();
        if (c === '{') {
          if (s[i] !== '"') throw i;
          string();
          ws();
          if (s[i] !== ':') throw i;
          i++;
        }
        value(depth + 1);
        ws();
        if (s[i] === ',') i++;
        else if (s[i] === close) {
          i++;
          return;
        } else throw i;
      }
    }
    if (c === '"') return string();
    const lit = /^(?:true|false|null|-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?)/.exec(
      s.slice(i, i + 400),
    );
    if (!lit) throw i;
    i += lit[0].length;
  };
  try {
    value(0);
    ws();
    if (i < s.length) throw i;
    return -1;
  } catch (e) {
    if (typeof e === 'number') return e;
    throw e;
  }
}

function lineCol(text: string, offset: number): { line: number; col: number } {
  const before = text.slice(0, offset).split('\n');
  return { line: before.length, col: before[before.length - 1]!.length + 1 };
}

/** Reads and validates dir/manifest.json; every problem is a located ManifestInvalid error. */
export function readManifest(dir: string): Manifest {
  const file = path.join(dir, MANIFEST_FILE);
  const st = (() => {
    try {
      return lstatSync(file);
    } catch {
      return undefined;
    }
  })();
  if (!st) {
    let isDir: boolean;
    try {
      isDir = statSync(dir).isDirectory();
    } catch {
      isDir = false;
    }
    throw new TenderKitError([
      diagnostic(
        'VerifyFailed',
        isDir
          ? `“${dir}”中没有 ${MANIFEST_FILE}，它不是 tenderkit build 的输出目录`
          : `找不到输出目录“${dir}”`,
        { location: { file: dir } },
      ),
    ]);
  }
  if (!st.isFile())
    throw manifestProblem(`${MANIFEST_FILE} 不是普通文件（不能是文件夹或链接）`, { file });
  if (st.size > MAX_MANIFEST_BYTES)
    throw manifestProblem(`${MANIFEST_FILE} 大小为 ${st.size} 字节，不像是构建记录`, { file });
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(readFileSync(file));
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw manifestProblem(
      code ? `无法读取 ${MANIFEST_FILE}（${code}）` : `${MANIFEST_FILE} 包含无效的 UTF-8 字节`,
      { file },
    );
  }
  const bad = jsonErrorOffset(text);
  if (bad >= 0) {
    // The position only: the file's content is never quoted.
    const at = lineCol(text, bad);
    throw manifestProblem(`${MANIFEST_FILE} 不是有效的 JSON（第 ${at.line} 行第 ${at.col} 列）`, {
      file,
      ...at,
    });
  }
  const r = manifestSchema.safeParse(JSON.parse(text));
  if (r.success) return r.data as Manifest;
  // JSON is YAML: the YAML reader gives each field path its line and column.
  const parsed = parseYamlText(text, file);
  const located = parsed.ok
    ? zodIssuesToDiagnostics(r.error.issues, manifestSchema, parsed.value)
    : r.error.issues.map((i) => diagnostic('InvalidValue', i.message, { location: { file } }));
  throw new TenderKitError(
    located.map((d) => ({
      ...d,
      name: 'ManifestInvalid' as const,
      message: `${MANIFEST_FILE} 的结构不对：${d.path ? `${d.path} ` : ''}${d.message}`,
      path: undefined,
      label: undefined,
    })),
  );
}

/**
 * An input file the manifest names, read only when it is a regular .yaml file no larger than a bid
 * may be (a crafted manifest cannot make verify read a device, a pipe or a large file).
 */
function readInput(p: string): { ok: true; bytes: Buffer } | { ok: false; why: string } {
  try {
    const real = realpathSync(p);
    const st = statSync(real);
    if (!st.isFile() || !/\.ya?ml$/i.test(real)) return { ok: false, why: '不是普通的 .yaml 文件' };
    if (st.size > MAX_YAML_BYTES) return { ok: false, why: '大于 1 MB，不是投标参数文件' };
    return { ok: true, bytes: readFileSync(real) };
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    return { ok: false, why: code === 'ENOENT' ? '已不存在' : `无法读取（${code}）` };
  }
}

/** A style file (font, logo) the manifest names: a regular file of at most 64 MB. */
function readAnyInput(p: string): { ok: true; bytes: Buffer } | { ok: false; why: string } {
  try {
    const real = realpathSync(p);
    const st = statSync(real);
    if (!st.isFile()) return { ok: false, why: '不是普通文件' };
    if (st.size > 64 * 1024 * 1024) return { ok: false, why: '大于 64 MB' };
    return { ok: true, bytes: readFileSync(real) };
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    return { ok: false, why: code === 'ENOENT' ? '已不存在' : `无法读取（${code}）` };
  }
}

/** Operating-system files a file manager may put into any folder; not reported as extra files. */
const SYSTEM_FILES = new Set(['.DS_Store', 'Thumbs.db', 'desktop.ini']);

/** The manifest with relative input paths (a web download) resolved against its folder. */
function resolvedInputs(m: Manifest, dir: string): Manifest {
  const at = <T extends { path: string }>(x: T): T =>
    path.isAbsolute(x.path) ? x : { ...x, path: path.resolve(dir, ...x.path.split('/')) };
  return { ...m, bid: at(m.bid), tender: m.tender ? at(m.tender) : null };
}

export async function verifyBuild(dir: string, libraryOverride?: Library): Promise<VerifyResult> {
  const m = resolvedInputs(readManifest(dir), dir);
  const ok: string[] = [];
  const problems: Diagnostic[] = [];
  const problem = (msg: string, file?: string) =>
    problems.push(diagnostic('VerifyFailed', msg, file ? { location: { file } } : {}));

  // Inputs: the bid, the tender file, the workspace's settings and style files, the company
  // profile, the clause versions and fonts recorded.
  const inputChanged = (what: string, shown: string, at: string, was: string, now: string) =>
    problem(
      `${what}已改动：${shown}（SHA-256 由 ${was.slice(0, 12)}… 变为 ${now.slice(0, 12)}…）`,
      at,
    );
  for (const input of [m.bid, m.tender]) {
    if (!input) continue;
    const read = readInput(input.path);
    if (!read.ok) {
      problem(`构建所用的文件 ${input.path} ${read.why}`, input.path);
      continue;
    }
    const now = sha256(read.bytes);
    // The path is what was read and hashed (the manifest's `file` is only a display name).
    if (now === input.sha256) ok.push(`输入文件 ${input.path} 未改动`);
    else inputChanged('输入文件', input.file, input.path, input.sha256, now);
  }
  const bidDir = bidFolder(m.bid.path);
  const fromBid = (rel: string) => path.resolve(bidDir, rel);
  const recorded: { what: string; file: string; sha256: string; any?: boolean }[] = [
    ...(m.workspace
      ? [
          {
            what: '工作区设置文件',
            file: m.workspace.settings.file,
            sha256: m.workspace.settings.sha256,
          },
        ]
      : []),
    ...(m.company ? [{ what: '公司资料', file: m.company.file, sha256: m.company.sha256 }] : []),
    ...(m.workspace?.styleFiles ?? []).map((f) => ({
      what: '版式使用的文件',
      file: f.file,
      sha256: f.sha256,
      any: true,
    })),
  ];
  for (const r of recorded) {
    const abs = fromBid(r.file);
    const read = r.any ? readAnyInput(abs) : readInput(abs);
    if (!read.ok) {
      problem(`构建所用的${r.what} ${shownPath(abs)} ${read.why}`, shownPath(abs));
      continue;
    }
    const now = sha256(read.bytes);
    if (now === r.sha256) ok.push(`${r.what} ${shownPath(abs)} 未改动`);
    else inputChanged(r.what, shownPath(abs), shownPath(abs), r.sha256, now);
  }

  // The library and workspace the build used: the recorded workspace's own, else the built-in.
  let workspace: Workspace | undefined;
  let library = libraryOverride;
  if (!problems.length && m.workspace) {
    const root = path.dirname(fromBid(m.workspace.settings.file));
    workspace = openWorkspace(root);
    if (path.resolve(workspace.libraryRoot) !== fromBid(m.workspace.library))
      problem(
        `工作区的条款库文件夹已不是构建时的 ${shownPath(fromBid(m.workspace.library))}（现为 ${shownPath(workspace.libraryRoot)}）`,
        workspace.settingsFile,
      );
  }
  library ??= problems.length ? undefined : workspaceLibrary(workspace);
  if (library) {
    for (const d of m.documents) {
      for (const u of d.clauses) {
        const v = library.clauses.get(u.id)?.clause.versions.find((x) => x.version === u.version);
        if (!v) problem(`《${d.title}》使用的条款 ${u.id} 第 ${u.version} 版已不在条款库中`);
        else if (sha256(v.body) !== u.bodySha256)
          problem(
            `《${d.title}》使用的条款 ${u.id} 第 ${u.version} 版正文已被改动（已批准的版本不应修改，应发布新版本）`,
            library.clauses.get(u.id)?.file,
          );
      }
    }
  }
  const fonts = new Map(fontHashesFromFiles().map((f) => [f.name, f.sha256]));
  for (const f of m.fonts)
    if (fonts.get(f.name) !== f.sha256) problem(`字体文件 ${f.name} 与构建时不同`);

  // Rebuild from the recorded inputs, unless they changed (then the rebuild proves nothing).
  let rebuilt: Map<string, Buffer> | undefined;
  if (!problems.length && library) {
    const prepared = prepareBid(m.bid.path, () => {}, {
      allowDrafts: m.options.drafts,
      library,
      workspace: workspace ?? null,
    });
    const profileNow = prepared.profile ? relativeToBid(m.bid.path, prepared.profile.path) : null;
    if (profileNow !== (m.company?.file ?? null))
      problem(
        profileNow === null
          ? `构建时合并了公司资料 ${m.company!.file}，现在这份投标不再使用公司资料`
          : m.company
            ? `这份投标现在使用的公司资料是 ${profileNow}，不是构建时的 ${m.company.file}`
            : `构建时没有使用公司资料，现在这份投标使用 ${profileNow}`,
        m.bid.path,
      );
    // The bid's own commitments (outside the library) against the bid they were recorded from.
    for (const d of m.documents) {
      for (const x of d.extraCommitments ?? []) {
        const i = /^extraCommitments\[(\d+)\]$/.exec(x.origin)?.[1];
        const now = i === undefined ? undefined : prepared.params.extraCommitments?.[Number(i)];
        if (now && sha256(now.body) === x.bodySha256 && now.title === x.title)
          ok.push(
            `《${d.title}》中的其他承诺“${x.title}”（${x.origin}，未经条款库审核）与投标参数一致`,
          );
        else
          problem(
            `《${d.title}》记录的其他承诺“${x.title}”（${x.origin}）与投标参数文件中的不符`,
            m.bid.path,
          );
      }
    }
    const files = await buildBid(prepared.params, {
      formats: m.options.formats,
      extra: prepared.extra,
      library,
      ...(workspace?.style ? { style: workspace.style } : {}),
      // The same output options as the build (PDF/A, clean metadata).
      pdfa: m.options.pdfa === true,
      cleanMetadata: m.options.cleanMetadata === true,
      provenance: {
        bid: { file: m.bid.file, sha256: prepared.source.sha256 },
        tender:
          prepared.tenderSource && m.tender
            ? { file: m.tender.file, sha256: prepared.tenderSource.sha256 }
            : undefined,
        formats: m.options.formats,
        drafts: m.options.drafts,
        pdfa: m.options.pdfa === true,
        cleanMetadata: m.options.cleanMetadata === true,
        ...workspaceInputs(prepared),
      },
    });
    rebuilt = new Map(files.map((f) => [f.fileName, f.bytes]));
  }

  // Each output on disk against the manifest and against the rebuild. Inputs kept beside the
  // outputs (a web download's bid and tender file) belong there too.
  const listed = new Set([MANIFEST_FILE]);
  for (const input of [m.bid, m.tender])
    if (input && path.dirname(input.path) === path.resolve(dir))
      listed.add(path.basename(input.path));
  for (const d of m.documents) {
    for (const o of d.outputs) {
      listed.add(o.file);
      const file = path.join(dir, o.file);
      let st;
      try {
        st = lstatSync(file);
      } catch {
        problem(`输出文件 ${o.file} 缺失`, file);
        continue;
      }
      if (!st.isFile()) {
        problem(
          `输出文件 ${o.file} 不是普通文件（${st.isSymbolicLink() ? '是链接' : '是文件夹或特殊文件'}）`,
          file,
        );
        continue;
      }
      if (st.size > MAX_OUTPUT_BYTES) {
        // Far larger than any document TenderKit writes: not read into memory.
        problem(
          `输出文件 ${o.file} 已被改动：现 ${st.size} 字节，记录 ${o.bytes} 字节（大于任何生成的文件，未读取其内容）`,
          file,
        );
        continue;
      }
      const disk = readFileSync(file);
      const again = rebuilt?.get(o.file);
      const at = again ? `，与重新生成的文件从第 ${firstDifference(again, disk)} 字节起不同` : '';
      if (sha256(disk) !== o.sha256) {
        problem(
          `输出文件 ${o.file} 已被改动：SHA-256 与构建记录不符（现 ${disk.length} 字节，记录 ${o.bytes} 字节）${at}`,
          file,
        );
      } else if (rebuilt && !again) {
        problem(`重新生成时没有产生 ${o.file}`, file);
      } else if (again && !again.equals(disk)) {
        problem(`${o.file} 与记录一致，但用记录的输入重新生成的结果不同${at}`, file);
      } else if (again) {
        ok.push(`${o.file} 重新生成后逐字节一致（SHA-256 ${o.sha256.slice(0, 12)}…）`);
      }
    }
  }

  // Anything else in the folder was not produced by this build: a stale output of an earlier build,
  // or a file put there by hand. Either way the folder is not what the manifest describes.
  for (const e of readdirSync(dir, { withFileTypes: true }).sort((a, b) =>
    a.name < b.name ? -1 : a.name > b.name ? 1 : 0,
  )) {
    if (listed.has(e.name) || SYSTEM_FILES.has(e.name)) continue;
    problems.push(
      diagnostic(
        'VerifyFailed',
        `输出目录中有构建记录之外的${e.isDirectory() ? '文件夹' : '文件'} ${e.name}：它不是这次构建生成的（可能是更早构建留下的，或是手工放入的）`,
        {
          location: { file: path.join(dir, e.name) },
          hint: '交付前请把它移出输出目录；或把投标重新构建到一个空文件夹。',
        },
      ),
    );
  }
  return { ok, problems };
}
