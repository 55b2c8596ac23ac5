// Each role's main flow in the console, in headless Chromium against a real server on the
// demo data: a roster recorded through a dead network and a reload, a 422 shown at its row,
// entries withdrawn and corrected, bulk approval, totals downloaded and checked against the
// screen, a volunteer's own hours, the language switch and logout. Every page must end
// with no console error and no failed request but those a test causes.

import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { test } from 'node:test';
import {
  allowTrouble,
  closePage,
  demoSuite,
  expectClean,
  logIn as logInAt,
  newPage,
  screenshot,
} from './harness.mjs';
import { call, entriesOf, newEvent, tokenOf, upcomingEvent } from './api.mjs';

const suite = demoSuite();

/** @param {import('playwright-core').Page} page @param {string} username */
const logIn = (page, username) => logInAt(page, suite.url, username);

test('a secretary records a roster through a dead network: one set of rows after the reload', async () => {
  const event = await newEvent(suite.url, '国际志愿者日：东街口文明引导');
  const page = await newPage(suite.browser, { width: 360 });
  await logIn(page, 'zb01.secretary');
  await page.goto(`${suite.url}/#/roster/${event.id}`);
  await page.getByRole('heading', { name: /国际志愿者日/ }).waitFor();
  // the event's length is the default: 2 h 30 min
  assert.equal(await page.getByLabel('默认时长（分钟）').inputValue(), '150');
  await page.getByRole('button', { name: '全选' }).click();
  const rows = page.locator('li.row.on');
  const ticked = await rows.count();
  assert.ok(ticked >= 3, `${ticked} volunteers ticked`);
  await rows.nth(1).getByLabel('分钟').fill('120');
  await rows.nth(1).getByLabel('岗位').fill('引导员');

  // the request reaches the service, which records it; the answer is lost on the way back
  let forwarded = 0;
  await page.route('**/api/v1/events/*/hours', async (route) => {
    const answer = await route.fetch();
    assert.equal(answer.status(), 201);
    forwarded++;
    await route.abort('failed');
  });
  allowTrouble(page, (t) => t.url?.includes(`/api/v1/events/${event.id}/hours`) ?? false);
  await page.getByRole('button', { name: '提交' }).click();
  await page.getByText('网络不通').waitFor();
  assert.equal(forwarded, 1);
  assert.equal((await entriesOf(suite.url, event.id)).length, ticked, 'the service recorded the roster');
  await screenshot(page, 'roster-network-cut');

  // a reload finds the draft with its key; sending it again records nothing more
  await page.unroute('**/api/v1/events/*/hours');
  await page.reload();
  await page.getByText(`有一份未确认送达的草稿（${ticked} 人）`).waitFor();
  const draft = await page.evaluate((id) => localStorage.getItem(`vh.draft.roster.${id}`), event.id);
  assert.ok(draft && JSON.parse(draft).key, 'the draft keeps its Idempotency-Key');
  await page.getByRole('button', { name: '重新提交' }).click();
  await page.getByText(`已登记 ${ticked} 条时长，待审核。`).waitFor();
  const stored = await entriesOf(suite.url, event.id);
  assert.equal(stored.length, ticked, 'exactly one set of rows');
  assert.deepEqual(
    stored.map((e) => e.minutes).sort((a, b) => a - b),
    [120, ...Array(ticked - 1).fill(150)],
  );
  assert.ok(stored.some((e) => e.role === '引导员' && e.minutes === 120));
  assert.ok(stored.every((e) => e.status === 'submitted' && e.source === 'entered'));
  assert.equal(await page.evaluate((id) => localStorage.getItem(`vh.draft.roster.${id}`), event.id), null);
  expectClean(page);
  await closePage(page);
});

