// Loads the clause library and the document templates once, compiling every body up front.
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { z } from 'zod';
import { diagnostic, TenderKitError, type Diagnostic } from '../diagnostics/diagnostic.js';
import { readYamlFile, type LoadedYaml } from '../load/yaml-file.js';
import { approvalProblems, todayInChina } from './governance.js';
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
  compileTemplate,
  TemplateCodeError,
  type CompiledTemplate,
} from '../render/template-engine.js';

/** The package root: clauses/ and templates/ ship beside dist/. */
export const PACKAGE_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

export interface LoadedClause {
  readonly file: string;
  readonly source: LoadedYaml;
  readonly clause: ClauseFile;
  /** Compiled body per version number. */
  readonly compiled: ReadonlyMap<number, CompiledTemplate>;
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

function loadFile<T>(
  file: string,
  schema: z.ZodType<T>,
  diags: Diagnostic[],
  problem: 'ClauseFileInvalid' | 'TemplateFileInvalid',
) {
  const rel = path.relative(process.cwd(), file) || file;
  const y = readYamlFile(file, rel);
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
  return { rel, source: y.value, data: r.data };
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
    const { rel, source, data } = loaded;
    if (path.basename(file, '.yaml') !== data.id) {
      diags.push(
        diagnostic('ClauseFileInvalid', `文件名应与条款编号一致（${data.id}.yaml）`, {
          location: source.locate(['id']),
        }),
      );
    }
    const compiled = new Map<number, CompiledTemplate>();
    data.versions.forEach((v, i) => {
      try {
        compiled.set(v.version, compileTemplate(v.body, `${data.id}@${v.version}`));
      } catch (e) {
        if (!(e instanceof TemplateCodeError)) throw e;
        diags.push(
          diagnostic('ClauseRenderFailed', `条款 ${data.id} 第 ${v.version} 版：${e.message}`, {
            location: source.locate(['versions', i, 'body']),
          }),
        );
      }
    });
    diags.push(...approvalProblems(data, source, today));
    clauses.set(data.id, { file: rel, source, clause: data, compiled });
  }
  const templates = new Map<DocumentId, LoadedTemplate>();
  for (const file of yamlFiles(path.join(root, 'templates'))) {
    const loaded = loadFile(file, templateFileSchema, diags, 'TemplateFileInvalid');
    if (loaded)
      templates.set(loaded.data.id, {
        file: loaded.rel,
        source: loaded.source,
        template: loaded.data,
      });
  }
  if (diags.length) throw new TenderKitError(diags);
  return { clauses, templates };
}

const cache = new Map<string, Library>();
/** The library under `root` (a workspace's `library/` or the package), loaded once per process. */
export function libraryAt(root: string): Library {
  const key = path.resolve(root);
  let lib = cache.get(key);
  if (!lib) {
    lib = loadLibrary(key);
    cache.set(key, lib);
  }
  return lib;
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
