// @ts-check
// The administrators' branches and accounts: lists, and the forms to create and change them
// (archive a branch; disable an account, reset its password, change its role or links).

import { html, useEffect, useState } from '../vendor/preact-htm.js';
import { del, get, getVersioned, patch, post } from '../api.js';
import { useNames } from '../lookup.js';
import { label, t } from '../i18n.js';
import {
  Pager,
  Problem,
  Spinner,
  useAction,
  useFields,
  useIdempotencyKey,
  useOpenedForm,
  useResource,
  useSeen,
  when,
} from '../ui.js';

/** @typedef {import('../api-types').Schemas['BranchResponse']} Branch */
/** @typedef {import('../api-types').Schemas['UserResponse']} Account */
/** @typedef {import('../api-types').Schemas['Role']} Role */

const ROLES = /** @type {Role[]} */ (['admin', 'secretary', 'hr', 'volunteer']);

/** Every branch, for pickers and for names. */
function useBranches() {
  return useResource(() => get('/api/v1/branches', { query: { limit: 200 } }), []);
}

/**
 * A list page with a button to add, the form open above it, and its pager.
 * @template T
 * @param {{ title: string, page: number, setPage: (p: number) => void, total: number | undefined,
 *   loading: boolean, error: import('../api.js').ApiError | null, onAdd: () => void,
 *   form: unknown, head: unknown, rows: unknown }} props
 */
function Listing({ title, page, setPage, total, loading, error, onAdd, form, head, rows }) {
  return html`<section>
    <h2>${title}</h2>
    <p class="actions"><button type="button" class="primary" onClick=${onAdd}>${t('add')}</button></p>
    ${form}
    <${Spinner} loading=${loading} />
    <${Problem} error=${error} />
    ${total !== undefined &&
    html`<div class="table-wrap"><table><thead>${head}</thead><tbody>${rows}</tbody></table></div>
      <${Pager} page=${page} limit=${50} total=${total} onPage=${setPage} />`}
  </section>`;
}

export function Branches() {
  const [page, setPage] = useState(1);
  const [editing, setEditing] = useState(/** @type {Branch | 'new' | null} */ (null));
  const list = useResource(() => get('/api/v1/branches', { query: { page, limit: 50 } }), [page]);
  const all = useBranches();
  const names = Object.fromEntries((all.data?.items ?? []).map((b) => [b.id, b.name]));
  /** @param {boolean} changed */
  const done = (changed) => {
    setEditing(null);
    if (changed) {
      list.reload();
      all.reload();
    }
  };
  return html`<${Listing} title=${t('branches')} page=${page} setPage=${setPage} total=${list.data?.total}
    loading=${list.loading} error=${list.error} onAdd=${() => setEditing('new')}
    form=${editing &&
    html`<${BranchForm} key=${editing === 'new' ? 'new' : editing.id} branch=${editing === 'new' ? null : editing}
      branches=${all.data?.items ?? []} onDone=${done} />`}
    head=${html`<tr><th scope="col">${t('code')}</th><th scope="col">${t('branch-name')}</th><th scope="col">${t('parent')}</th>
      <th scope="col">${t('status')}</th><th scope="col">${t('actions')}</th></tr>`}
    rows=${(list.data?.items ?? []).map(
      (b) => html`<tr data-branch=${b.id}><td>${b.code}</td><td>${b.name}</td>
        <td>${b.parent_id ? (names[b.parent_id] ?? `#${b.parent_id}`) : ''}</td>
        <td>${b.archived ? label('vstatus', 'archived') : t('enabled')}</td>
        <td><button type="button" onClick=${() => setEditing(b)}>${t('edit')}</button></td></tr>`,
    )} />`;
}

