// Who may do what: every route of the web app × every role, in one table. The sign-in gate
// (auth.ts) looks each request up here before any handler runs; a route that is not in the table
// is not served to anyone signed in (404), and a test checks that the app registers no route the
// table lacks. Matching follows Express: case-insensitive, an optional trailing slash, parameters
// match one path segment, the first matching row wins (so literal paths come before parameters).
import type { AuditEventName } from '../audit/log.js';
import type { Role } from './users.js';

/**
 * - `all`: allowed.
 * - `own`: allowed on bids the user owns (the route's `:id`, or the body's `_id` for previews);
 *   any other bid — someone else's, one without owner, one that does not exist — gets 403.
 */
export type Access = 'all' | 'own';

export interface RouteRule {
  readonly method: 'GET' | 'POST';
  /** The Express path, exactly as app.ts registers it. */
  readonly path: string;
  /** Served before sign-in (the sign-in pages themselves). */
  readonly public?: true;
  readonly roles?: Partial<Readonly<Record<Role, Access>>>;
  /** Changes the bid: refused (409) once the bid is finalised. */
  readonly writes?: true;
  /** Written to the audit log when the answer is a success (for routes that write no bid file). */
  readonly audit?: AuditEventName;
  /** What the table says in words (the README's table is made from these). */
  readonly what: string;
}

const READ_BIDS = { sales: 'own', manager: 'all', legal: 'all' } as const;
const EDIT_BIDS = { sales: 'own', manager: 'all' } as const;
const CLAUSES = { sales: 'all', manager: 'all', legal: 'all' } as const;
const CLAUSE_EDIT = { legal: 'all' } as const;

export const ROUTES: readonly RouteRule[] = [
  { method: 'GET', path: '/signin', public: true, what: '登录页' },
  { method: 'POST', path: '/signin', public: true, what: '用户名和密码登录' },
  { method: 'GET', path: '/signin/oidc', public: true, what: '单点登录：转到身份提供方' },
  { method: 'GET', path: '/signin/oidc/callback', public: true, what: '单点登录：返回' },
  { method: 'POST', path: '/signout', public: true, what: '退出登录' },
  { method: 'GET', path: '/favicon.ico', public: true, what: '网站图标' },
  {
    method: 'GET',
    path: '/account/password',
    roles: { sales: 'all', manager: 'all', legal: 'all', admin: 'all' },
    what: '修改密码页（本地账户改自己的密码）',
  },
  {
    method: 'POST',
    path: '/account/password',
    roles: { sales: 'all', manager: 'all', legal: 'all', admin: 'all' },
    what: '修改自己的密码（先验证当前密码）',
  },
  {
    method: 'GET',
    path: '/',
    roles: { sales: 'all', manager: 'all', legal: 'all', admin: 'all' },
    what: '首页（转到各角色的起始页）',
  },
  {
    method: 'GET',
    path: '/bids',
    roles: { sales: 'all', manager: 'all', legal: 'all' },
    what: '投标列表（销售只看到自己的）',
  },
  { method: 'POST', path: '/bids/new', roles: { sales: 'all', manager: 'all' }, what: '新建投标' },
  {
    method: 'GET',
    path: '/bids/:id/history',
    roles: READ_BIDS,
    what: '历史版本列表',
  },
  {
    method: 'GET',
    path: '/bids/:id/history/:version',
    roles: READ_BIDS,
    what: '查看历史版本',
  },
  {
    method: 'POST',
    path: '/bids/:id/history/:version/restore',
    roles: EDIT_BIDS,
    writes: true,
    what: '恢复历史版本',
  },
  {
    method: 'GET',
    path: '/bids/:id/download/:doc.:fmt',
    roles: READ_BIDS,
    audit: 'bid.download',
    what: '下载一份文件',
  },
  {
    method: 'GET',
    path: '/bids/:id/download.zip',
    roles: READ_BIDS,
    audit: 'bid.download',
    what: '下载全部文件（zip）',
  },
  {
    method: 'POST',
    path: '/bids/:id/duplicate',
    roles: EDIT_BIDS,
    what: '复制为新投标',
  },
  {
    method: 'GET',
    path: '/bids/:id/delete',
    roles: EDIT_BIDS,
    writes: true,
    what: '删除前的确认页',
  },
  {
    method: 'POST',
    path: '/bids/:id/delete',
    roles: EDIT_BIDS,
    writes: true,
    what: '删除（移入回收站）',
  },
  {
    method: 'POST',
    path: '/bids/:id/finalise',
    roles: { manager: 'all' },
    writes: true,
    what: '定稿（此后只读）',
  },
  {
    method: 'POST',
    path: '/bids/:id/submit',
    roles: EDIT_BIDS,
    writes: true,
    what: '提交审核（草稿 → 待审核）',
  },
  {
    method: 'POST',
    path: '/bids/:id/return',
    roles: { manager: 'all' },
    writes: true,
    what: '退回修改（待审核 → 草稿，附意见）',
  },
  { method: 'GET', path: '/bids/:id', roles: READ_BIDS, what: '打开投标表单' },
  {
    method: 'POST',
    path: '/bids/:id',
    roles: EDIT_BIDS,
    writes: true,
    what: '保存投标、增删行',
  },
  {
    method: 'POST',
    path: '/api/preview',
    roles: READ_BIDS,
    what: '表单的实时检查与预览（带 _id 时按该投标的权限）',
  },
  { method: 'GET', path: '/trash', roles: { manager: 'all' }, what: '回收站' },
  {
    method: 'POST',
    path: '/trash/:entry/restore',
    roles: { manager: 'all' },
    what: '从回收站恢复',
  },
  { method: 'GET', path: '/clauses', roles: CLAUSES, what: '条款库（只读）' },
  { method: 'GET', path: '/clauses/:id/diff', roles: CLAUSES, what: '条款版本对照' },
  {
    method: 'GET',
    path: '/clauses/:id/propose',
    roles: CLAUSE_EDIT,
    what: '提出条款新版本（编辑正文）',
  },
  {
    method: 'POST',
    path: '/clauses/:id/propose',
    roles: CLAUSE_EDIT,
    what: '保存条款新版本（草稿，先做语法检查）',
  },
  {
    method: 'GET',
    path: '/clauses/:id/versions/:n/review',
    roles: CLAUSES,
    what: '审阅条款版本：修订对照与按投标预览',
  },
  {
    method: 'GET',
    path: '/clauses/:id/versions/:n/redline.docx',
    roles: CLAUSES,
    what: '下载条款修订对照（.docx）',
  },
  {
    method: 'POST',
    path: '/clauses/:id/versions/:n/approve',
    roles: CLAUSE_EDIT,
    what: '批准条款版本（批准人不能是作者）',
  },
  {
    method: 'POST',
    path: '/clauses/:id/versions/:n/reject',
    roles: CLAUSE_EDIT,
    what: '退回条款草稿',
  },
  {
    method: 'POST',
    path: '/clauses/:id/versions/:n/retire',
    roles: CLAUSE_EDIT,
    what: '停用条款版本',
  },
  {
    method: 'POST',
    path: '/api/clauses/:id/versions',
    roles: CLAUSE_EDIT,
    what: '接口：提出条款新版本',
  },
  {
    method: 'POST',
    path: '/api/clauses/:id/versions/:n/approve',
    roles: CLAUSE_EDIT,
    what: '接口：批准条款版本',
  },
  {
    method: 'POST',
    path: '/api/clauses/:id/versions/:n/reject',
    roles: CLAUSE_EDIT,
    what: '接口：退回条款草稿',
  },
  {
    method: 'POST',
    path: '/api/clauses/:id/versions/:n/retire',
    roles: CLAUSE_EDIT,
    what: '接口：停用条款版本',
  },
  { method: 'GET', path: '/clauses/:id', roles: CLAUSES, what: '条款详情' },
  { method: 'GET', path: '/admin/audit', roles: { admin: 'all' }, what: '审计日志' },
  { method: 'GET', path: '/admin/users', roles: { admin: 'all' }, what: '账户列表' },
  {
    method: 'POST',
    path: '/admin/users/:name/disable',
    roles: { admin: 'all' },
    what: '停用账户',
  },
  {
    method: 'POST',
    path: '/admin/users/:name/enable',
    roles: { admin: 'all' },
    what: '启用账户（并解除锁定）',
  },
];

