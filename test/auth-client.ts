// An HTTP client for the sign-in tests: plain node:http with a cookie jar (session and CSRF
// cookies), the form token of the last page, and a local address of its own when asked (the
// server then sees another client).
import http from 'node:http';

export interface Reply {
  readonly status: number;
  readonly headers: http.IncomingHttpHeaders;
  readonly text: string;
  readonly body: Buffer;
  readonly ms: number;
  /** The raw Set-Cookie headers of this answer. */
  readonly setCookies: string[];
}

export class AuthClient {
  readonly cookies = new Map<string, string>();
  token = '';

  constructor(
    readonly base: string,
    readonly localAddress?: string,
  ) {}

  request(
    method: string,
    path: string,
    opts: { body?: string; headers?: Record<string, string> } = {},
  ): Promise<Reply> {
    const url = new URL(path, this.base);
    const started = performance.now();
    const cookie = [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
    return new Promise((resolve, reject) => {
      const req = http.request(
        {
          host: url.hostname,
          port: url.port,
          path: `${url.pathname}${url.search}`,
          method,
          localAddress: this.localAddress,
          agent: false,
          headers: {
            ...(cookie ? { cookie } : {}),
            ...(opts.body !== undefined ? { 'content-length': Buffer.byteLength(opts.body) } : {}),
            ...opts.headers,
          },
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => {
            const body = Buffer.concat(chunks);
            const setCookies = res.headers['set-cookie'] ?? [];
            for (const c of setCookies) {
              const [pair = '', ...attrs] = c.split(';');
              const i = pair.indexOf('=');
              const name = pair.slice(0, i).trim();
              const value = pair.slice(i + 1).trim();
              const gone = attrs.some((a) => /^\s*expires=thu, 01 jan 1970/i.test(a));
              if (!value || gone) this.cookies.delete(name);
              else this.cookies.set(name, value);
            }
            const text = body.toString('utf8');
            const t = /name="_csrf" value="([^"]+)"/.exec(text);
            if (t && /html/.test(String(res.headers['content-type']))) this.token = t[1]!;
            resolve({
              status: res.statusCode ?? 0,
              headers: res.headers,
              text,
              body,
              ms: performance.now() - started,
              setCookies,
            });
          });
          res.on('error', reject);
        },
      );
      req.on('error', reject);
      if (opts.body !== undefined) req.write(opts.body);
      req.end();
    });
  }

  get(path: string, headers: Record<string, string> = {}): Promise<Reply> {
    return this.request('GET', path, { headers });
  }

  post(
    path: string,
    fields: Record<string, string | string[]> | [string, string][] = {},
    headers: Record<string, string> = {},
  ): Promise<Reply> {
    const body = new URLSearchParams();
    const pairs = Array.isArray(fields)
      ? fields
      : Object.entries(fields).flatMap(([k, v]) =>
          [v].flat().map((x) => [k, x] as [string, string]),
        );
    for (const [k, v] of pairs) body.append(k, v);
    if (!body.has('_csrf')) body.set('_csrf', this.token);
    return this.request('POST', path, {
      body: body.toString(),
      headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
    });
  }

  postJson(path: string, value: unknown): Promise<Reply> {
    return this.request('POST', path, {
      body: JSON.stringify(value),
      headers: { 'content-type': 'application/json', 'x-csrf-token': this.token },
    });
  }

  /** Opens the sign-in page (for the form token) and signs in. */
  async signIn(name: string, password: string, next?: string): Promise<Reply> {
    await this.get('/signin');
    return this.post('/signin', { name, password, ...(next ? { next } : {}) });
  }

  get session(): string | undefined {
    return this.cookies.get('tk_session');
  }
}
