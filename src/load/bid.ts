// Loads a bid file: YAML with positions, then the Zod schema; all problems are reported together.
import { bidSchema, SCHEMA_VERSION, type BidParams } from '../schema/bid.js';
import { diagnostic, sortDiagnostics, type Diagnostic } from '../diagnostics/diagnostic.js';
import { parseYamlText, readYamlFile, type LoadedYaml, type YamlResult } from './yaml-file.js';
import { zodIssuesToDiagnostics } from './zod-issues.js';
import { runRules } from '../checks/rules.js';
import { looksV2 } from '../migrate/v1-to-v2.js';

export interface LoadedBid {
  readonly file: string;
  readonly params: BidParams;
  readonly source: LoadedYaml;
  /** Rule findings of warning severity; errors make loading fail. */
  readonly warnings: readonly Diagnostic[];
}

export type BidResult = { ok: true; bid: LoadedBid } | { ok: false; diagnostics: Diagnostic[] };

export function loadBidFile(file: string, displayName = file): BidResult {
  return validateBid(readYamlFile(file, displayName));
}

export function loadBidText(text: string | Buffer, displayName: string): BidResult {
  return validateBid(parseYamlText(text, displayName));
}

function validateBid(parsed: YamlResult): BidResult {
  if (!parsed.ok) return { ok: false, diagnostics: sortDiagnostics(parsed.diagnostics) };
  const src = parsed.value;
  const old = versionProblem(src);
  if (old) return { ok: false, diagnostics: [old] };
  const result = bidSchema.safeParse(src.data ?? {});
  if (!result.success) {
    return {
      ok: false,
      diagnostics: sortDiagnostics(zodIssuesToDiagnostics(result.error.issues, bidSchema, src)),
    };
  }
  const findings = runRules(result.data, src);
  if (findings.some((d) => d.severity === 'error'))
    return { ok: false, diagnostics: sortDiagnostics(findings) };
  return {
    ok: true,
    bid: { file: src.file, params: result.data, source: src, warnings: sortDiagnostics(findings) },
  };
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
