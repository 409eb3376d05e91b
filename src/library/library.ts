// Loads the clause library and the document templates: every file validated and every usable
// clause version compiled on load (problems are reported together), retired versions only when
// asked for. What each file's bytes yield is kept in a disk cache (cache.ts); the seal checks run
// on every load all the same.
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { z } from 'zod';
import { diagnostic, TenderKitError, type Diagnostic } from '../diagnostics/diagnostic.js';
import {
  MAX_YAML_BYTES,
  parseYamlText,
  readYamlFile,
  type LoadedYaml,
  type YamlResult,
} from '../load/yaml-file.js';
import { approvalProblems, todayInChina } from './governance.js';
import { cacheGet, cachePut } from './cache.js';
import { zodIssuesToDiagnostics } from '../load/zod-issues.js';
import type { DocumentId } from '../schema/bid.js';
import {
  clauseFileSchema,
  templateFileSchema,
  type ClauseFile,
  type ClauseVersion,
  type TemplateFile,
} from '../schema/library.js';
import {
  instantiateTemplate,
  precompileTemplate,
  TemplateCodeError,
  type CompiledTemplate,
  type PrecompiledTemplate,
} from '../render/template-engine.js';

/** The package root: clauses/ and templates/ ship beside dist/. */
export const PACKAGE_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

/** A clause's compiled bodies by version number, loaded on first use. */
export interface CompiledVersions {
  /** The compiled body; undefined for an unknown version or a body that does not compile. */
  get(version: number): CompiledTemplate | undefined;
  has(version: number): boolean;
}

export interface LoadedClause {
  readonly file: string;
  readonly source: LoadedYaml;
  readonly clause: ClauseFile;
  /** Compiled body per version number. */
  readonly compiled: CompiledVersions;
}

export interface LoadedTemplate {
  readonly file: string;
  readonly source: LoadedYaml;
  readonly template: TemplateFile;
}

export interface Library {
  readonly clauses: ReadonlyMap<string, LoadedClause>;
  readonly templates: ReadonlyMap<DocumentId, LoadedTemplate>;
}

function yamlFiles(dir: string): string[] {
  return readdirSync(dir)
    .filter((f) => f.endsWith('.yaml'))
    .sort()
    .map((f) => path.join(dir, f));
}

/**
 * Versions are compiled to code once (on load, or taken from the cache) and made into templates
 * when first rendered; a retired version, which no bid may use, is compiled only when asked for.
 */
class LazyVersions implements CompiledVersions {
  private readonly made = new Map<number, CompiledTemplate | null>();
  constructor(
    private readonly clause: ClauseFile,
    private readonly code: ReadonlyMap<number, PrecompiledTemplate>,
  ) {}
  get(version: number): CompiledTemplate | undefined {
    let t = this.made.get(version);
    if (t === undefined) {
      const name = `${this.clause.id}@${version}`;
      const body = this.clause.versions.find((v) => v.version === version)?.body;
      try {
        const pre =
          this.code.get(version) ??
          (body === undefined ? undefined : precompileTemplate(body, name));
        t = pre ? instantiateTemplate(pre, name) : null;
      } catch (e) {
        if (!(e instanceof TemplateCodeError)) throw e;
        t = null;
      }
      this.made.set(version, t);
    }
    return t ?? undefined;
  }
  has(version: number): boolean {
    return this.get(version) !== undefined;
  }
}

/** A cached file's source: parsed only if something has to be located in it. */
function lazySource(rel: string, bytes: Buffer, sha256: string, data: unknown): LoadedYaml {
  let parsed: LoadedYaml | undefined;
  return {
    file: rel,
    sha256,
    data,
    locate(p, opts) {
      if (!parsed) {
        const y = parseYamlText(bytes, rel);
        parsed = y.ok ? y.value : { file: rel, sha256, data, locate: () => ({ file: rel }) };
      }
      return parsed.locate(p, opts);
    },
  };
}

/** The file's bytes, or undefined when readYamlFile has to say why not (missing, too large, …). */
function readBytes(file: string): Buffer | undefined {
  try {
    const st = statSync(file);
    return st.isFile() && st.size <= MAX_YAML_BYTES ? readFileSync(file) : undefined;
  } catch {
    return undefined;
  }
}

