// @ts-check
// The review queue: submitted entries and corrections, filtered; many approved or rejected
// at once (all or none: the API refuses the whole batch and names the entries that stop it).

import { html, useState } from '../vendor/preact-htm.js';
import { get, post } from '../api.js';
import { useNames } from '../lookup.js';
import { label, t } from '../i18n.js';
import { Pager, Problem, Spinner, asApiError, hoursOf, useResource, valueOf } from '../ui.js';

/** @typedef {import('../api-types').Schemas['EntrySource']} Source */

const LIMIT = 50;

export function Review() {
  const [filters, setFilters] = useState(
    /** @type {{ branch_id?: number, event_id?: number, source?: Source, from?: string, to?: string }} */ ({}),
  );
  const [page, setPage] = useState(1);
  const [picked, setPicked] = useState(/** @type {Set<number>} */ (new Set()));
  const [reason, setReason] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState(/** @type {import('../api.js').ApiError | null} */ (null));
  const [done, setDone] = useState(/** @type {string | null} */ (null));
  const branches = useResource(() => get('/api/v1/branches', { query: { limit: 200 } }), []);
  const list = useResource(
    () => get('/api/v1/hours', { query: { ...filters, status: 'submitted', page, limit: LIMIT } }),
    [filters, page],
  );
  const items = list.data?.items ?? [];
  const volunteers = useNames('volunteer', items.map((e) => e.volunteer_id));
  const events = useNames('event', items.map((e) => e.event_id));
  const branchName = Object.fromEntries((branches.data?.items ?? []).map((b) => [b.id, b.name]));
  const bad = new Set(error?.problem.entry_ids ?? []);

  /** @param {'approve' | 'reject'} action */
  const review = async (action) => {
    if (action === 'reject' && !reason.trim()) {
      setError(asApiError(new Error(t('reason-required'))));
      return;
    }
    setBusy(true);
    setError(null);
    setDone(null);
    try {
      const answer = await post('/api/v1/hours/review', {
        body: { action, ids: [...picked], reason: reason.trim() || undefined },
      });
      setDone(t('reviewed-n', { n: answer.entries.length }));
      setPicked(new Set());
      setReason('');
      list.reload();
    } catch (e) {
      setError(asApiError(e));
    } finally {
      setBusy(false);
    }
  };

  /** @param {Event} e */
  const applyFilters = (e) => {
    e.preventDefault();
    const f = new FormData(/** @type {HTMLFormElement} */ (e.currentTarget));
    const num = (/** @type {string} */ k) => (f.get(k) ? Number(f.get(k)) : undefined);
    const str = (/** @type {string} */ k) => String(f.get(k) ?? '') || undefined;
    setFilters({
      branch_id: num('branch_id'),
      event_id: num('event_id'),
      source: /** @type {Source | undefined} */ (str('source')),
      from: str('from'),
      to: str('to'),
    });
    setPage(1);
    setPicked(new Set());
  };

  const allPicked = items.length > 0 && items.every((e) => picked.has(e.id));

  return html`<section>
    <h2>${t('review')}</h2>
    <form class="filters" onSubmit=${applyFilters}>
      <label>${t('branch')} <select name="branch_id"><option value="">${t('all')}</option>
        ${(branches.data?.items ?? []).map((b) => html`<option value=${b.id}>${b.name}</option>`)}</select></label>
      <label>${t('event')} # <input name="event_id" type="number" min="1" inputmode="numeric" /></label>
      <label>${t('source')} <select name="source"><option value="">${t('all')}</option>
        ${['entered', 'check_in', 'imported', 'error_report'].map((s) => html`<option value=${s}>${label('source', s)}</option>`)}</select></label>
      <label>${t('from')} <input name="from" type="date" /></label>
      <label>${t('to')} <input name="to" type="date" /></label>
      <button type="submit">${t('search')}</button>
    </form>
    <${Spinner} loading=${list.loading} />
    <${Problem} error=${list.error} />
    ${done && html`<p class="success" role="status">${done}</p>`}
    <${Problem} error=${error} />
    ${list.data && items.length === 0 && html`<p class="muted">${t('queue-empty')}</p>`}
    ${items.length > 0 &&
    html`<div class="table-wrap"><table class="queue">
      <thead><tr>
        <th><label class="tick"><input type="checkbox" checked=${allPicked} aria-label=${t('select-all')}
          onChange=${() => setPicked(allPicked ? new Set() : new Set(items.map((e) => e.id)))} /></label></th>
        <th>${t('volunteer')}</th><th>${t('event')}</th><th>${t('branch')}</th><th>${t('date')}</th>
        <th>${t('minutes')}</th><th>${t('source')}</th><th></th>
      </tr></thead>
      <tbody>${items.map(
        (e) => html`<tr data-entry=${e.id} class=${bad.has(e.id) ? 'bad' : ''}>
          <td><input type="checkbox" checked=${picked.has(e.id)} aria-label=${`#${e.id}`}
            onChange=${() => setPicked((p) => { const n = new Set(p); n.has(e.id) ? n.delete(e.id) : n.add(e.id); return n; })} /></td>
          <td>${volunteers[e.volunteer_id] ?? `#${e.volunteer_id}`}</td>
          <td>${events[e.event_id] ?? `#${e.event_id}`}</td>
          <td>${branchName[e.branch_id] ?? `#${e.branch_id}`}</td>
          <td>${e.service_date}</td>
          <td>${e.minutes} (${hoursOf(e.minutes)})${e.corrects_id ? html` <span class="badge">${t('correct')} #${e.corrects_id}</span>` : ''}</td>
          <td>${label('source', e.source)}</td>
          <td><a href=${`#/history/${e.id}`}>${t('history')}</a></td>
        </tr>`,
      )}</tbody>
    </table></div>
    <div class="submit-bar">
      <span>${t('selected-entries', { n: picked.size })}</span>
      <label>${t('reason')} <input name="reason" maxlength="500" value=${reason}
        onInput=${(/** @type {Event} */ e) => setReason(valueOf(e))} /></label>
      <button type="button" class="primary" disabled=${busy || picked.size === 0} onClick=${() => void review('approve')}>${t('approve-selected')}</button>
      <button type="button" class="danger" disabled=${busy || picked.size === 0} onClick=${() => void review('reject')}>${t('reject-selected')}</button>
    </div>`}
    ${list.data && html`<${Pager} page=${page} limit=${LIMIT} total=${list.data.total} onPage=${setPage} />`}
  </section>`;
}
