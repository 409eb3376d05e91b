// Loads a bid file: YAML with positions, then the Zod schema; all problems are reported together.
import { bidSchema, type BidParams } from '../schema/bid.js';
import { sortDiagnostics, type Diagnostic } from '../diagnostics/diagnostic.js';
import { parseYamlText, readYamlFile, type LoadedYaml, type YamlResult } from './yaml-file.js';
import { zodIssuesToDiagnostics } from './zod-issues.js';
import { runRules } from '../checks/rules.js';

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
