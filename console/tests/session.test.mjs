// The console's session: the access token is refreshed before it expires, with the new
// refresh token kept for the tab, and the console goes on working on the new one.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { closePage, demoSuite, expectClean, newPage } from './harness.mjs';
import { PASSWORD } from './api.mjs';

// the shortest lifetime: the console refreshes a minute before expiry, here at once (5 s)
const suite = demoSuite({ env: { ACCESS_TOKEN_TTL_SECS: '60' } });

test('the access token is refreshed before it expires', async () => {
  const page = await newPage(suite.browser, { width: 360 });
  await page.goto(`${suite.url}/`);
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
