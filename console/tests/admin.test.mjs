// The console's forms that create and change the organisation: an administrator creates a
// branch and its secretary's account, the secretary creates and edits an event of it, the
// administrator disables the account and resets its password; a volunteer reads its
// five-part record and an administrator issues a certificate from it. Each step is checked
// against the service's state, read back through the API.

import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { test } from 'node:test';
import {
  closePage,
  demoSuite,
  expectAccessible,
  expectClean,
  logIn,
  newPage,
  screenshot,
} from './harness.mjs';
import { call, tokenOf } from './api.mjs';

const suite = demoSuite();

const NEW_PASSWORD = 'zb99 secretary password';

/** @param {string} path */
async function asAdmin(path) {
  return call(suite.url, await tokenOf(suite.url, 'admin'), 'GET', path);
}

test('an administrator creates a branch and its secretary, who creates and edits an event of it', async () => {
  const admin = await newPage(suite.browser, { width: 1280 });
  await logIn(admin, suite.url, 'admin');
  await admin.getByRole('link', { name: '支部' }).click();
  await admin.getByRole('heading', { name: '支部' }).waitFor();
  await admin.getByRole('button', { name: '新增' }).click();
  await admin.getByLabel('代码').fill('ZB99');
  await admin.getByLabel('名称').fill('第九十九党支部');
  await admin.getByRole('button', { name: '保存' }).click();
  await admin.locator('tr[data-branch]', { hasText: 'ZB99' }).waitFor();
  const zb99 = (await asAdmin('/api/v1/branches?limit=200')).items.filter((/** @type {any} */ b) => b.code === 'ZB99');
  assert.equal(zb99.length, 1);
  assert.equal(zb99[0].name, '第九十九党支部');

  // the same code again is refused in place, and nothing is added
  await admin.getByRole('button', { name: '新增' }).click();
  await admin.getByLabel('代码').fill('ZB99');
  await admin.getByLabel('名称').fill('重复的支部');
  await admin.getByRole('button', { name: '保存' }).click();
  await admin.locator('form.card [role="alert"]').waitFor();
  await screenshot(admin, 'branch-refused');
  await expectAccessible(admin, 'branch-form');
  await admin.getByRole('button', { name: '取消' }).click();
  const codes = (await asAdmin('/api/v1/branches?limit=200')).items.map((/** @type {any} */ b) => b.code);
  assert.equal(codes.filter((/** @type {string} */ c) => c === 'ZB99').length, 1);

  // a change made by someone else while the form was open is not overwritten
  await admin.locator('tr[data-branch]', { hasText: 'ZB99' }).getByRole('button', { name: '修改' }).click();
  await admin.getByLabel('名称').waitFor();
  const adminToken = await tokenOf(suite.url, 'admin');
  const current = await fetch(`${suite.url}/api/v1/branches/${zb99[0].id}`, { headers: { Authorization: `Bearer ${adminToken}` } });
  const renamed = await fetch(`${suite.url}/api/v1/branches/${zb99[0].id}`, {
    method: 'PATCH',
    headers: { Authorization: `Bearer ${adminToken}`, 'Content-Type': 'application/json', 'If-Match': current.headers.get('etag') ?? '' },
    body: JSON.stringify({ name: '第九十九支部' }),
  });
  assert.equal(renamed.status, 200);
  await admin.getByLabel('名称').fill('第九十九党支部（改）');
  await admin.getByRole('button', { name: '保存' }).click();
  await admin.locator('form.card [role="alert"]').waitFor();
  assert.equal((await asAdmin(`/api/v1/branches/${zb99[0].id}`)).name, '第九十九支部');
  await admin.getByRole('button', { name: '取消' }).click();

  // its secretary's account
  await admin.getByRole('link', { name: '账号' }).click();
  await admin.getByRole('heading', { name: '账号' }).waitFor();
  await admin.getByRole('button', { name: '新增' }).click();
  await admin.getByLabel('用户名').fill('zb99.secretary');
  await admin.getByLabel('密码', { exact: true }).fill('a first password, long enough');
  await admin.getByLabel('角色').selectOption('secretary');
  await admin.getByLabel(/^支部/).selectOption({ label: '第九十九支部' });
  await admin.getByRole('button', { name: '保存' }).click();
  await admin.locator('tr[data-account="zb99.secretary"]').waitFor();
  await screenshot(admin, 'accounts-created');
  const [account] = (await asAdmin('/api/v1/users?q=zb99')).items;
  assert.equal(account.role, 'secretary');
  assert.equal(account.branch_id, zb99[0].id);

  // an account for a volunteer, found by name in the picker
  const volunteers = (await asAdmin('/api/v1/volunteers?limit=200')).items;
  const other = volunteers.find((/** @type {any} */ v) => v.id !== account.volunteer_id && v.name !== '林晓燕');
  await admin.getByRole('button', { name: '新增' }).click();
  await admin.getByLabel('用户名').fill('other.volunteer');
  await admin.getByLabel('密码', { exact: true }).fill('another password, long enough');
  await admin.getByLabel('角色').selectOption('volunteer');
  await admin.getByLabel('按姓名搜索').fill(other.name);
  await admin.getByLabel('关联志愿者').locator(`option[value="${other.id}"]`).waitFor({ state: 'attached' });
  await admin.getByLabel('关联志愿者').selectOption(String(other.id));
  await expectAccessible(admin, 'account-form');
  await admin.getByRole('button', { name: '保存' }).click();
  await admin.locator('tr[data-account="other.volunteer"]').waitFor();
  const [linked] = (await asAdmin('/api/v1/users?q=other.volunteer')).items;
  assert.equal(linked.role, 'volunteer');
  assert.equal(linked.volunteer_id, other.id);

  // the secretary creates an event of its branch, under item 8 of the 2022 plan
  const secretary = await newPage(suite.browser, { width: 360 });
  await logIn(secretary, suite.url, 'zb99.secretary', 'a first password, long enough');
  await secretary.getByRole('heading', { name: '活动' }).waitFor();
  await secretary.getByRole('button', { name: '新建活动' }).click();
  await secretary.getByLabel('名称').fill('垃圾分类宣传：东门社区');
  await secretary.getByLabel('类别').selectOption('garbage_sorting');
  await secretary.getByLabel('开始').fill('2022-06-18T09:00');
  // the end before the start: refused in place, nothing created
  await secretary.getByLabel('结束').fill('2022-06-18T08:00');
  await secretary.getByLabel(/^\s*8\. /).check();
  await secretary.getByRole('button', { name: '保存' }).click();
  await secretary.locator('form.card [role="alert"]').waitFor();
  await screenshot(secretary, 'event-refused');
  await expectAccessible(secretary, 'event-form');
  assert.equal((await asAdmin(`/api/v1/events?branch_id=${zb99[0].id}`)).total, 0);

  await secretary.getByLabel('结束').fill('2022-06-18T11:30');
  await secretary.getByRole('button', { name: '保存' }).click();
  const card = secretary.locator('li.card.event', { hasText: '垃圾分类宣传：东门社区' });
  await card.waitFor();
  const events = (await asAdmin(`/api/v1/events?branch_id=${zb99[0].id}`)).items;
  assert.equal(events.length, 1);
  const item8 = (await asAdmin('/api/v1/plan-items?year=2022&limit=200')).items.find((/** @type {any} */ i) => i.number === 8);
  assert.deepEqual(events[0].plan_item_ids, [item8.id]);
  assert.equal(events[0].organiser_branch_id, zb99[0].id);
  assert.equal(events[0].category, 'garbage_sorting');
  assert.equal(events[0].starts_at, '2022-06-18T01:00:00Z');
  assert.equal(events[0].status, 'planned');

  // edited: a new place, then opened
  await card.getByRole('button', { name: '修改' }).click();
  assert.equal(await secretary.getByLabel('开始').inputValue(), '2022-06-18T09:00');
  await secretary.getByLabel('地点').fill('东门社区广场');
  await secretary.getByRole('button', { name: '保存' }).click();
  await card.getByText('东门社区广场').waitFor();
  await card.getByRole('button', { name: '修改' }).click();
  await secretary.getByRole('button', { name: '开始活动' }).click();
  await secretary.getByRole('tab', { name: '进行中' }).click();
  await card.getByText('进行中').first().waitFor();
  const after = await asAdmin(`/api/v1/events/${events[0].id}`);
  assert.equal(after.place, '东门社区广场');
  assert.equal(after.status, 'open');
  assert.equal(after.title, '垃圾分类宣传：东门社区');
  expectClean(secretary);

  // the administrator resets the secretary's password, then disables the account
  await admin.locator('tr[data-account="zb99.secretary"]').getByRole('button', { name: '修改' }).click();
  await admin.getByLabel(/重置密码/).fill(NEW_PASSWORD);
  await admin.getByRole('button', { name: '保存' }).click();
  await admin.locator('form.card').waitFor({ state: 'detached' });
  await loginWith('zb99.secretary', 'a first password, long enough', 401);
  await loginWith('zb99.secretary', NEW_PASSWORD, 200);
  await admin.locator('tr[data-account="zb99.secretary"]').getByRole('button', { name: '修改' }).click();
  await admin.getByRole('button', { name: '停用' }).click();
  await admin.locator('tr[data-account="zb99.secretary"]', { hasText: '已停用' }).waitFor();
  assert.equal((await asAdmin(`/api/v1/users/${account.id}`)).disabled, true);
  await loginWith('zb99.secretary', NEW_PASSWORD, 401);
  expectClean(admin);
  await closePage(admin);
  await closePage(secretary);
});

