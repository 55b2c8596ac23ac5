// @ts-check
import { html, useState } from '../vendor/preact-htm.js';
import { login } from '../api.js';
import { t } from '../i18n.js';
import { Problem, asApiError, valueOf } from '../ui.js';

/** @param {{ notice: string, langPicker: import('../vendor/preact-htm.js').VNode }} props */
export function Login({ notice, langPicker }) {
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState(/** @type {import('../api.js').ApiError | null} */ (null));

  /** @param {Event} e */
  const submit = async (e) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      await login(username.trim(), password);
    } catch (err) {
      setError(asApiError(err));
      setBusy(false);
    }
  };

  return html`<main class="login">
    <form class="card" onSubmit=${submit}>
      <h1>${t('app')}</h1>
      ${notice && html`<p class="notice" role="status">${notice}</p>`}
      <label>${t('username')}
        <input name="username" autocomplete="username" required value=${username}
          onInput=${(/** @type {Event} */ e) => setUsername(valueOf(e))} />
      </label>
      <label>${t('password')}
        <input name="password" type="password" autocomplete="current-password" required value=${password}
          onInput=${(/** @type {Event} */ e) => setPassword(valueOf(e))} />
      </label>
      <${Problem} error=${error} />
      <button type="submit" class="primary" disabled=${busy}>${busy ? t('loading') : t('login')}</button>
      <div class="right">${langPicker}</div>
    </form>
  </main>`;
}
