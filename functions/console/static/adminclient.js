// The AdminAPI client of the admin pages. Every change carries the
// configuration revision the page last loaded or saved (If-Match); a change
// someone else made first makes the server answer 409, and the pages say
// "changed by someone else, reload" instead of overwriting it.
import { APIError } from './api.js';

export class AdminClient {
  // base is AdminAPI's URL; token() returns a fresh ID token; unauthorized()
  // runs when the API refuses the token.
  constructor(base, token, unauthorized) {
    this.base = new URL(base.replace(/\/+$/, ''), location.href).href;
    this.token = token;
    this.unauthorized = unauthorized;
    // revision is the ETag of the configuration the pages show.
    this.revision = '';
  }

  // ifMatch, when given, is the precondition instead of the
  // configuration's revision (a document with its own ETag, such as the
  // CRM connection); the answer's ETag is then left in lastETag only.
  async request(method, path, body, { revision = false, ifMatch = '' } = {}) {
    const headers = { Authorization: `Bearer ${await this.token()}`, Accept: 'application/json' };
    const init = { method, headers, cache: 'no-store', credentials: 'omit' };
    if (body !== undefined) {
      headers['Content-Type'] = 'application/json';
      init.body = JSON.stringify(body);
    }
    const change = method === 'PUT' || method === 'DELETE';
    if (ifMatch) headers['If-Match'] = ifMatch;
    else if (change && this.revision) headers['If-Match'] = this.revision;
    let res;
    try {
      res = await fetch(this.base + path, init);
    } catch {
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
      const err = new APIError(res.status, msg, (data && data.problems) || [], data);
      err.stale = res.status === 409 && change;
      throw err;
    }
    // Only the configuration's own load and this page's saves move the
    // revision: a preview read in between must not make a stale page look
    // current.
    const etag = res.headers.get('ETag');
    this.lastETag = etag || '';
    if (etag && !ifMatch && (change || revision)) this.revision = etag;
    return data;
  }

  // config loads the whole configuration and its revision.
  config() { return this.request('GET', '/config', undefined, { revision: true }); }
  // diff is what importing doc would change; the revision becomes the one
  // compared against, so the import that follows applies only over what
  // the admin saw.
  diff(doc) { return this.request('POST', '/config/diff', doc, { revision: true }); }
  get(path) { return this.request('GET', path); }
  post(path, body) { return this.request('POST', path, body === undefined ? {} : body); }
  put(path, body) { return this.request('PUT', path, body); }
  del(path) { return this.request('DELETE', path); }
}
