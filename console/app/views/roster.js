// @ts-check
// Recording a roster: pick the event, tick volunteers, minutes from the event's length or
// its start and end (each row may differ), submit. The service checks every value (the
// form does not: its answer names each bad row in the reader's language). The draft and its Idempotency-Key stay
// in localStorage until the service answers, so a reload or a dead network sends the same
// key again and the service records the roster once.

import { html, useMemo, useState } from '../vendor/preact-htm.js';
import { ApiError, get, newKey, post } from '../api.js';
import { knowVolunteers } from '../lookup.js';
import { label, t } from '../i18n.js';
import { Problem, Spinner, asApiError, minutesBetween, useResource, valueOf, when } from '../ui.js';

/** @typedef {import('../api-types').Schemas} S */
/** @typedef {S['EntryInput']} EntryInput */
/** @typedef {S['VolunteerResponse']} Volunteer */
/** @typedef {{ key: string, entries: EntryInput[], at: string }} Draft */
/** @typedef {{ minutes?: string, role?: string, note?: string }} RowInput */

const DRAFT = 'vh.draft.roster.';

/** @param {number} eventId @returns {Draft | null} */
export function loadDraft(eventId) {
  try {
    const raw = localStorage.getItem(DRAFT + eventId);
    return raw ? JSON.parse(raw) : null;
  } catch {
    return null;
  }
}

/** @param {number} eventId @param {Draft | null} draft */
function saveDraft(eventId, draft) {
  try {
    if (draft) localStorage.setItem(DRAFT + eventId, JSON.stringify(draft));
    else localStorage.removeItem(DRAFT + eventId);
  } catch {
    // storage full or refused: the roster is sent all the same, only not kept
  }
}

/** Every volunteer the caller may record for, all pages. @param {number | undefined} branchId */
async function allVolunteers(branchId) {
  /** @type {Volunteer[]} */
  const all = [];
  for (let page = 1; ; page++) {
    const p = await get('/api/v1/volunteers', { query: { branch_id: branchId, status: 'active', limit: 200, page } });
    all.push(...p.items);
    if (all.length >= p.total || p.items.length === 0) break;
  }
  knowVolunteers(all);
  return all;
}

