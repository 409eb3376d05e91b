// Finds the company workspace a command works in: the folder holding `tenderkit.yaml`, found by
// walking up from the bid file (or the current folder), or named with `--workspace DIR`.
import { existsSync, statSync } from 'node:fs';
import path from 'node:path';
import { PACKAGE_ROOT } from '../library/library.js';

export const WORKSPACE_FILE = 'tenderkit.yaml';

export interface Workspace {
  /** Absolute path of the folder holding tenderkit.yaml. */
  readonly root: string;
  /** Absolute path of tenderkit.yaml. */
  readonly settingsFile: string;
  /** The folder holding `clauses/` and `templates/` (`<root>/library`). */
  readonly libraryRoot: string;
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
