// @ts-check
// The console's client of the public API: the same endpoints a mobile app calls.
// The access token lives only in memory; the refresh token in sessionStorage, so that a
// reload keeps the session but closing the tab ends it, and no other site's script can
// read either (the console's Content-Security-Policy admits only its own files).

import { lang } from './i18n.js';

/** @typedef {import('./api-types').Schemas} Schemas */
/** @typedef {Schemas['UserResponse']} User */
/** @typedef {Schemas['Problem']} ServiceProblem */
/** A problem the service sent, or one of the console's own: no answer (`network`), or an error of its own (`client`). */
/** @typedef {Omit<ServiceProblem, 'type'> & { type: ServiceProblem['type'] | 'network' | 'client' | 'about:blank' }} Problem */
/** @typedef {import('../types/api').paths} Paths */

const REFRESH_KEY = 'vh.refresh';
/** Refresh this long before the access token expires. */
const REFRESH_MARGIN_SECS = 60;

/** @type {string | null} */
let access = null;
/** @type {User | null} */
let me = null;
/** @type {ReturnType<typeof setTimeout> | undefined} */
let timer;
/** @type {Promise<boolean> | null} */
let refreshing = null;
/** @type {Set<(user: User | null, why?: string) => void>} */
const listeners = new Set();

/** An answer of the API that is not a success, or no answer at all (`status` 0). */
export class ApiError extends Error {
  /**
   * @param {number} status
   * @param {Problem} problem
   */
  constructor(status, problem) {
    super(problem.detail);
    this.status = status;
    this.problem = problem;
  }
}

/** @param {(user: User | null, why?: string) => void} f */
export function onSession(f) {
  listeners.add(f);
  return () => listeners.delete(f);
}

/** @returns {User | null} */
export function currentUser() {
  return me;
}

/**
 * @param {Schemas['TokenResponse']} tokens
 */
function keep(tokens) {
  access = tokens.access_token;
  me = tokens.user;
  try {
    sessionStorage.setItem(REFRESH_KEY, tokens.refresh_token);
  } catch {
    // storage refused: the session lasts as long as the page
  }
  clearTimeout(timer);
  const inMs = Math.max(5, tokens.expires_in - REFRESH_MARGIN_SECS) * 1000;
  timer = setTimeout(() => void refresh(), inMs);
}

/** @param {string} [why] */
function forget(why) {
  access = null;
  me = null;
  clearTimeout(timer);
  try {
    sessionStorage.removeItem(REFRESH_KEY);
  } catch {
    // nothing kept
  }
  for (const f of listeners) f(null, why);
}

/** @returns {Record<string, string>} */
function baseHeaders() {
  /** @type {Record<string, string>} */
  const h = { Accept: 'application/json', 'Accept-Language': lang() };
  if (access) h.Authorization = `Bearer ${access}`;
  return h;
}

/**
 * @param {Response} resp
 * @returns {Promise<ApiError>}
 */
async function problemOf(resp) {
  /** @type {Problem} */
  let problem = { type: 'about:blank', title: resp.statusText, status: resp.status, detail: resp.statusText };
  try {
    problem = await resp.json();
  } catch {
    // not problem+json: keep the status line
  }
  return new ApiError(resp.status, problem);
}

/** @param {unknown} e */
function networkError(e) {
  return new ApiError(0, {
    type: 'network',
    title: 'network',
    status: 0,
    detail: e instanceof Error ? e.message : String(e),
  });
}

/**
 * @param {string} url
 * @param {RequestInit} init
 */
async function send(url, init) {
  try {
    return await fetch(url, init);
  } catch (e) {
    throw networkError(e);
  }
}

/**
 * @param {string} username
 * @param {string} password
 */
export async function login(username, password) {
  const resp = await send('/api/v1/auth/login', {
    method: 'POST',
    headers: { ...baseHeaders(), 'Content-Type': 'application/json' },
    body: JSON.stringify({ username, password }),
  });
  if (!resp.ok) throw await problemOf(resp);
  keep(await resp.json());
  for (const f of listeners) f(me);
}

/** Exchanges the kept refresh token for new tokens; false when there is none or it is refused. */
export function refresh() {
  if (!refreshing) refreshing = exchange().finally(() => (refreshing = null));
  return refreshing;
}

/** One exchange of the refresh token; concurrent callers share it through `refresh`. */
async function exchange() {
  let token = null;
  try {
    token = sessionStorage.getItem(REFRESH_KEY);
  } catch {
    token = null;
  }
  if (!token) return false;
  try {
    const resp = await send('/api/v1/auth/refresh', {
      method: 'POST',
      headers: { ...baseHeaders(), 'Content-Type': 'application/json' },
      body: JSON.stringify({ refresh_token: token }),
    });
    if (!resp.ok) {
      if (resp.status === 401 || resp.status === 400) forget('session-expired');
      return false;
    }
    const hadUser = me !== null;
    keep(await resp.json());
    if (!hadUser) for (const f of listeners) f(me);
    return true;
  } catch {
    // no network: keep the tokens, the next call tries again
    return false;
  }
}

/** Ends the session on the server too, then forgets both tokens. */
export async function logout() {
  let token = null;
  try {
    token = sessionStorage.getItem(REFRESH_KEY);
  } catch {
    token = null;
  }
  if (token && access) {
    try {
      await fetch('/api/v1/auth/logout', {
        method: 'POST',
        headers: { ...baseHeaders(), 'Content-Type': 'application/json' },
        body: JSON.stringify({ refresh_token: token }),
      });
    } catch {
      // offline: the tokens are forgotten here all the same
    }
  }
  forget();
}

