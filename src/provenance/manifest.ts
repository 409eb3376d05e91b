// Provenance: what went into a build (tool, bid, clause versions, fonts) and what came out, recorded
// in manifest.json beside the outputs and embedded in each .docx and PDF.
import { createHash } from 'node:crypto';
import { realpathSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileSha256, styleFiles } from '../workspace/style.js';
import type { Workspace } from '../workspace/workspace.js';
import type { Document } from '../ir/types.js';
import type { Library } from '../library/library.js';
import { SCHEMA_VERSION, type BidParams } from '../schema/bid.js';
import {
  damagedFont,
  fontFileSha256,
  FONT_FILES,
  FONT_KEYS,
  type FontKey,
} from '../fonts/files.js';
import { binaryCacheGet, binaryCachePut } from '../library/cache.js';
import type { Format } from '../writers/types.js';
import { diagnostic, TenderKitError } from '../diagnostics/diagnostic.js';
import { toolVersion } from './version.js';

export const MANIFEST_FILE = 'manifest.json';

export const sha256 = (data: string | Uint8Array) =>
  createHash('sha256').update(data).digest('hex');

export { toolVersion };

export interface ClauseUse {
  readonly id: string;
  readonly version: number;
  readonly status: string;
  readonly bodySha256: string;
}

/** The clause versions a rendered document used, in order, from the IR's clause nodes. */
export function clausesUsed(doc: Document, lib: Library): ClauseUse[] {
  const out: ClauseUse[] = [];
  for (const b of doc.children) {
    if (b.type !== 'clause' || out.some((u) => u.id === b.id && u.version === b.version)) continue;
    const v = lib.clauses.get(b.id)?.clause.versions.find((x) => x.version === b.version);
    if (v) out.push({ id: b.id, version: b.version, status: v.status, bodySha256: sha256(v.body) });
  }
  return out;
}

/**
 * Text a document states that is outside the approved clause library: the bid's own
 * `extraCommitments[i]`, recorded so legal sees what it never reviewed.
 */
export interface ExtraCommitmentUse {
  readonly id: 'extra-commitment';
  /** The bid field the text came from, `extraCommitments[0]`. */
  readonly origin: string;
  readonly title: string;
  readonly tenderItem: string | null;
  /** SHA-256 of the commitment's Markdown body as the bid gives it. */
  readonly bodySha256: string;
  /** Always false: the text never went through the clause library's approval. */
  readonly reviewed: false;
}

/** The bid's own commitments a rendered document states, in order, from the IR's `origin` clauses. */
export function extraCommitmentsUsed(doc: Document, bid: BidParams): ExtraCommitmentUse[] {
  const out: ExtraCommitmentUse[] = [];
  for (const b of doc.children) {
    if (b.type !== 'clause' || b.origin === undefined) continue;
    const m = /^extraCommitments\[(\d+)\]$/.exec(b.origin);
    const x = m ? bid.extraCommitments?.[Number(m[1])] : undefined;
    if (!x || out.some((u) => u.origin === b.origin)) continue;
    out.push({
      id: 'extra-commitment',
      origin: b.origin,
      title: x.title,
      tenderItem: x.tenderItem ?? null,
      bodySha256: sha256(x.body),
      reviewed: false,
    });
  }
  return out;
}

let fontCache: { name: string; sha256: string }[] | undefined;
/**
 * Hashes of the embedded font files (computed once per process). A built-in font that is not the
 * file its package shipped stops the build: its PDFs would not be what the bid says.
 */
export function fontHashes(): { name: string; sha256: string }[] {
  if (!fontCache) {
    // A hash other than the shipped one is taken again from the file itself: the cache entry may
    // be what is wrong (any process of the user can rewrite it), not the font.
    const hashes = FONT_KEYS.map((k) => {
      const kept = fontSha256(k);
      return [k, damagedFont(k, kept) ? fontFileSha256(k) : kept] as const;
    });
    const damaged = hashes.flatMap(([k, h]) => damagedFont(k, h) ?? []);
    if (damaged.length)
      throw new TenderKitError(damaged.map((m) => diagnostic('BuiltInFontDamaged', m)));
    fontCache = hashes.map(([k, sha256]) => ({ name: path.basename(FONT_FILES[k]), sha256 }));
  }
  return fontCache;
}

/**
 * The fonts' SHA-256 computed from their bytes, never taken from the cache: what `verify` compares
 * a manifest with, so a cache entry (which any process of the user could rewrite) cannot vouch
 * for a build.
 */
