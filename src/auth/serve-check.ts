// Before `tenderkit serve` listens: a server other machines can reach (a non-loopback --host, or
// --trust-proxy behind a reverse proxy) must have sign-in — accounts in the data folder or single
// sign-on in the workspace — or it does not start (exit 2). On a loopback host without either, the
// app runs as a single-user tool, as before accounts existed.
import { UsageError } from '../cli/usage.js';
import { hasAccounts } from './users.js';

/** True for an address only this machine can reach (127.0.0.0/8, ::1, localhost). */
export function isLoopback(host: string): boolean {
  const h = host.replace(/^\[|\]$/g, '').toLowerCase();
  return (
    h === 'localhost' ||
    h === '::1' ||
    /^127(?:\.\d{1,3}){3}$/.test(h) ||
    /^::ffff:127(?:\.\d{1,3}){3}$/.test(h)
  );
}

/**
 * Whether sign-in is required, or a UsageError when the server would be reachable from other
 * machines with no way to sign in.
 */
export function checkServeAccess(opts: {
  readonly host: string;
  readonly trustProxy: boolean;
  readonly dataDir: string;
  readonly sso: boolean;
}): { required: boolean } {
  const exposed = !isLoopback(opts.host) || opts.trustProxy;
  if (!exposed) return { required: false };
  if (opts.sso || hasAccounts(opts.dataDir)) return { required: true };
  const why = opts.trustProxy
    ? '在反向代理之后运行（--trust-proxy）时，其他电脑可以通过代理访问'
    : `监听地址 ${opts.host} 不是本机地址，同一网络中的其他电脑都可以访问`;
  throw new UsageError(
    `${why}，必须先创建账户：tenderkit users add <用户名> --role admin --data ${opts.dataDir}（或在工作区设置中配置单点登录 auth.oidc）；数据目录 ${opts.dataDir} 中还没有任何账户，服务未启动`,
    'serve',
  );
}
