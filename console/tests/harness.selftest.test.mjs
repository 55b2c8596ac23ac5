// The harness itself: the service starts on the demo data and answers /ready, Chromium
// renders a page of it at both widths, screenshots are written, axe-core runs, and the
// error recording sees what it should (and lets an aborted request pass).

import assert from 'node:assert/strict';
import { stat } from 'node:fs/promises';
import { after, before, test } from 'node:test';
import {
  WIDTHS,
  abortRequests,
  axe,
  closePage,
  describeViolations,
  expectClean,
  launch,
  newPage,
  screenshot,
  startServer,
  troubles,
} from './harness.mjs';

/** @type {import('./harness.mjs').Server} */
let server;
/** @type {import('playwright-core').Browser} */
let browser;

before(async () => {
  server = await startServer();
  browser = await launch();
});

after(async () => {
  await browser?.close();
  await server?.stop();
});

test('the server answers /ready on the demo data', async () => {
  const res = await fetch(`${server.url}/ready`);
  assert.equal(res.status, 200);
  const health = await fetch(`${server.url}/health`);
  assert.equal(health.status, 200);
});

for (const width of WIDTHS) {
  test(`the API docs render at ${width}px; screenshot and axe run`, async (t) => {
    const page = await newPage(browser, { width });
    try {
      const res = await page.goto(`${server.url}/docs/`, { waitUntil: 'networkidle' });
      assert.equal(res?.status(), 200);
      assert.equal(page.viewportSize()?.width, width);
      // Swagger UI has drawn the spec's operations
      await page.locator('.opblock').first().waitFor({ timeout: 15_000 });
      assert.ok((await page.locator('.opblock').count()) > 10);
      assert.equal(await page.evaluate(() => navigator.language), 'zh-CN');

      const path = await screenshot(page, 'harness-docs');
      const { size } = await stat(path);
      assert.ok(size > 10_000, `${path} is only ${size} bytes`);

      // Swagger UI is not the console: report its findings, assert nothing on them
      const violations = await axe(page);
      t.diagnostic(
        `axe on /docs/ at ${width}px: ${violations.length} serious or critical: ` +
          violations.map((v) => `${v.id} (${v.impact}, ${v.nodes.length})`).join(', '),
      );
      // the full form of a failure message, as expectAccessible prints it
      assert.match(describeViolations(violations, 2), violations.length ? /\n {4}at / : /^$/);

      expectClean(page);
    } finally {
      await closePage(page);
    }
  });
}

test('the harness records errors, and lets requests it aborted pass', async () => {
  const page = await newPage(browser, { width: 1280 });
  try {
    // a blank page of the server's origin (with an icon, so no /favicon.ico is asked for)
    await page.route(`${server.url}/blank`, (r) =>
      r.fulfill({
        contentType: 'text/html; charset=utf-8',
        body: '<!doctype html><html lang="zh-CN"><title>blank</title><link rel="icon" href="data:,">',
      }),
    );
    await page.goto(`${server.url}/blank`);
    await abortRequests(page, '**/health');
    const answers = await page.evaluate(async () => {
      const aborted = await fetch('/health').then(
        () => 'answered',
        () => 'aborted',
      );
      // an API refusal is the page's to handle: no trouble
      const me = (await fetch('/api/v1/auth/me')).status;
      return { aborted, me };
    });
    assert.deepEqual(answers, { aborted: 'aborted', me: 401 });
    expectClean(page);

    await page.evaluate(async () => {
      console.error('a deliberate console error');
      setTimeout(() => {
        throw new Error('a deliberate uncaught exception');
      });
      // a file of the page that is not there
      await fetch('/app/no-such-module.js');
    });
    await page.waitForTimeout(300);
    const found = troubles(page);
    const kinds = found.map((t) => t.kind).sort();
    assert.ok(kinds.includes('pageerror') && kinds.includes('response'), JSON.stringify(found));
    assert.ok(
      found.some((t) => t.kind === 'console' && t.text === 'a deliberate console error'),
      JSON.stringify(found),
    );
    assert.ok(
      found.some((t) => t.kind === 'response' && t.url?.endsWith('/app/no-such-module.js')),
      JSON.stringify(found),
    );
    assert.throws(() => expectClean(page), /deliberate uncaught exception/);
  } finally {
    await closePage(page);
  }
});

test('the server logged no error', async () => {
  assert.deepEqual(await server.logErrors(), []);
});
