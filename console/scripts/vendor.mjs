// Copies the console's vendored libraries from node_modules (the versions package-lock.json
// pins) into app/vendor/, where the service serves them from.
//
//   node scripts/vendor.mjs           copy them
//   node scripts/vendor.mjs --check   copy nothing; exit 1 if a committed copy differs
//
// The browser loads app/vendor/ as it is, with no import map, so a copy must be the
// package's file byte for byte: edit the pin in package.json and run this, never the copy.

import { readFile, writeFile, mkdir } from 'node:fs/promises';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

/** Each vendored file: where it comes from in node_modules, and where it goes. */
export const FILES = [
  {
    pkg: 'htm',
    from: 'node_modules/htm/preact/standalone.module.js',
    to: 'app/vendor/preact-htm.js',
  },
  { pkg: 'preact', from: 'node_modules/preact/LICENSE', to: 'app/vendor/LICENSE-preact' },
  { pkg: 'htm', from: 'node_modules/htm/LICENSE', to: 'app/vendor/LICENSE-htm' },
  { pkg: 'uqr', from: 'node_modules/uqr/dist/index.mjs', to: 'app/vendor/uqr.js' },
  { pkg: 'uqr', from: 'node_modules/uqr/LICENSE', to: 'app/vendor/LICENSE-uqr' },
];

/** @param {string} pkg */
async function installedVersion(pkg) {
  const json = JSON.parse(await readFile(join(root, 'node_modules', pkg, 'package.json'), 'utf8'));
  return /** @type {string} */ (json.version);
}

/** @param {string} path */
async function readOrNull(path) {
  try {
    return await readFile(path);
  } catch (e) {
    if (/** @type {NodeJS.ErrnoException} */ (e).code === 'ENOENT') return null;
    throw e;
  }
}

async function main() {
  const check = process.argv.includes('--check');
  const unknown = process.argv.slice(2).filter((a) => a !== '--check');
  if (unknown.length) {
    console.error(`vendor: unknown argument ${unknown.join(' ')} (usage: vendor.mjs [--check])`);
    return 2;
  }
  const lock = JSON.parse(await readFile(join(root, 'package-lock.json'), 'utf8'));
  let stale = 0;
  for (const { pkg, from, to } of FILES) {
    const source = await readOrNull(join(root, from));
    if (source === null) {
      console.error(`vendor: ${from} is missing: run \`npm ci\` in console/ first`);
      return 1;
    }
    const version = await installedVersion(pkg);
    const locked = lock.packages?.[`node_modules/${pkg}`]?.version;
    if (locked !== version) {
      console.error(
        `vendor: node_modules has ${pkg} ${version} but package-lock.json pins ${locked}: run \`npm ci\``,
      );
      return 1;
    }
    const target = join(root, to);
    const current = await readOrNull(target);
    if (current !== null && current.equals(source)) continue;
    if (check) {
      console.error(
        current === null
          ? `vendor: ${to} is missing; it must be a copy of ${from} (${pkg} ${version})`
          : `vendor: ${to} differs from ${from} (${pkg} ${version})`,
      );
      stale++;
    } else {
      await mkdir(dirname(target), { recursive: true });
      await writeFile(target, source);
      console.log(`vendor: ${relative(root, target)} <- ${from} (${pkg} ${version})`);
    }
  }
  // app/vendor/README.md names each package at the version it was copied from
  const readme = await readOrNull(join(root, 'app/vendor/README.md'));
  for (const pkg of new Set(FILES.map((f) => f.pkg))) {
    const want = `${pkg}@${await installedVersion(pkg)}`;
    if (readme === null || !readme.toString('utf8').includes(want)) {
      console.error(`vendor: app/vendor/README.md does not name ${want}`);
      stale++;
    }
  }
  if (stale) {
    console.error('vendor: run `npm run vendor` in console/ and update app/vendor/README.md to the versions installed');
    return 1;
  }
  if (check) console.log(`vendor: ${FILES.length} vendored files match node_modules`);
  return 0;
}

process.exitCode = await main();
