// @ts-check
// Small pieces every view uses: loading a resource, showing an API error in place,
// paging, and formatting.

import { html, useCallback, useEffect, useRef, useState } from './vendor/preact-htm.js';
import { ApiError, newKey } from './api.js';
import { lang, t } from './i18n.js';

/**
 * Loads with `load` whenever `deps` change; `reload()` loads again.
 * @template T
 * @param {() => Promise<T>} load
 * @param {unknown[]} deps
 * @returns {{ data: T | undefined, error: ApiError | null, loading: boolean, reload: () => void }}
 */
export function useResource(load, deps) {
  const [state, setState] = useState(
    /** @type {{ data: T | undefined, error: ApiError | null, loading: boolean }} */ ({
      data: undefined,
      error: null,
      loading: true,
    }),
  );
  const [tick, setTick] = useState(0);
  useEffect(() => {
    let live = true;
    setState((s) => ({ ...s, loading: true }));
    load().then(
      (data) => live && setState({ data, error: null, loading: false }),
      (e) => live && setState({ data: undefined, error: asApiError(e), loading: false }),
    );
    return () => {
      live = false;
    };
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [...deps, tick]);
  const reload = useCallback(() => setTick((n) => n + 1), []);
  return { ...state, reload };
}

/**
 * A write the user started: `run(work)` marks it busy, shows its error in place, calls
 * `onSuccess` when it succeeded (a form closing, a list reloading), and returns whether it did.
 * @param {() => void} [onSuccess]
 * @returns {{ busy: boolean, error: ApiError | null, setError: (e: ApiError | null) => void, run: (work: () => Promise<unknown>) => Promise<boolean> }}
 */
export function useAction(onSuccess) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState(/** @type {ApiError | null} */ (null));
  const run = async (/** @type {() => Promise<unknown>} */ work) => {
    setBusy(true);
    setError(null);
    try {
      await work();
    } catch (e) {
      setError(asApiError(e));
      return false;
    } finally {
      setBusy(false);
    }
    onSuccess?.();
    return true;
  };
  return { busy, error, setError, run };
}

/**
 * The `Idempotency-Key` of a create the user may have to send again: the same key while
 * the body is the same (a retry after a lost answer records once), a new one for another
 * body or once the service has answered.
 * @returns {{ keyFor: (body: unknown) => string, answered: () => void }}
 */
export function useIdempotencyKey() {
  const [last] = useState(() => ({ body: '', key: '' }));
  return {
    keyFor: (body) => {
      const text = JSON.stringify(body);
      if (text !== last.body || !last.key) {
        last.body = text;
        last.key = newKey();
      }
      return last.key;
    },
    answered: () => {
      last.key = '';
    },
  };
}

/**
 * A ref for a form opened from a list: once shown, it is scrolled into view and its first
 * field focused, so that editing the tenth row of a phone's list does not happen off screen.
 * @returns {import('./vendor/preact-htm.js').RefObject<HTMLFormElement>}
 */
export function useOpenedForm() {
  const ref = useRef(/** @type {HTMLFormElement | null} */ (null));
  useEffect(() => {
    const form = ref.current;
    if (!form) return;
    form.scrollIntoView({ block: 'start' });
    form.querySelector(/** @type {'input'} */ ('input, select, textarea'))?.focus({ preventScroll: true });
  }, []);
  return ref;
}

/**
 * The object a form edits and its ETag, read once when the form opens. Changes are sent
 * with that ETag, so that a change someone else made in the meantime is refused (412, shown
 * in place) instead of being overwritten. `null` for a form that creates.
 * @template T
 * @param {(() => Promise<{ data: T, etag: string }>) | null} read
 * @returns {Promise<{ data: T, etag: string }> | null}
 */
export function useSeen(read) {
  const [seen] = useState(() => {
    if (!read) return null;
    const p = read();
    p.catch(() => {}); // awaited by the change, which shows its error
    return p;
  });
  return seen;
}

/**
 * A form's text fields, held as state: a re-render (an error shown, a list loaded, another
 * field's choice) never puts back what the user changed. `bind(name)` gives an input or
 * select its name, value and handler.
 * @template {Record<string, string>} T
 * @param {T} initial
 */
export function useFields(initial) {
  const [values, setValues] = useState(initial);
  /** @param {keyof T & string} name */
  const bind = (name) => ({
    name,
    value: values[name],
    onInput: (/** @type {Event} */ e) => {
      const v = /** @type {HTMLInputElement} */ (e.currentTarget).value;
      setValues((s) => ({ ...s, [name]: v }));
    },
  });
  /** The value trimmed, or null when blank. @param {keyof T & string} name */
  const text = (name) => values[name].trim() || null;
  return { values, bind, text };
}

/** @param {unknown} e */
export function asApiError(e) {
  if (e instanceof ApiError) return e;
  return new ApiError(0, { type: 'client', title: 'error', status: 0, detail: String(e) });
}

/** The message of an error, in the reader's language. @param {ApiError} e */
export function messageOf(e) {
  if (e.status === 0 && e.problem.type === 'network') return t('network-error');
  return e.problem.detail;
}

/**
 * An API error where it happened, with each invalid field when there are some.
 * @param {{ error: ApiError | null, fields?: boolean }} props
 */
export function Problem({ error, fields = true }) {
  if (!error) return null;
  const list = fields ? (error.problem.errors ?? []) : [];
  return html`<div class="problem" role="alert">
    <p>${messageOf(error)}</p>
    ${list.length > 0 &&
    html`<ul>
      ${list.map((f) => html`<li><code>${f.pointer}</code> ${f.detail}</li>`)}
    </ul>`}
  </div>`;
}

/**
 * @param {{ page: number, limit: number, total: number, onPage: (p: number) => void }} props
 */
export function Pager({ page, limit, total, onPage }) {
  const pages = Math.max(1, Math.ceil(total / limit));
  return html`<nav class="pager" aria-label=${t('page-of', { page, pages, total })}>
    <button type="button" disabled=${page <= 1} onClick=${() => onPage(page - 1)}>${t('previous')}</button>
    <span>${t('page-of', { page, pages, total })}</span>
    <button type="button" disabled=${page >= pages} onClick=${() => onPage(page + 1)}>${t('next')}</button>
  </nav>`;
}

/** @param {{ loading: boolean }} props */
export function Spinner({ loading }) {
  return loading ? html`<p class="muted" aria-live="polite">${t('loading')}</p>` : null;
}

/** Minutes as hours with two decimals, as the API writes them. @param {number} minutes */
export function hoursOf(minutes) {
  return (minutes / 60).toFixed(2);
}

/** A timestamp in the organisation's local time, to the minute. @param {string | null | undefined} ts */
export function when(ts) {
  if (!ts) return '';
  const d = new Date(ts);
  return d.toLocaleString(lang() === 'en' ? 'en-GB' : 'zh-CN', {
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
  });
}

/** Minutes between two timestamps. @param {string} a @param {string} b */
export function minutesBetween(a, b) {
  return Math.round((Date.parse(b) - Date.parse(a)) / 60000);
}

/**
 * A value of an input or select element of an event.
 * @param {Event} e
 */
export function valueOf(e) {
  const el = /** @type {HTMLInputElement | HTMLSelectElement | HTMLTextAreaElement} */ (e.currentTarget);
  return el.value;
}