interface Loaded<T> {
  readonly rel: string;
  readonly source: LoadedYaml;
  readonly data: T;
  /** The cache entry for these bytes, if there was one. */
  readonly cached?: { readonly data: T; readonly code?: Record<string, PrecompiledTemplate> };
  /** Stores what loading computed, under the file's bytes. */
  readonly store: (value: { data: T; code?: Record<string, PrecompiledTemplate> }) => void;
}

function loadFile<T>(
  file: string,
  schema: z.ZodType<T>,
  diags: Diagnostic[],
  problem: 'ClauseFileInvalid' | 'TemplateFileInvalid',
): Loaded<T> | undefined {
  const kind = problem === 'ClauseFileInvalid' ? 'clause-file' : 'template-file';
  const rel = path.relative(process.cwd(), file) || file;
  const bytes = readBytes(file);
  const sha256 = bytes && createHash('sha256').update(bytes).digest('hex');
  const store = (value: { data: T; code?: Record<string, PrecompiledTemplate> }) => {
    if (sha256) cachePut(kind, sha256, value);
  };
  const cached = sha256 ? (cacheGet(kind, sha256) as Loaded<T>['cached'] | undefined) : undefined;
  if (cached && typeof cached.data === 'object' && cached.data !== null && bytes && sha256)
    return {
      rel,
      source: lazySource(rel, bytes, sha256, cached.data),
      data: cached.data,
      cached,
      store,
    };
  const y: YamlResult = bytes ? parseYamlText(bytes, rel) : readYamlFile(file, rel);
  if (!y.ok) {
    diags.push(...y.diagnostics);
    return undefined;
  }
  const r = schema.safeParse(y.value.data);
  if (!r.success) {
    diags.push(
      ...zodIssuesToDiagnostics(r.error.issues, schema, y.value).map((d) => ({
        ...d,
        name: problem,
      })),
    );
    return undefined;
  }
  return { rel, source: y.value, data: r.data, store };
}

/**
 * Loads and compiles everything; all problems in the library are reported together, including
 * broken approvals (an approved body that no longer matches its seal, see governance.ts).
 */
export function loadLibrary(root = PACKAGE_ROOT): Library {
  const diags: Diagnostic[] = [];
  const today = todayInChina();
  const clauses = new Map<string, LoadedClause>();
  for (const file of yamlFiles(path.join(root, 'clauses'))) {
    const loaded = loadFile(file, clauseFileSchema, diags, 'ClauseFileInvalid');
    if (!loaded) continue;
    const { rel, source, data, cached } = loaded;
    if (path.basename(file, '.yaml') !== data.id) {
      diags.push(
        diagnostic('ClauseFileInvalid', `文件名应与条款编号一致（${data.id}.yaml）`, {
          location: source.locate(['id']),
        }),
      );
    }
    const code = new Map<number, PrecompiledTemplate>();
    let failed = false;
    data.versions.forEach((v, i) => {
      if (v.status === 'retired') return;
      const hit = cached?.code?.[v.version];
      if (hit && typeof hit.code === 'string' && Array.isArray(hit.exprs)) {
        code.set(v.version, hit);
        return;
      }
      try {
        code.set(v.version, precompileTemplate(v.body, `${data.id}@${v.version}`));
      } catch (e) {
        if (!(e instanceof TemplateCodeError)) throw e;
        failed = true;
        diags.push(
          diagnostic('ClauseRenderFailed', `条款 ${data.id} 第 ${v.version} 版：${e.message}`, {
            location: source.locate(['versions', i, 'body']),
          }),
        );
      }
    });
    if (!cached && !failed) loaded.store({ data, code: Object.fromEntries(code) });
    diags.push(...approvalProblems(data, source, today));
    clauses.set(data.id, {
      file: rel,
      source,
      clause: data,
      compiled: new LazyVersions(data, code),
    });
  }
  const templates = new Map<DocumentId, LoadedTemplate>();
  for (const file of yamlFiles(path.join(root, 'templates'))) {
    const loaded = loadFile(file, templateFileSchema, diags, 'TemplateFileInvalid');
    if (!loaded) continue;
    if (!loaded.cached) loaded.store({ data: loaded.data });
    templates.set(loaded.data.id, {
      file: loaded.rel,
      source: loaded.source,
      template: loaded.data,
    });
  }
  if (diags.length) throw new TenderKitError(diags);
  return { clauses, templates };
}

