// @ts-check
// The audit trail of one entry: every change to it and its corrections, who and why.

import { html } from '../vendor/preact-htm.js';
import { get } from '../api.js';
import { t } from '../i18n.js';
import { Problem, Spinner, useResource, when } from '../ui.js';

/** @param {{ user: import('../api.js').User, args: string[] }} props */
export function History({ args }) {
  const id = Number(args[0]);
  const items = useResource(() => get('/api/v1/hours/{id}/history', { path: { id } }), [id]);
  return html`<section>
    <h2>${t('history')} #${id}</h2>
    <p><a href="#/" onClick=${(/** @type {Event} */ e) => { e.preventDefault(); history.back(); }}>←</a></p>
    <${Spinner} loading=${items.loading} />
    <${Problem} error=${items.error} />
    <ol class="timeline">
      ${(items.data ?? []).map(
        (a) => html`<li><p><strong>${a.action}</strong> · ${a.entity} #${a.entity_id ?? ''} · ${when(a.occurred_at)}
          ${a.actor_id != null ? ` · ${t('accounts')} #${a.actor_id}` : ''}</p>
          ${a.reason && html`<p>${t('reason')}: ${a.reason}</p>`}</li>`,
      )}
    </ol>
  </section>`;
}
