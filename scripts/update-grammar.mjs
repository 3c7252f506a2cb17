// Refreshes grammars/ from the pinned tree-sitter-go devDependency and records the versions.
// Run after bumping tree-sitter-go or web-tree-sitter in package.json: npm run grammar:update
import { createHash } from 'node:crypto';
import { copyFileSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(import.meta.url);
const goPkgDir = dirname(require.resolve('tree-sitter-go/package.json'));
const goVersion = JSON.parse(readFileSync(join(goPkgDir, 'package.json'), 'utf8')).version;
const wtsVersion = JSON.parse(readFileSync(join(root, 'node_modules', 'web-tree-sitter', 'package.json'), 'utf8')).version;

const wasm = join(root, 'grammars', 'tree-sitter-go.wasm');
copyFileSync(join(goPkgDir, 'tree-sitter-go.wasm'), wasm);
const sha = createHash('sha256').update(readFileSync(wasm)).digest('hex');

writeFileSync(
  join(root, 'grammars', 'VERSIONS.md'),
  `# Grammar versions

| file | from | version | sha256 |
|---|---|---|---|
| tree-sitter-go.wasm | npm \`tree-sitter-go\` (its prebuilt \`tree-sitter-go.wasm\`, ABI 15) | ${goVersion} | \`${sha}\` |

Loaded with npm \`web-tree-sitter\` ${wtsVersion} (grammar ABI 13–15), whose own \`web-tree-sitter.wasm\` the
build copies into \`dist/\`. Refresh with \`npm run grammar:update\` after changing either version in
package.json; \`test/grammar.test.ts\` fails when this file, the wasm and package.json disagree.

tree-sitter-go 0.25 wraps every \`block\` body in a \`statement_list\`; the engine relies on that shape.
`,
);
console.log(`grammars/tree-sitter-go.wasm from tree-sitter-go ${goVersion} (sha256 ${sha.slice(0, 12)}…)`);