/** @param {{ branch: Branch | null, branches: Branch[], onDone: (changed: boolean) => void }} props */
function BranchForm({ branch, branches, onDone }) {
  const { values, bind } = useFields({
    code: branch?.code ?? '',
    name: branch?.name ?? '',
    parent_id: String(branch?.parent_id ?? ''),
  });
  const { busy, error, run } = useAction(() => onDone(true));
  const idem = useIdempotencyKey();
  const ref = useOpenedForm();
  const seen = useSeen(branch ? () => getVersioned('/api/v1/branches/{id}', { path: { id: branch.id } }) : null);
  /** @param {import('../api-types').Schemas['UpdateBranch']} body */
  const change = (body) =>
    run(async () => {
      if (!branch || !seen) return;
      await patch('/api/v1/branches/{id}', { path: { id: branch.id }, body, ifMatch: (await seen).etag });
    });

  /** @param {Event} e */
  const submit = (e) => {
    e.preventDefault();
    const fields = { code: values.code.trim(), name: values.name.trim(), parent_id: Number(values.parent_id) || null };
    if (branch) {
      void change(fields);
    } else {
      void run(async () => {
        await post('/api/v1/branches', { body: fields, key: idem.keyFor(fields) });
        idem.answered();
      });
    }
  };

  const remove = () =>
    run(async () => {
      if (!branch || !seen) return;
      await del('/api/v1/branches/{id}', { path: { id: branch.id }, ifMatch: (await seen).etag });
    });

  return html`<form ref=${ref} class="card form" onSubmit=${submit} novalidate>
    <h3>${branch ? `${t('edit')}: ${branch.name}` : t('new-branch')}</h3>
    <label>${t('code')} <input ...${bind('code')} maxlength="32" /></label>
    <label>${t('branch-name')} <input ...${bind('name')} maxlength="100" /></label>
    <label>${t('parent')} <select ...${bind('parent_id')}>
      <option value="">—</option>
      ${branches.filter((b) => b.id !== branch?.id).map((b) => html`<option value=${b.id}>${b.name}</option>`)}</select></label>
    <${Problem} error=${error} />
    <p class="actions">
      <button type="submit" class="primary" disabled=${busy}>${t('save')}</button>
      <button type="button" onClick=${() => onDone(false)}>${t('cancel')}</button>
      ${branch &&
      html`<button type="button" class=${branch.archived ? '' : 'danger'} disabled=${busy}
          onClick=${() => void change({ archived: !branch.archived })}>${branch.archived ? t('restore') : t('archive')}</button>
        <button type="button" class="danger" disabled=${busy} onClick=${() => void remove()}>${t('delete')}</button>`}
    </p>
  </form>`;
}

export function Accounts() {
  const [page, setPage] = useState(1);
  const [q, setQ] = useState('');
  const [editing, setEditing] = useState(/** @type {Account | 'new' | null} */ (null));
  const list = useResource(() => get('/api/v1/users', { query: { page, limit: 50, q: q || undefined } }), [page, q]);
  const branches = useBranches();
  const names = Object.fromEntries((branches.data?.items ?? []).map((b) => [b.id, b.name]));
  return html`<${Listing} title=${t('accounts')} page=${page} setPage=${setPage} total=${list.data?.total}
    loading=${list.loading} error=${list.error} onAdd=${() => setEditing('new')}
    form=${html`<form class="filters" role="search" onSubmit=${(/** @type {Event} */ e) => {
        e.preventDefault();
        setQ(String(new FormData(/** @type {HTMLFormElement} */ (e.currentTarget)).get('q') ?? ''));
        setPage(1);
      }}>
        <label>${t('search')} <input name="q" type="search" placeholder=${t('username')} /></label>
        <button type="submit">${t('search')}</button>
      </form>
      ${editing &&
      html`<${AccountForm} key=${editing === 'new' ? 'new' : editing.id} account=${editing === 'new' ? null : editing}
        branches=${branches.data?.items ?? []}
        onDone=${(/** @type {boolean} */ changed) => { setEditing(null); if (changed) list.reload(); }} />`}`}
    head=${html`<tr><th scope="col">${t('username')}</th><th scope="col">${t('account-role')}</th><th scope="col">${t('branch')}</th>
      <th scope="col">${t('status')}</th><th scope="col">${t('last-login')}</th><th scope="col">${t('actions')}</th></tr>`}
    rows=${(list.data?.items ?? []).map(
      (u) => html`<tr data-account=${u.username}><td>${u.username}</td><td>${label('role', u.role)}</td>
        <td>${u.branch_id ? (names[u.branch_id] ?? `#${u.branch_id}`) : ''}</td>
        <td>${u.disabled ? t('disabled') : u.locked ? t('locked') : t('enabled')}</td><td>${when(u.last_login_at)}</td>
        <td><button type="button" onClick=${() => setEditing(u)}>${t('edit')}</button></td></tr>`,
    )} />`;
}

