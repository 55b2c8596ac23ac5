// @ts-check
// A secretary's entries: submitted ones may be withdrawn or edited until reviewed;
// approved ones are corrected (a new entry netting the difference), with a reason.

import { html, useState } from '../vendor/preact-htm.js';
import { del, getVersioned, get, newKey, patch, post } from '../api.js';
import { useNames } from '../lookup.js';
import { label, t } from '../i18n.js';
import { Pager, Problem, Spinner, hoursOf, useAction, useResource, valueOf } from '../ui.js';

/** @typedef {import('../api-types').Schemas['HourEntryResponse']} Entry */
/** @typedef {import('../api-types').Schemas['HourStatus']} HourStatus */

/** @type {(HourStatus | undefined)[]} */
const STATUSES = ['submitted', 'approved', 'rejected', undefined];

/** @param {{ user: import('../api.js').User, args: string[] }} props */
export function Entries({ user }) {
  const [status, setStatus] = useState(/** @type {HourStatus | undefined} */ ('submitted'));
  const [page, setPage] = useState(1);
  const list = useResource(
    () => get('/api/v1/hours', { query: { branch_id: user.branch_id ?? undefined, status, page, limit: 20 } }),
    [status, page],
  );
  const items = list.data?.items ?? [];
  const volunteers = useNames('volunteer', items.map((e) => e.volunteer_id));
  const events = useNames('event', items.map((e) => e.event_id));

  return html`<section>
    <h2>${t('entries')}</h2>
    <div class="tabs" role="tablist">
      ${STATUSES.map(
        (s) => html`<button type="button" role="tab" aria-selected=${s === status}
          onClick=${() => { setStatus(s); setPage(1); }}>${s ? label('status', s) : t('all')}</button>`,
      )}
    </div>
    <${Spinner} loading=${list.loading} />
    <${Problem} error=${list.error} />
    <ul class="cards">
      ${list.data && items.length === 0 && html`<li class="muted">${t('nothing')}</li>`}
      ${items.map(
        (e) => html`<${EntryCard} key=${e.id} entry=${e} volunteer=${volunteers[e.volunteer_id]}
          event=${events[e.event_id]} onChange=${list.reload} />`,
      )}
    </ul>
    ${list.data && html`<${Pager} page=${page} limit=${20} total=${list.data.total} onPage=${setPage} />`}
  </section>`;
}

/** @param {{ entry: Entry, volunteer?: string, event?: string, onChange: () => void }} props */
function EntryCard({ entry, volunteer, event, onChange }) {
  const [editing, setEditing] = useState(/** @type {'edit' | 'correct' | null} */ (null));
  const [minutes, setMinutes] = useState(String(entry.minutes));
  const [reason, setReason] = useState('');
  const { busy, error, run } = useAction(() => {
    setEditing(null);
    onChange();
  });

  const withdraw = () =>
    run(async () => {
      const { etag } = await getVersioned('/api/v1/hours/{id}', { path: { id: entry.id } });
      await del('/api/v1/hours/{id}', { path: { id: entry.id }, ifMatch: etag });
    });
  const save = () =>
    run(async () => {
      const { etag } = await getVersioned('/api/v1/hours/{id}', { path: { id: entry.id } });
      await patch('/api/v1/hours/{id}', { path: { id: entry.id }, body: { minutes: Number(minutes) }, ifMatch: etag });
    });
  const correct = () =>
    run(() =>
      post('/api/v1/hours/{id}/corrections', {
        path: { id: entry.id },
        body: { minutes: Number(minutes), reason: reason.trim() },
        key: newKey(),
      }),
    );

  return html`<li class="card entry" data-entry=${entry.id}>
    <p><strong>${volunteer ?? `#${entry.volunteer_id}`}</strong> · ${event ?? `#${entry.event_id}`}</p>
    <p>${entry.service_date} · ${entry.minutes} ${t('minutes')} (${hoursOf(entry.minutes)} ${t('hours')})
      ${entry.role && html` · ${entry.role}`}</p>
    <p><span class=${`badge ${entry.status}`}>${label('status', entry.status)}</span>
      <span class="badge">${label('source', entry.source)}</span>
      ${entry.corrects_id && html`<span class="badge">${t('correct')} #${entry.corrects_id}</span>`}
      ${entry.reason && html`<span class="muted"> ${t('reason')}: ${entry.reason}</span>`}</p>
    <${Problem} error=${error} />
    ${editing &&
    html`<form class="inline-form" onSubmit=${(/** @type {Event} */ e) => {
      e.preventDefault();
      void (editing === 'edit' ? save() : correct());
    }}>
      <label>${editing === 'edit' ? t('minutes') : t('new-minutes')}
        <input type="number" name="minutes" min=${editing === 'edit' ? 1 : -1440} max="1440" required value=${minutes}
          onInput=${(/** @type {Event} */ e) => setMinutes(valueOf(e))} /></label>
      ${editing === 'correct' &&
      html`<label>${t('reason')} <input name="reason" required maxlength="500" value=${reason}
          onInput=${(/** @type {Event} */ e) => setReason(valueOf(e))} /></label>`}
      <button type="submit" class="primary" disabled=${busy}>${t('save')}</button>
      <button type="button" onClick=${() => setEditing(null)}>${t('cancel')}</button>
    </form>`}
    ${!editing &&
    html`<p class="actions">
      ${entry.status === 'submitted' &&
      html`<button type="button" disabled=${busy} onClick=${() => { setMinutes(String(entry.minutes)); setEditing('edit'); }}>${t('edit')}</button>
        <button type="button" disabled=${busy} onClick=${() => void withdraw()}>${t('withdraw')}</button>`}
      ${entry.status === 'approved' &&
      !entry.corrects_id &&
      html`<button type="button" disabled=${busy} onClick=${() => { setMinutes(''); setEditing('correct'); }}>${t('correct')}</button>`}
      <a class="button" href=${`#/history/${entry.id}`}>${t('history')}</a>
    </p>`}
  </li>`;
}