/**
 * @param {string} username
 * @param {string} password
 * @param {number} status the answer expected
 */
async function loginWith(username, password, status) {
  const res = await fetch(`${suite.url}/api/v1/auth/login`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ username, password }),
  });
  assert.equal(res.status, status, `login of ${username}: ${await res.text()}`);
}

test('a volunteer reads its five-part record; an administrator issues a certificate from one', async () => {
  const token = await tokenOf(suite.url, 'volunteer');
  const record = await call(suite.url, token, 'GET', '/api/v1/me/record');
  const page = await newPage(suite.browser, { width: 360 });
  await logIn(page, suite.url, 'volunteer');
  await page.getByRole('link', { name: '志愿服务记录' }).click();
  const hours = page.locator('[data-record-hours]');
  await hours.waitFor();
  assert.equal(await hours.textContent(), record.service.approved_hours);
  for (const part of ['基本信息', '服务情况', '培训情况', '表彰奖励情况', '评价情况']) {
    await page.getByRole('heading', { name: part }).waitFor();
  }
  assert.ok(record.service.entries.length > 0, 'the demo volunteer has approved service');
  const firstRow = page.locator('section.record table').nth(2).locator('tbody tr').first();
  assert.equal(await firstRow.locator('td').nth(1).textContent(), record.service.entries[0].event_title);
  await screenshot(page, 'volunteer-record');
  // a volunteer issues nothing
  assert.equal(await page.getByRole('button', { name: '开具证明' }).count(), 0);
  expectClean(page);
  await closePage(page);

  const volunteerId = record.volunteer.id;
  const before = (await asAdmin(`/api/v1/volunteers/${volunteerId}/certificates`)).total;
  const admin = await newPage(suite.browser, { width: 1280 });
  await logIn(admin, suite.url, 'admin');
  await admin.getByRole('link', { name: '志愿者' }).click();
  await admin.getByLabel('搜索').fill(record.volunteer.name);
  await admin.getByRole('button', { name: '搜索' }).click();
  await admin.locator(`li[data-volunteer="${volunteerId}"]`).getByRole('link', { name: '记录' }).click();
  await admin.getByRole('heading', { name: `志愿服务记录: ${record.volunteer.name}` }).waitFor();
  await admin.getByLabel(/用途/).fill('入党材料');
  await admin.getByRole('button', { name: '开具证明' }).click();
  const issued = admin.locator('li[data-certificate]');
  await issued.first().waitFor();
  const certificates = await asAdmin(`/api/v1/volunteers/${volunteerId}/certificates`);
  assert.equal(certificates.total, before + 1);
  const number = await issued.first().getAttribute('data-certificate');
  assert.equal(number, certificates.items[0].number);
  const [pdf] = await Promise.all([
    admin.waitForEvent('download'),
    issued.first().getByRole('button', { name: '下载 PDF' }).click(),
  ]);
  const bytes = await readFile(await pdf.path());
  assert.equal(bytes.subarray(0, 5).toString(), '%PDF-');
  await screenshot(admin, 'admin-record');
  expectClean(admin);
  await closePage(admin);
});
