import { CookieJar } from 'tough-cookie';

export interface ClientResponse<T = unknown> {
  readonly status: number;
  readonly headers: Headers;
  readonly body: T;
  readonly text: string;
  readonly setCookies: string[];
}

export interface RequestOptions {
  json?: unknown;
  body?: string | URLSearchParams;
  headers?: Record<string, string>;
}

/**
 * The frontend's view of the API: fetch with a browser-like cookie jar (tough-cookie), so
 * cookies behave as the browser would see them through the proxy.
 */
export class ApiClient {
  readonly jar = new CookieJar();

  constructor(readonly baseUrl: string) {}

  async request<T = any>(method: string, path: string, options: RequestOptions = {}): Promise<ClientResponse<T>> { // eslint-disable-line @typescript-eslint/no-explicit-any
    const url = new URL(path, this.baseUrl).toString();
    const headers: Record<string, string> = { accept: 'application/json', ...options.headers };
    let body: string | undefined;
    if (options.json !== undefined) {
      headers['content-type'] ??= 'application/json';
      body = JSON.stringify(options.json);
    } else if (options.body instanceof URLSearchParams) {
      headers['content-type'] ??= 'application/x-www-form-urlencoded';
      body = options.body.toString();
    } else if (options.body !== undefined) {
      body = options.body;
    }
    const cookie = await this.jar.getCookieString(url);
    if (cookie) headers.cookie = cookie;
    const res = await fetch(url, { method, headers, body, redirect: 'manual' });
    const setCookies = res.headers.getSetCookie();
    for (const sc of setCookies) await this.jar.setCookie(sc, url, { ignoreError: true });
    const text = await res.text();
    let parsed: unknown = text;
    if ((res.headers.get('content-type') ?? '').includes('json') && text) {
      try { parsed = JSON.parse(text); } catch { parsed = text; }
    }
    return { status: res.status, headers: res.headers, body: parsed as T, text, setCookies };
  }

  get<T = any>(path: string, o?: RequestOptions) { return this.request<T>('GET', path, o); } // eslint-disable-line @typescript-eslint/no-explicit-any
  post<T = any>(path: string, json?: unknown, o?: RequestOptions) { return this.request<T>('POST', path, { ...o, json }); } // eslint-disable-line @typescript-eslint/no-explicit-any
  put<T = any>(path: string, json?: unknown, o?: RequestOptions) { return this.request<T>('PUT', path, { ...o, json }); } // eslint-disable-line @typescript-eslint/no-explicit-any
  delete<T = any>(path: string, o?: RequestOptions) { return this.request<T>('DELETE', path, o); } // eslint-disable-line @typescript-eslint/no-explicit-any

  async cookie(name: string): Promise<string | undefined> {
    const cookies = await this.jar.getCookies(this.baseUrl);
    return cookies.find((c) => c.key === name)?.value;
  }

  async login(username: string, password: string) {
    return this.post('/auth/login', { username, password });
  }
}
