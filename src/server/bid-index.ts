// The bid list without parsing every file per request: one summary per bid (project, tenderee,
// modified time, status), kept in memory, updated by every save, delete and restore, and written to
// `<data>/.tk-index.json`. At start-up the file is checked against the folder (each bid's size and
// mtime), so bids added, changed or removed while the server was down are picked up; only those
// are parsed again.
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import { runRules } from '../checks/rules.js';
import type { LoadedYaml } from '../load/yaml-file.js';
import { bidSchema, SCHEMA_VERSION } from '../schema/bid.js';

export const INDEX_FILE = '.tk-index.json';
const FORMAT = 1;

export type BidStatus = 'valid' | 'problems' | 'unreadable';

export interface BidSummary {
  readonly id: string;
  readonly project: string;
  readonly tenderee: string;
  /** The file's modification time (ISO 8601). */
  readonly modified: string;
  /** valid: the schema and the rules accept it, as `tenderkit lint` would. */
  readonly status: BidStatus;
  /** Problems found (0 when valid). */
  readonly problems: number;
}

interface Entry extends BidSummary {
  readonly size: number;
  readonly mtimeMs: number;
}

const noSource: LoadedYaml = {
  file: '',
  sha256: '',
  data: undefined,
  locate: () => ({ file: '' }),
};

const text = (v: unknown, fallback: string) =>
  typeof v === 'string' && v.trim() !== '' ? v.trim().slice(0, 200) : fallback;

const own = (v: unknown, k: string): unknown =>
  v !== null && typeof v === 'object' && Object.prototype.hasOwnProperty.call(v, k)
    ? (v as Record<string, unknown>)[k]
    : undefined;

/** The project and tenderee names of parsed bid data (own properties only). */
export function namesOf(data: unknown): { project: string; tenderee: string } {
  return {
    project: text(own(own(data, 'project'), 'name'), '（未命名）'),
    tenderee: text(own(own(data, 'tenderee'), 'name'), ''),
  };
}

/**
 * The bid's data as the build sees it (the company profile merged in, server/profile.ts), and how
 * many problems merging found; `file` is the bid's file (its `company:` is relative to it).
 */
export type MergeForStatus = (data: unknown, file: string) => { data: unknown; problems: number };

/**
 * Project, tenderee and status of a bid file's text (or of its parsed data). The names are the
 * bid's own; the status is the build's (with `merge`, the company profile merged in first).
 */
export function summarize(
  id: string,
  source: string | { readonly data: unknown },
  modified: Date,
  merge?: { readonly fn: MergeForStatus; readonly file: string },
): BidSummary {
  const base = { id, modified: modified.toISOString() };
  let data: unknown;
  if (typeof source === 'string') {
    try {
      data = parse(source, { maxAliasCount: 100 });
    } catch {
      data = undefined;
    }
  } else data = source.data;
  if (data === null || typeof data !== 'object' || Array.isArray(data))
    return {
      ...base,
      project: '（文件无法读取）',
      tenderee: '',
      status: 'unreadable',
      problems: 1,
    };
  const { project, tenderee } = namesOf(data);
  let problems: number;
  if (own(data, 'version') !== SCHEMA_VERSION) problems = 1;
  else {
    const m = merge ? merge.fn(data, merge.file) : { data, problems: 0 };
    const r = bidSchema.safeParse(m.data);
    problems =
      m.problems +
      (r.success
        ? runRules(r.data, { ...noSource, data: m.data }).filter((d) => d.severity === 'error')
            .length
        : r.error.issues.length);
  }
  return { ...base, project, tenderee, status: problems ? 'problems' : 'valid', problems };
}

export class BidIndex {
  private entries = new Map<string, Entry>();
  private writing: Promise<void> | undefined;
  private again = false;
  /** What the last rebuild did: entries taken from the index file, files parsed. */
  lastRebuild = { reused: 0, parsed: 0 };

  constructor(
    private readonly dir: string,
    private readonly idPattern: RegExp,
    /** Writes the index file (atomically; durability is not needed, the files are the truth). */
    private readonly write: (file: string, text: string) => Promise<void>,
    private readonly opts: {
      /** The company profile merged in for statuses. */
      readonly merge?: MergeForStatus;
      /**
       * What statuses depend on besides the files (the profile's hash): an index file saved under
       * another context is not reused.
       */
      readonly context?: string;
    } = {},
  ) {}

