// @ts-check
// Totals for HR: grouped and filtered as the report endpoint takes them, a bar chart of
// hours by month or by plan item, and the CSV and Excel files of exactly what is shown
// (the same query sent to the export endpoints).

import { html, useState } from '../vendor/preact-htm.js';
import { download, get } from '../api.js';
import { CATEGORIES, label, t } from '../i18n.js';
import { Problem, Spinner, asApiError, useResource } from '../ui.js';

/** @typedef {import('../api-types').Schemas} S */
/** @typedef {S['TotalsRowResponse']} Row */
/** @typedef {S['GroupBy']} GroupBy */
/** @typedef {NonNullable<import('../api-types').Query<'/api/v1/reports/totals', 'get'>>} TotalsQuery */

/** @type {GroupBy[]} */
const GROUPS = ['volunteer', 'branch', 'plan_item', 'event', 'category', 'month', 'source'];

/** The cell of `row` for grouping `g`. @param {Row} row @param {GroupBy} g */
function cell(row, g) {
  switch (g) {
    case 'volunteer':
      return row.volunteer_name ?? `#${row.volunteer_id}`;
    case 'branch':
      return row.branch_name ?? '';
    case 'plan_item':
      return row.plan_item_number != null ? `${row.plan_item_number}. ${row.plan_item_title ?? ''}` : '—';
    case 'event':
      return row.event_title ?? `#${row.event_id}`;
    case 'category':
      return label('category', row.category);
    case 'month':
      return row.month ?? '';
    case 'source':
      return label('source', row.source);
  }
}

export function Totals() {
  const year = new Date().getFullYear();
  const [groups, setGroups] = useState(/** @type {GroupBy[]} */ (['branch']));
  const [filters, setFilters] = useState(/** @type {TotalsQuery} */ ({}));
  const [chartBy, setChartBy] = useState(/** @type {'month' | 'plan_item'} */ ('month'));
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState(/** @type {import('../api.js').ApiError | null} */ (null));
  const query = { ...filters, group_by: groups.join(',') };
  const report = useResource(() => get('/api/v1/reports/totals', { query }), [JSON.stringify(query)]);
  const chart = useResource(
    () => get('/api/v1/reports/totals', { query: { ...filters, group_by: chartBy } }),
    [JSON.stringify(filters), chartBy],
  );
  const branches = useResource(() => get('/api/v1/branches', { query: { limit: 200 } }), []);

  /** @param {Event} e */
  const apply = (e) => {
    e.preventDefault();
    const f = new FormData(/** @type {HTMLFormElement} */ (e.currentTarget));
    const str = (/** @type {string} */ k) => String(f.get(k) ?? '') || undefined;
    const picked = GROUPS.filter((g) => f.get(`g-${g}`));
    setGroups(picked.length ? picked : ['volunteer']);
    setFilters({
      from: str('from'),
      to: str('to'),
      branch_id: str('branch_id') ? Number(str('branch_id')) : undefined,
      category: /** @type {TotalsQuery['category']} */ (str('category')),
    });
  };

  /** @param {'csv' | 'xlsx'} kind */
  const save = async (kind) => {
    setBusy(true);
    setError(null);
    try {
      const name = `totals-${groups.join('-')}.${kind}`;
      if (kind === 'csv') await download('/api/v1/exports/totals.csv', { query }, name);
      else await download('/api/v1/exports/totals.xlsx', { query }, name);
    } catch (e) {
      setError(asApiError(e));
    } finally {
      setBusy(false);
    }
  };

  const rows = report.data?.rows ?? [];
  const shownGroups = /** @type {GroupBy[]} */ (report.data?.meta.group_by ?? groups);

  return html`<section>
    <h2>${t('totals')}</h2>
    <form class="filters" onSubmit=${apply}>
      <fieldset><legend>${t('group-by')}</legend>
        ${GROUPS.map(
          (g) => html`<label class="inline"><input type="checkbox" name=${`g-${g}`} checked=${groups.includes(g)} /> ${label('group', g)}</label>`,
        )}
      </fieldset>
      <label>${t('from')} <input type="date" name="from" placeholder=${`${year}-01-01`} /></label>
      <label>${t('to')} <input type="date" name="to" /></label>
      <label>${t('branch')} <select name="branch_id"><option value="">${t('all')}</option>
        ${(branches.data?.items ?? []).map((b) => html`<option value=${b.id}>${b.name}</option>`)}</select></label>
      <label>${t('category')} <select name="category"><option value="">${t('all')}</option>
        ${CATEGORIES.map((c) => html`<option value=${c}>${label('category', c)}</option>`)}</select></label>
      <button type="submit" class="primary">${t('search')}</button>
    </form>
    <p class="actions">
      <button type="button" disabled=${busy} onClick=${() => void save('csv')}>${t('download-csv')}</button>
      <button type="button" disabled=${busy} onClick=${() => void save('xlsx')}>${t('download-xlsx')}</button>
    </p>
    <${Problem} error=${error} />
    <${Spinner} loading=${report.loading} />
    <${Problem} error=${report.error} />
    ${report.data &&
    html`<p class="overall">${report.data.overall.map(
      (o) => html`<span class="badge" data-kind=${o.kind}>${t('overall')}（${label('kind', o.kind)}）: <strong data-total-hours=${o.total_hours}>${o.total_hours}</strong> ${t('hours')}</span> `,
    )}</p>
      <div class="table-wrap"><table class="totals">
        <thead><tr>${shownGroups.map((g) => html`<th>${label('group', g)}</th>`)}<th>${t('kind')}</th><th class="num">${t('total-hours')}</th><th class="num">${t('entry-count')}</th><th class="num">${t('volunteer-count')}</th></tr></thead>
        <tbody>${rows.length === 0 && html`<tr><td colspan=${shownGroups.length + 4} class="muted">${t('nothing')}</td></tr>`}
          ${rows.map(
            (r) => html`<tr>${shownGroups.map((g) => html`<td>${cell(r, g)}</td>`)}<td>${label('kind', r.kind)}</td>
              <td class="num">${r.total_hours}</td><td class="num">${r.entry_count}</td><td class="num">${r.volunteer_count}</td></tr>`,
          )}</tbody>
      </table></div>
      <p class="muted small">${report.data.meta.note}</p>`}
    <div class="chart-head">
      <h3>${t('chart', { by: label('group', chartBy) })}</h3>
      <div class="tabs" role="tablist">
        <button type="button" role="tab" aria-selected=${chartBy === 'month'} onClick=${() => setChartBy('month')}>${label('group', 'month')}</button>
        <button type="button" role="tab" aria-selected=${chartBy === 'plan_item'} onClick=${() => setChartBy('plan_item')}>${label('group', 'plan_item')}</button>
      </div>
    </div>
    <${Spinner} loading=${chart.loading} />
    ${chart.data && html`<${Bars} rows=${chart.data.rows} by=${chartBy} />`}
  </section>`;
}

