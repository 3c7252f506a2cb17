// Loads web-tree-sitter and the tree-sitter-go grammar once per process.
import * as fs from 'fs';
import * as path from 'path';
import { Language, Parser } from 'web-tree-sitter';

let language: Language | undefined;
let initPromise: Promise<void> | undefined;

const GRAMMAR_FILE = 'tree-sitter-go.wasm';
const RUNTIME_FILE = 'web-tree-sitter.wasm';

/**
 * Looks for a file next to this module (the bundled layout: dist/), then in `grammars/` of any parent
 * directory (the source layout used by tests), then in node_modules.
 */
function locate(file: string, extraDirs: string[] = []): string | undefined {
  const candidates: string[] = [];
  for (const d of extraDirs) candidates.push(path.join(d, file));
  candidates.push(path.join(__dirname, file));
  let dir = __dirname;
  for (let i = 0; i < 6; i++) {
    candidates.push(path.join(dir, 'grammars', file));
    candidates.push(path.join(dir, 'node_modules', 'web-tree-sitter', file));
    const up = path.dirname(dir);
    if (up === dir) break;
    dir = up;
  }
  return candidates.find((c) => fs.existsSync(c));
}

export interface InitOptions {
  /** Directories searched first for the two wasm files. */
  wasmDirs?: string[];
}

/** Idempotent: every front end awaits this before analysing. */
export function initParser(opts: InitOptions = {}): Promise<void> {
  if (!initPromise) {
    initPromise = (async () => {
      const runtime = locate(RUNTIME_FILE, opts.wasmDirs);
      await Parser.init(runtime ? { locateFile: () => runtime } : undefined);
      const grammar = locate(GRAMMAR_FILE, opts.wasmDirs);
      if (!grammar) throw new Error(`goroutine-guard: cannot find ${GRAMMAR_FILE} (looked next to ${__dirname} and in grammars/)`);
      language = await Language.load(grammar);
    })();
  }
  return initPromise;
}

export function getLanguage(): Language {
  if (!language) throw new Error('goroutine-guard: initParser() must be awaited before analysing');
  return language;
}

export function newParser(): Parser {
  const p = new Parser();
  p.setLanguage(getLanguage());
  return p;
}
