// Finds the company workspace a command works in: the folder holding `tenderkit.yaml`, found by
// walking up from the bid file (or the current folder), or named with `--workspace DIR`; then reads
// its settings (Zod-checked, located errors), the house style, and where its library and default
// company profile are. Nothing here is process-global: commands pass the Workspace along.
import { existsSync, lstatSync, readdirSync, realpathSync, statSync } from 'node:fs';
import path from 'node:path';
import { diagnostic, TenderKitError, type Diagnostic } from '../diagnostics/diagnostic.js';
import { defaultLibrary, loadLibrary, PACKAGE_ROOT, type Library } from '../library/library.js';
import { readYamlFile, type LoadedYaml } from '../load/yaml-file.js';
import { zodIssuesToDiagnostics } from '../load/zod-issues.js';
import { UsageError } from '../cli/usage.js';
import { workspaceSettingsSchema, type WorkspaceSettings } from './settings.js';
import { resolveHouseStyle, type HouseStyle } from './style.js';

export const WORKSPACE_FILE = 'tenderkit.yaml';
/** The library folder inside a workspace, unless tenderkit.yaml names another. */
export const LIBRARY_DIR = 'library';

export interface Workspace {
  /** Absolute path of the folder holding tenderkit.yaml. */
  readonly root: string;
  /** Absolute path of tenderkit.yaml. */
  readonly settingsFile: string;
  /** The folder holding `clauses/` and `templates/` (`<root>/library` unless set). */
  readonly libraryRoot: string;
  /** tenderkit.yaml as read and checked. */
  readonly settings: WorkspaceSettings;
  /** SHA-256 of tenderkit.yaml's bytes, for provenance. */
  readonly settingsSha256: string;
  /** Absolute path of the default company profile (`company:` in tenderkit.yaml), if any. */
  readonly companyFile?: string;
  /** The house style (`style:`), resolved; undefined when tenderkit.yaml sets none. */
  readonly style?: HouseStyle;
  /** Where a setting stands in tenderkit.yaml. */
  readonly source: LoadedYaml;
}

/** The nearest folder at or above `from` that holds tenderkit.yaml. */
export function findWorkspaceRoot(from: string): string | undefined {
  let dir = path.resolve(from);
  try {
    if (!statSync(dir).isDirectory()) dir = path.dirname(dir);
  } catch {
    dir = path.dirname(dir);
  }
  for (;;) {
    if (existsSync(path.join(dir, WORKSPACE_FILE))) return dir;
    const up = path.dirname(dir);
    if (up === dir) return undefined;
    dir = up;
  }
}

/** The library a command uses: the workspace's own, or the one shipped with the package. */
export function libraryRootFor(ws: Workspace | undefined): string {
  return ws ? ws.libraryRoot : PACKAGE_ROOT;
}

/** A path shown to the user: relative to the current folder when that is shorter. */
export function shownPath(abs: string): string {
  const rel = path.relative(process.cwd(), abs);
  return rel && !path.isAbsolute(rel) && rel.length < abs.length ? rel : abs;
}

/** True when `p` lies strictly inside `dir` (both absolute, already resolved). */
export function isInside(dir: string, p: string): boolean {
  const r = path.relative(dir, p);
  return r !== '' && !r.startsWith('..') && !path.isAbsolute(r);
}

/**
 * Where `rel` (relative to `base`) really is when it stays inside `root` after every symbolic link
 * is followed; the reason when it does not. A missing file is `missing` (the caller reports it).
 */
export function resolveInside(
  root: string,
  base: string,
  rel: string,
): { ok: true; file: string } | { ok: false; missing: true } | { ok: false; outside: string } {
  const realRoot = realpathSync(root);
  const lexical = path.resolve(base, rel);
  if (!isInside(path.resolve(root), lexical) && !isInside(realRoot, lexical))
    return { ok: false, outside: lexical };
  let real: string;
  try {
    real = realpathSync(lexical);
  } catch {
    return { ok: false, missing: true };
  }
  return isInside(realRoot, real) ? { ok: true, file: real } : { ok: false, outside: real };
}

