// @ts-check
// A volunteer's events: sign up (or cancel), and check in and out with the code shown at
// the event (typed, or what scanning its QR image reads).

import { html, useState } from '../vendor/preact-htm.js';
import { del, get, newKey, post } from '../api.js';
import { label, t } from '../i18n.js';
import { Pager, Problem, Spinner, useAction, useResource, valueOf, when } from '../ui.js';

/** @typedef {import('../api-types').Schemas['MyEvent']} MyEvent */

export function MyEvents() {
  const [page, setPage] = useState(1);
  const list = useResource(() => get('/api/v1/me/events', { query: { page, limit: 20 } }), [page]);
  return html`<section>
    <h2>${t('my-events')}</h2>
    <${Spinner} loading=${list.loading} />
    <${Problem} error=${list.error} />
    <ul class="cards">
      ${list.data && list.data.items.length === 0 && html`<li class="muted">${t('nothing')}</li>`}
      ${(list.data?.items ?? []).map((m) => html`<${MyEventCard} key=${m.event.id} item=${m} onChange=${list.reload} />`)}
    </ul>
    ${list.data && html`<${Pager} page=${page} limit=${20} total=${list.data.total} onPage=${setPage} />`}
  </section>`;
}

/** @param {{ item: MyEvent, onChange: () => void }} props */
function MyEventCard({ item, onChange }) {
  const ev = item.event;
  const s = item.my_signup;
  const [code, setCode] = useState('');
  const { busy, error, run } = useAction();
  const [done, setDone] = useState('');

  /** @param {() => Promise<unknown>} work @param {string} [ok] */
  const act = async (work, ok = '') => {
    setDone('');
    if (await run(work)) {
      setDone(ok);
      onChange();
    }
  };

  const live = s && ['applied', 'admitted', 'waitlisted'].includes(s.status);
  return html`<li class="card event" data-event=${ev.id}>
    <h3>${ev.title}</h3>
    <p class="muted">${when(ev.starts_at)} – ${when(ev.ends_at)}${ev.place ? ` · ${ev.place}` : ''}</p>
    <p>${s && html`<span class="badge">${label('signup', s.status)}${s.waitlist_position ? ` ${s.waitlist_position}` : ''}</span>`}
      ${ev.capacity != null && html`<span class="badge">${t('admitted', { n: item.admitted_count })} / ${ev.capacity}</span>`}</p>
    <${Problem} error=${error} />
    ${done && html`<p class="success" role="status">${done}</p>`}
    <p class="actions">
      ${item.can_sign_up &&
      html`<button type="button" class="primary" disabled=${busy}
        onClick=${() => void act(() => post('/api/v1/events/{id}/signups', { path: { id: ev.id }, key: newKey() }))}>${t('sign-up')}</button>`}
      ${live && s &&
      html`<button type="button" disabled=${busy}
        onClick=${() => void act(() => del('/api/v1/signups/{id}', { path: { id: s.id } }))}>${t('cancel-signup')}</button>`}
    </p>
    ${s && s.status === 'admitted' &&
    html`<form class="inline-form" onSubmit=${(/** @type {Event} */ e) => e.preventDefault()}>
      <label>${t('enter-code')}
        <input name="code" inputmode="numeric" autocomplete="one-time-code" maxlength="40" value=${code}
          onInput=${(/** @type {Event} */ e) => setCode(valueOf(e).trim())} /></label>
      <button type="button" class="primary" disabled=${busy || !code}
        onClick=${() => void act(() => post('/api/v1/events/{id}/check-in', { path: { id: ev.id }, body: { code }, key: newKey() }), t('checked-in'))}>${t('check-in')}</button>
      <button type="button" disabled=${busy || !code}
        onClick=${() => void act(() => post('/api/v1/events/{id}/check-out', { path: { id: ev.id }, body: { code }, key: newKey() }), t('checked-out'))}>${t('check-out')}</button>
    </form>`}
  </li>`;
}
