// The console's session: the access token is refreshed before it expires, with the new
// refresh token kept for the tab, and the console goes on working on the new one.

import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { closePage, expectClean, launch, newPage, startServer } from './harness.mjs';
import { PASSWORD } from './api.mjs';

/** @type {import('./harness.mjs').Server} */
let server;
/** @type {import('playwright-core').Browser} */
let browser;

before(async () => {
  // the shortest lifetime: the console refreshes a minute before expiry, here at once (5 s)
  server = await startServer({ env: { ACCESS_TOKEN_TTL_SECS: '60' } });
  browser = await launch();
});

after(async () => {
  await browser?.close();
  await server?.stop();
});

test('the access token is refreshed before it expires', async () => {
  const page = await newPage(browser, { width: 360 });
  await page.goto(`${server.url}/`);
  await page.getByLabel('用户名').fill('hr.officer');
  await page.getByLabel('密码').fill(PASSWORD);
  await page.getByRole('button', { name: '登录' }).click();
  await page.getByRole('button', { name: '退出登录' }).waitFor();
  const before = await page.evaluate(() => sessionStorage.getItem('vh.refresh'));
  assert.ok(before);
  const refreshed = await page.waitForResponse((r) => r.url().endsWith('/api/v1/auth/refresh'), {
    timeout: 20_000,
  });
  assert.equal(refreshed.status(), 200);
  const after = await page.evaluate(() => sessionStorage.getItem('vh.refresh'));
  assert.ok(after && after !== before, 'the new refresh token is kept');
  // the console goes on, on the new access token
  const totals = page.waitForResponse((r) => r.url().includes('/api/v1/reports/totals'));
  await page.getByLabel('语言').selectOption('en');
  assert.equal((await totals).status(), 200);
  await page.getByRole('heading', { name: 'Totals' }).waitFor();
  expectClean(page);
  await closePage(page);
});