test('a refused roster shows each error at its row and records nothing', async () => {
  const event = await newEvent(suite.url, '国际志愿者日：社区宣传');
  const page = await newPage(suite.browser, { width: 1280 });
  await logIn(page, 'zb01.secretary');
  await page.goto(`${suite.url}/#/roster/${event.id}`);
  await page.getByRole('heading', { name: /社区宣传/ }).waitFor();
  await page.getByRole('button', { name: '全选' }).click();
  const bad = page.locator('li.row.on').nth(2);
  const badId = await bad.getAttribute('data-volunteer');
  await bad.getByLabel('分钟').fill('2000');
  await page.getByRole('button', { name: '提交' }).click();
  await page.getByText('以下各行有误，未登记任何时长').waitFor();
  // the error sits at the row of the volunteer it is about, in Chinese, and only there
  const errors = page.locator('li.row.bad');
  assert.equal(await errors.count(), 1);
  assert.equal(await errors.getAttribute('data-volunteer'), badId);
  const text = (await errors.locator('.row-errors').textContent()) ?? '';
  assert.match(text, /分钟/);
  assert.match(text, /1440/);
  assert.equal((await entriesOf(suite.url, event.id)).length, 0);
  assert.equal(await page.evaluate((id) => localStorage.getItem(`vh.draft.roster.${id}`), event.id), null);
  await screenshot(page, 'roster-row-error');

  // fixed, it goes through
  await bad.getByLabel('分钟').fill('90');
  await page.getByRole('button', { name: '提交' }).click();
  await page.getByText(/已登记 \d+ 条时长/).waitFor();
  const stored = await entriesOf(suite.url, event.id);
  assert.ok(stored.some((e) => e.minutes === 90));
  expectClean(page);
  await closePage(page);
});

test('a secretary withdraws a submitted entry and corrects an approved one', async () => {
  const event = await newEvent(suite.url, '国际志愿者日：撤回与更正');
  const secretary = await tokenOf(suite.url, 'zb01.secretary');
  const volunteers = await call(suite.url, secretary, 'GET', '/api/v1/volunteers?limit=200');
  const [a, b] = volunteers.items;
  const made = await call(suite.url, secretary, 'POST', `/api/v1/events/${event.id}/hours`, {
    entries: [
      { volunteer_id: a.id, minutes: 60 },
      { volunteer_id: b.id, minutes: 90 },
    ],
  });
  const [first, second] = made.entries;
  const admin = await tokenOf(suite.url, 'admin');
  await call(suite.url, admin, 'POST', `/api/v1/hours/${second.id}/approve`, {});

  const page = await newPage(suite.browser, { width: 360 });
  await logIn(page, 'zb01.secretary');
  await page.goto(`${suite.url}/#/entries`);
  const card = page.locator(`li[data-entry="${first.id}"]`);
  await card.getByRole('button', { name: '撤回' }).click();
  await card.waitFor({ state: 'detached' });
  const withdrawn = await call(suite.url, admin, 'GET', `/api/v1/hours/${first.id}`);
  assert.equal(withdrawn.status, 'withdrawn');

  await page.getByRole('tab', { name: '已通过' }).click();
  const approved = page.locator(`li[data-entry="${second.id}"]`);
  await approved.getByRole('button', { name: '更正' }).click();
  await approved.getByLabel('增减分钟数').fill('-30');
  await approved.getByRole('button', { name: '保存' }).click();
  // without a reason the browser's own check stops it; with one, the correction is made
  assert.equal((await entriesOf(suite.url, event.id)).filter((e) => e.corrects_id).length, 0);
  await approved.getByLabel('理由').fill('签到表记录有误');
  await approved.getByRole('button', { name: '保存' }).click();
  await approved.getByRole('button', { name: '更正' }).waitFor();
  const corrections = (await entriesOf(suite.url, event.id)).filter((e) => e.corrects_id === second.id);
  assert.equal(corrections.length, 1);
  assert.equal(corrections[0].minutes, -30);
  assert.equal(corrections[0].status, 'submitted');
  expectClean(page);
  await closePage(page);
});

