// Bundles the client, the language server and the CLI with esbuild, and copies the two wasm files the
// server needs next to the bundles. dist/ is exactly what the .vsix ships.
import * as esbuild from 'esbuild';
import { copyFileSync, mkdirSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(import.meta.url);
const production = process.argv.includes('--production');
const dist = join(root, 'dist');
rmSync(dist, { recursive: true, force: true });
mkdirSync(dist, { recursive: true });

// esbuild would pick web-tree-sitter's ESM build, which needs import.meta; its CJS build works bundled.
const treeSitterCjs = join(root, 'node_modules', 'web-tree-sitter', 'web-tree-sitter.cjs');
const common = {
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: 'node20',
  sourcemap: production ? false : 'linked',
  minify: production,
  logLevel: 'warning',
  alias: { 'web-tree-sitter': treeSitterCjs },
};

await Promise.all([
  esbuild.build({ ...common, entryPoints: [join(root, 'client/src/extension.ts')], outfile: join(dist, 'client.js'), external: ['vscode'] }),
  esbuild.build({ ...common, entryPoints: [join(root, 'server/src/lsp/main.ts')], outfile: join(dist, 'server.js') }),
  esbuild.build({ ...common, entryPoints: [join(root, 'server/src/cli/main.ts')], outfile: join(dist, 'cli.js'), banner: { js: '#!/usr/bin/env node' } }),
  esbuild.build({ ...common, entryPoints: [join(root, 'server/src/cli/worker.ts')], outfile: join(dist, 'worker.js') }),
]);

copyFileSync(join(root, 'grammars', 'tree-sitter-go.wasm'), join(dist, 'tree-sitter-go.wasm'));
copyFileSync(join(dirname(require.resolve('web-tree-sitter')), 'web-tree-sitter.wasm'), join(dist, 'web-tree-sitter.wasm'));
console.log(`built dist/ (${production ? 'production' : 'development'})`);
