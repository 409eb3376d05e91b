// Live previews: validated and rendered to HTML in the server process (about 13 ms for a full
// bid), cached by the input's hash, so the form never waits behind PDF builds in the worker pool.
import { createHash } from 'node:crypto';
import { renderChecked } from '../build.js';
import { TenderKitError, formatDiagnostic } from '../diagnostics/diagnostic.js';
import { toHtmlFragment } from '../writers/html/index.js';
import { validateInput, type FieldErrors } from './form-values.js';

export interface Preview {
  readonly errors: FieldErrors;
  readonly warnings: FieldErrors;
  /** Problems found while rendering (placeholders, glyphs), as text. */
  readonly renderProblems: string[];
  readonly docs: { id: string; title: string; html: string }[];
}

const CACHE_SIZE = 64;
const cache = new Map<string, Preview>();

function compute(input: unknown): Preview {
  const v = validateInput(input);
  if (!v.params) return { errors: v.errors, warnings: v.warnings, renderProblems: [], docs: [] };
  try {
    // The 偏离表 needs the tender file beside a saved bid; the preview shows the other documents.
    const docs = renderChecked({ ...v.params, tender: undefined });
    return {
      errors: v.errors,
      warnings: v.warnings,
      renderProblems: [],
      docs: docs.map((d) => ({ id: d.meta.id, title: d.meta.title, html: toHtmlFragment(d) })),
    };
  } catch (e) {
    if (!(e instanceof TenderKitError)) throw e;
    return {
      errors: v.errors,
      warnings: v.warnings,
      renderProblems: e.diagnostics.map(formatDiagnostic),
      docs: [],
    };
  }
}

export function preview(input: unknown): Preview {
  const key = createHash('sha256')
    .update(JSON.stringify(input) ?? '')
    .digest('hex');
  const hit = cache.get(key);
  if (hit) {
    cache.delete(key);
    cache.set(key, hit); // most recently used last
    return hit;
  }
  const p = compute(input);
  cache.set(key, p);
  if (cache.size > CACHE_SIZE) cache.delete(cache.keys().next().value!);
  return p;
}