export interface Match {
  readonly rule: RouteRule;
  readonly params: Readonly<Record<string, string>>;
}

const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

function compile(p: string): { re: RegExp; names: string[] } {
  const names: string[] = [];
  const src = p
    .split('/')
    .map((seg) =>
      seg
        .split(/(:[A-Za-z_][A-Za-z0-9_]*)/)
        .map((part) => {
          if (part.startsWith(':')) {
            names.push(part.slice(1));
            return '([^/]+?)';
          }
          return escape(part);
        })
        .join(''),
    )
    .join('/');
  return { re: new RegExp(`^${src === '/' ? '' : src}/?$`, 'i'), names };
}

const compiled = ROUTES.map((rule) => ({ rule, ...compile(rule.path) }));

/** The row for a request (HEAD is looked up as GET), with its decoded parameters. */
export function matchRoute(method: string, pathname: string): Match | undefined {
  const m = method === 'HEAD' ? 'GET' : method;
  for (const c of compiled) {
    if (c.rule.method !== m) continue;
    const hit = c.re.exec(pathname);
    if (!hit) continue;
    const params: Record<string, string> = {};
    try {
      c.names.forEach((n, i) => (params[n] = decodeURIComponent(hit[i + 1]!)));
    } catch {
      return undefined; // a malformed escape: Express answers 400, nothing to allow
    }
    return { rule: c.rule, params };
  }
  return undefined;
}

/** What `roles` may do on a route: the most any of them may. */
export function accessOf(rule: RouteRule, roles: readonly Role[]): Access | undefined {
  let best: Access | undefined;
  for (const r of roles) {
    const a = rule.roles?.[r];
    if (a === 'all') return 'all';
    if (a === 'own') best = 'own';
  }
  return best;
}
