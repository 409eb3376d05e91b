// Loads a bid file: YAML with positions, the company profile merged in (src/workspace/merge.ts),
// then the Zod schema; all problems are reported together, each in the file it is in.
import path from 'node:path';
import { bidSchema, SCHEMA_VERSION, type BidParams } from '../schema/bid.js';
import {
  diagnostic,
  sortDiagnostics,
  type Diagnostic,
  type Location,
} from '../diagnostics/diagnostic.js';
import { parseYamlText, readYamlFile, type LoadedYaml, type YamlResult } from './yaml-file.js';
import { parseFieldPath, zodIssuesToDiagnostics } from './zod-issues.js';
import { runRules } from '../checks/rules.js';
import { looksV2 } from '../migrate/v1-to-v2.js';
import type { Workspace } from '../workspace/workspace.js';
import {
  mergedSource,
  mergeProfile,
  originOf,
  profileFor,
  type LoadedProfile,
  type Origin,
} from '../workspace/merge.js';

export interface LoadedBid {
  readonly file: string;
  readonly params: BidParams;
  /** The merged bid: the bid file's name and hash, positions in the file each value came from. */
  readonly source: LoadedYaml;
  /** Rule findings of warning severity; errors make loading fail. */
  readonly warnings: readonly Diagnostic[];
  /** The company profile merged in, if any. */
  readonly profile?: LoadedProfile;
  /** Where a field's value came from: the bid file or the company profile, with its place there. */
  readonly originOf: (fieldPath: string) => ValueOrigin;
}

export interface ValueOrigin {
  readonly from: 'bid' | 'company';
  readonly location: Location;
}

export interface LoadOptions {
  /** The workspace the bid is in: its default company profile, and the limit for `company:`. */
  readonly workspace?: Workspace;
}

export type BidResult = { ok: true; bid: LoadedBid } | { ok: false; diagnostics: Diagnostic[] };

export function loadBidFile(file: string, displayName = file, opts: LoadOptions = {}): BidResult {
  return validateBid(readYamlFile(file, displayName), file, opts);
}

/** A bid that is not a file (the web form): `company:` cannot name a file relative to it. */
export function loadBidText(
  text: string | Buffer,
  displayName: string,
  opts: LoadOptions = {},
): BidResult {
  return validateBid(parseYamlText(text, displayName), undefined, opts);
}

function validateBid(
  parsed: YamlResult,
  bidPath: string | undefined,
  opts: LoadOptions,
): BidResult {
  if (!parsed.ok) return { ok: false, diagnostics: sortDiagnostics(parsed.diagnostics) };
  const own = parsed.value;
  const old = versionProblem(own);
  if (old) return { ok: false, diagnostics: [old] };
  const p = profileFor(own, bidPath && path.resolve(bidPath), opts.workspace);
  if (!p.ok) return { ok: false, diagnostics: sortDiagnostics(p.diagnostics) };
  const profile = p.profile;
  const merged = mergeProfile(own, profile);
  const src = mergedSource(own, profile, merged);
  const result = bidSchema.safeParse(src.data ?? {});
  if (!result.success || merged.problems.length) {
    return {
      ok: false,
      diagnostics: sortDiagnostics([
        ...merged.problems,
        ...(result.success ? [] : zodIssuesToDiagnostics(result.error.issues, bidSchema, src)),
      ]),
    };
  }
  const findings = runRules(result.data, src);
  if (findings.some((d) => d.severity === 'error'))
    return { ok: false, diagnostics: sortDiagnostics(findings) };
  return {
    ok: true,
    bid: {
      file: own.file,
      params: result.data,
      source: src,
      warnings: sortDiagnostics(findings),
      ...(profile ? { profile } : {}),
      originOf: (fieldPath) => origin(merged.origins, profile, src, fieldPath),
    },
  };
}

function origin(
  origins: readonly Origin[],
  profile: LoadedProfile | undefined,
  src: LoadedYaml,
  fieldPath: string,
): ValueOrigin {
  const segs = parseFieldPath(fieldPath);
  const location = src.locate(segs);
  const from = profile && location.file === profile.file ? 'company' : 'bid';
  return { from: originOf(origins, segs).from === 'company' ? from : 'bid', location };
}

/**
 * A bid in another format version gets one diagnostic and no schema errors: the rest of the file
 * means something else there. No `version` key or `version: 1` is the first format, which
 * `tenderkit migrate` converts.
 */
function versionProblem(src: LoadedYaml): Diagnostic | undefined {
  const data = src.data;
  if (data === null || data === undefined)
    return diagnostic('EmptyFile', '文件是空的（没有任何字段）', {
      location: { file: src.file, line: 1, col: 1 },
    });
  if (typeof data !== 'object' || Array.isArray(data)) return undefined;
  const has = 'version' in data;
  const version = (data as { version?: unknown }).version;
  if (has && version === SCHEMA_VERSION) return undefined;
  const file = /[\s"'$`]/.test(src.file) ? `"${src.file.replace(/(["$`\\])/g, '\\$1')}"` : src.file;
  if (!has && looksV2(data as Record<string, unknown>)) {
    return diagnostic('SchemaVersionOld', '文件没有 version 字段，但内容像是第 2 版格式', {
      location: { file: src.file, line: 1, col: 1 },
      hint: `如已按第 2 版填写，请在文件开头加上 version: 2；如是第 1 版文件，请运行 tenderkit migrate ${file} 转换。`,
    });
  }
  if (!has || version === 1) {
    return diagnostic(
      'SchemaVersionOld',
      has
        ? '这是第 1 版格式的投标参数文件（version: 1）'
        : '这是第 1 版格式的投标参数文件（没有 version 字段）',
      {
        location: has
          ? src.locate(['version'], { key: true })
          : { file: src.file, line: 1, col: 1 },
        ...(has ? { path: 'version' } : {}),
        hint: `请先运行 tenderkit migrate ${file} 转换为第 2 版（转换会列出需要核对的承诺）。`,
      },
    );
  }
  if (version === String(SCHEMA_VERSION))
    return diagnostic('SchemaVersionUnknown', `参数格式版本写成了文本“${version}”`, {
      location: src.locate(['version']),
      path: 'version',
      hint: `请写数字，不加引号：version: ${SCHEMA_VERSION}。`,
    });
  const shown =
    typeof version === 'string' ? `“${version}”` : String(JSON.stringify(version) ?? version);
  return diagnostic(
    'SchemaVersionUnknown',
    `参数格式版本 ${shown} 不受支持：本版本 TenderKit 读取第 ${SCHEMA_VERSION} 版（version: ${SCHEMA_VERSION}）`,
    { location: src.locate(['version']), path: 'version' },
  );
}
