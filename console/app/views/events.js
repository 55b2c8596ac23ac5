// @ts-check
import { html, useState } from '../vendor/preact-htm.js';
import { get } from '../api.js';
import { knowEvents } from '../lookup.js';
import { label, t } from '../i18n.js';
import { Pager, Problem, Spinner, useResource, when } from '../ui.js';
import { EventForm } from './event-form.js';

/** @typedef {import('../api-types').Schemas['EventResponse']} Ev */

const TABS = /** @type {const} */ ([
  ['upcoming', 'planned'],
  ['ongoing', 'open'],
  ['past', 'completed'],
  ['all', undefined],
]);

/** A secretary's events (its branch's), an administrator's (all): upcoming, open, past. */
/** @param {{ user: import('../api.js').User, args: string[] }} props */
export function Events({ user }) {
  const [tab, setTab] = useState(0);
  const [page, setPage] = useState(1);
  const [q, setQ] = useState('');
  const [editing, setEditing] = useState(/** @type {Ev | 'new' | null} */ (null));
  const status = TABS[tab][1];
  const list = useResource(async () => {
    const p = await get('/api/v1/events', {
      query: { branch_id: user.branch_id ?? undefined, status, q: q || undefined, page, limit: 20 },
    });
    knowEvents(p.items);
    return p;
  }, [tab, page, q]);

  return html`<section>
    <h2>${t('events')}</h2>
    <div class="tabs" role="tablist">
      ${TABS.map(
        ([word], i) => html`<button type="button" role="tab" aria-selected=${i === tab}
          onClick=${() => { setTab(i); setPage(1); }}>${t(word)}</button>`,
      )}
    </div>
    <form class="filters" role="search" onSubmit=${(/** @type {Event} */ e) => {
      e.preventDefault();
      const f = /** @type {HTMLFormElement} */ (e.currentTarget);
      setQ(String(new FormData(f).get('q') ?? ''));
      setPage(1);
    }}>
      <label>${t('search')} <input name="q" type="search" /></label>
      <button type="submit">${t('search')}</button>
      <button type="button" class="primary" onClick=${() => setEditing('new')}>${t('new-event')}</button>
    </form>
    ${editing &&
    html`<${EventForm} key=${editing === 'new' ? 'new' : editing.id} ev=${editing === 'new' ? null : editing} user=${user}
      onDone=${(/** @type {boolean} */ changed) => { setEditing(null); if (changed) list.reload(); }} />`}
    <${Spinner} loading=${list.loading} />
    <${Problem} error=${list.error} />
    ${list.data &&
    html`<ul class="cards">
        ${list.data.items.length === 0 && html`<li class="muted">${t('nothing')}</li>`}
        ${list.data.items.map((ev) => html`<${EventCard} ev=${ev} user=${user} onEdit=${() => setEditing(ev)} />`)}
      </ul>
      <${Pager} page=${page} limit=${20} total=${list.data.total} onPage=${setPage} />`}
  </section>`;
}

/** @param {{ ev: Ev, user: import('../api.js').User, onEdit: () => void }} props */
function EventCard({ ev, user, onEdit }) {
  const mine = user.role === 'admin' || ev.organiser_branch_id === user.branch_id;
  return html`<li class="card event" data-event=${ev.id}>
    <h3>${ev.title}</h3>
    <p class="muted">${when(ev.starts_at)} – ${when(ev.ends_at)}${ev.place ? ` · ${ev.place}` : ''}</p>
    <p><span class=${`badge ${ev.status}`}>${label('event', ev.status)}</span>
      <span class="badge">${label('category', ev.category)}</span>
      ${ev.capacity != null && html`<span class="badge">${t('capacity')} ${ev.capacity}</span>`}</p>
    ${mine &&
    html`<p class="actions">
      ${ev.status !== 'cancelled' && html`<a class="button primary" href=${`#/roster/${ev.id}`}>${t('record-roster')}</a>`}
      ${ev.status !== 'completed' && ev.status !== 'cancelled' && html`<a class="button" href=${`#/code/${ev.id}`}>${t('show-code')}</a>`}
      <button type="button" onClick=${onEdit}>${t('edit')}</button>
    </p>`}
  </li>`;
}