  private summary(id: string, source: string | { readonly data: unknown }, modified: Date) {
    const merge = this.opts.merge;
    return summarize(
      id,
      source,
      modified,
      merge ? { fn: merge, file: path.join(this.dir, `${id}.yaml`) } : undefined,
    );
  }

  get size(): number {
    return this.entries.size;
  }

  /**
   * Loads the index file and brings it up to date with the folder: bids whose size or mtime
   * differ, and bids the file does not list, are parsed; entries without a file are dropped.
   */
  async rebuild(): Promise<{ reused: number; parsed: number }> {
    const saved = new Map<string, Entry>();
    try {
      const j = JSON.parse(await fs.readFile(path.join(this.dir, INDEX_FILE), 'utf8')) as {
        format?: unknown;
        context?: unknown;
        bids?: unknown;
      };
      if (
        j.format === FORMAT &&
        (j.context ?? '') === (this.opts.context ?? '') &&
        Array.isArray(j.bids)
      )
        for (const e of j.bids as Entry[])
          if (typeof e?.id === 'string' && this.idPattern.test(e.id)) saved.set(e.id, e);
    } catch {
      // missing or damaged: every file is read
    }
    const next = new Map<string, Entry>();
    let reused = 0;
    let parsed = 0;
    for (const f of await fs.readdir(this.dir)) {
      const id = f.replace(/\.yaml$/, '');
      if (!f.endsWith('.yaml') || !this.idPattern.test(id)) continue;
      const file = path.join(this.dir, f);
      let st;
      try {
        st = await fs.stat(file);
      } catch {
        continue; // removed meanwhile
      }
      if (!st.isFile()) continue;
      const old = saved.get(id);
      if (old && old.size === st.size && old.mtimeMs === st.mtimeMs) {
        next.set(id, old);
        reused++;
        continue;
      }
      let source: string;
      try {
        source = await fs.readFile(file, 'utf8');
      } catch {
        continue;
      }
      next.set(id, { ...this.summary(id, source, st.mtime), size: st.size, mtimeMs: st.mtimeMs });
      parsed++;
      // Parsing a large folder takes a while: let requests through between files.
      if (parsed % 20 === 0) await new Promise((r) => setImmediate(r));
    }
    this.entries = next;
    this.lastRebuild = { reused, parsed };
    await this.persist();
    return this.lastRebuild;
  }

  /** Records the bid `id` as the file now is (after a save or a restore); `source` as for summarize. */
  async update(id: string, source: string | { readonly data: unknown }): Promise<void> {
    const file = path.join(this.dir, `${id}.yaml`);
    const st = await fs.stat(file);
    this.entries.set(id, {
      ...this.summary(id, source, st.mtime),
      size: st.size,
      mtimeMs: st.mtimeMs,
    });
    await this.persist();
  }

  async remove(id: string): Promise<void> {
    if (this.entries.delete(id)) await this.persist();
  }

  get(id: string): BidSummary | undefined {
    return this.entries.get(id);
  }

  /** Most recently modified first. */
  list(): BidSummary[] {
    return [...this.entries.values()]
      .sort((a, b) => b.mtimeMs - a.mtimeMs || a.id.localeCompare(b.id))
      .map(({ id, project, tenderee, modified, status, problems }) => ({
        id,
        project,
        tenderee,
        modified,
        status,
        problems,
      }));
  }

  /** Writes the index file; writes asked for while one runs are folded into one more write. */
  persist(): Promise<void> {
    if (this.writing) {
      this.again = true;
      return this.writing;
    }
    const run = async (): Promise<void> => {
      do {
        this.again = false;
        const body = JSON.stringify({
          format: FORMAT,
          context: this.opts.context ?? '',
          bids: [...this.entries.values()],
        });
        try {
          await this.write(path.join(this.dir, INDEX_FILE), body);
        } catch {
          // The index is a cache: a failed write only means more parsing at the next start.
        }
      } while (this.again);
    };
    this.writing = run().finally(() => (this.writing = undefined));
    return this.writing;
  }
}