/**
 * Hours as horizontal bars, drawn as SVG (service and training added up per bar).
 * @param {{ rows: Row[], by: 'month' | 'plan_item' }} props
 */
function Bars({ rows, by }) {
  /** @type {Map<string, number>} */
  const sums = new Map();
  for (const r of rows) {
    const k = cell(r, by);
    sums.set(k, (sums.get(k) ?? 0) + r.total_minutes);
  }
  const bars = [...sums].sort((a, b) => a[0].localeCompare(b[0], 'zh-CN', { numeric: true }));
  if (bars.length === 0) return html`<p class="muted">${t('nothing')}</p>`;
  const max = Math.max(1, ...bars.map(([, m]) => m));
  const rowH = 28;
  const labelW = by === 'month' ? 70 : 180;
  const width = 640;
  return html`<svg class="bars" role="img" viewBox=${`0 0 ${width} ${bars.length * rowH + 4}`}
      aria-label=${bars.map(([k, m]) => `${k}: ${(m / 60).toFixed(2)}`).join('; ')}>
    ${bars.map(([k, m], i) => {
      const w = ((width - labelW - 70) * m) / max;
      const y = i * rowH + 2;
      return html`<g>
        <text x=${labelW - 6} y=${y + 18} text-anchor="end" class="bar-label">${k.length > 14 ? `${k.slice(0, 13)}…` : k}</text>
        <rect x=${labelW} y=${y + 4} width=${Math.max(1, w)} height=${rowH - 8} rx="3" class="bar" />
        <text x=${labelW + w + 6} y=${y + 18} class="bar-value">${(m / 60).toFixed(2)}</text>
      </g>`;
    })}
  </svg>`;
}
