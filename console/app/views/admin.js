// @ts-check
// The administrators' lists of branches and accounts.

import { html, useState } from '../vendor/preact-htm.js';
import { get } from '../api.js';
import { label, t } from '../i18n.js';
import { Pager, Problem, Spinner, useResource, when } from '../ui.js';

export function Branches() {
  const [page, setPage] = useState(1);
  const list = useResource(() => get('/api/v1/branches', { query: { page, limit: 50 } }), [page]);
  const names = Object.fromEntries((list.data?.items ?? []).map((b) => [b.id, b.name]));
  return html`<section>
    <h2>${t('branches')}</h2>
    <${Spinner} loading=${list.loading} />
    <${Problem} error=${list.error} />
    ${list.data &&
    html`<div class="table-wrap"><table>
      <thead><tr><th>${t('code')}</th><th>${t('name')}</th><th>${t('parent')}</th><th>${t('status')}</th></tr></thead>
      <tbody>${list.data.items.map(
        (b) => html`<tr><td>${b.code}</td><td>${b.name}</td><td>${b.parent_id ? (names[b.parent_id] ?? `#${b.parent_id}`) : ''}</td>
          <td>${b.archived ? label('vstatus', 'archived') : t('enabled')}</td></tr>`,
      )}</tbody></table></div>
      <${Pager} page=${page} limit=${50} total=${list.data.total} onPage=${setPage} />`}
  </section>`;
}

export function Accounts() {
  const [page, setPage] = useState(1);
  const list = useResource(() => get('/api/v1/users', { query: { page, limit: 50 } }), [page]);
  return html`<section>
    <h2>${t('accounts')}</h2>
    <${Spinner} loading=${list.loading} />
    <${Problem} error=${list.error} />
    ${list.data &&
    html`<div class="table-wrap"><table>
      <thead><tr><th>${t('username')}</th><th>${t('role')}</th><th>${t('status')}</th><th>${t('login')}</th></tr></thead>
      <tbody>${list.data.items.map(
        (u) => html`<tr><td>${u.username}</td><td>${label('role', u.role)}</td>
          <td>${u.disabled ? t('disabled') : t('enabled')}</td><td>${when(u.last_login_at)}</td></tr>`,
      )}</tbody></table></div>
      <${Pager} page=${page} limit=${50} total=${list.data.total} onPage=${setPage} />`}
  </section>`;
}
