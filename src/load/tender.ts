// Loads the tender requirements file a bid names, relative to the bid file and never outside its folder.
import path from 'node:path';
import { diagnostic, sortDiagnostics, type Diagnostic } from '../diagnostics/diagnostic.js';
import {
  computeDeviations,
  deviationDiagnostics,
  fieldExists,
  type Deviation,
} from '../checks/deviations.js';
import { tenderSchema, type TenderFile } from '../schema/tender.js';
import type { LoadedBid } from './bid.js';
import { readYamlFile, type LoadedYaml } from './yaml-file.js';
import { zodIssuesToDiagnostics } from './zod-issues.js';

export interface TenderCheck {
  readonly tender: TenderFile;
  readonly source: LoadedYaml;
  readonly deviations: readonly Deviation[];
  /** Deviation findings: ★ negatives are errors, other negatives warnings. */
  readonly diagnostics: readonly Diagnostic[];
}

export type TenderResult =
  { ok: true; check: TenderCheck | undefined } | { ok: false; diagnostics: Diagnostic[] };

/** `bidPath` is the bid file on disk; the tender file must sit in its folder or below. */
export function loadTenderFor(bid: LoadedBid, bidPath: string): TenderResult {
  const ref = bid.params.tender;
  if (!ref) return { ok: true, check: undefined };
  const dir = path.resolve(path.dirname(bidPath));
  const file = path.resolve(dir, ref.file);
  const shown = path.join(path.dirname(bid.file), ref.file);
  if (!file.startsWith(dir + path.sep)) {
    return {
      ok: false,
      diagnostics: [
        diagnostic('TenderFileInvalid', `招标要求文件“${ref.file}”不在投标参数文件所在的文件夹内`, {
          location: bid.source.locate(['tender', 'file']),
          path: 'tender.file',
        }),
      ],
    };
  }
  const y = readYamlFile(file, shown);
  if (!y.ok) return { ok: false, diagnostics: y.diagnostics };
  const r = tenderSchema.safeParse(y.value.data);
  if (!r.success) {
    return {
      ok: false,
      diagnostics: sortDiagnostics(
        zodIssuesToDiagnostics(r.error.issues, tenderSchema, y.value).map((d) => ({
          ...d,
          name: d.name === 'UnknownField' ? d.name : ('TenderFileInvalid' as const),
        })),
      ),
    };
  }
  const unknown = r.data.requirements.flatMap((req, i) =>
    fieldExists(req.condition.field)
      ? []
      : [
          diagnostic('TenderFileInvalid', `投标参数中没有字段“${req.condition.field}”`, {
            location: y.value.locate(['requirements', i, 'condition', 'field']),
            path: `requirements[${i}].condition.field`,
          }),
        ],
  );
  if (unknown.length) return { ok: false, diagnostics: unknown };
  const deviations = computeDeviations(bid.params, r.data);
  return {
    ok: true,
    check: {
      tender: r.data,
      source: y.value,
      deviations,
      diagnostics: deviationDiagnostics(deviations, bid.params, bid.source),
    },
  };
}