test('a reviewer approves the queue in bulk, all or none', async () => {
  const page = await newPage(suite.browser, { width: 1280 });
  await logIn(page, 'admin');
  await page.getByRole('heading', { name: '审核' }).waitFor();
  await page.locator('table.queue tbody tr').first().waitFor();
  const ids = await page.locator('table.queue tbody tr').evaluateAll((rows) =>
    rows.map((r) => Number(r.getAttribute('data-entry'))),
  );
  assert.ok(ids.length >= 4, `${ids.length} entries to review`);
  await screenshot(page, 'review-queue');

  // rejecting without a reason is stopped before it is sent
  await page.getByRole('checkbox', { name: '全选' }).check();
  await page.getByRole('button', { name: '驳回所选' }).click();
  await page.getByText('请填写理由').waitFor();

  await page.getByRole('button', { name: '通过所选' }).click();
  await page.getByText(`已处理 ${ids.length} 条。`).waitFor();
  const admin = await tokenOf(suite.url, 'admin');
  for (const id of ids) {
    const entry = await call(suite.url, admin, 'GET', `/api/v1/hours/${id}`);
    assert.equal(entry.status, 'approved', `entry ${id}`);
  }
  await page.getByText('没有待审核的记录。').waitFor();
  expectClean(page);
  await closePage(page);
});

