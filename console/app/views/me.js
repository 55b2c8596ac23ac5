// @ts-check
// A volunteer's own page: approved hours, the star level and how far the next one is,
// its entries, and its record certificates as PDF.

import { html, useState } from '../vendor/preact-htm.js';
import { download, get } from '../api.js';
import { useNames } from '../lookup.js';
import { label, t } from '../i18n.js';
import { Pager, Problem, Spinner, asApiError, useResource, when } from '../ui.js';

/** @param {{ user: import('../api.js').User, args: string[] }} props */
export function MyHours({ user }) {
  const [page, setPage] = useState(1);
  const mine = useResource(() => get('/api/v1/me/hours', { query: { page, limit: 20 } }), [page]);
  const certs = useResource(() => get('/api/v1/me/certificates', { query: { limit: 20 } }), []);
  const [error, setError] = useState(/** @type {import('../api.js').ApiError | null} */ (null));
  const entries = mine.data?.entries.items ?? [];
  const events = useNames('event', entries.map((e) => e.event_id));

  if (user.volunteer_id == null) return html`<p>${t('no-volunteer-link')}</p>`;
  if (mine.loading && !mine.data) return html`<${Spinner} loading=${true} />`;
  if (mine.error || !mine.data) return html`<${Problem} error=${mine.error} />`;

  const m = mine.data;
  const hours = m.approved_minutes / 60;
  const thresholds = m.star_thresholds_hours;
  const next = thresholds[m.star_level];
  const prev = m.star_level > 0 ? thresholds[m.star_level - 1] : 0;
  const progress = next === undefined ? 1 : Math.min(1, Math.max(0, (hours - prev) / (next - prev)));

  /** @param {string} number */
  const pdf = async (number) => {
    setError(null);
    try {
      await download('/api/v1/certificates/{number}/pdf', { path: { number } }, `${number}.pdf`);
    } catch (e) {
      setError(asApiError(e));
    }
  };

  return html`<section>
    <h2>${t('my-hours')}</h2>
    <div class="card stat">
      <p class="big"><span data-approved-hours>${m.approved_hours}</span> <small>${t('hours')}</small></p>
      <p>${t('approved-total')} · ${m.star_level > 0 ? t('star-level', { n: m.star_level }) : t('no-star')}</p>
      <div class="progress" role="progressbar" aria-valuemin="0" aria-valuemax="100"
        aria-valuenow=${Math.round(progress * 100)} aria-label=${next === undefined ? t('top-star') : t('next-star', { n: m.star_level + 1, h: (next - hours).toFixed(2) })}>
        <span style=${{ width: `${Math.round(progress * 100)}%` }}></span>
      </div>
      <p class="muted">${next === undefined ? t('top-star') : t('next-star', { n: m.star_level + 1, h: (next - hours).toFixed(2) })}</p>
    </div>
    <h3>${t('entries')}</h3>
    <ul class="cards">
      ${entries.length === 0 && html`<li class="muted">${t('nothing')}</li>`}
      ${entries.map(
        (e) => html`<li class="card"><p><strong>${events[e.event_id] ?? `#${e.event_id}`}</strong></p>
          <p>${e.service_date} · ${(e.minutes / 60).toFixed(2)} ${t('hours')} ·
            <span class=${`badge ${e.status}`}>${label('status', e.status)}</span></p></li>`,
      )}
    </ul>
    <${Pager} page=${page} limit=${20} total=${m.entries.total} onPage=${setPage} />
    <h3>${t('certificates')}</h3>
    <${Problem} error=${error || certs.error} />
    <ul class="cards">
      ${certs.data && certs.data.items.length === 0 && html`<li class="muted">${t('nothing')}</li>`}
      ${(certs.data?.items ?? []).map(
        (c) => html`<li class="card"><p><strong>${c.number}</strong> · ${when(c.issued_at)}
          ${c.revoked_at && html` <span class="badge rejected">${t('revoked')}</span>`}</p>
          <p class="actions"><button type="button" onClick=${() => void pdf(c.number)}>${t('download-pdf')}</button></p></li>`,
      )}
    </ul>
  </section>`;
}
