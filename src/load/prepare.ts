// Loads a bid file and the tender file it names, and runs every check that needs no rendering.
import type { Deviation } from '../checks/deviations.js';
import { TenderKitError, type Diagnostic } from '../diagnostics/diagnostic.js';
import type { RenderExtra } from '../render/document.js';
import type { BidParams } from '../schema/bid.js';
import { loadBidFile } from './bid.js';
import { loadTenderFor } from './tender.js';

export interface PreparedBid {
  readonly params: BidParams;
  readonly extra: RenderExtra;
  readonly deviations: readonly Deviation[];
}

/**
 * Loads the bid and its tender file and runs every check before rendering. Warnings go to
 * `warn`; errors are thrown together.
 */
export function prepareBid(file: string, warn: (d: Diagnostic) => void): PreparedBid {
  const r = loadBidFile(file);
  if (!r.ok) throw new TenderKitError(r.diagnostics);
  r.bid.warnings.forEach(warn);
  const t = loadTenderFor(r.bid, file);
  if (!t.ok) throw new TenderKitError(t.diagnostics);
  const found = t.check?.diagnostics ?? [];
  const errors = found.filter((d) => d.severity === 'error');
  if (errors.length) throw new TenderKitError(errors);
  found.forEach(warn);
  const deviations = t.check?.deviations ?? [];
  return { params: r.bid.params, extra: { deviations }, deviations };
}
