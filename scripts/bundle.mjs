// Builds dist/bundle/: the CLI and every module it runs (blessed, blessed-contrib's line chart, commander,
// prom-client, ws, zod) in a few ES module files, so the published package has no run-time dependencies
// (npm pack runs it; bin/start.mjs loads it when dist/cli, a clone's compiled tree, is absent).
// Lazy loads stay lazy: the dashboard (blessed), serve and replay are chunks loaded on first use, zod a file of its own.
import { build } from 'esbuild';
import { cpSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const OUT = join(ROOT, 'dist', 'bundle');
const require = createRequire(join(ROOT, 'package.json'));
const BLESSED = dirname(require.resolve('blessed/package.json'));

/** Rewrites what a bundler cannot follow: requires built at run time, and paths relative to a module's file. */
const rewrites = {
  name: 'uwsgitop-rewrites',
  setup(b) {
    // createRequire(import.meta.url)('x') keeps a module out of the start-up path; in the bundle, a plain
    // require() of a bundled module is the same lazy load (esbuild wraps it, run on first call).
    b.onLoad({ filter: /[\\/]src[\\/].*\.ts$/ }, (args) => {
      const text = readFileSync(args.path, 'utf8');
      if (!text.includes('createRequire(import.meta.url)(')) return undefined;
      return { contents: text.replaceAll('createRequire(import.meta.url)(', 'require('), loader: 'ts' };
    });
    // zod, one copy for both ways it is loaded, in a file of its own (dist/bundle/zod.cjs, built below): the
    // decoder's require() stays a load on first use, as before the bundle (most documents never need zod).
    b.onResolve({ filter: /^zod$/ }, () => ({ path: './zod.cjs', external: true }));
    // blessed loads its widgets by computed name: list them.
    b.onLoad({ filter: /[\\/]blessed[\\/]lib[\\/]widget\.js$/ }, (args) => {
      const text = readFileSync(args.path, 'utf8');
      const names = [...text.matchAll(/^  '(\w+)',?$/gm)].map((m) => m[1].toLowerCase());
      const loop = "widget[name] = widget[file] = require('./widgets/' + file);";
      if (!text.includes(loop) || names.length < 20) throw new Error('blessed/lib/widget.js changed: check scripts/bundle.mjs');
      const table = `{${names.map((n) => `${JSON.stringify(n)}: () => require(${JSON.stringify(`./widgets/${n}`)})`).join(', ')}}`;
      return { contents: text.replace(loop, `widget[name] = widget[file] = (${table})[file]();`), loader: 'js' };
    });
    // blessed's Program runs `tmux -V` synchronously in its constructor when inside tmux (15-30 ms before the
    // first frame), for a version only mouse reporting reads, which the dashboard never turns on: ask on first read.
    b.onLoad({ filter: /[\\/]blessed[\\/]lib[\\/]program\.js$/ }, (args) => {
      const text = readFileSync(args.path, 'utf8');
      const start = text.indexOf('  this.tmuxVersion = (function() {');
      const end = text.indexOf('  })();\n', start);
      if (start < 0 || end < 0 || !text.slice(start, end).includes("execFileSync('tmux'")) throw new Error('blessed/lib/program.js changed: check scripts/bundle.mjs');
      const body = text.slice(start + '  this.tmuxVersion = '.length, end + '  })()'.length);
      const lazy =
        "  Object.defineProperty(this, 'tmuxVersion', { configurable: true, enumerable: true,\n" +
        "    get: function() { var v = " + body + "; Object.defineProperty(self, 'tmuxVersion', { value: v, writable: true, enumerable: true, configurable: true }); return v; },\n" +
        "    set: function(v) { Object.defineProperty(self, 'tmuxVersion', { value: v, writable: true, enumerable: true, configurable: true }); } });\n";
      return { contents: text.slice(0, start) + lazy + text.slice(end + '  })();\n'.length), loader: 'js' };
    });
    // drawille (the line chart's canvas) calls the deprecated Buffer constructor: inside node_modules Node stays
    // silent, but from a bundle it prints DEP0005 on stderr, i.e. across the dashboard's screen.
    b.onLoad({ filter: /[\\/]drawille-blessed-contrib[\\/]index\.js$/ }, (args) => {
      const text = readFileSync(args.path, 'utf8');
      if (!text.includes('new Buffer(')) throw new Error('drawille-blessed-contrib changed: check scripts/bundle.mjs');
      return { contents: text.replaceAll('new Buffer(', 'Buffer.alloc('), loader: 'js' };
    });
    // blessed reads its own terminfo (when the system has none for $TERM) and fonts next to its files: give its
    // modules the directory that copy lives in.
    b.onLoad({ filter: /[\\/]blessed[\\/]lib[\\/].*\.js$/ }, (args) => {
      const text = readFileSync(args.path, 'utf8');
      if (!text.includes('__dirname')) return undefined;
      const sub = args.path.slice(join(BLESSED, 'lib').length).replace(/[\\/][^\\/]*$/, '');
      return { contents: `var __dirname = __bundleDir + "/blessed/lib${sub.replaceAll('\\', '/')}";\n${text}`, loader: 'js' };
    });
  },
};

rmSync(OUT, { recursive: true, force: true });
const result = await build({
  absWorkingDir: ROOT,
  entryPoints: { main: 'src/cli/main.ts' },
  outdir: OUT,
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20.15',
  minifyWhitespace: true,
  minifySyntax: true,
  legalComments: 'eof',
  chunkNames: 'chunk-[hash]',
  // Optional modules their users load inside try/catch or only for widgets we never make.
  external: ['term.js', 'pty.js', 'bufferutil', 'utf-8-validate'],
  banner: {
    js: [
      "import { createRequire as __bundleRequire } from 'node:module';",
      "import { fileURLToPath as __bundlePath } from 'node:url';",
      'const require = __bundleRequire(import.meta.url);',
      "const __bundleDir = __bundlePath(new URL('.', import.meta.url));",
    ].join(''),
  },
  plugins: [rewrites],
  metafile: true,
  logLevel: 'warning',
});

const zod = await build({
  absWorkingDir: ROOT,
  entryPoints: [require.resolve('zod')],
  outfile: join(OUT, 'zod.cjs'),
  bundle: true,
  format: 'cjs',
  platform: 'node',
  target: 'node20.15',
  minifyWhitespace: true,
  minifySyntax: true,
  legalComments: 'eof',
  metafile: true,
  logLevel: 'warning',
});
Object.assign(result.metafile.outputs, zod.metafile.outputs);

// blessed's terminfo and termcap copies (its fallback when the system has none for $TERM); fonts are for BigText only.
mkdirSync(join(OUT, 'blessed', 'usr'), { recursive: true });
for (const f of ['xterm', 'xterm.termcap', 'xterm-256color', 'linux', 'windows-ansi']) {
  cpSync(join(BLESSED, 'usr', f), join(OUT, 'blessed', 'usr', f));
}
mkdirSync(join(ROOT, '.tmp'), { recursive: true });
writeFileSync(join(ROOT, '.tmp', 'bundle-meta.json'), JSON.stringify(result.metafile));
const bytes = Object.values(result.metafile.outputs).reduce((n, o) => n + o.bytes, 0);
console.error(`bundle: ${Object.keys(result.metafile.outputs).length} files, ${(bytes / 1024).toFixed(0)} KiB in dist/bundle`);