/**
 * @param {string} path  a path template such as `/api/v1/events/{id}`
 * @param {Record<string, unknown> | undefined} params
 * @param {Record<string, unknown> | undefined} query
 */
export function urlOf(path, params, query) {
  let url = path.replace(/\{(\w+)\}/g, (_, k) => encodeURIComponent(String(params?.[k])));
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(query ?? {})) {
    if (v !== undefined && v !== null && v !== '') q.set(k, String(v));
  }
  const qs = q.toString();
  if (qs) url += `?${qs}`;
  return url;
}

/**
 * @typedef {object} Options
 * @property {Record<string, unknown>} [path]
 * @property {Record<string, unknown>} [query]
 * @property {unknown} [body]
 * @property {string} [key] an Idempotency-Key
 * @property {string} [ifMatch]
 */

/**
 * One call; once more after a refresh when the access token was refused.
 * @param {string} method
 * @param {string} path
 * @param {Options} opts
 * @returns {Promise<Response>}
 */
async function call(method, path, opts) {
  const url = urlOf(path, opts.path, opts.query);
  for (let attempt = 0; ; attempt++) {
    const headers = baseHeaders();
    if (opts.body !== undefined) headers['Content-Type'] = 'application/json';
    if (opts.key) headers['Idempotency-Key'] = opts.key;
    if (opts.ifMatch) headers['If-Match'] = opts.ifMatch;
    const resp = await send(url, {
      method,
      headers,
      body: opts.body === undefined ? undefined : JSON.stringify(opts.body),
    });
    if (resp.status === 401 && attempt === 0 && (await refresh())) continue;
    if (resp.status === 401) forget('session-expired');
    if (!resp.ok) throw await problemOf(resp);
    return resp;
  }
}

/** @param {Response} resp */
async function json(resp) {
  return resp.status === 204 ? undefined : resp.json();
}

/**
 * @template {import('./api-types').PathsWith<'get'>} P
 * @param {P} path
 * @param {{ path?: import('./api-types').PathParams<P, 'get'>, query?: import('./api-types').Query<P, 'get'> }} [opts]
 * @returns {Promise<import('./api-types').Answer<P, 'get'>>}
 */
export async function get(path, opts = {}) {
  return json(await call('GET', path, /** @type {Options} */ (opts)));
}

/**
 * A GET that also returns the object's ETag, for a later If-Match.
 * @template {import('./api-types').PathsWith<'get'>} P
 * @param {P} path
 * @param {{ path?: import('./api-types').PathParams<P, 'get'> }} [opts]
 * @returns {Promise<{ data: import('./api-types').Answer<P, 'get'>, etag: string }>}
 */
export async function getVersioned(path, opts = {}) {
  const resp = await call('GET', path, /** @type {Options} */ (opts));
  return { data: await resp.json(), etag: resp.headers.get('ETag') ?? '*' };
}

/**
 * @template {import('./api-types').PathsWith<'post'>} P
 * @param {P} path
 * @param {{ path?: import('./api-types').PathParams<P, 'post'>, query?: import('./api-types').Query<P, 'post'>, body?: import('./api-types').Body<P, 'post'>, key?: string }} [opts]
 * @returns {Promise<import('./api-types').Answer<P, 'post'>>}
 */
export async function post(path, opts = {}) {
  return json(await call('POST', path, /** @type {Options} */ (opts)));
}

/**
 * @template {import('./api-types').PathsWith<'patch'>} P
 * @param {P} path
 * @param {{ path?: import('./api-types').PathParams<P, 'patch'>, body: import('./api-types').Body<P, 'patch'>, ifMatch: string }} opts
 * @returns {Promise<import('./api-types').Answer<P, 'patch'>>}
 */
export async function patch(path, opts) {
  return json(await call('PATCH', path, /** @type {Options} */ (opts)));
}

/**
 * @template {import('./api-types').PathsWith<'delete'>} P
 * @param {P} path
 * @param {{ path?: import('./api-types').PathParams<P, 'delete'>, query?: import('./api-types').Query<P, 'delete'>, ifMatch?: string }} [opts]
 */
export async function del(path, opts = {}) {
  await call('DELETE', path, /** @type {Options} */ (opts));
}

/**
 * Downloads a file the API serves (an export, a certificate) under `filename`.
 * @template {import('./api-types').PathsWith<'get'>} P
 * @param {P} path
 * @param {{ path?: import('./api-types').PathParams<P, 'get'>, query?: import('./api-types').Query<P, 'get'> }} opts
 * @param {string} filename
 */
export async function download(path, opts, filename) {
  const resp = await call('GET', path, /** @type {Options} */ (opts));
  const blob = await resp.blob();
  const href = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = href;
  a.download = filename;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(href), 10_000);
}

/** A new Idempotency-Key. */
export function newKey() {
  // randomUUID needs a secure context; a console opened over plain http on a LAN has none
  if (typeof crypto.randomUUID === 'function' && window.isSecureContext) return crypto.randomUUID();
  const b = crypto.getRandomValues(new Uint8Array(16));
  b[6] = (b[6] & 0x0f) | 0x40;
  b[8] = (b[8] & 0x3f) | 0x80;
  const h = Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}
