// The tests' own calls of the API (setting up data, reading the database's state back),
// made with fetch, apart from the browser.

export const PASSWORD = 'demo-password-2022';

/**
 * @param {string} url
 * @param {string} username
 */
export async function tokenOf(url, username) {
  const res = await fetch(`${url}/api/v1/auth/login`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ username, password: PASSWORD }),
  });
  if (res.status !== 200) throw new Error(`login ${username}: ${res.status} ${await res.text()}`);
  return /** @type {string} */ ((await res.json()).access_token);
}

/**
 * @param {string} url
 * @param {string} token
 * @param {string} method
 * @param {string} path
 * @param {unknown} [body]
 */
export async function call(url, token, method, path, body) {
  const res = await fetch(`${url}${path}`, {
    method,
    headers: {
      Authorization: `Bearer ${token}`,
      'Content-Type': 'application/json',
      'Idempotency-Key': crypto.randomUUID(),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${text}`);
  return text ? JSON.parse(text) : undefined;
}

/**
 * A new event of branch ZB01 in 2022 (the demo plan's year), tied to plan item 8.
 * @param {string} url
 * @param {string} title
 */
export async function newEvent(url, title) {
  const admin = await tokenOf(url, 'admin');
  const branches = await call(url, admin, 'GET', '/api/v1/branches?limit=200');
  const zb01 = branches.items.find((/** @type {any} */ b) => b.code === 'ZB01');
  const items = await call(url, admin, 'GET', '/api/v1/plan-items?limit=200');
  const item8 = items.items.find((/** @type {any} */ i) => i.plan_year === 2022 && i.number === 8);
  return call(url, admin, 'POST', '/api/v1/events', {
    title,
    category: 'international_volunteer_day',
    organiser_branch_id: zb01.id,
    starts_at: '2022-12-10T09:00:00+08:00',
    ends_at: '2022-12-10T11:30:00+08:00',
    plan_item_ids: [item8.id],
    place: '东街口',
  });
}

/**
 * Every entry of an event, as the service holds them.
 * @param {string} url
 * @param {number} eventId
 */
export async function entriesOf(url, eventId) {
  const admin = await tokenOf(url, 'admin');
  const page = await call(url, admin, 'GET', `/api/v1/hours?event_id=${eventId}&limit=200`);
  return /** @type {any[]} */ (page.items);
}

/**
 * An event of ZB01 starting in 20 minutes and open for sign-up, under this year's plan
 * (the 2022 plan's text, posted again for the current year).
 * @param {string} url
 * @param {string} title
 */
export async function upcomingEvent(url, title) {
  const { readFile } = await import('node:fs/promises');
  const admin = await tokenOf(url, 'admin');
  const year = new Date().getFullYear();
  const items = await call(url, admin, 'GET', `/api/v1/plan-items?year=${year}&limit=200`);
  if (items.items.length === 0) {
    const plan = JSON.parse(await readFile(new URL('../../seeds/plan-2022.json', import.meta.url), 'utf8'));
    await call(url, admin, 'POST', '/api/v1/plans', { ...plan, year, title: `${year}年精神文明创建工作要点` });
  }
  const item8 = (await call(url, admin, 'GET', `/api/v1/plan-items?year=${year}&limit=200`)).items.find(
    (/** @type {any} */ i) => i.number === 8,
  );
  const branches = await call(url, admin, 'GET', '/api/v1/branches?limit=200');
  const zb01 = branches.items.find((/** @type {any} */ b) => b.code === 'ZB01');
  const start = new Date(Date.now() + 20 * 60_000);
  start.setSeconds(0, 0);
  return call(url, admin, 'POST', '/api/v1/events', {
    title,
    category: 'civilised_traffic',
    organiser_branch_id: zb01.id,
    starts_at: start.toISOString(),
    ends_at: new Date(start.getTime() + 2 * 3_600_000).toISOString(),
    plan_item_ids: [item8.id],
    status: 'open',
    signup_mode: 'open',
    capacity: 10,
  });
}
