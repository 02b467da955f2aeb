// The AgentAPI client: JSON over fetch with the signed-in person's bearer
// token. Errors carry the API's message, per-field problems and the body.

export class APIError extends Error {
  // body is the answer's JSON, for members beyond the message (chatId).
  constructor(status, message, problems = [], body = null) {
    super(message);
    this.status = status;
    this.problems = problems;
    this.body = body;
  }
}

export class API {
  // base is AgentAPI's URL; token() returns a fresh ID token; unauthorized()
  // runs when the API refuses the token (the person must sign in again).
  constructor(base, token, unauthorized) {
    this.base = new URL(base.replace(/\/+$/, ''), location.href).href;
    this.token = token;
    this.unauthorized = unauthorized;
  }

  async request(method, path, body, { signal } = {}) {
    const headers = { Authorization: `Bearer ${await this.token()}`, Accept: 'application/json' };
    const init = { method, headers, signal, cache: 'no-store', credentials: 'omit' };
    if (body instanceof FormData) {
      init.body = body;
    } else if (body !== undefined) {
      headers['Content-Type'] = 'application/json';
      init.body = JSON.stringify(body);
    }
    let res;
    try {
      res = await fetch(this.base + path, init);
    } catch (err) {
      if (err.name === 'AbortError') throw err;
      throw new APIError(0, 'Cannot reach the server; check the connection.');
    }
    const text = await res.text();
    let data = null;
    if (text && (res.headers.get('Content-Type') || '').includes('json')) {
      try {
        data = JSON.parse(text);
      } catch {
        data = null;
      }
    }
    if (!res.ok) {
      const msg = (data && data.error) || text.trim() || `${res.status} ${res.statusText}`;
      if (res.status === 401) this.unauthorized(msg);
      throw new APIError(res.status, msg, (data && data.problems) || [], data);
    }
    return data;
  }

  get(path, opts) { return this.request('GET', path, undefined, opts); }
  post(path, body, opts) { return this.request('POST', path, body === undefined ? {} : body, opts); }
  put(path, body, opts) { return this.request('PUT', path, body, opts); }
}

// uuid is a random request id (RFC 4122 version 4).
export function uuid() {
  if (crypto.randomUUID) return crypto.randomUUID();
  const b = crypto.getRandomValues(new Uint8Array(16));
  b[6] = (b[6] & 0x0f) | 0x40;
  b[8] = (b[8] & 0x3f) | 0x80;
  const x = Array.from(b, (v) => v.toString(16).padStart(2, '0')).join('');
  return `${x.slice(0, 8)}-${x.slice(8, 12)}-${x.slice(12, 16)}-${x.slice(16, 20)}-${x.slice(20)}`;
}