export function fontHashesFromFiles(): { name: string; sha256: string }[] {
  return FONT_KEYS.map((k) => ({
    name: path.basename(FONT_FILES[k]),
    sha256: fontFileSha256(k),
  }));
}

/**
 * A built-in font file's SHA-256. Hashing the four fonts (~40 MB) cost every build ~80 ms, so the
 * hash is kept in the user's cache (`fonts-1/`, under the binary cache's rules), named by the
 * file's identity: real path, device, inode, size, and modification and change times in
 * nanoseconds. Any write to the file changes its change time (which no user can set back), so a
 * changed font is hashed again; a damaged entry or `TENDERKIT_CACHE=off` means hashing as before.
 */
function fontSha256(key: FontKey): string {
  let id: string | undefined;
  try {
    const file = realpathSync(FONT_FILES[key]);
    const st = statSync(file, { bigint: true });
    id = sha256(
      ['tenderkit-font-sha256-1', file, st.dev, st.ino, st.size, st.mtimeNs, st.ctimeNs].join('\0'),
    );
  } catch {
    id = undefined;
  }
  const kept = id === undefined ? undefined : binaryCacheGet('fonts-1', id)?.toString('latin1');
  if (kept && /^[0-9a-f]{64}$/.test(kept)) return kept;
  const hash = fontFileSha256(key);
  if (id !== undefined) binaryCachePut('fonts-1', id, Buffer.from(hash, 'latin1'));
  return hash;
}

export interface BuildInputs {
  readonly bid: { readonly file: string; readonly sha256: string };
  readonly tender?: { readonly file: string; readonly sha256: string };
  readonly formats: readonly Format[];
  readonly drafts: boolean;
  /** `build --pdfa`: recorded so that `verify` rebuilds the same way. */
  readonly pdfa?: boolean;
  /** `build --clean-metadata`: recorded so that `verify` rebuilds the same way. */
  readonly cleanMetadata?: boolean;
  /** The company workspace the bid was built in (settings, library, style files), if any. */
  readonly workspace?: WorkspaceInputs;
  /** The company profile merged into the bid, if any. */
  readonly company?: InputFile;
}

/** A file that went into a build: its absolute path (never written out) and SHA-256. */
export interface InputFile {
  readonly path: string;
  readonly sha256: string;
}

export interface WorkspaceInputs {
  /** tenderkit.yaml. */
  readonly settings: InputFile;
  /** The library folder (holding clauses/ and templates/). */
  readonly library: string;
  /** Fonts and logo the house style names. */
  readonly styleFiles: readonly InputFile[];
}

/**
 * The workspace inputs of a prepared bid (prepareBid gives `workspace` and `profile`), for
 * `BuildInputs`.
 */
export function workspaceInputs(prepared: {
  readonly workspace?: Workspace;
  readonly profile?: { readonly path: string; readonly sha256: string };
}): Pick<BuildInputs, 'workspace' | 'company'> {
  const ws = prepared.workspace;
  const p = prepared.profile;
  return {
    ...(ws
      ? {
          workspace: {
            settings: { path: ws.settingsFile, sha256: ws.settingsSha256 },
            library: ws.libraryRoot,
            styleFiles: (ws.style ? styleFiles(ws.style) : []).map((f) => ({
              path: f,
              sha256: fileSha256(f),
            })),
          },
        }
      : {}),
    ...(p ? { company: { path: p.path, sha256: p.sha256 } } : {}),
  };
}

/** The real folder of a bid file: workspace paths in the manifest are relative to it. */
export function bidFolder(bidPath: string): string {
  const dir = path.dirname(path.resolve(bidPath));
  try {
    return realpathSync(dir);
  } catch {
    return dir;
  }
}

/** `../tenderkit.yaml`: a path relative to the bid's folder, with `/` on every system. */
export function relativeToBid(bidPath: string, file: string): string {
  let target = file;
  try {
    target = realpathSync(file);
  } catch {
    // recorded as given
  }
  return path.relative(bidFolder(bidPath), target).split(path.sep).join('/') || '.';
}

