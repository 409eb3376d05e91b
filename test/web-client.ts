// The one HTTP client of the web app's tests (forms, JSON, sign-in): plain node:http (so headers
// are exactly those given and a local address can be chosen, to act as several clients), with a
// cookie jar (CSRF and session cookies) and the form token of the last HTML page.
import http from 'node:http';

export interface Reply {
  readonly status: number;
  readonly headers: http.IncomingHttpHeaders;
  readonly body: Buffer;
  readonly text: string;
  readonly ms: number;
  /** The raw Set-Cookie headers of this answer. */
  readonly setCookies: string[];
}

export type Fields = Record<string, string | string[]> | [string, string][];

export class WebClient {
  /** The cookie jar: name → value, as the server last set them (an expired cookie is removed). */
  readonly cookies = new Map<string, string>();
  token = '';

  constructor(
    readonly base: string,
    /** A loopback address of its own (127.0.0.x), so the server sees a different client. */
    readonly localAddress?: string,
  ) {}

  /** The Cookie header the client sends (`name=value; …`); setting it replaces the whole jar. */
  get cookie(): string {
    return [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
  }

  set cookie(header: string) {
    this.cookies.clear();
    for (const pair of header.split(';')) {
      const i = pair.indexOf('=');
      if (i > 0) this.cookies.set(pair.slice(0, i).trim(), pair.slice(i + 1).trim());
    }
  }

  /** The session cookie's value, when signed in. */
  get session(): string | undefined {
    return this.cookies.get('tk_session');
  }

  request(
    method: string,
    path: string,
    opts: { body?: string | Buffer; headers?: Record<string, string> } = {},
  ): Promise<Reply> {
    const url = new URL(path, this.base);
    const started = performance.now();
    const cookie = this.cookie;
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
              body,
              text,
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

  /** A form POST with the client's token (unless `_csrf` is given or `token: null`). */
  post(
    path: string,
    fields: Fields = {},
    opts: { headers?: Record<string, string>; token?: string | null } = {},
  ): Promise<Reply> {
    const body = new URLSearchParams();
    const pairs = Array.isArray(fields)
      ? fields
      : Object.entries(fields).flatMap(([k, v]) =>
          [v].flat().map((x) => [k, x] as [string, string]),
        );
    for (const [k, v] of pairs) body.append(k, v);
    if (opts.token !== null && !body.has('_csrf')) body.set('_csrf', opts.token ?? this.token);
    return this.request('POST', path, {
      body: body.toString(),
      headers: { 'content-type': 'application/x-www-form-urlencoded', ...opts.headers },
    });
  }

  /** A JSON POST (the live preview's other format) with the token in its header. */
  postJson(path: string, value: unknown, headers: Record<string, string> = {}): Promise<Reply> {
    return this.request('POST', path, {
      body: typeof value === 'string' ? value : JSON.stringify(value),
      headers: { 'content-type': 'application/json', 'x-csrf-token': this.token, ...headers },
    });
  }

  /** Opens the sign-in page (for the form token) and signs in. */
  async signIn(name: string, password: string, next?: string): Promise<Reply> {
    await this.get('/signin');
    return this.post('/signin', { name, password, ...(next ? { next } : {}) });
  }
}

const dec = (s: string) =>
  s
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&');

/**
 * The fields of the bid form (`<form … id="bid">`) as a browser submits them, in document order
 * (as FormData gives them): inputs (checked boxes and radios only; not submit, button, reset, image
 * or file inputs), textareas and selects, each unless disabled or owned by another form (`form=`);
 * a select gives its last option marked `selected` (attributes in any order), else its first
 * option that is not disabled. Row templates are inert, so their fields are not submitted; the
 * token and the pressed button are left to the caller.
 */
export function formFields(html: string): [string, string][] {
  const start = html.indexOf('<form method="post" action="/bids/');
  if (start < 0) return [];
  const formId = /\bid="([^"]+)"/.exec(html.slice(start, html.indexOf('>', start)))?.[1];
  let form = html.slice(start, html.indexOf('</form>', start));
  // Row templates nest (a tier's template holds its milestones' template): strip innermost first.
  for (let prev = ''; prev !== form;) {
    prev = form;
    form = form.replace(/<template[^>]*>(?:(?!<template)[\s\S])*?<\/template>/g, '');
  }
  const attr = (a: string, name: string) => new RegExp(`(?:^|\\s)${name}="([^"]*)"`).exec(a)?.[1];
  const flag = (a: string, name: string) =>
    new RegExp(`(?:^|\\s)${name}(?:=""|(?=[\\s/>]|$))`).test(a);
  const mine = (a: string) => {
    const owner = attr(a, 'form');
    return owner === undefined || owner === formId;
  };
  const out: [string, string][] = [];
  for (const m of form.matchAll(
    /<input\b([^>]*)>|<textarea\b([^>]*)>([\s\S]*?)<\/textarea>|<select\b([^>]*)>([\s\S]*?)<\/select>/g,
  )) {
    const a = m[1] ?? m[2] ?? m[4]!;
    const name = attr(a, 'name');
    if (!name || name === '_csrf' || flag(a, 'disabled') || !mine(a)) continue;
    if (m[1] !== undefined) {
      const type = (attr(a, 'type') ?? 'text').toLowerCase();
      if (['submit', 'button', 'reset', 'image', 'file'].includes(type)) continue;
      const checkable = type === 'checkbox' || type === 'radio';
      if (checkable && !flag(a, 'checked')) continue;
      out.push([dec(name), dec(attr(a, 'value') ?? (checkable ? 'on' : ''))]);
    } else if (m[2] !== undefined) {
      // As in a browser, one newline right after <textarea> is not part of the value.
      out.push([dec(name), dec(m[3]!.replace(/^\r?\n/, ''))]);
    } else {
      const options = [...m[5]!.matchAll(/<option\b([^>]*)>/g)].map((o) => o[1]!);
      const chosen =
        options.filter((o) => flag(o, 'selected')).pop() ??
        options.find((o) => !flag(o, 'disabled'));
      if (chosen !== undefined) out.push([dec(name), dec(attr(chosen, 'value') ?? '')]);
    }
  }
  return out;
}

/** Form fields as a POST body, with some values replaced (a key mapped to undefined is left out). */
export function bodyOf(
  fields: [string, string][],
  edits: Record<string, string | undefined> = {},
): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const [k, v] of fields) {
    if (k in edits && edits[k] === undefined) continue;
    (out[k] ??= []).push(k in edits ? edits[k]! : v);
  }
  for (const [k, v] of Object.entries(edits))
    if (v !== undefined && !fields.some(([f]) => f === k)) out[k] = [v];
  return out;
}

/** `fields` with the values of `edits` replacing (or adding) those named. */
export function withEdits(
  fields: [string, string][],
  edits: Record<string, string>,
): [string, string][] {
  const out = fields.filter(([k]) => !(k in edits));
  for (const [k, v] of Object.entries(edits)) out.push([k, v]);
  return out;
}
