// What the bid store tells its observer after every change it has written (server/store.ts): the
// sign-in layer records the owner and last editor, and writes the audit entry, from these.

export type BidEvent =
  | { readonly kind: 'create' | 'save'; readonly id: string; readonly sha256: string }
  | { readonly kind: 'delete' | 'restore'; readonly id: string; readonly entry: string };

/** Called inside the store's per-bid lock, after the file is written; a failure fails the request. */
export type BidObserver = (e: BidEvent) => Promise<void>;
