// @ts-check
// Creating an event (administrators, secretaries for their branch) and editing one: its
// times, plan items of its year, sign-up settings, and its status moves.

import { html, useState } from '../vendor/preact-htm.js';
import { del, get, getVersioned, patch, post } from '../api.js';
import { CATEGORIES, label, lang, t } from '../i18n.js';
import { Problem, useAction, useFields, useIdempotencyKey, useOpenedForm, useResource, useSeen } from '../ui.js';

/** @typedef {import('../api-types').Schemas['EventResponse']} Ev */
/** @typedef {import('../api-types').Schemas['EventStatus']} EventStatus */

/** The moves the API allows from each status. @type {Record<EventStatus, EventStatus[]>} */
const MOVES = { planned: ['open', 'cancelled'], open: ['completed', 'cancelled'], completed: [], cancelled: [] };

/** A timestamp as a `datetime-local` value in the browser's time. @param {string | null | undefined} ts */
export function localInput(ts) {
  if (!ts) return '';
  const d = new Date(ts);
  const p = (/** @type {number} */ n) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}T${p(d.getHours())}:${p(d.getMinutes())}`;
}

/** A `datetime-local` value as RFC 3339 (UTC), or the raw text for the API to refuse. @param {string} v */
function instant(v) {
  if (!v) return '';
  const d = new Date(v);
  return Number.isNaN(d.getTime()) ? v : d.toISOString();
}

/**
 * The fields that differ from the event as it is: an unchanged category or plan item is
 * not sent, so that editing the title of an event with approved hours is not refused.
 * @template {Record<string, unknown>} F
 * @param {Ev} ev
 * @param {F} fields
 * @returns {Partial<F>}
 */
function changes(ev, fields) {
  const now = /** @type {Record<string, unknown>} */ (ev);
  /** @param {unknown} v */
  const norm = (v) => {
    if (Array.isArray(v)) return [...v].sort().join(',');
    if (typeof v === 'string' && /^\d{4}-\d\d-\d\dT/.test(v)) return String(Date.parse(v));
    return v ?? null;
  };
  /** @type {Partial<F>} */
  const out = {};
  for (const [k, v] of Object.entries(fields)) {
    if (norm(v) !== norm(now[k])) /** @type {Record<string, unknown>} */ (out)[k] = v;
  }
  return out;
}

/**
 * @param {{ ev: Ev | null, user: import('../api.js').User, onDone: (changed: boolean) => void }} props
 */
export function EventForm({ ev, user, onDone }) {
  const { values, bind, text } = useFields({
    title: ev?.title ?? '',
    category: ev?.category ?? 'other',
    organiser_branch_id: String(ev?.organiser_branch_id ?? user.branch_id ?? ''),
    starts_at: localInput(ev?.starts_at),
    ends_at: localInput(ev?.ends_at),
    place: ev?.place ?? '',
    capacity: ev?.capacity == null ? '' : String(ev.capacity),
    signup_mode: ev?.signup_mode ?? 'none',
    description: ev?.description ?? '',
  });
  const [chosen, setChosen] = useState(() => new Set(ev?.plan_item_ids ?? []));
  const year = Number((values.starts_at || localInput(new Date().toISOString())).slice(0, 4));
  const items = useResource(() => get('/api/v1/plan-items', { query: { year, limit: 200 } }), [year]);
  const branches = useResource(() => get('/api/v1/branches', { query: { limit: 200 } }), []);
  const { busy, error, run } = useAction(() => onDone(true));
  const idem = useIdempotencyKey();
  const ref = useOpenedForm();
  const seen = useSeen(ev ? () => getVersioned('/api/v1/events/{id}', { path: { id: ev.id } }) : null);

  /** @param {number} id */
  const toggle = (id) =>
    setChosen((s) => {
      const next = new Set(s);
      if (!next.delete(id)) next.add(id);
      return next;
    });

  /** @param {Event} e */
  const submit = (e) => {
    e.preventDefault();
    const shown = new Set((items.data?.items ?? []).map((i) => i.id));
    const fields = {
      title: values.title.trim(),
      category: /** @type {import('../api-types').Schemas['Category']} */ (values.category),
      organiser_branch_id: Number(values.organiser_branch_id) || user.branch_id || 0,
      starts_at: instant(values.starts_at),
      ends_at: instant(values.ends_at),
      place: text('place'),
      description: text('description'),
      capacity: values.capacity.trim() === '' ? null : Number(values.capacity),
      // the items of another year, ticked before the start moved, are not sent
      plan_item_ids: [...chosen].filter((id) => shown.has(id)),
      signup_mode: /** @type {import('../api-types').Schemas['SignupMode']} */ (values.signup_mode),
    };
    void run(async () => {
      if (ev && seen) {
        const { data, etag } = await seen;
        await patch('/api/v1/events/{id}', { path: { id: ev.id }, body: changes(data, fields), ifMatch: etag });
      } else {
        const body = { ...fields, signup_scope: null, status: null };
        await post('/api/v1/events', { body, key: idem.keyFor(body) });
        idem.answered();
      }
    });
  };

  /** @param {EventStatus} status */
  const move = (status) =>
    run(async () => {
      if (!ev || !seen) return;
      await patch('/api/v1/events/{id}', { path: { id: ev.id }, body: { status }, ifMatch: (await seen).etag });
    });

  const remove = () =>
    run(async () => {
      if (!ev || !seen || !confirm(t('confirm-delete-event'))) return;
      await del('/api/v1/events/{id}', { path: { id: ev.id }, ifMatch: (await seen).etag });
    });

  const ownBranches = (branches.data?.items ?? []).filter((b) => !b.archived);
  return html`<form ref=${ref} class="card form event-form" onSubmit=${submit} novalidate>
    <h3>${ev ? `${t('edit')}: ${ev.title}` : t('new-event')}</h3>
    <label>${t('title')} <input ...${bind('title')} maxlength="200" /></label>
    <label>${t('category')} <select ...${bind('category')}>
      ${CATEGORIES.map((c) => html`<option value=${c}>${label('category', c)}</option>`)}</select></label>
    <label>${t('organiser')} <select ...${bind('organiser_branch_id')}>
      ${!user.branch_id && html`<option value="">—</option>`}
      ${ownBranches.map((b) => html`<option value=${b.id}>${b.name}</option>`)}</select></label>
    <label>${t('start')} <input ...${bind('starts_at')} type="datetime-local" /></label>
    <label>${t('end')} <input ...${bind('ends_at')} type="datetime-local" /></label>
    <label>${t('place')} <input ...${bind('place')} maxlength="200" /></label>
    <label>${t('capacity')} <input ...${bind('capacity')} type="number" min="1" inputmode="numeric" /></label>
    <label>${t('signup-mode')} <select ...${bind('signup_mode')}>
      ${['none', 'open', 'approval'].map((m) => html`<option value=${m}>${label('signup-mode', m)}</option>`)}</select></label>
    <fieldset class="plan-items">
      <legend>${t('plan-items-of', { year })}</legend>
      <${Problem} error=${items.error} />
      ${items.data && items.data.items.length === 0 && html`<p class="muted">${t('no-plan', { year })}</p>`}
      ${(items.data?.items ?? []).map(
        (i) => html`<label class="check"><input type="checkbox" checked=${chosen.has(i.id)} onChange=${() => toggle(i.id)} />
          ${i.number}. ${lang() === 'en' && i.title_en ? i.title_en : i.title}</label>`,
      )}
    </fieldset>
    <label>${t('description')} <textarea ...${bind('description')} maxlength="5000" rows="3"></textarea></label>
    <${Problem} error=${error} />
    <p class="actions">
      <button type="submit" class="primary" disabled=${busy}>${t('save')}</button>
      <button type="button" onClick=${() => onDone(false)}>${t('cancel')}</button>
    </p>
    ${ev &&
    html`<p class="actions">
      ${MOVES[ev.status].map(
        (s) => html`<button type="button" class=${s === 'cancelled' ? 'danger' : ''} disabled=${busy}
          onClick=${() => void move(s)}>${t(`to-${s}`)}</button>`,
      )}
      <button type="button" class="danger" disabled=${busy} onClick=${() => void remove()}>${t('delete')}</button>
    </p>`}
  </form>`;
}