/** A `datetime-local` value of a timestamp, in the browser's time zone. @param {string} ts */
function localInput(ts) {
  const d = new Date(ts);
  const pad = (/** @type {number} */ n) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}`;
}

/** @param {{ user: import('../api.js').User, args: string[] }} props */
export function Roster({ user, args }) {
  const eventId = Number(args[0]);
  if (!Number.isInteger(eventId) || eventId < 1) return html`<${PickEvent} user=${user} />`;
  return html`<${RosterForm} user=${user} eventId=${eventId} />`;
}

/** @param {{ user: import('../api.js').User }} props */
function PickEvent({ user }) {
  const list = useResource(
    () => get('/api/v1/events', { query: { branch_id: user.branch_id ?? undefined, limit: 50 } }),
    [],
  );
  const events = (list.data?.items ?? []).filter((e) => e.status !== 'cancelled').reverse();
  return html`<section>
    <h2>${t('roster')}</h2>
    <h3>${t('pick-event')}</h3>
    <${Spinner} loading=${list.loading} />
    <${Problem} error=${list.error} />
    <ul class="cards">
      ${events.map(
        (e) => html`<li class="card"><a class="block" href=${`#/roster/${e.id}`}>
          <strong>${e.title}</strong><br /><span class="muted">${when(e.starts_at)} · ${label('event', e.status)}</span></a></li>`,
      )}
    </ul>
  </section>`;
}

/** @param {{ user: import('../api.js').User, eventId: number }} props */
function RosterForm({ user, eventId }) {
  const data = useResource(async () => {
    const event = await get('/api/v1/events/{id}', { path: { id: eventId } });
    const volunteers = await allVolunteers(user.role === 'admin' ? event.organiser_branch_id : undefined);
    return { event, volunteers };
  }, [eventId]);
  const [draft, setDraft] = useState(() => loadDraft(eventId));
  const [checked, setChecked] = useState(/** @type {Set<number>} */ (new Set()));
  const [rows, setRows] = useState(/** @type {Record<number, RowInput>} */ ({}));
  const [mode, setMode] = useState(/** @type {'length' | 'times'} */ ('length'));
  const [search, setSearch] = useState('');
  const [defMinutes, setDefMinutes] = useState('');
  const [start, setStart] = useState('');
  const [end, setEnd] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState(/** @type {ApiError | null} */ (null));
  const [rowErrors, setRowErrors] = useState(/** @type {Record<number, string[]>} */ ({}));
  const [done, setDone] = useState(/** @type {number | null} */ (null));

  const event = data.data?.event;
  const volunteers = data.data?.volunteers ?? [];
  const eventMinutes = event ? Math.min(1440, minutesBetween(event.starts_at, event.ends_at)) : 0;
  const minutesDefault = defMinutes || String(eventMinutes);
  const startValue = start || (event ? localInput(event.starts_at) : '');
  const endValue = end || (event ? localInput(event.ends_at) : '');

  const shown = useMemo(() => {
    const s = search.trim();
    return s ? volunteers.filter((v) => v.name.includes(s) || (v.volunteer_number ?? '').includes(s)) : volunteers;
  }, [volunteers, search]);

  /** @param {number} id @param {keyof RowInput} field @param {string} value */
  const setRow = (id, field, value) => setRows((r) => ({ ...r, [id]: { ...r[id], [field]: value } }));

  /** @param {number} id */
  const toggle = (id) =>
    setChecked((c) => {
      const n = new Set(c);
      if (n.has(id)) n.delete(id);
      else n.add(id);
      return n;
    });

  /** The roster as the API takes it, in the order of the list. @returns {EntryInput[]} */
  const build = () =>
    volunteers
      .filter((v) => checked.has(v.id))
      .map((v) => {
        const r = rows[v.id] ?? {};
        /** @type {EntryInput} */
        const entry = { volunteer_id: v.id };
        const own = r.minutes?.trim();
        if (mode === 'times' && !own) {
          entry.started_at = new Date(startValue).toISOString();
          entry.ended_at = new Date(endValue).toISOString();
        } else {
          entry.minutes = Number(own || minutesDefault);
        }
        if (r.role?.trim()) entry.role = r.role.trim();
        if (r.note?.trim()) entry.note = r.note.trim();
        return entry;
      });

  /** @param {Draft} d */
  const send = async (d) => {
    setBusy(true);
    setError(null);
    setRowErrors({});
    setDone(null);
    saveDraft(eventId, d);
    setDraft(d);
    try {
      const answer = await post('/api/v1/events/{id}/hours', {
        path: { id: eventId },
        body: { entries: d.entries },
        key: d.key,
      });
      saveDraft(eventId, null);
      setDraft(null);
      setChecked(new Set());
      setRows({});
      setDone(answer.entries.length);
    } catch (err) {
      const e = asApiError(err);
      setError(e);
      // refused for good (4xx): nothing was recorded, the draft goes; the form keeps the rows
      if (e.status >= 400 && e.status < 500) {
        saveDraft(eventId, null);
        setDraft(null);
        /** @type {Record<number, string[]>} */
        const at = {};
        for (const f of e.problem.errors ?? []) {
          const m = /^\/entries\/(\d+)(?:\/(\w+))?/.exec(f.pointer);
          const entry = m ? d.entries[Number(m[1])] : undefined;
          if (entry) (at[entry.volunteer_id] ??= []).push(m?.[2] ? `${fieldWord(m[2])}: ${f.detail}` : f.detail);
        }
        setRowErrors(at);
      }
    } finally {
      setBusy(false);
    }
  };

  /** @param {Event} e */
  const submit = (e) => {
    e.preventDefault();
    const entries = build();
    if (entries.length > 0) void send({ key: newKey(), entries, at: new Date().toISOString() });
  };

  if (data.loading || data.error || !event)
    return html`<section><${Spinner} loading=${data.loading} /><${Problem} error=${data.error} /></section>`;

  const names = Object.fromEntries(volunteers.map((v) => [v.id, v.name]));
  const allShownChecked = shown.length > 0 && shown.every((v) => checked.has(v.id));

  return html`<section class="roster">
    <h2>${t('roster')}: ${event.title}</h2>
    <p class="muted">${when(event.starts_at)} – ${when(event.ends_at)} · ${label('event', event.status)}</p>
    ${draft &&
    html`<div class="notice draft" role="status">
      <p>${t('draft-pending', { n: draft.entries.length })}</p>
      <p class="muted">${draft.entries.map((en) => names[en.volunteer_id] ?? `#${en.volunteer_id}`).join('、')}</p>
      <button type="button" class="primary" disabled=${busy} onClick=${() => void send(draft)}>${t('resend')}</button>
      <button type="button" disabled=${busy} onClick=${() => { saveDraft(eventId, null); setDraft(null); }}>${t('discard-draft')}</button>
    </div>`}
    ${done !== null && html`<p class="success" role="status">${t('recorded-n', { n: done })}</p>`}
    ${Object.keys(rowErrors).length > 0
      ? html`<p class="problem-hint" role="alert">${t('row-errors')}</p>`
      : html`<${Problem} error=${error} />`}
    <form novalidate onSubmit=${submit}>
      <fieldset class="defaults">
        <legend>${t('minutes')}</legend>
        <label class="inline"><input type="radio" name="mode" checked=${mode === 'length'} onChange=${() => setMode('length')} /> ${t('event-length')}</label>
        <label class="inline"><input type="radio" name="mode" checked=${mode === 'times'} onChange=${() => setMode('times')} /> ${t('by-times')}</label>
        ${mode === 'length'
          ? html`<label>${t('default-minutes')}
              <input name="default-minutes" type="number" min="1" max="1440" inputmode="numeric" value=${minutesDefault}
                onInput=${(/** @type {Event} */ e) => setDefMinutes(valueOf(e))} /></label>`
          : html`<label>${t('start')} <input name="start" type="datetime-local" value=${startValue}
                onInput=${(/** @type {Event} */ e) => setStart(valueOf(e))} /></label>
              <label>${t('end')} <input name="end" type="datetime-local" value=${endValue}
                onInput=${(/** @type {Event} */ e) => setEnd(valueOf(e))} /></label>`}
      </fieldset>
      <div class="filters">
        <label>${t('search')} <input type="search" name="search" placeholder=${t('search-name')} value=${search}
          onInput=${(/** @type {Event} */ e) => setSearch(valueOf(e))} /></label>
        <button type="button" onClick=${() =>
          setChecked((c) => {
            const n = new Set(c);
            for (const v of shown) allShownChecked ? n.delete(v.id) : n.add(v.id);
            return n;
          })}>${allShownChecked ? t('select-none') : t('select-all')}</button>
      </div>
      <ul class="rows">
        ${shown.map((v) => {
          const r = rows[v.id] ?? {};
          const errs = rowErrors[v.id];
          return html`<li class=${`row${checked.has(v.id) ? ' on' : ''}${errs ? ' bad' : ''}`} data-volunteer=${v.id}>
            <label class="tick"><input type="checkbox" checked=${checked.has(v.id)} onChange=${() => toggle(v.id)} />
              <span class="who-name">${v.name}${v.volunteer_number && html`<small class="muted">${v.volunteer_number}</small>`}</span></label>
            ${checked.has(v.id) &&
            html`<div class="row-fields">
              <label>${t('minutes')} <input type="number" min="1" max="1440" inputmode="numeric" name=${`minutes-${v.id}`}
                placeholder=${mode === 'length' ? minutesDefault : ''} value=${r.minutes ?? ''}
                onInput=${(/** @type {Event} */ e) => setRow(v.id, 'minutes', valueOf(e))} /></label>
              <label>${t('role')} <input name=${`role-${v.id}`} maxlength="50" value=${r.role ?? ''}
                onInput=${(/** @type {Event} */ e) => setRow(v.id, 'role', valueOf(e))} /></label>
              <label>${t('note')} <input name=${`note-${v.id}`} maxlength="500" value=${r.note ?? ''}
                onInput=${(/** @type {Event} */ e) => setRow(v.id, 'note', valueOf(e))} /></label>
            </div>`}
            ${errs && html`<ul class="row-errors" role="alert">${errs.map((m) => html`<li>${m}</li>`)}</ul>`}
          </li>`;
        })}
      </ul>
      <div class="submit-bar">
        <span>${t('selected', { n: checked.size })}</span>
        <button type="submit" class="primary" disabled=${busy || checked.size === 0}>${busy ? t('saving') : t('submit')}</button>
      </div>
    </form>
  </section>`;
}

/** @param {string} field */
function fieldWord(field) {
  /** @type {Record<string, string>} */
  const words = { minutes: 'minutes', role: 'role', note: 'note', started_at: 'start', ended_at: 'end', service_date: 'date', volunteer_id: 'volunteer' };
  return t(words[field] ?? field);
}
