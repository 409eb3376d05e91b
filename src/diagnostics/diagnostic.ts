// Located diagnostics: one problem found in a file, and the error that carries a batch of them.
import { catalogue, type ProblemName } from './catalogue.js';

export type Severity = 'error' | 'warning';

export interface Location {
  readonly file: string;
  readonly line?: number;
  readonly col?: number;
}

export interface Diagnostic {
  readonly name: ProblemName;
  readonly severity: Severity;
  /** What happened, in words the user knows; no "Error:" prefix. */
  readonly message: string;
  readonly location?: Location;
  /** Dotted field path such as `responseTiers[0].responseMinutes`. */
  readonly path?: string;
  /** The field's Chinese label, when the path names a schema field. */
  readonly label?: string;
  /** Stable id of the consistency rule that found it (`src/checks/rules.ts`). */
  readonly rule?: string;
  /** What to do, when more specific than the catalogue's hint. */
  readonly hint?: string;
}

export function diagnostic(
  name: ProblemName,
  message: string,
  extra: Omit<Diagnostic, 'name' | 'message' | 'severity'> & { severity?: Severity } = {},
): Diagnostic {
  return { name, severity: extra.severity ?? 'error', message, ...extra };
}

/** Thrown for user mistakes; the CLI prints `format()` of each problem and no stack trace. */
export class TenderKitError extends Error {
  readonly diagnostics: readonly Diagnostic[];
  constructor(diagnostics: readonly Diagnostic[]) {
    super(diagnostics.map(formatDiagnostic).join('\n'));
    this.name = 'TenderKitError';
    this.diagnostics = diagnostics;
  }
}

export function fail(
  name: ProblemName,
  message: string,
  extra?: Parameters<typeof diagnostic>[2],
): never {
  throw new TenderKitError([diagnostic(name, message, extra)]);
}

export function formatLocation(loc: Location | undefined): string {
  if (!loc) return '';
  if (loc.line === undefined) return loc.file;
  return `${loc.file}:${loc.line}:${loc.col ?? 1}`;
}

/** Control characters (from a file name, an id, a value) are shown as escapes, never printed raw. */
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/g;
function visible(s: string): string {
  return s.replace(CONTROL, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/** `bid.yaml:12:18 warranty.softwareMonths（软件质保期）：message。hint [Name]` */
export function formatDiagnostic(d: Diagnostic): string {
  return visible(formatRaw(d));
}

function formatRaw(d: Diagnostic): string {
  const where = formatLocation(d.location);
  const field = d.path ? `${d.path}${d.label ? `（${d.label}）` : ''}` : '';
  const head = [where, field].filter(Boolean).join(' ');
  const level = d.severity === 'warning' ? '警告：' : '';
  const hint = d.hint ?? catalogue[d.name].hint;
  return `${head ? `${head}：` : ''}${level}${d.message}。${hint} [${d.rule ?? d.name}]`.replace(
    /。。/g,
    '。',
  );
}

export function sortDiagnostics(list: readonly Diagnostic[]): Diagnostic[] {
  return [...list].sort(
    (a, b) =>
      (a.location?.file ?? '').localeCompare(b.location?.file ?? '') ||
      (a.location?.line ?? 0) - (b.location?.line ?? 0) ||
      (a.location?.col ?? 0) - (b.location?.col ?? 0),
  );
}
