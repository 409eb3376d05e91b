// The single sign-on settings in the workspace's tenderkit.yaml (`auth.oidc`): which OpenID
// provider, which client, and how a claim maps to TenderKit's roles.
import { z } from 'zod';

const names = (label: string) =>
  z
    .array(z.string().min(1).max(200))
    .max(100)
    .optional()
    .meta({ label, help: '身份提供方声明中的取值（例如用户组名），有其中任一个的用户获得该角色' });

const buildOidcSettingsSchema = () =>
  z
    .strictObject({
      issuer: z
        .url({
          protocol: /^https?$/,
          message: '应为身份提供方的地址（Issuer），如 https://sso.example.com/realms/staff',
        })
        .meta({
          label: '身份提供方',
          help: 'OpenID Connect 的 Issuer 地址；必须是 https（仅本机地址可用 http，供测试）',
        }),
      clientId: z
        .string()
        .min(1)
        .max(200)
        .meta({ label: '客户端编号', help: '在身份提供方登记的 client_id' }),
      clientSecret: z.string().min(1).max(500).optional().meta({
        label: '客户端密钥',
        help: '机密客户端的 client_secret。建议不写在此文件中，而是通过环境变量 TENDERKIT_OIDC_CLIENT_SECRET 提供；都不给时按公开客户端（仅 PKCE）登录',
      }),
      redirectUri: z
        .url({ protocol: /^https?$/ })
        .optional()
        .meta({
          label: '回调地址',
          help: '在身份提供方登记的回调地址，以 /signin/oidc/callback 结尾；不写时按访问地址推出（在反向代理之后请写明）',
        }),
      scopes: z
        .string()
        .regex(/^[\x21\x23-\x5b\x5d-\x7e]+( [\x21\x23-\x5b\x5d-\x7e]+)*$/)
        .optional()
        .meta({
          label: '申请的范围',
          help: '以空格分隔，默认 openid profile email；必须含 openid',
        }),
      roleClaim: z
        .string()
        .regex(/^[A-Za-z0-9_:/-]+(\.[A-Za-z0-9_:/-]+)*$/)
        .meta({
          label: '角色声明',
          help: '从哪个声明读取用户的组或角色，如 groups；嵌套的写成 realm_access.roles',
        }),
      nameClaim: z
        .string()
        .regex(/^[A-Za-z0-9_:/-]+$/)
        .optional()
        .meta({
          label: '用户名声明',
          help: '默认 preferred_username（没有时用 email，再没有时用 sub）',
        }),
      roles: z
        .strictObject({
          sales: names('销售'),
          manager: names('投标经理'),
          legal: names('法务'),
          admin: names('系统管理员'),
        })
        .meta({ label: '角色对应', help: '每个 TenderKit 角色对应的声明取值' }),
    })
    .superRefine((s, ctx) => {
      if (s.scopes && !s.scopes.split(' ').includes('openid'))
        ctx.addIssue({ code: 'custom', path: ['scopes'], message: '必须包含 openid' });
      if (!Object.values(s.roles).some((v) => v && v.length))
        ctx.addIssue({
          code: 'custom',
          path: ['roles'],
          message: '至少要为一个角色写出对应的取值',
        });
    })
    .meta({ label: '单点登录（OpenID Connect）' });

const buildAuthSettingsSchema = () =>
  z
    .strictObject({ oidc: buildOidcSettingsSchema().optional() })
    .meta({ label: '登录设置', help: '网页版的单点登录；本地账户用 tenderkit users 管理' });

let authSettings: ReturnType<typeof buildAuthSettingsSchema> | undefined;

/**
 * The schema of `auth:` in tenderkit.yaml, built on first use (a command run outside a workspace
 * never builds it).
 */
export function authSettingsSchema(): ReturnType<typeof buildAuthSettingsSchema> {
  return (authSettings ??= buildAuthSettingsSchema());
}

export type OidcSettings = z.output<ReturnType<typeof buildOidcSettingsSchema>>;
