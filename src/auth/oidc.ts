// Single sign-on with OpenID Connect: authorization code flow with PKCE (S256), state and nonce,
// through openid-client 6. The provider's metadata is discovered on first use (and again after a
// failure). Roles come from one claim (`roleClaim`, from the ID token or the userinfo answer),
// mapped by the workspace settings; a user none of whose values maps to a role is refused.
import { randomBytes } from 'node:crypto';
import * as client from 'openid-client';
import type { OidcSettings } from './oidc-settings.js';
import { ROLES, type Role } from './users.js';

export interface Pending {
  readonly state: string;
  readonly nonce: string;
  readonly verifier: string;
  readonly redirectUri: string;
  /** Where to go after signing in (a path on this server). */
  readonly next: string;
  readonly created: number;
}

export interface OidcIdentity {
  /** `sso:<name>`: the user's id in TenderKit (ownership, audit). */
  readonly id: string;
  readonly display: string;
  readonly subject: string;
  readonly roles: Role[];
}

export class OidcRefused extends Error {
  constructor(readonly userMessage: string) {
    super(userMessage);
  }
}

const LOOPBACK = new Set(['127.0.0.1', '::1', '[::1]', 'localhost']);
const PENDING_MS = 10 * 60_000;
const MAX_PENDING = 1000;
export const OIDC_COOKIE = 'tk_oidc';

/** The value at a dotted claim path (`realm_access.roles`), own properties only. */
function claimAt(claims: Record<string, unknown>, p: string): unknown {
  let cur: unknown = claims;
  for (const k of p.split('.')) {
    if (cur === null || typeof cur !== 'object' || !Object.prototype.hasOwnProperty.call(cur, k))
      return undefined;
    cur = (cur as Record<string, unknown>)[k];
  }
  return cur;
}

/** The roles a claim value gives (a string or a list of strings). */
export function rolesFor(settings: OidcSettings, value: unknown): Role[] {
  const values = (Array.isArray(value) ? value : [value]).filter(
    (v): v is string => typeof v === 'string',
  );
  return ROLES.filter((r) => settings.roles[r]?.some((x) => values.includes(x)));
}

export class OidcLogin {
  private config: Promise<client.Configuration> | undefined;
  private readonly pending = new Map<string, Pending>();

  constructor(
    readonly settings: OidcSettings,
    private readonly clientSecret: string | undefined,
    private readonly now: () => number = Date.now,
  ) {}

  private configuration(): Promise<client.Configuration> {
    const issuer = new URL(this.settings.issuer);
    const insecure = issuer.protocol === 'http:';
    if (insecure && !LOOPBACK.has(issuer.hostname))
      return Promise.reject(new Error('OpenID provider must use https'));
    this.config ??= client
      .discovery(
        issuer,
        this.settings.clientId,
        this.clientSecret,
        this.clientSecret ? client.ClientSecretBasic(this.clientSecret) : client.None(),
        { ...(insecure ? { execute: [client.allowInsecureRequests] } : {}), timeout: 10 },
      )
      .catch((e: unknown) => {
        this.config = undefined; // try discovery again next time
        throw e;
      });
    return this.config;
  }

  /** The provider's authorization URL for a new sign-in, and the key its state is kept under. */
  async start(redirectUri: string, next: string): Promise<{ url: URL; key: string }> {
    const config = await this.configuration();
    const verifier = client.randomPKCECodeVerifier();
    const p: Pending = {
      state: client.randomState(),
      nonce: client.randomNonce(),
      verifier,
      redirectUri,
      next,
      created: this.now(),
    };
    const url = client.buildAuthorizationUrl(config, {
      redirect_uri: redirectUri,
      scope: this.settings.scopes ?? 'openid profile email',
      code_challenge: await client.calculatePKCECodeChallenge(verifier),
      code_challenge_method: 'S256',
      state: p.state,
      nonce: p.nonce,
    });
    const key = randomBytes(24).toString('base64url');
    for (const [k, v] of this.pending)
      if (this.now() - v.created > PENDING_MS) this.pending.delete(k);
    while (this.pending.size >= MAX_PENDING) {
      const oldest = this.pending.keys().next().value;
      if (oldest === undefined) break;
      this.pending.delete(oldest);
    }
    this.pending.set(key, p);
    return { url, key };
  }

  /** The sign-in a callback belongs to (used once: it is removed). */
  take(key: string | undefined): Pending | undefined {
    if (!key || !/^[A-Za-z0-9_-]{32}$/.test(key)) return undefined;
    const p = this.pending.get(key);
    this.pending.delete(key);
    return p && this.now() - p.created <= PENDING_MS ? p : undefined;
  }

  /**
   * Exchanges the code of the callback at `currentUrl` (checking state, nonce and the PKCE
   * verifier), reads the claims and maps the roles. Throws OidcRefused with a message for people.
   */
  async finish(currentUrl: URL, p: Pending): Promise<OidcIdentity> {
    const config = await this.configuration();
    const tokens = await client.authorizationCodeGrant(config, currentUrl, {
      pkceCodeVerifier: p.verifier,
      expectedState: p.state,
      expectedNonce: p.nonce,
      idTokenExpected: true,
    });
    const idClaims = tokens.claims();
    if (!idClaims) throw new OidcRefused('身份提供方没有返回身份令牌');
    let claims: Record<string, unknown> = { ...idClaims };
    if (
      claimAt(claims, this.settings.roleClaim) === undefined &&
      config.serverMetadata().userinfo_endpoint
    ) {
      const info = await client.fetchUserInfo(config, tokens.access_token, idClaims.sub);
      claims = { ...info, ...idClaims };
    }
    const roles = rolesFor(this.settings, claimAt(claims, this.settings.roleClaim));
    const nameClaim = this.settings.nameClaim;
    const candidates = nameClaim ? [nameClaim] : ['preferred_username', 'email'];
    let name = '';
    for (const c of candidates) {
      const v = claims[c];
      if (typeof v === 'string' && v.trim()) {
        name = v.trim();
        break;
      }
    }
    name = (name || idClaims.sub).slice(0, 100);
    const display =
      typeof claims.name === 'string' && claims.name.trim() ? claims.name.trim() : name;
    if (!roles.length)
      throw new OidcRefused(`账户“${name}”没有分配 TenderKit 的角色，请联系系统管理员`);
    return { id: `sso:${name}`, display: display.slice(0, 60), subject: idClaims.sub, roles };
  }
}