/** @param {{ account: Account | null, branches: Branch[], onDone: (changed: boolean) => void }} props */
function AccountForm({ account, branches, onDone }) {
  const { busy, error, run } = useAction(() => onDone(true));
  const idem = useIdempotencyKey();
  const ref = useOpenedForm();
  const seen = useSeen(account ? () => getVersioned('/api/v1/users/{id}', { path: { id: account.id } }) : null);
  const { values, bind } = useFields({
    username: '',
    password: '',
    role: account?.role ?? 'secretary',
    branch_id: String(account?.branch_id ?? ''),
    volunteer_id: String(account?.volunteer_id ?? ''),
  });
  const role = /** @type {Role} */ (values.role);
  /** @param {import('../api-types').Schemas['UpdateUser']} body */
  const change = (body) =>
    run(async () => {
      if (!account || !seen) return;
      await patch('/api/v1/users/{id}', { path: { id: account.id }, body, ifMatch: (await seen).etag });
    });

  /** @param {Event} e */
  const submit = (e) => {
    e.preventDefault();
    const links = {
      branch_id: Number(values.branch_id) || null,
      volunteer_id: role === 'volunteer' ? Number(values.volunteer_id) || null : null,
    };
    const password = values.password;
    if (account) {
      void change({ role, ...links, password: password || null });
    } else {
      const body = { username: values.username.trim(), password, role, ...links };
      void run(async () => {
        await post('/api/v1/users', { body, key: idem.keyFor(body) });
        idem.answered();
      });
    }
  };

  return html`<form ref=${ref} class="card form" onSubmit=${submit} novalidate autocomplete="off">
    <h3>${account ? `${t('edit')}: ${account.username}` : t('new-account')}</h3>
    ${!account && html`<label>${t('username')} <input ...${bind('username')} maxlength="64" autocomplete="off" /></label>`}
    <label>${account ? t('new-password') : t('password')}
      <input ...${bind('password')} type="password" maxlength="256" autocomplete="new-password" /></label>
    <label>${t('account-role')} <select ...${bind('role')}>
      ${ROLES.map((r) => html`<option value=${r}>${label('role', r)}</option>`)}</select></label>
    <label>${t('branch')} <select ...${bind('branch_id')}>
      <option value="">—</option>
      ${branches.filter((b) => !b.archived).map((b) => html`<option value=${b.id}>${b.name}</option>`)}</select></label>
    ${role === 'volunteer' && html`<${VolunteerPicker} current=${account?.volunteer_id ?? null} field=${bind('volunteer_id')} />`}
    <${Problem} error=${error} />
    <p class="actions">
      <button type="submit" class="primary" disabled=${busy}>${t('save')}</button>
      <button type="button" onClick=${() => onDone(false)}>${t('cancel')}</button>
      ${account &&
      html`<button type="button" class=${account.disabled ? '' : 'danger'} disabled=${busy}
        onClick=${() => void change({ disabled: !account.disabled })}>${account.disabled ? t('enable') : t('disable')}</button>`}
    </p>
  </form>`;
}

/**
 * The volunteer an account is linked to: a search by name or number, and a choice among
 * what it finds (the current one first), bound to the form's `volunteer_id`.
 * @param {{ current: number | null, field: { name: string, value: string, onInput: (e: Event) => void } }} props
 */
function VolunteerPicker({ current, field }) {
  const [q, setQ] = useState('');
  const [typed, setTyped] = useState('');
  useEffect(() => {
    const timer = setTimeout(() => setQ(typed.trim()), 300);
    return () => clearTimeout(timer);
  }, [typed]);
  const found = useResource(
    () => (q ? get('/api/v1/volunteers', { query: { q, limit: 20 } }) : Promise.resolve(null)),
    [q],
  );
  const currentName = useNames('volunteer', current ? [current] : []);
  const options = (found.data?.items ?? []).filter((v) => v.id !== current);
  return html`<fieldset class="picker">
    <legend>${t('volunteer')}</legend>
    <label>${t('search-name')} <input type="search" value=${typed}
      onInput=${(/** @type {Event} */ e) => setTyped(/** @type {HTMLInputElement} */ (e.currentTarget).value)} /></label>
    <label>${t('linked-volunteer')} <select ...${field}>
      <option value="">—</option>
      ${current && html`<option value=${current}>${currentName[current] ?? `#${current}`}</option>`}
      ${options.map((v) => html`<option value=${v.id}>${v.name}${v.volunteer_number ? ` (${v.volunteer_number})` : ''}</option>`)}
    </select></label>
    <${Problem} error=${found.error} />
  </fieldset>`;
}
