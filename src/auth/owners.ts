// Who owns each bid, who changed it last, and whether it is finalised (定稿): `<data>/.tk-owners.json`,
// beside the bids. Unlike the bid index this is not a cache — it decides who may open a bid — so it
// is written durably (temp file, fsync, rename) after every change, one write at a time. A bid
// with no entry (saved before sign-in was turned on, or copied into the folder by hand) has no
// owner: managers and legal see it, sales do not.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { writeFileAtomic } from './file-lock.js';

export const OWNERS_FILE = '.tk-owners.json';
const FORMAT = 1;

export interface Finalised {
  readonly by: string;
  readonly byName: string;
  readonly at: string;
  /** SHA-256 of the bid file as finalised. */
  readonly sha256: string;
}

export interface BidOwnership {
  readonly owner?: string;
  readonly ownerName?: string;
  readonly created?: string;
  readonly lastEditor?: string;
  readonly lastEditorName?: string;
  readonly edited?: string;
  readonly finalised?: Finalised;
  /** 提交审核 (待审核 until finalised or returned); see src/server/bid-states.ts. */
  readonly submitted?: Finalised;
  /** The last 退回修改: by whom, when, and the manager's comment. */
  readonly returned?: { by: string; byName: string; at: string; comment: string };
}

const ID_RE = /^[a-z0-9][a-z0-9-]{0,63}$/;

export class Owners {
  private readonly file: string;
  private entries = new Map<string, BidOwnership>();
  private chain: Promise<void> = Promise.resolve();

  constructor(readonly dataDir: string) {
    this.file = path.join(dataDir, OWNERS_FILE);
    try {
      const j = JSON.parse(readFileSync(this.file, 'utf8')) as { format?: unknown; bids?: unknown };
      if (j.format === FORMAT && j.bids && typeof j.bids === 'object')
        for (const [id, e] of Object.entries(j.bids as Record<string, BidOwnership>))
          if (ID_RE.test(id) && e && typeof e === 'object') this.entries.set(id, e);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT')
        throw new Error(`ownership file unreadable: ${(e as Error).message}`, { cause: e });
    }
  }

  get(id: string): BidOwnership | undefined {
    return this.entries.get(id);
  }

  /** Changes one bid's entry (in memory at once, on disk before the promise resolves). */
  set(id: string, change: (e: BidOwnership) => BidOwnership): Promise<void> {
    this.entries.set(id, change(this.entries.get(id) ?? {}));
    const write = async () => {
      const bids = Object.fromEntries([...this.entries].sort(([a], [b]) => a.localeCompare(b)));
      await writeFileAtomic(
        this.file,
        `${JSON.stringify({ format: FORMAT, bids }, null, 1)}\n`,
        0o600,
      );
    };
    this.chain = this.chain.then(write, write);
    return this.chain;
  }
}