/** Reads and checks `<root>/tenderkit.yaml`; every problem is thrown together, located. */
export function openWorkspace(rootDir: string): Workspace {
  const root = path.resolve(rootDir);
  const settingsFile = path.join(root, WORKSPACE_FILE);
  const shown = shownPath(settingsFile);
  const y = readYamlFile(settingsFile, shown);
  if (!y.ok) throw new TenderKitError(y.diagnostics);
  const src = y.value;
  const r = workspaceSettingsSchema().safeParse(src.data ?? {});
  if (!r.success)
    throw new TenderKitError(
      zodIssuesToDiagnostics(r.error.issues, workspaceSettingsSchema(), src).map(asSettingProblem),
    );
  const settings = r.data;
  const problems: Diagnostic[] = [];
  const at = (key: string) => ({ location: src.locate([key]), path: key });

  const libRel = settings.library ?? LIBRARY_DIR;
  let libraryRoot = path.join(root, libRel);
  const lib = resolveInside(root, root, libRel);
  if (!lib.ok)
    problems.push(
      diagnostic(
        'WorkspaceInvalid',
        'missing' in lib
          ? `找不到条款库文件夹“${libRel}”（应在 ${root} 中，内有 clauses/ 和 templates/）`
          : `条款库文件夹“${libRel}”在工作区之外（实际位于“${lib.outside}”）`,
        at('library'),
      ),
    );
  else {
    libraryRoot = lib.file;
    for (const sub of ['clauses', 'templates'])
      if (!isDir(path.join(libraryRoot, sub)))
        problems.push(
          diagnostic(
            'WorkspaceInvalid',
            `条款库文件夹“${libRel}”中没有 ${sub}/ 文件夹`,
            settings.library ? at('library') : { location: { file: shown } },
          ),
        );
      else problems.push(...linksOutside(root, path.join(libraryRoot, sub)));
  }

  let companyFile: string | undefined;
  if (settings.company !== undefined) {
    const c = resolveInside(root, root, settings.company);
    if (c.ok) companyFile = c.file;
    else
      problems.push(
        diagnostic(
          'CompanyFileInvalid',
          'missing' in c
            ? `找不到公司资料文件“${settings.company}”（相对于 ${root}）`
            : `公司资料文件“${settings.company}”在工作区之外（实际位于“${c.outside}”）`,
          at('company'),
        ),
      );
  }

  let style: HouseStyle | undefined;
  if (settings.style !== undefined) {
    try {
      style = resolveHouseStyle(settings.style, root, (p) => src.locate(p));
    } catch (e) {
      if (!(e instanceof TenderKitError)) throw e;
      problems.push(...e.diagnostics);
    }
  }
  if (problems.length) throw new TenderKitError(problems);
  return {
    root,
    settingsFile,
    libraryRoot,
    settings,
    settingsSha256: src.sha256,
    ...(companyFile ? { companyFile } : {}),
    ...(style ? { style } : {}),
    source: src,
  };
}

/** Clause and template files that are symbolic links to outside the workspace (as style files are refused). */
function linksOutside(root: string, dir: string): Diagnostic[] {
  const out: Diagnostic[] = [];
  for (const name of readdirSync(dir).filter((n) => n.endsWith('.yaml'))) {
    const file = path.join(dir, name);
    if (!lstatSync(file).isSymbolicLink()) continue;
    const r = resolveInside(root, dir, name);
    if (!r.ok && 'outside' in r)
      out.push(
        diagnostic(
          'WorkspaceInvalid',
          `“${shownPath(file)}”是指向工作区之外的链接（实际位于“${r.outside}”）：条款库只能使用工作区内的文件`,
          { location: { file: shownPath(file) } },
        ),
      );
  }
  return out;
}

function isDir(p: string): boolean {
  try {
    return statSync(p).isDirectory();
  } catch {
    return false;
  }
}

/** Schema problems in tenderkit.yaml keep their precise names but say which file they are about. */
function asSettingProblem(d: Diagnostic): Diagnostic {
  return d.name === 'UnknownField' || d.name === 'MissingField' || d.name === 'InvalidType'
    ? d
    : { ...d, name: d.name === 'InvalidValue' ? 'WorkspaceInvalid' : d.name };
}

export interface WorkspaceChoice {
  /** `--workspace DIR`: this folder must hold tenderkit.yaml. */
  readonly workspace?: string;
  /** The bid file (or folder) to search upwards from; the current folder when absent. */
  readonly from?: string;
}

/**
 * The workspace a command works in: the one `--workspace` names (a folder without tenderkit.yaml is
 * a usage error), else the nearest above `from` (or the current folder), else none.
 */
export function discoverWorkspace(
  choice: WorkspaceChoice,
  command?: string,
): Workspace | undefined {
  if (choice.workspace !== undefined) {
    const dir = path.resolve(choice.workspace);
    if (!isDir(dir))
      throw new UsageError(`--workspace 指定的文件夹“${choice.workspace}”不存在`, command);
    if (!existsSync(path.join(dir, WORKSPACE_FILE)))
      throw new UsageError(
        `--workspace 指定的文件夹“${choice.workspace}”中没有 ${WORKSPACE_FILE}，它不是 TenderKit 工作区（新建工作区请运行 tenderkit init ${choice.workspace}）`,
        command,
      );
    return openWorkspace(dir);
  }
  const root = findWorkspaceRoot(choice.from ?? process.cwd());
  return root ? openWorkspace(root) : undefined;
}

/** The workspace's own library, or the built-in one without a workspace. */
export function workspaceLibrary(ws: Workspace | undefined): Library {
  return ws ? loadLibrary(ws.libraryRoot) : defaultLibrary();
}
