// The committed grammar is the one package.json pins, and VERSIONS.md says so.
import * as assert from 'assert';
import { createHash } from 'crypto';
import * as fs from 'fs';
import * as path from 'path';

const root = path.resolve(__dirname, '..', '..');

describe('grammars/', () => {
  it('tree-sitter-go.wasm is the pinned package\'s wasm and VERSIONS.md records it', () => {
    const pkg = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8'));
    const pinned = pkg.devDependencies['tree-sitter-go'];
    const committed = fs.readFileSync(path.join(root, 'grammars', 'tree-sitter-go.wasm'));
    const fromPkg = fs.readFileSync(path.join(root, 'node_modules', 'tree-sitter-go', 'tree-sitter-go.wasm'));
    assert.ok(committed.equals(fromPkg), 'grammars/tree-sitter-go.wasm differs from node_modules/tree-sitter-go: run npm run grammar:update');
    const versions = fs.readFileSync(path.join(root, 'grammars', 'VERSIONS.md'), 'utf8');
    const sha = createHash('sha256').update(committed).digest('hex');
    assert.ok(versions.includes(`| ${pinned} |`), `VERSIONS.md does not record tree-sitter-go ${pinned}`);
    assert.ok(versions.includes(sha), 'VERSIONS.md has a stale sha256');
    assert.ok(versions.includes(`web-tree-sitter\` ${pkg.dependencies['web-tree-sitter']}`), 'VERSIONS.md has a stale web-tree-sitter version');
  });
});
