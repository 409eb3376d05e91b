// Loads a bid file: YAML with positions, then the Zod schema; all problems are reported together.
import { bidSchema, type BidParams } from '../schema/bid.js';
import { sortDiagnostics, type Diagnostic } from '../diagnostics/diagnostic.js';
import { parseYamlText, readYamlFile, type LoadedYaml, type YamlResult } from './yaml-file.js';
import { zodIssuesToDiagnostics } from './zod-issues.js';

export interface LoadedBid {
  readonly file: string;
  readonly params: BidParams;
  readonly source: LoadedYaml;
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
  return { ok: true, bid: { file: src.file, params: result.data, source: src } };
}
