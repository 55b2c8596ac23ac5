// @ts-check
// The console: one page, its views chosen by the address's fragment (#/review, #/roster/5),
// the menu by the account's role. Every view calls only the public API.

import { html, render, useEffect, useState } from './vendor/preact-htm.js';
import { currentUser, logout, onSession, refresh } from './api.js';
import { lang, setLang, t, label } from './i18n.js';
import { Login } from './views/login.js';
import { Events } from './views/events.js';
import { Roster } from './views/roster.js';
import { Entries } from './views/entries.js';
import { Volunteers } from './views/volunteers.js';
import { Review } from './views/review.js';
import { Totals } from './views/totals.js';
import { MyHours } from './views/me.js';
import { MyEvents } from './views/my-events.js';
import { CheckInCode } from './views/checkin-code.js';
import { Branches, Accounts } from './views/admin.js';
import { History } from './views/history.js';
import { RecordView } from './views/record.js';

/** @typedef {import('./api.js').User} User */
/** @typedef {(props: { user: User, args: string[] }) => import('./vendor/preact-htm.js').VNode | null} View */

/** @type {Record<string, View>} */
const VIEWS = {
  events: Events,
  roster: Roster,
  entries: Entries,
  volunteers: Volunteers,
  review: Review,
  totals: Totals,
  me: MyHours,
  'my-events': MyEvents,
  code: CheckInCode,
  branches: Branches,
  accounts: Accounts,
  history: History,
  record: RecordView,
};

/** The menu of each role: its views, the first one being its home. @type {Record<string, string[]>} */
const MENUS = {
  secretary: ['events', 'roster', 'entries', 'volunteers'],
  admin: ['review', 'events', 'volunteers', 'branches', 'accounts', 'totals'],
  hr: ['totals'],
  volunteer: ['me', 'record', 'my-events'],
};

/** @type {Record<string, string>} */
const MENU_WORD = {
  events: 'events',
  roster: 'roster',
  entries: 'entries',
  volunteers: 'volunteers',
  review: 'review',
  totals: 'totals',
  me: 'my-hours',
  'my-events': 'my-events',
  branches: 'branches',
  accounts: 'accounts',
  record: 'record',
};

function route() {
  const parts = location.hash.replace(/^#\/?/, '').split('/').filter(Boolean);
  return { name: parts[0] ?? '', args: parts.slice(1).map(decodeURIComponent) };
}

function useRoute() {
  const [r, setR] = useState(route());
  useEffect(() => {
    const f = () => setR(route());
    addEventListener('hashchange', f);
    return () => removeEventListener('hashchange', f);
  }, []);
  return r;
}

function App() {
  const [user, setUser] = useState(currentUser());
  const [booting, setBooting] = useState(true);
  const [why, setWhy] = useState(/** @type {string | undefined} */ (undefined));
  const [, setLangTick] = useState(0);
  const r = useRoute();

  useEffect(() => {
    const off = onSession((u, reason) => {
      setUser(u);
      setWhy(reason);
    });
    // a reload keeps the session through the refresh token kept for this tab
    refresh().finally(() => setBooting(false));
    return () => {
      off();
    };
  }, []);

  /** @param {import('./i18n.js').Lang} next */
  const switchLang = (next) => {
    setLang(next);
    setLangTick((n) => n + 1);
  };

  const langPicker = html`<label class="lang">
    <span class="sr-only">${t('language')}</span>
    <select value=${lang()} onChange=${(/** @type {Event} */ e) =>
      switchLang(/** @type {HTMLSelectElement} */ (e.currentTarget).value === 'en' ? 'en' : 'zh-CN')}>
      <option value="zh-CN">中文</option>
      <option value="en">English</option>
    </select>
  </label>`;

  if (booting) return html`<main class="boot" aria-busy="true">${t('loading')}</main>`;
  if (!user) return html`<${Login} notice=${why ? t(why) : ''} langPicker=${langPicker} />`;

  const menu = MENUS[user.role] ?? [];
  const name = r.name && menu.concat(['code', 'history', 'record']).includes(r.name) ? r.name : menu[0];
  const View = name ? VIEWS[name] : undefined;
  document.title = `${name && MENU_WORD[name] ? t(MENU_WORD[name]) + ' · ' : ''}${t('app')}`;

  return html`<div class="shell">
    <header class="top">
      <h1><a href="#/">${t('app')}</a></h1>
      <nav aria-label=${t('menu')}>
        ${menu.map(
          (m) => html`<a href=${`#/${m}`} aria-current=${m === name ? 'page' : undefined}>${t(MENU_WORD[m])}</a>`,
        )}
      </nav>
      <div class="who">
        <span>${user.username} · ${label('role', user.role)}</span>
        ${langPicker}
        <button type="button" class="link" onClick=${() => void logout()}>${t('logout')}</button>
      </div>
    </header>
    <main id="main">
      ${View ? html`<${View} key=${`${name}/${r.args.join('/')}/${lang()}`} user=${user} args=${r.args} />` : html`<p>${t('forbidden-role')}</p>`}
    </main>
  </div>`;
}

document.documentElement.lang = lang();
const root = document.getElementById('app');
if (root) {
  root.textContent = '';
  render(html`<${App} />`, root);
}
