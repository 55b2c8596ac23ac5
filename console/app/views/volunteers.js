// @ts-check
// Volunteers of the caller's scope: search, add, edit, archive.

import { html, useState } from '../vendor/preact-htm.js';
import { get, getVersioned, patch, post } from '../api.js';
import { label, t } from '../i18n.js';
import { Pager, Problem, Spinner, useAction, useFields, useOpenedForm, useResource, useSeen } from '../ui.js';

/** @typedef {import('../api-types').Schemas['VolunteerResponse']} Volunteer */

/** @param {{ user: import('../api.js').User, args: string[] }} props */
export function Volunteers({ user }) {
  const [q, setQ] = useState('');
  const [page, setPage] = useState(1);
  const [editing, setEditing] = useState(/** @type {Volunteer | 'new' | null} */ (null));
  const list = useResource(() => get('/api/v1/volunteers', { query: { q: q || undefined, page, limit: 20 } }), [q, page]);
  const branches = useResource(() => get('/api/v1/branches', { query: { limit: 200 } }), []);
  const branchName = Object.fromEntries((branches.data?.items ?? []).map((b) => [b.id, b.name]));

  return html`<section>
    <h2>${t('volunteers')}</h2>
    <form class="filters" role="search" onSubmit=${(/** @type {Event} */ e) => {
      e.preventDefault();
      setQ(String(new FormData(/** @type {HTMLFormElement} */ (e.currentTarget)).get('q') ?? ''));
      setPage(1);
    }}>
      <label>${t('search')} <input name="q" type="search" placeholder=${t('search-name')} /></label>
      <button type="submit">${t('search')}</button>
      <button type="button" class="primary" onClick=${() => setEditing('new')}>${t('add')}</button>
    </form>
    ${editing &&
    html`<${VolunteerForm} volunteer=${editing === 'new' ? null : editing} user=${user}
      branches=${branches.data?.items ?? []} onDone=${() => { setEditing(null); list.reload(); }} />`}
    <${Spinner} loading=${list.loading} />
    <${Problem} error=${list.error} />
    <ul class="cards">
      ${list.data && list.data.items.length === 0 && html`<li class="muted">${t('nothing')}</li>`}
      ${(list.data?.items ?? []).map(
        (v) => html`<li class="card" data-volunteer=${v.id}>
          <p><strong>${v.name}</strong> ${v.volunteer_number && html`<small class="muted">${v.volunteer_number}</small>`}</p>
          <p class="muted">${branchName[v.branch_id] ?? ''} · ${label('vstatus', v.status)}${v.gender ? ` · ${t(v.gender)}` : ''}</p>
          <p class="actions"><button type="button" onClick=${() => setEditing(v)}>${t('edit')}</button>
            <a class="button" href=${`#/record/${v.id}`}>${t('view-record')}</a></p>
        </li>`,
      )}
    </ul>
    ${list.data && html`<${Pager} page=${page} limit=${20} total=${list.data.total} onPage=${setPage} />`}
  </section>`;
}

/**
 * @param {{ volunteer: Volunteer | null, user: import('../api.js').User,
 *   branches: import('../api-types').Schemas['BranchResponse'][], onDone: () => void }} props
 */
function VolunteerForm({ volunteer, user, branches, onDone }) {
  const { values, bind, text } = useFields({
    name: volunteer?.name ?? '',
    gender: volunteer?.gender ?? '',
    phone: volunteer?.phone ?? '',
    volunteer_number: volunteer?.volunteer_number ?? '',
    branch_id: String(volunteer?.branch_id ?? user.branch_id ?? ''),
  });
  const { busy, error, run } = useAction(onDone);
  const ref = useOpenedForm();
  const seen = useSeen(volunteer ? () => getVersioned('/api/v1/volunteers/{id}', { path: { id: volunteer.id } }) : null);

  /** @param {Event} e */
  const submit = (e) => {
    e.preventDefault();
    const gender = /** @type {'male' | 'female' | null} */ (values.gender === 'male' || values.gender === 'female' ? values.gender : null);
    const fields = {
      name: values.name.trim(),
      gender,
      phone: text('phone'),
      volunteer_number: text('volunteer_number'),
    };
    const branchId = Number(values.branch_id) || user.branch_id || 0;
    void run(async () => {
      if (volunteer && seen) {
        const { etag } = await seen;
        await patch('/api/v1/volunteers/{id}', { path: { id: volunteer.id }, body: { ...fields, branch_id: branchId }, ifMatch: etag });
      } else {
        await post('/api/v1/volunteers', { body: { ...fields, branch_id: branchId } });
      }
    });
  };

  const archive = () =>
    run(async () => {
      if (!volunteer || !seen) return;
      const { etag } = await seen;
      await patch('/api/v1/volunteers/{id}', { path: { id: volunteer.id }, body: { status: 'archived' }, ifMatch: etag });
    });

  return html`<form ref=${ref} class="card form" onSubmit=${submit}>
    <h3>${volunteer ? `${t('edit')}: ${volunteer.name}` : t('add')}</h3>
    <label>${t('name')} <input ...${bind('name')} required maxlength="50" /></label>
    <label>${t('gender')} <select ...${bind('gender')}>
      <option value="">—</option><option value="male">${t('male')}</option><option value="female">${t('female')}</option></select></label>
    <label>${t('phone')} <input ...${bind('phone')} type="tel" maxlength="20" /></label>
    <label>${t('number')} <input ...${bind('volunteer_number')} maxlength="32" /></label>
    <label>${t('branch')} <select ...${bind('branch_id')}>
      ${branches.map((b) => html`<option value=${b.id}>${b.name}</option>`)}</select></label>
    <${Problem} error=${error} />
    <p class="actions">
      <button type="submit" class="primary" disabled=${busy}>${t('save')}</button>
      <button type="button" onClick=${onDone}>${t('cancel')}</button>
      ${volunteer && volunteer.status !== 'archived' &&
      html`<button type="button" class="danger" disabled=${busy} onClick=${() => void archive()}>${t('archive')}</button>`}
    </p>
  </form>`;
}
