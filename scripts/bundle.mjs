// A step of `npm run build`: the server (dist/src/server.js, which dist/src/main.js loads for `npm start` and every
// cluster worker) and the cluster's primary (dist/src/cluster.js) each become one file with their dependencies,
// written over themselves. Node then reads one file at start-up instead of ~2,600 from node_modules (issue #12). The
// other built scripts (main, db-*, srs-cli, openapi) stay as swc left them: they import the dist/ modules, which stay
// too.
import { readFile, writeFile } from 'node:fs/promises';
import { relative } from 'node:path';
import { build } from 'esbuild';

const folder = 'dist/src';

/**
 * Packages whose `require = createRequire(import.meta.url)` loads what the bundle holds (class-validator,
 * class-transformer, @nestjs/swagger): their require() calls are left to the bundle, so there is one copy of each
 * (class-transformer's metadata is per copy), not read again from node_modules.
 */
const requireFromBundle = /\/node_modules\/@nestjs\/(mapped-types|terminus)\//;

/**
 * Every module keeps its own import.meta.url (and .filename, .dirname), so that the paths it builds (../seeds/,
 * ../apps/) still resolve; and a CommonJS one its own __dirname and __filename (pino starts its transports' workers
 * from files beside it).
 */
const asUnbundled = {
  name: 'as-unbundled',
  setup(bundle) {
    bundle.onLoad({ filter: /\.[cm]?js$/ }, async ({ path }) => {
      let source = await readFile(path, 'utf8');
      // A package's own source map names sources it does not ship (class-validator's ../src/*.ts): the bundle's map
      // names the package's files instead, which exist.
      if (path.includes('/node_modules/')) {
        source = source.replace(/^\/\/# sourceMappingURL=.*$/gm, '');
      }
      if (requireFromBundle.test(path)) {
        source = source.replace(/^const require = createRequire\(import\.meta\.url\);$/m, '');
        if (source.includes('createRequire(')) {
          throw new Error(`${path} requires at run time: the server would hold two copies of what it requires`);
        }
      }
      const url = `__bundledFrom(${JSON.stringify(relative(folder, path))})`;
      const file = `require('node:url').fileURLToPath(${url})`;
      if (/\b__(dirname|filename)\b/.test(source) && !/\b(const|let|var)\s+__(dirname|filename)\b/.test(source)) {
        source = `var __filename = ${file}, __dirname = require('node:path').dirname(__filename);\n${source}`;
      }
      source = source
        .replaceAll('import.meta.url', `${url}.href`)
        .replaceAll('import.meta.filename', file)
        .replaceAll('import.meta.dirname', `require('node:path').dirname(${file})`);
      return { contents: asciiOnly(source), loader: 'js' };
    });
  },
};

const NOT_ASCII = /[\u0080-\uffff]/g;

/**
 * esbuild leaves non-ASCII characters in regular expressions and comments (validator's alphabets, the portal's own
 * texts); one of them makes Node decode the whole bundle as UTF-16, ~40 ms of every start-up. As \u escapes (astral
 * characters as surrogate pairs) they mean the same in strings, regular expressions and comments. Escaped as each
 * file is read, so that the source map's columns are those of the bundle written.
 */
function asciiOnly(source) {
  return source.replace(NOT_ASCII, (unit) => `\\u${unit.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/**
 * class-validator loads libphonenumber-js (0.45 MB of phone number metadata, ~6% of the bundle, ~0.05 s of every
 * start) for its `IsPhoneNumber` decorator, which the portal does not use: the bundle holds a stand-in that throws.
 * class-validator would take that for an invalid number, so the lint forbids the decorator (eslint.config.js).
 */
const withoutPhoneNumbers = {
  name: 'without-phone-numbers',
  setup(bundle) {
    bundle.onResolve({ filter: /^libphonenumber-js(\/|$)/ }, ({ path }) => ({ path, namespace: 'unused' }));
    bundle.onLoad({ filter: /.*/, namespace: 'unused' }, ({ path }) => ({
      contents: `export function parsePhoneNumber() { throw new Error(${JSON.stringify(`${path} is not in the bundle`)}); }`,
      loader: 'js',
    }));
  },
};

/**
 * An ES module's import of node:http makes Node build that module's ES facade, which reads every export, among them
 * the lazy WebSocket, EventSource and others that load undici: ~40 ms of every start. The bundle's ES modules (Nest's,
 * the portal's) import it through require() instead, as its CommonJS packages do, and undici stays unloaded.
 */
const httpByRequire = {
  name: 'http-by-require',
  setup(bundle) {
    bundle.onResolve({ filter: /^(node:)?http$/ }, ({ kind }) =>
      kind === 'import-statement' ? { path: 'node:http', namespace: 'http-by-require' } : undefined,
    );
    bundle.onLoad({ filter: /.*/, namespace: 'http-by-require' }, () => ({
      contents: "module.exports = require('node:http');",
      loader: 'js',
    }));
  },
};

await build({
  entryPoints: [`${folder}/server.js`, `${folder}/cluster.js`],
  outdir: folder,
  allowOverwrite: true,
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node24',
  // Nest's injection tokens and MikroORM's entities are class names.
  keepNames: true,
  // Names and syntax as they were, without the spaces: ~30% less to read, decode and check against Node's compile
  // cache at every start (7.1 → 4.9 MB, ~0.05 s of a start on the large portal).
  minifyWhitespace: true,
  // For `node --enable-source-maps` when a stack trace should name TypeScript lines (npm start leaves it off, as
  // reading the map costs ~0.6 s of start-up), and for `npm run bench:cpu` to name the module of a profile's sample.
  sourcemap: 'linked',
  sourcesContent: false,
  plugins: [asUnbundled, withoutPhoneNumbers, httpByRequire],
  // Native addons, and optional packages that are not installed (or only loaded by path, as pino's transports are).
  external: [
    'better-sqlite3',
    '@open-spaced-repetition/binding',
    'pino-pretty',
    '@nestjs/microservices',
    '@nestjs/websockets',
    '@fastify/static',
    '@mikro-orm/mysql',
    '@mikro-orm/mariadb',
    '@mikro-orm/mssql',
    '@mikro-orm/libsql',
    '@mikro-orm/mongodb',
    'pg-native',
    // @nestjs/mapped-types's fallback for a layout of class-transformer other than the installed one (cjs/storage).
    'class-transformer/storage',
  ],
  banner: {
    js: [
      "import { createRequire as __createRequire } from 'node:module';",
      // The CommonJS packages in the bundle call require(), which an ES module lacks.
      'const require = __createRequire(import.meta.url);',
      // Where a module of the bundle is, as a URL: its path relative to the bundle's folder.
      'const __bundledFrom = (path) => new URL(path, import.meta.url);',
    ].join(' '),
  },
  logLevel: 'warning',
});

/**
 * keepNames names each function with defineProperty as it is created: ~26 closures a request to GET /health
 * (Express's router, Nest's pipeline), 7.5% of its CPU. 21 of them already bear that name, which naming them again
 * would not change: those are left as they are. The helper is rewritten at its own length, padded with spaces, so that
 * the source map's columns still hold for the rest of its line (the whole bundle is a few long lines).
 */
function namingOnlyWhereNeeded(source) {
  const naming = 'var __name=(target,value)=>__defProp(target,"name",{value,configurable:true});';
  if (!source.includes(naming)) {
    throw new Error(`esbuild's __name helper is not "${naming}": look again at what replaces it`);
  }
  const renaming = 'var __name=(t,v)=>t.name===v?t:__defProp(t,"name",{value:v,configurable:!0});';
  return source.replace(naming, renaming.padEnd(naming.length));
}

for (const file of ['server.js', 'cluster.js']) {
  const path = `${folder}/${file}`;
  const source = namingOnlyWhereNeeded(await readFile(path, 'utf8'));
  if (source.search(NOT_ASCII) !== -1) {
    throw new Error(`${path} is not ASCII: Node would decode it as UTF-16 (see asciiOnly)`);
  }
  await writeFile(path, source);
}
