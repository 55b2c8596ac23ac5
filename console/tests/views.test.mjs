// Every main view of every role, at a phone's 360 px and a desktop's 1280 px: a screenshot
// (target/console-screenshots/), axe-core with no serious or critical violation, and no
// console error or failed request.

import { test } from 'node:test';
import {
  WIDTHS,
  closePage,
  demoSuite,
  expectAccessible,
  expectClean,
  newPage,
  screenshot,
} from './harness.mjs';
import { PASSWORD, call, newEvent, tokenOf } from './api.mjs';

let eventId = 0;
let volunteerId = 0;
const suite = demoSuite({
  setUp: async (url) => {
    eventId = (await newEvent(url, '国际志愿者日：巡查')).id;
    volunteerId = (await call(url, await tokenOf(url, 'volunteer'), 'GET', '/api/v1/me/record')).volunteer.id;
  },
});

/** @type {[string, string[]][]} each role's account and its views */
const ROLES = [
  ['zb01.secretary', ['events', 'roster', 'roster/{event}', 'entries', 'volunteers', 'code/{event}']],
  ['admin', ['review', 'events', 'volunteers', 'branches', 'accounts', 'totals', 'history/1', 'record/{volunteer}']],
  ['hr.officer', ['totals']],
  ['volunteer', ['me', 'record', 'my-events']],
];

for (const width of WIDTHS) {
  for (const [username, views] of ROLES) {
    test(`${username}'s views at ${width} px`, async () => {
      const page = await newPage(suite.browser, { width });
      await page.goto(`${suite.url}/`);
      await page.waitForSelector('form.card');
      await screenshot(page, 'login');
      await expectAccessible(page, 'login');
      await page.getByLabel('用户名').fill(username);
      await page.getByLabel('密码').fill(PASSWORD);
      await page.getByRole('button', { name: '登录' }).click();
      await page.getByRole('button', { name: '退出登录' }).waitFor();
      for (const view of views) {
        const path = view.replace('{event}', String(eventId)).replace('{volunteer}', String(volunteerId));
        await page.goto(`${suite.url}/#/${path}`);
        await page.locator('main#main h2').first().waitFor();
        // settled: nothing is still loading
        await page.waitForFunction(() => !document.querySelector('[aria-live="polite"].muted'));
        await page.waitForLoadState('networkidle');
        const name = `${username.split('.')[0]}-${view.replace(/[{}]/g, '').replace(/\//g, '-')}`;
        await screenshot(page, name);
        await expectAccessible(page, name);
      }
      expectClean(page);
      await closePage(page);
    });
  }
}
