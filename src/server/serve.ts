// Starts the web app: opens the data folder (cleaning leftover temp files), warms the render
// workers, listens, and shuts down cleanly on SIGINT/SIGTERM.
import type { Server } from 'node:http';
import { createApp } from './app.js';
import { TenderKitError } from '../diagnostics/diagnostic.js';
import { libraryAt } from '../library/library.js';
import { readProfile } from '../workspace/merge.js';
import type { Workspace } from '../workspace/workspace.js';
import type { AuthOptions } from '../auth/auth.js';

export interface ServeOptions {
  readonly port: number;
  readonly host: string;
  readonly dataDir: string;
  /** The company workspace (library, house style, default company profile), if any. */
  readonly workspace?: Workspace;
  /** Sign-in: required on a reachable host, behind a proxy, single sign-on (see src/auth). */
  readonly auth?: AuthOptions;
}

/**
 * The workspace's library and company profile, checked before anything starts: an approved clause
 * edited in place (its seal broken), or a company.yaml with mistakes, stops the server with the
 * located problems instead of serving documents made from them.
 */
function checkWorkspace(ws: Workspace): void {
  libraryAt(ws.libraryRoot); // throws every problem of the library together, located
  if (ws.companyFile) {
    const p = readProfile(ws.companyFile, 'workspace');
    if (!p.ok) throw new TenderKitError(p.diagnostics);
  }
}

export async function serve(opts: ServeOptions, log: (s: string) => void): Promise<Server> {
  if (opts.workspace) checkWorkspace(opts.workspace);
  const { app, store, pool } = createApp({
    dataDir: opts.dataDir,
    ...(opts.auth ? { auth: opts.auth } : {}),
    ...(opts.workspace ? { workspace: opts.workspace } : {}),
  });
  await store.open();
  await pool.warmup();
  const server = await new Promise<Server>((resolve, reject) => {
    const s = app.listen(opts.port, opts.host, () => resolve(s));
    s.once('error', reject);
  });
  server.requestTimeout = 60_000;
  server.headersTimeout = 20_000;
  const addr = server.address();
  const port = typeof addr === 'object' && addr ? addr.port : opts.port;
  log(
    `TenderKit 已启动：http://${opts.host === '0.0.0.0' ? 'localhost' : opts.host}:${port}/ （数据目录：${opts.dataDir}${opts.workspace ? `；工作区：${opts.workspace.root}` : ''}）\n`,
  );
  const stop = () => {
    server.close();
    void pool.close();
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  return server;
}