/** What the files of a library folder look like on disk: changes whenever one is written. */
function folderStamp(root: string): string {
  const parts: string[] = [];
  for (const sub of ['clauses', 'templates']) {
    const dir = path.join(root, sub);
    let names: string[];
    try {
      names = readdirSync(dir).sort();
    } catch {
      parts.push(`${sub}:-`);
      continue;
    }
    for (const n of names) {
      if (!n.endsWith('.yaml')) continue;
      try {
        const st = statSync(path.join(dir, n), { bigint: true });
        parts.push(`${sub}/${n}:${st.ino}:${st.size}:${st.mtimeNs}:${st.ctimeNs}`);
      } catch {
        parts.push(`${sub}/${n}:-`);
      }
    }
  }
  return parts.join('\n');
}

const cache = new Map<string, { stamp: string; library: Library }>();
/**
 * The library under `root` (a workspace's `library/` or the package), kept per folder for the
 * process and loaded again — seal checks included — when one of its files changes.
 */
export function libraryAt(root: string): Library {
  const key = path.resolve(root);
  const stamp = folderStamp(key);
  const hit = cache.get(key);
  if (hit && hit.stamp === stamp) return hit.library;
  const library = loadLibrary(key);
  cache.set(key, { stamp, library });
  return library;
}

/** The shipped library, loaded on first use. */
export function defaultLibrary(): Library {
  return libraryAt(PACKAGE_ROOT);
}

export interface VersionChoice {
  /** Version numbers a bid pins, by clause id. */
  readonly pins?: Readonly<Record<string, number>>;
  /** Use draft versions: the latest non-retired version unless pinned. */
  readonly allowDrafts?: boolean;
}

export type Resolved =
  | { ok: true; version: ClauseVersion }
  | {
      ok: false;
      problem:
        | 'ClauseVersionUnknown'
        | 'ClauseVersionRetired'
        | 'ClauseVersionDraft'
        | 'ClauseNoApprovedVersion';
      message: string;
    };

/**
 * The version a bid uses: a pinned version if the bid pins one (never a retired one, a draft only
 * with `allowDrafts`), else the latest approved one (or the latest non-retired, with drafts).
 */
export function resolveVersion(c: LoadedClause, choice: VersionChoice = {}): Resolved {
  const id = c.clause.id;
  const pin = choice.pins?.[id];
  if (pin !== undefined) {
    const v = c.clause.versions.find((x) => x.version === pin);
    const known = c.clause.versions
      .map((x) => `${x.version}（${STATUS_LABELS[x.status]}）`)
      .join('、');
    if (!v)
      return {
        ok: false,
        problem: 'ClauseVersionUnknown',
        message: `条款“${id}”没有第 ${pin} 版（现有：${known}）`,
      };
    if (v.status === 'retired')
      return {
        ok: false,
        problem: 'ClauseVersionRetired',
        message: `条款“${id}”第 ${pin} 版已停用`,
      };
    if (v.status === 'draft' && !choice.allowDrafts)
      return { ok: false, problem: 'ClauseVersionDraft', message: `条款“${id}”第 ${pin} 版是草稿` };
    return { ok: true, version: v };
  }
  const usable = c.clause.versions.filter(
    (v) => v.status === 'approved' || (choice.allowDrafts && v.status === 'draft'),
  );
  const latest = [...usable].sort((a, b) => b.version - a.version)[0];
  return latest
    ? { ok: true, version: latest }
    : { ok: false, problem: 'ClauseNoApprovedVersion', message: `条款“${id}”没有可用的已批准版本` };
}

export const STATUS_LABELS = { draft: '草稿', approved: '已批准', retired: '已停用' } as const;
