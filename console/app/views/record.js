// @ts-check
// A volunteer's whole record in its five parts (basic information, service, training,
// commendations, evaluations), as the volunteer sees its own (#/record) and as an
// administrator or secretary sees one of its scope (#/record/7), who may also issue a
// record certificate from here.

import { html, useState } from '../vendor/preact-htm.js';
import { download, get, post } from '../api.js';
import { useNames } from '../lookup.js';
import { label, t } from '../i18n.js';
import { Pager, Problem, Spinner, hoursOf, useAction, useIdempotencyKey, useResource, when } from '../ui.js';

/** @typedef {import('../api-types').Schemas['VolunteerRecord']} VolunteerRecord */
/** @typedef {import('../api-types').Schemas['RecordHours']} RecordHours */

/** @param {{ user: import('../api.js').User, args: string[] }} props */
export function RecordView({ user, args }) {
  const id = args[0] ? Number(args[0]) : null;
  const record = useResource(
    () => (id ? get('/api/v1/volunteers/{id}/record', { path: { id } }) : get('/api/v1/me/record')),
    [id],
  );
  const branches = useResource(() => get('/api/v1/branches', { query: { limit: 200 } }), []);

  if (!id && user.volunteer_id == null) return html`<p>${t('no-volunteer-link')}</p>`;
  if (record.loading && !record.data) return html`<${Spinner} loading=${true} />`;
  if (record.error || !record.data) return html`<section><h2>${t('record')}</h2><${Problem} error=${record.error} /></section>`;

  const r = record.data;
  const v = r.volunteer;
  const branch = (branches.data?.items ?? []).find((b) => b.id === v.branch_id);
  return html`<section class="record">
    <h2>${t('record')}: ${v.name}</h2>
    <p class="muted">${t('as-of', { at: when(r.generated_at) })}</p>
    <div class="card stat">
      <p class="big"><span data-record-hours>${r.service.approved_hours}</span> <small>${t('hours')}</small></p>
      <p>${t('approved-total')} · ${r.star_level > 0 ? t('star-level', { n: r.star_level }) : t('no-star')}</p>
      <p class="muted">${r.hours_to_next_star == null ? t('top-star') : t('next-star', { n: r.star_level + 1, h: r.hours_to_next_star })}
        ${r.pending_minutes > 0 && html` · ${t('pending-hours', { h: hoursOf(r.pending_minutes) })}`}</p>
    </div>

    <h3>${t('basic-info')}</h3>
    <dl class="card facts">
      <dt>${t('name')}</dt><dd>${v.name}</dd>
      <dt>${t('number')}</dt><dd>${v.volunteer_number ?? '—'}</dd>
      <dt>${t('branch')}</dt><dd>${branch?.name ?? `#${v.branch_id}`}</dd>
      <dt>${t('gender')}</dt><dd>${v.gender ? t(v.gender) : '—'}</dd>
      <dt>${t('joined')}</dt><dd>${v.joined_on ?? '—'}</dd>
      <dt>${t('status')}</dt><dd>${label('vstatus', v.status)}</dd>
      ${v.tags.length > 0 && html`<dt>${t('tags')}</dt><dd>${v.tags.join('、')}</dd>`}
    </dl>

    <${HoursPart} title=${t('service-part')} part=${r.service} />
    <${HoursPart} title=${t('training-part')} part=${r.training} />

    <h3>${t('commendations')}</h3>
    <ul class="cards">
      ${r.commendations.length === 0 && html`<li class="muted">${t('nothing')}</li>`}
      ${r.commendations.map(
        (c) => html`<li class="card"><p><strong>${c.title}</strong></p>
          <p class="muted">${c.awarded_by} · ${c.awarded_on} · ${label('level', c.level)}</p>
          ${c.note && html`<p>${c.note}</p>`}</li>`,
      )}
    </ul>

    <${Evaluations} list=${r.evaluations} />

    ${r.open_error_reports.length > 0 &&
    html`<h3>${t('open-reports')}</h3>
      <ul class="cards">
        ${r.open_error_reports.map(
          (e) => html`<li class="card"><p><strong>${label('report', e.kind)}</strong> · ${hoursOf(e.minutes)} ${t('hours')}
            ${e.service_date ? ` · ${e.service_date}` : ''}</p><p>${e.explanation}</p></li>`,
        )}
      </ul>`}

    ${id != null && user.role !== 'volunteer' && html`<${IssueCertificate} volunteerId=${id} />`}
  </section>`;
}

/**
 * One part of approved time: its total, by year, by plan item, and its entries paged.
 * @param {{ title: string, part: RecordHours }} props
 */
function HoursPart({ title, part }) {
  const [page, setPage] = useState(1);
  const limit = 20;
  const shown = part.entries.slice((page - 1) * limit, page * limit);
  return html`<h3>${title} <small class="muted">${part.approved_hours} ${t('hours')}</small></h3>
    ${part.entries.length === 0
      ? html`<p class="muted">${t('nothing')}</p>`
      : html`<div class="split">
          <div class="table-wrap"><table>
            <caption>${t('by-year')}</caption>
            <thead><tr><th scope="col">${t('year')}</th><th scope="col" class="num">${t('hours')}</th></tr></thead>
            <tbody>${part.by_year.map((y) => html`<tr><td>${y.year}</td><td class="num">${y.hours}</td></tr>`)}</tbody>
          </table></div>
          <div class="table-wrap"><table>
            <caption>${t('by-plan-item')}</caption>
            <thead><tr><th scope="col">${t('plan-item')}</th><th scope="col" class="num">${t('hours')}</th></tr></thead>
            <tbody>${part.by_plan_item.map(
              (p) => html`<tr><td>${p.plan_year} · ${p.number}. ${p.title}</td><td class="num">${p.hours}</td></tr>`,
            )}</tbody>
          </table></div>
        </div>
        <div class="table-wrap"><table>
          <thead><tr><th scope="col">${t('date')}</th><th scope="col">${t('event')}</th><th scope="col">${t('category')}</th>
            <th scope="col">${t('role')}</th><th scope="col" class="num">${t('hours')}</th></tr></thead>
          <tbody>${shown.map(
            (e) => html`<tr><td>${e.service_date}</td><td>${e.event_title}</td><td>${label('category', e.category)}</td>
              <td>${e.role ?? ''}</td><td class="num">${e.hours}</td></tr>`,
          )}</tbody>
        </table></div>
        <${Pager} page=${page} limit=${limit} total=${part.entries.length} onPage=${setPage} />`}`;
}

/** @param {{ list: VolunteerRecord['evaluations'] }} props */
function Evaluations({ list }) {
  const events = useNames('event', list.map((e) => e.event_id));
  return html`<h3>${t('evaluations')}</h3>
    <ul class="cards">
      ${list.length === 0 && html`<li class="muted">${t('nothing')}</li>`}
      ${list.map(
        (e) => html`<li class="card"><p><strong>${events[e.event_id] ?? `#${e.event_id}`}</strong> ·
          <span class="badge">${label('rating', e.rating)}</span></p>${e.comment && html`<p>${e.comment}</p>`}</li>`,
      )}
    </ul>`;
}

/**
 * Issues a record certificate of the volunteer (the API decides who may) and lists its
 * certificates with their PDFs.
 * @param {{ volunteerId: number }} props
 */
function IssueCertificate({ volunteerId }) {
  const certs = useResource(
    () => get('/api/v1/volunteers/{id}/certificates', { path: { id: volunteerId }, query: { limit: 50 } }),
    [volunteerId],
  );
  const { busy, error, run } = useAction();
  const idem = useIdempotencyKey();

  /** @param {Event} e */
  const submit = (e) => {
    e.preventDefault();
    const f = new FormData(/** @type {HTMLFormElement} */ (e.currentTarget));
    const str = (/** @type {string} */ k) => String(f.get(k) ?? '').trim() || null;
    const body = { from: str('from'), to: str('to'), purpose: str('purpose') };
    void run(async () => {
      await post('/api/v1/volunteers/{id}/certificates', { path: { id: volunteerId }, body, key: idem.keyFor(body) });
      idem.answered();
      certs.reload();
    });
  };

  return html`<h3>${t('certificates')}</h3>
    <form class="card form" onSubmit=${submit} novalidate>
      <label>${t('from')} <input name="from" type="date" /></label>
      <label>${t('to')} <input name="to" type="date" /></label>
      <label>${t('purpose')} <input name="purpose" maxlength="200" /></label>
      <${Problem} error=${error} />
      <p class="actions"><button type="submit" class="primary" disabled=${busy}>${t('issue-certificate')}</button></p>
    </form>
    <${Problem} error=${certs.error} />
    <ul class="cards">
      ${certs.data && certs.data.items.length === 0 && html`<li class="muted">${t('nothing')}</li>`}
      ${(certs.data?.items ?? []).map(
        (c) => html`<li class="card" data-certificate=${c.number}><p><strong>${c.number}</strong> · ${when(c.issued_at)}
          ${c.revoked_at && html` <span class="badge rejected">${t('revoked')}</span>`}</p>
          <p class="actions"><button type="button" onClick=${() =>
            void run(() => download('/api/v1/certificates/{number}/pdf', { path: { number: c.number } }, `${c.number}.pdf`))}>
            ${t('download-pdf')}</button></p></li>`,
      )}
    </ul>`;
}
