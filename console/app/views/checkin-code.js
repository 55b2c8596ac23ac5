// @ts-check
// The organiser's phone at the event: the current check-in code, large and as a QR image,
// with its countdown; who has signed up and who is there, refreshed as the code turns.

import { html, useEffect, useMemo, useState } from '../vendor/preact-htm.js';
import { encode } from '../vendor/uqr.js';
import { get, post } from '../api.js';
import { useNames } from '../lookup.js';
import { label, t } from '../i18n.js';
import { Problem, Spinner, asApiError, useAction, useResource, when } from '../ui.js';

/** @typedef {import('../api-types').Schemas['CheckInCode']} Code */

/** @param {{ text: string }} props */
function Qr({ text }) {
  const matrix = useMemo(() => encode(text, { ecc: 'M', border: 2 }).data, [text]);
  const n = matrix.length;
  /** @type {string[]} */
  const runs = [];
  matrix.forEach((row, y) => row.forEach((on, x) => on && runs.push(`M${x} ${y}h1v1h-1z`)));
  return html`<svg class="qr" viewBox=${`0 0 ${n} ${n}`} role="img" aria-label=${text} shape-rendering="crispEdges">
    <rect width=${n} height=${n} fill="#fff" /><path d=${runs.join('')} fill="#000" />
  </svg>`;
}

/** @param {{ user: import('../api.js').User, args: string[] }} props */
export function CheckInCode({ args }) {
  const eventId = Number(args[0]);
  const event = useResource(() => get('/api/v1/events/{id}', { path: { id: eventId } }), [eventId]);
  const [code, setCode] = useState(/** @type {Code | null} */ (null));
  const [error, setError] = useState(/** @type {import('../api.js').ApiError | null} */ (null));
  const [now, setNow] = useState(Date.now());
  const [turn, setTurn] = useState(0);

  useEffect(() => {
    let live = true;
    get('/api/v1/events/{id}/check-in-code', { path: { id: eventId } }).then(
      (c) => live && (setCode(c), setError(null)),
      (e) => live && setError(asApiError(e)),
    );
    return () => {
      live = false;
    };
  }, [eventId, turn]);

  useEffect(() => {
    const tick = setInterval(() => setNow(Date.now()), 1000);
    return () => clearInterval(tick);
  }, []);

  const left = code ? Math.max(0, Math.ceil((Date.parse(code.expires_at) - now) / 1000)) : 0;
  useEffect(() => {
    if (code && left === 0) setTurn((n) => n + 1);
  }, [left, code]);

  const attendance = useResource(
    () => get('/api/v1/events/{id}/attendance', { path: { id: eventId }, query: { limit: 200 } }),
    [eventId, turn],
  );
  const signups = useResource(
    () => get('/api/v1/events/{id}/signups', { path: { id: eventId }, query: { limit: 200 } }),
    [eventId, turn],
  );
  // an admission or a refusal made, the lists are read again
  const decision = useAction(signups.reload);
  const decide = decision.run;
  const busy = decision.busy;
  const names = useNames('volunteer', (signups.data?.items ?? []).map((s) => s.volunteer_id));

  return html`<section class="checkin">
    <h2>${t('checkin-code')}${event.data ? `: ${event.data.title}` : ''}</h2>
    <${Problem} error=${error || event.error} />
    ${code &&
    html`<div class="code-box">
      <p class="code" aria-live="polite" data-code=${code.code}>${code.code.slice(0, 3)} ${code.code.slice(3)}</p>
      <${Qr} text=${code.qr} />
      <p class="muted" aria-live="off">${t('code-expires', { s: left })}</p>
    </div>`}
    <h3>${t('attendance')}</h3>
    <${Spinner} loading=${attendance.loading && !attendance.data} />
    <${Problem} error=${attendance.error} />
    ${attendance.data &&
    html`<p class="muted">${t('check-in')} ${attendance.data.summary.checked_in} · ${t('check-out')} ${attendance.data.summary.checked_out}</p>`}
    <ul class="cards compact">
      ${attendance.data && attendance.data.items.length === 0 && html`<li class="muted">${t('nothing')}</li>`}
      ${(attendance.data?.items ?? []).map(
        (a) => html`<li>${a.volunteer_name} · ${label('presence', a.presence)}
          ${a.attendance ? ` · ${when(a.attendance.checked_in_at)}` : ''}
          ${a.attendance?.checked_out_at ? ` – ${when(a.attendance.checked_out_at)}` : ''}</li>`,
      )}
    </ul>
    <h3>${t('signups')}</h3>
    <${Problem} error=${decision.error} />
    <ul class="cards compact">
      ${signups.data && signups.data.items.length === 0 && html`<li class="muted">${t('nothing')}</li>`}
      ${(signups.data?.items ?? []).map(
        (s) => html`<li data-signup=${s.id}>${names[s.volunteer_id] ?? `#${s.volunteer_id}`} · ${label('signup', s.status)}
          ${s.status === 'applied' &&
          html`<span class="actions">
            <button type="button" disabled=${busy} onClick=${() => void decide(() => post('/api/v1/signups/{id}/admit', { path: { id: s.id } }))}>${t('admit')}</button>
            <button type="button" disabled=${busy} onClick=${() => {
              const reason = window.prompt(t('reason'));
              if (reason && reason.trim())
                void decide(() => post('/api/v1/signups/{id}/decline', { path: { id: s.id }, body: { reason: reason.trim() } }));
            }}>${t('decline')}</button>
          </span>`}</li>`,
      )}
    </ul>
  </section>`;
}