test('HR downloads totals whose numbers equal those shown', async () => {
  const page = await newPage(suite.browser, { width: 1280 });
  await logIn(page, 'hr.officer');
  await page.getByRole('heading', { name: '统计' }).waitFor();
  await page.locator('table.totals tbody tr').first().waitFor();
  const shown = await page.locator('table.totals tbody tr').evaluateAll((rows) =>
    rows.map((r) => [...r.querySelectorAll('td')].map((td) => td.textContent?.trim() ?? '')),
  );
  assert.ok(shown.length >= 3, `${shown.length} rows`);
  const headers = await page.locator('table.totals thead th').allTextContents();
  const hoursCol = headers.findIndex((h) => h.includes('总时长'));
  assert.ok(hoursCol > 0, headers.join());
  const shownTotal = shown.reduce((sum, cells) => sum + Number(cells[hoursCol]), 0);
  // the figure shown as the overall total is the sum of the rows
  const overall = await page.locator('[data-total-hours]').allTextContents();
  assert.equal(overall.reduce((s, h) => s + Number(h), 0).toFixed(2), shownTotal.toFixed(2));
  await page.locator('svg.bars rect.bar').first().waitFor();

  const [csv] = await Promise.all([
    page.waitForEvent('download'),
    page.getByRole('button', { name: '下载 CSV' }).click(),
  ]);
  const path = await csv.path();
  const text = (await readFile(path, 'utf8')).replace(/^\uFEFF/, '');
  const lines = text.trim().split(/\r?\n/);
  const header = lines[0].split(',');
  const hoursAt = header.findIndex((h) => /total_hours/.test(h));
  assert.ok(hoursAt >= 0, `no total_hours column in ${lines[0]}`);
  const body = lines.slice(1).filter((l) => l.trim() && !/^#/.test(l));
  const fileRows = body.map((l) => l.split(','));
  assert.equal(fileRows.length, shown.length, text);
  const fileTotal = fileRows.reduce((sum, cells) => sum + Number(cells[hoursAt]), 0);
  assert.equal(fileTotal.toFixed(2), shownTotal.toFixed(2));
  for (const cells of shown) {
    assert.ok(fileRows.some((f) => f.includes(cells[0]) && f.includes(cells[hoursCol])), cells.join(' '));
  }

  const [xlsx] = await Promise.all([
    page.waitForEvent('download'),
    page.getByRole('button', { name: '下载 Excel' }).click(),
  ]);
  assert.match(xlsx.suggestedFilename(), /\.xlsx$/);
  const bytes = await readFile(await xlsx.path());
  assert.equal(bytes.subarray(0, 2).toString(), 'PK');
  expectClean(page);
  await closePage(page);
});

test('a volunteer sees its approved hours and the way to the next star', async () => {
  const volunteer = await tokenOf(suite.url, 'volunteer');
  const mine = await call(suite.url, volunteer, 'GET', '/api/v1/me/hours');
  const page = await newPage(suite.browser, { width: 360 });
  await logIn(page, 'volunteer');
  const hours = page.locator('[data-approved-hours]');
  await hours.waitFor();
  assert.equal(await hours.textContent(), mine.approved_hours);
  const bar = page.getByRole('progressbar');
  const next = mine.star_thresholds_hours[mine.star_level];
  const expected = Math.round((Number(mine.approved_hours) / next) * 100);
  assert.equal(await bar.getAttribute('aria-valuenow'), String(expected));
  await page.getByText(`距 ${mine.star_level + 1} 星还差`).first().waitFor();
  await page.getByRole('link', { name: '报名与签到' }).click();
  await page.getByRole('heading', { name: '报名与签到' }).waitFor();
  expectClean(page);
  await closePage(page);
});

test('the console speaks English when asked, and logout forgets the session', async () => {
  const page = await newPage(suite.browser, { width: 1280 });
  await logIn(page, 'admin');
  await page.waitForLoadState('networkidle');
  /** @type {string[]} */
  const languages = [];
  page.on('request', (r) => {
    if (r.url().includes('/api/v1/')) languages.push(r.headers()['accept-language'] ?? '');
  });
  await page.getByLabel('语言').selectOption('en');
  await page.getByRole('link', { name: 'Review' }).waitFor();
  await page.getByRole('heading', { name: 'Review' }).waitFor();
  assert.ok(languages.length > 0 && languages.every((l) => l === 'en'), languages.join());
  // an API error arrives in the language chosen
  await page.goto(`${suite.url}/#/history/999999`);
  await page.getByRole('alert').waitFor();
  assert.match((await page.getByRole('alert').textContent()) ?? '', /not found|does not exist|No /i);
  await page.getByLabel('Language').selectOption('zh-CN');
  await page.getByRole('heading', { name: /变更记录/ }).waitFor();

  // a reload keeps the session (the refresh token of this tab), logout ends it
  await page.reload();
  await page.getByRole('button', { name: '退出登录' }).waitFor();
  await page.getByRole('button', { name: '退出登录' }).click();
  await page.getByRole('button', { name: '登录' }).waitFor();
  assert.equal(await page.evaluate(() => sessionStorage.getItem('vh.refresh')), null);
  await page.reload();
  await page.getByRole('button', { name: '登录' }).waitFor();
  expectClean(page);
  await closePage(page);
});

test('a volunteer signs up and checks in with the code the secretary shows', async () => {
  const event = await upcomingEvent(suite.url, '文明交通志愿服务：东街口路口');
  const page = await newPage(suite.browser, { width: 360 });
  await logIn(page, 'volunteer');
  await page.getByRole('link', { name: '报名与签到' }).click();
  const card = page.locator(`li[data-event="${event.id}"]`);
  await card.getByRole('button', { name: '报名' }).click();
  await card.getByText('已录用').waitFor();

  // the organiser's phone shows the code, large and as a QR image
  const phone = await newPage(suite.browser, { width: 360 });
  await logIn(phone, 'zb01.secretary');
  await phone.goto(`${suite.url}/#/code/${event.id}`);
  const shown = phone.locator('[data-code]');
  await shown.waitFor();
  const code = (await shown.getAttribute('data-code')) ?? '';
  assert.match(code, /^[0-9]{6}$/);
  assert.ok((await phone.locator('svg.qr path').getAttribute('d'))?.length, 'a QR image is drawn');
  await screenshot(phone, 'checkin-code-live');

  await card.getByLabel(/签到码/).fill(code);
  await card.getByRole('button', { name: '签到', exact: true }).click();
  await card.getByText('签到成功').waitFor();
  const secretary = await tokenOf(suite.url, 'zb01.secretary');
  const attendance = await call(suite.url, secretary, 'GET', `/api/v1/events/${event.id}/attendance`);
  assert.equal(attendance.summary.checked_in, 1);
  // the organiser's list shows it on the code's next turn, or on a reload
  await phone.reload();
  await phone.getByText('已签到').waitFor();
  expectClean(page);
  expectClean(phone);
  await closePage(page);
  await closePage(phone);
});
