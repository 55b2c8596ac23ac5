// What the console's end-to-end tests share: the service on a fresh SQLite database with
// the demo data, a headless Chromium (Debian's, through playwright-core), pages that record
// every error a person would not see, screenshots, and axe-core's accessibility check.
//
// Environment:
//   VH_BIN    the service's binary (default: $CARGO_TARGET_DIR/debug/volunteer-hours, else
//             $HOME/.cache/volunteer-hours/target/debug/volunteer-hours)
//   CHROMIUM  the browser (default /usr/bin/chromium: `apt-get install -y chromium`)

import assert from 'node:assert/strict';
import { after, before } from 'node:test';
import { spawn } from 'node:child_process';
import { closeSync, existsSync, openSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { homedir, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { PASSWORD } from './api.mjs';

const here = dirname(fileURLToPath(import.meta.url));
/** console/ */
export const CONSOLE_DIR = join(here, '..');
/** The repository's root, two levels up from tests/. */
export const REPO_ROOT = join(here, '..', '..');
export const SCREENSHOT_DIR = join(REPO_ROOT, 'target', 'console-screenshots');

/** The two widths every page is tried at: a phone and a desktop. */
export const WIDTHS = Object.freeze([360, 1280]);

// ---- the service ------------------------------------------------------------------------

/** The service's binary: $VH_BIN, or the debug build in the cargo target directory. */
export function binary() {
  if (process.env.VH_BIN) return process.env.VH_BIN;
  const target =
    process.env.CARGO_TARGET_DIR || join(homedir(), '.cache', 'volunteer-hours', 'target');
  return join(target, 'debug', 'volunteer-hours');
}

/** A TCP port that was free a moment ago on 127.0.0.1. */
async function freePort() {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

/**
 * Runs `bin args` to completion with `env`; rejects with its output when it fails.
 * @param {string} bin
 * @param {string[]} args
 * @param {NodeJS.ProcessEnv} env
 */
function run(bin, args, env) {
  return new Promise((resolve, reject) => {
    const child = spawn(bin, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (out += d));
    child.on('error', reject);
    child.on('exit', (code, signal) =>
      code === 0
        ? resolve(out)
        : reject(new Error(`${bin} ${args.join(' ')} exited ${code ?? signal}:\n${out}`)),
    );
  });
}

/**
 * @typedef {object} Server
 * @property {string} url       base address, e.g. http://127.0.0.1:40123 (no trailing slash)
 * @property {string} dir       the temporary directory holding the database and the log
 * @property {() => Promise<string>} log       the server's output so far
 * @property {() => Promise<string[]>} logErrors  lines of it that report an error or a panic
 * @property {() => Promise<void>} stop        ends the server and removes `dir`
 */

/**
 * Seeds a fresh SQLite database with the demo data (`seed --demo`) and serves it on a free
 * port; resolves once `GET /ready` answers 200.
 * @param {{ env?: Record<string, string>, demo?: boolean, timeoutMs?: number }} [options]
 *   `env`: more variables for the server (e.g. LOGIN_RATE_BURST); `demo: false` seeds only
 *   the plan and branches.
 * @returns {Promise<Server>}
 */
export async function startServer({ env: extra = {}, demo = true, timeoutMs = 30_000 } = {}) {
  const bin = binary();
  if (!existsSync(bin)) {
    throw new Error(`no service binary at ${bin}: build it (cargo build) or set VH_BIN`);
  }
  const dir = await mkdtemp(join(tmpdir(), 'vh-console-'));
  const port = await freePort();
  const logPath = join(dir, 'server.log');
  /** @type {NodeJS.ProcessEnv} */
  const env = {
    ...process.env,
    DATABASE_URL: `sqlite://${join(dir, 'vh.db')}`,
    BIND_ADDRESS: `127.0.0.1:${port}`,
    // a fixed secret for the run keeps the development warning out of the log
    JWT_SECRET: `console-tests-only-${process.pid}-${Date.now()}-0123456789abcdef`,
    RUST_LOG: process.env.RUST_LOG || 'warn',
    ...extra,
  };
  try {
    await run(bin, demo ? ['seed', '--demo'] : ['seed'], env);
  } catch (e) {
    await rm(dir, { recursive: true, force: true });
    throw e;
  }

  const fd = openSync(logPath, 'a');
  const child = spawn(bin, ['serve'], { env, stdio: ['ignore', fd, fd] });
  closeSync(fd);
  /** @type {Promise<void>} */
  const exited = new Promise((resolve) => child.once('exit', () => resolve()));
  let gone = false;
  exited.then(() => (gone = true));

  const url = `http://127.0.0.1:${port}`;
  const log = () => readFile(logPath, 'utf8').catch(() => '');
  const stop = async () => {
    if (!gone) {
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(timer);
    }
    await rm(dir, { recursive: true, force: true });
  };

  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (gone) {
      const out = await log();
      await stop();
      throw new Error(`${bin} serve exited before it was ready:\n${out}`);
    }
    try {
      const res = await fetch(`${url}/ready`, { signal: AbortSignal.timeout(2_000) });
      if (res.status === 200) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      const out = await log();
      await stop();
      throw new Error(`${url}/ready did not answer 200 within ${timeoutMs} ms:\n${out}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }

  return {
    url,
    dir,
    log,
    logErrors: async () =>
      (await log()).split('\n').filter((line) => / ERROR |panicked/.test(line)),
    stop,
  };
}

/**
 * A test file's server on the demo data (login rate limits raised: the tests log in often)
 * and its browser, started before its tests and stopped after them; the file fails if the
 * server logged an error.
 * @param {{ env?: Record<string, string>, setUp?: (url: string) => Promise<void> }} [options]
 *   `env`: more of the server's variables; `setUp`: the file's own data, made once the
 *   server answers (node:test does not wait for one `before` hook before the next)
 * @returns {{ readonly url: string, readonly browser: import('playwright-core').Browser }}
 */
export function demoSuite({ env = {}, setUp } = {}) {
  /** @type {Server | undefined} */
  let server;
  /** @type {import('playwright-core').Browser | undefined} */
  let browser;
  before(async () => {
    server = await startServer({ env: { LOGIN_RATE_BURST: '1000', LOGIN_RATE_PER_MINUTE: '10000', ...env } });
    browser = await launch();
    await setUp?.(server.url);
  });
  after(async () => {
    await browser?.close();
    const errors = (await server?.logErrors()) ?? [];
    await server?.stop();
    assert.deepEqual(errors, [], 'the server logged errors');
  });
  return {
    get url() {
      if (!server) throw new Error('the server is not started yet');
      return server.url;
    },
    get browser() {
      if (!browser) throw new Error('the browser is not started yet');
      return browser;
    },
  };
}

// ---- the browser ------------------------------------------------------------------------

/** Starts headless Chromium: $CHROMIUM, or Debian's /usr/bin/chromium. */
export function launch() {
  return chromium.launch({
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}

/**
 * @typedef {object} Trouble
 * @property {'console' | 'pageerror' | 'requestfailed' | 'response'} kind
 * @property {string} text
 * @property {string} [url]  the resource concerned, where there is one
 */

/**
 * What each page has recorded, and what its test allowed.
 * @type {WeakMap<import('playwright-core').Page, {
 *   troubles: Trouble[],
 *   aborted: Set<string>,
 *   allowed: ((t: Trouble) => boolean)[],
 * }>}
 */
const watched = new WeakMap();

/** @param {import('playwright-core').Page} page */
function watch(page) {
  const w = watched.get(page);
  if (!w) throw new Error('this page was not made by newPage()');
  return w;
}

/**
 * A page in a context of its own: Chinese locale (Accept-Language zh-CN), the organisation's
 * time zone, CSP bypassed so that axe-core can be injected, and every error recorded:
 * console errors, uncaught exceptions, failed requests, answers of status 500 or more, and
 * answers of 400 or more outside /api/ (a missing file of the page). The API's own 4xx
 * answers, and the console error Chromium logs for each, are not recorded: handling them is
 * the page's work, and its tests check what it shows.
 * `width` 360 is a phone (780 high, touch, mobile viewport), 1280 a desktop (900 high).
 * @param {import('playwright-core').Browser} browser
 * @param {{ width?: number, locale?: string, timezoneId?: string }} [options]
 */
export async function newPage(
  browser,
  { width = 1280, locale = 'zh-CN', timezoneId = 'Asia/Shanghai' } = {},
) {
  const phone = width < 768;
  const context = await browser.newContext({
    bypassCSP: true,
    locale,
    timezoneId,
    viewport: { width, height: phone ? 780 : 900 },
    isMobile: phone,
    hasTouch: phone,
    deviceScaleFactor: 1,
    reducedMotion: 'reduce',
  });
  const page = await context.newPage();
  /** @type {Trouble[]} */
  const troubles = [];
  watched.set(page, { troubles, aborted: new Set(), allowed: [] });

  page.on('console', (msg) => {
    if (msg.type() !== 'error') return;
    const text = msg.text();
    const url = msg.location().url || undefined;
    // Chromium logs every answer of 400 or more as a console error. An API's 4xx is an
    // answer the console handles (401 before a refresh, 422 shown in a form): no trouble.
    // Any other 4xx (a missing module, style or icon) is; 5xx are recorded as responses.
    const status = /^Failed to load resource: the server responded with a status of (\d+)/.exec(text);
    if (status && url && Number(status[1]) < 500 && isApi(url)) return;
    troubles.push({ kind: 'console', text: url ? `${text} (${url})` : text, url });
  });
  page.on('pageerror', (err) =>
    troubles.push({ kind: 'pageerror', text: err.stack || String(err) }),
  );
  page.on('requestfailed', (req) =>
    troubles.push({
      kind: 'requestfailed',
      text: `${req.method()} ${req.url()}: ${req.failure()?.errorText ?? 'failed'}`,
      url: req.url(),
    }),
  );
  page.on('response', (res) => {
    if (res.status() >= 500 || (res.status() >= 400 && !isApi(res.url()))) {
      troubles.push({
        kind: 'response',
        text: `${res.request().method()} ${res.url()}: ${res.status()} ${res.statusText()}`,
        url: res.url(),
      });
    }
  });
  return page;
}

/** Whether `url` is one of the API's (under /api/), whose 4xx answers are the app's to handle. @param {string} url */
function isApi(url) {
  try {
    return new URL(url).pathname.startsWith('/api/');
  } catch {
    return false;
  }
}

/**
 * Opens the console at `url` and logs in through its form (the demo password unless told).
 * @param {import('playwright-core').Page} page
 * @param {string} url
 * @param {string} username
 * @param {string} [password]
 */
export async function logIn(page, url, username, password = PASSWORD) {
  await page.goto(`${url}/`);
  await page.getByLabel('用户名').fill(username);
  await page.getByLabel('密码').fill(password);
  await page.getByRole('button', { name: '登录' }).click();
  await page.getByRole('button', { name: '退出登录' }).waitFor();
}

/** Closes the page and its context. @param {import('playwright-core').Page} page */
export async function closePage(page) {
  await page.context().close();
}

/**
 * Aborts the page's requests that `pattern` matches (as `page.route` takes it), and marks
 * each aborted address so that its failure, and the console error about it, are no trouble.
 * @param {import('playwright-core').Page} page
 * @param {string | RegExp | ((url: URL) => boolean)} pattern
 * @param {string} [errorCode]  one of Playwright's abort codes, e.g. 'failed', 'timedout'
 */
export async function abortRequests(page, pattern, errorCode = 'failed') {
  const { aborted } = watch(page);
  await page.route(pattern, (route) => {
    aborted.add(route.request().url());
    return route.abort(errorCode);
  });
}

/**
 * Allows troubles the test causes on purpose some other way (an answer of 503 it fulfils
 * itself, an error the console logs on purpose): those `match` returns true for.
 * @param {import('playwright-core').Page} page
 * @param {(t: Trouble) => boolean} match
 */
export function allowTrouble(page, match) {
  watch(page).allowed.push(match);
}

/**
 * The troubles recorded so far that the test did not allow.
 * @param {import('playwright-core').Page} page
 */
export function troubles(page) {
  const { troubles, aborted, allowed } = watch(page);
  return troubles.filter(
    (t) => !(t.url && aborted.has(t.url)) && !allowed.some((allow) => allow(t)),
  );
}

/**
 * Asserts the page had no console error, uncaught exception, failed request or 5xx answer
 * (other than those the test caused and allowed).
 * @param {import('playwright-core').Page} page
 */
export function expectClean(page) {
  const left = troubles(page);
  assert.equal(
    left.length,
    0,
    `${page.url()} had ${left.length} error(s):\n` +
      left.map((t) => `  [${t.kind}] ${t.text}`).join('\n'),
  );
}

// ---- screenshots and accessibility --------------------------------------------------------

/**
 * Saves a full-page PNG to <repo>/target/console-screenshots/<name>-<width>.png.
 * @param {import('playwright-core').Page} page
 * @param {string} name
 * @returns {Promise<string>} the file's path
 */
export async function screenshot(page, name) {
  const width = page.viewportSize()?.width ?? 0;
  await mkdir(SCREENSHOT_DIR, { recursive: true });
  const path = join(SCREENSHOT_DIR, `${name}-${width}.png`);
  await page.screenshot({ path, fullPage: true });
  return path;
}

const AXE_PATH = join(CONSOLE_DIR, 'node_modules', 'axe-core', 'axe.min.js');

/**
 * @typedef {object} Violation
 * @property {string} id
 * @property {string | null} impact
 * @property {string} help
 * @property {string} helpUrl
 * @property {{ target: unknown[], failureSummary?: string }[]} nodes
 */

/**
 * Runs axe-core on the page as it is now; resolves to its serious and critical violations.
 * @param {import('playwright-core').Page} page
 * @param {object} [options]  axe.run's options, e.g. { runOnly: ['wcag2a', 'wcag2aa'] }
 * @returns {Promise<Violation[]>}
 */
export async function axe(page, options = {}) {
  const loaded = await page.evaluate(() => 'axe' in window);
  if (!loaded) await page.addScriptTag({ path: AXE_PATH });
  /** @type {Violation[]} */
  const violations = await page.evaluate(async (opts) => {
    // @ts-ignore: axe is the global the script tag defined
    const result = await window.axe.run(document, opts);
    return result.violations.map((/** @type {any} */ v) => ({
      id: v.id,
      impact: v.impact,
      help: v.help,
      helpUrl: v.helpUrl,
      nodes: v.nodes.map((/** @type {any} */ n) => ({
        target: n.target,
        failureSummary: n.failureSummary,
      })),
    }));
  }, options);
  return violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
}

/**
 * Each violation's id, impact and help, and the selectors of the first `maxNodes` elements.
 * @param {Violation[]} violations
 * @param {number} [maxNodes]
 */
export function describeViolations(violations, maxNodes = 10) {
  return violations
    .map((v) => {
      const nodes = v.nodes.slice(0, maxNodes).map((n) => `    at ${n.target.map(String).join(' ')}`);
      if (v.nodes.length > maxNodes) nodes.push(`    … and ${v.nodes.length - maxNodes} more`);
      return `  ${v.id} (${v.impact}): ${v.help}\n    ${v.helpUrl}\n${nodes.join('\n')}`;
    })
    .join('\n');
}

/**
 * Asserts axe-core finds no serious or critical violation on the page.
 * @param {import('playwright-core').Page} page
 * @param {string} name  names the page in the failure message
 * @param {object} [options]  axe.run's options
 */
export async function expectAccessible(page, name, options) {
  const violations = await axe(page, options);
  assert.equal(
    violations.length,
    0,
    `${name} (${page.viewportSize()?.width}px): ${violations.length} serious or critical ` +
      `accessibility violation(s):\n${describeViolations(violations)}`,
  );
}