/** The provenance facts embedded in each file (no output hashes: a file cannot hold its own). */
export function documentProperties(
  inputs: BuildInputs,
  uses: readonly ClauseUse[],
  extras: readonly ExtraCommitmentUse[] = [],
): [string, string][] {
  return [
    ['TenderKitVersion', toolVersion()],
    ['TenderKitSchemaVersion', String(SCHEMA_VERSION)],
    ['TenderKitBidSha256', inputs.bid.sha256],
    ...(inputs.tender
      ? ([['TenderKitTenderSha256', inputs.tender.sha256]] as [string, string][])
      : []),
    ...(inputs.workspace
      ? ([['TenderKitWorkspaceSha256', inputs.workspace.settings.sha256]] as [string, string][])
      : []),
    ...(inputs.company
      ? ([['TenderKitCompanySha256', inputs.company.sha256]] as [string, string][])
      : []),
    [
      'TenderKitClauses',
      uses.map((u) => `${u.id}@${u.version}:${u.bodySha256.slice(0, 16)}`).join(' '),
    ],
    // Text outside the clause library, present only when the document has some.
    ...(extras.length
      ? ([
          [
            'TenderKitUnreviewed',
            extras.map((x) => `${x.origin}:${x.bodySha256.slice(0, 16)}`).join(' '),
          ],
        ] as [string, string][])
      : []),
  ];
}

export interface ManifestOutput {
  readonly file: string;
  readonly format: Format;
  readonly bytes: number;
  readonly sha256: string;
}

export interface Manifest {
  readonly tool: { readonly name: 'tenderkit'; readonly version: string };
  readonly schemaVersion: number;
  readonly bid: { readonly file: string; readonly path: string; readonly sha256: string };
  readonly tender: { readonly file: string; readonly path: string; readonly sha256: string } | null;
  readonly options: {
    readonly formats: readonly Format[];
    readonly drafts: boolean;
    readonly pdfa?: boolean;
    readonly cleanMetadata?: boolean;
  };
  /**
   * The workspace the bid was built in; every path is relative to the bid file's folder. Null: no
   * workspace (the built-in library and style).
   */
  readonly workspace: {
    readonly settings: { readonly file: string; readonly sha256: string };
    readonly library: string;
    readonly styleFiles: readonly { readonly file: string; readonly sha256: string }[];
  } | null;
  /** The company profile merged into the bid (path relative to the bid's folder), or null. */
  readonly company: { readonly file: string; readonly sha256: string } | null;
  readonly fonts: readonly { name: string; sha256: string }[];
  readonly documents: readonly {
    readonly id: string;
    readonly title: string;
    readonly draft: boolean;
    readonly clauses: readonly ClauseUse[];
    /** The bid's own commitments the document states: outside the library, never reviewed. */
    readonly extraCommitments: readonly ExtraCommitmentUse[];
    readonly outputs: readonly ManifestOutput[];
  }[];
}

export function buildManifest(
  inputs: BuildInputs,
  docs: readonly {
    doc: Document;
    uses: readonly ClauseUse[];
    extras: readonly ExtraCommitmentUse[];
  }[],
  files: readonly { documentId: string; format: Format; fileName: string; bytes: Buffer }[],
): Manifest {
  const where = (f: { file: string; sha256: string }) => ({
    file: f.file,
    path: path.resolve(f.file),
    sha256: f.sha256,
  });
  return {
    tool: { name: 'tenderkit', version: toolVersion() },
    schemaVersion: SCHEMA_VERSION,
    bid: where(inputs.bid),
    tender: inputs.tender ? where(inputs.tender) : null,
    options: {
      formats: inputs.formats,
      drafts: inputs.drafts,
      ...(inputs.pdfa ? { pdfa: true } : {}),
      ...(inputs.cleanMetadata ? { cleanMetadata: true } : {}),
    },
    workspace: inputs.workspace
      ? {
          settings: {
            file: relativeToBid(inputs.bid.file, inputs.workspace.settings.path),
            sha256: inputs.workspace.settings.sha256,
          },
          library: relativeToBid(inputs.bid.file, inputs.workspace.library),
          styleFiles: inputs.workspace.styleFiles.map((f) => ({
            file: relativeToBid(inputs.bid.file, f.path),
            sha256: f.sha256,
          })),
        }
      : null,
    company: inputs.company
      ? { file: relativeToBid(inputs.bid.file, inputs.company.path), sha256: inputs.company.sha256 }
      : null,
    fonts: fontHashes(),
    documents: docs.map(({ doc, uses, extras }) => ({
      id: doc.meta.id,
      title: doc.meta.title,
      draft: doc.meta.draft,
      clauses: uses,
      extraCommitments: extras,
      outputs: files
        .filter((f) => f.documentId === doc.meta.id)
        .map((f) => ({
          file: f.fileName,
          format: f.format,
          bytes: f.bytes.length,
          sha256: sha256(f.bytes),
        })),
    })),
  };
}
