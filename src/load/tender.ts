// Loads the tender requirements file a bid names, relative to the bid file and never outside its folder.
import { realpathSync } from 'node:fs';
import path from 'node:path';
import { diagnostic, sortDiagnostics, type Diagnostic } from '../diagnostics/diagnostic.js';
import {
  computeDeviations,
  conditionProblem,
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

/**
 * Where a file named relative to `dir` really is, when it stays inside `dir` (both resolved through
 * symbolic links); `outside` when it or a link on its way leads elsewhere. A missing file resolves
 * to its plain path, for the reader to report.
 */
export function insideFolder(
  dir: string,
  name: string,
): { ok: true; file: string } | { ok: false; target: string } {
  const base = path.resolve(dir);
  const file = path.resolve(base, name);
  if (!file.startsWith(base + path.sep)) return { ok: false, target: file };
  let realBase: string;
  let real: string;
  try {
    realBase = realpathSync(base);
    real = realpathSync(file);
  } catch {
    return { ok: true, file }; // missing (or a dangling link): reported as not found when read
  }
  return real.startsWith(realBase + path.sep)
    ? { ok: true, file: real }
    : { ok: false, target: real };
}

const OPEN_PROBLEMS = new Set(['FileNotFound', 'FileUnreadable', 'FileTooLarge']);

/** `bidPath` is the bid file on disk; the tender file must sit in its folder or below. */
export function loadTenderFor(bid: LoadedBid, bidPath: string): TenderResult {
  const ref = bid.params.tender;
  if (!ref) return { ok: true, check: undefined };
  const where = insideFolder(path.dirname(bidPath), ref.file);
  const shown = path.join(path.dirname(bid.file), ref.file);
  if (!where.ok) {
    // Refused before reading: nothing of the other file is opened, let alone quoted.
    return {
      ok: false,
      diagnostics: [
        diagnostic(
          'TenderFileInvalid',
          `招标要求文件“${ref.file}”不在投标参数文件所在的文件夹内（它${path.resolve(path.dirname(bidPath), ref.file) === where.target ? '' : '是一个链接，'}实际位于“${where.target}”）`,
          {
            location: bid.source.locate(['tender', 'file']),
            path: 'tender.file',
            hint: '招标要求文件须放在投标参数文件所在的文件夹（或其子文件夹）内，不能是指向别处的链接：请把文件复制进来。',
          },
        ),
      ],
    };
  }
  // The resolved path is read, so a link swapped after the check still cannot lead outside.
  const y = readYamlFile(where.file, shown);
  if (!y.ok)
    return {
      ok: false,
      // A file that cannot be opened at all (missing, a folder or FIFO, too large) is the bid's
      // tender.file field pointing wrong: located there. Problems inside the file stay located in it.
      diagnostics: y.diagnostics.map((d) =>
        OPEN_PROBLEMS.has(d.name)
          ? { ...d, location: bid.source.locate(['tender', 'file']), path: 'tender.file' }
          : d,
      ),
    };
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
  const unknown = r.data.requirements.flatMap((req, i) => {
    if (!fieldExists(req.condition.field))
      return [
        diagnostic('TenderFileInvalid', `投标参数中没有字段“${req.condition.field}”`, {
          location: y.value.locate(['requirements', i, 'condition', 'field']),
          path: `requirements[${i}].condition.field`,
        }),
      ];
    // A condition the tender file states badly is the tender file's problem, not the bid's.
    const p = conditionProblem(req.condition);
    return p
      ? [
          diagnostic('TenderFileInvalid', p.message, {
            location: y.value.locate(['requirements', i, 'condition', p.at]),
            path: `requirements[${i}].condition.${p.at}`,
          }),
        ]
      : [];
  });
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
