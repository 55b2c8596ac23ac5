// @ts-check
// Names of the volunteers and events that lists refer to by id, read once per page load.

import { useEffect, useState } from './vendor/preact-htm.js';
import { get } from './api.js';

/** @type {Map<number, Promise<string>>} */
const volunteers = new Map();
/** @type {Map<number, Promise<string>>} */
const events = new Map();

/**
 * `read(id)` once per id, kept in `cache`; an id that cannot be read shows as `#id`.
 * @param {Map<number, Promise<string>>} cache
 * @param {(id: number) => Promise<string>} read
 */
function cached(cache, read) {
  return (/** @type {number} */ id) => {
    let p = cache.get(id);
    if (!p) {
      p = read(id).catch(() => `#${id}`);
      cache.set(id, p);
    }
    return p;
  };
}

const volunteerName = cached(volunteers, async (id) => (await get('/api/v1/volunteers/{id}', { path: { id } })).name);
const eventTitle = cached(events, async (id) => (await get('/api/v1/events/{id}', { path: { id } })).title);

/** Remembers names already at hand (from a list just read). @param {{ id: number, name: string }[]} list */
export function knowVolunteers(list) {
  for (const v of list) volunteers.set(v.id, Promise.resolve(v.name));
}

/** @param {{ id: number, title: string }[]} list */
export function knowEvents(list) {
  for (const e of list) events.set(e.id, Promise.resolve(e.title));
}

/**
 * The names of `ids` of `kind`, filled in as they arrive.
 * @param {'volunteer' | 'event'} kind
 * @param {number[]} ids
 * @returns {Record<number, string>}
 */
export function useNames(kind, ids) {
  const [names, setNames] = useState(/** @type {Record<number, string>} */ ({}));
  const key = [...new Set(ids)].sort((a, b) => a - b).join(',');
  useEffect(() => {
    let live = true;
    const unique = key ? key.split(',').map(Number) : [];
    const read = kind === 'volunteer' ? volunteerName : eventTitle;
    Promise.all(unique.map(async (id) => /** @type {[number, string]} */ ([id, await read(id)]))).then((pairs) => {
      if (live) setNames(Object.fromEntries(pairs));
    });
    return () => {
      live = false;
    };
  }, [kind, key]);
  return names;
}
