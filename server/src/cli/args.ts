// Command-line parsing with node:util parseArgs (no dependency), plus the validation parseArgs leaves
// to us. Every mistake becomes a UsageError: the CLI prints it with a hint and exits 2.
import { parseArgs } from 'util';
import { normalizeSetting, RULES_BY_ID } from '../engine';
import type { RuleSetting } from '../engine';

export type Format = 'text' | 'json' | 'sarif';

export interface CliOptions {
  paths: string[];
  format: Format;
  goVersion?: string;
  rules: Record<string, RuleSetting>;
  fix: boolean;
  exitZero: boolean;
  /** Worker threads asked for with --jobs; undefined lets the CLI decide from the input size. */
  jobs?: number;
  lsp: boolean;
  help: boolean;
  version: boolean;
}

export class UsageError extends Error {}

export const USAGE = `Usage: goroutine-guard [options] [paths...]

Finds Go concurrency leaks and races. Paths are files or directories (default "."); directories are
searched recursively for *.go files, skipping vendor/, testdata/, node_modules/, .git/ and whatever
.gitignore files ignore. "dir/..." means the same as "dir".

Options:
  --format <text|json|sarif>  output format (default: text)
  --go-version <X.Y>          analyse every file as Go X.Y (default: the nearest go.mod's go directive,
                              or a //go:build go1.N line; without either, a modern Go)
  --rule <id>=<level>         set a rule's level: off, error, warning, info (or information), hint;
                              repeatable
  --fix                       apply each finding's first quick fix in place, then report what remains
  --exit-zero                 exit 0 even when there are findings
  --jobs <N>                  worker threads (default: one per CPU for large inputs)
  --lsp                       run the language server over stdio (for editors other than VS Code)
  -h, --help                  show this help
  -v, --version               print the version

Exit status: 0 no findings, 1 findings, 2 usage or I/O error.`;

export function parseCli(argv: string[]): CliOptions {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      strict: true,
      options: {
        format: { type: 'string', short: 'f' },
        'go-version': { type: 'string' },
        rule: { type: 'string', multiple: true },
        fix: { type: 'boolean' },
        'exit-zero': { type: 'boolean' },
        jobs: { type: 'string', short: 'j' },
        lsp: { type: 'boolean' },
        // Editors launching a language server often append --stdio; with --lsp it is what we do anyway.
        stdio: { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
        version: { type: 'boolean', short: 'v' },
      },
    });
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
  const v = parsed.values;
  const format = (v.format ?? 'text').toLowerCase();
  if (format !== 'text' && format !== 'json' && format !== 'sarif') throw new UsageError(`--format must be text, json or sarif, not "${v.format}"`);

  const goVersion = v['go-version'];
  if (goVersion !== undefined && !/^(go)?1\.\d+(\.\d+)?$/.test(goVersion.trim())) {
    throw new UsageError(`--go-version must look like 1.21 (or 1.21.3), not "${goVersion}"`);
  }

  const rules: Record<string, RuleSetting> = {};
  for (const spec of v.rule ?? []) {
    const eq = spec.indexOf('=');
    if (eq <= 0) throw new UsageError(`--rule expects <rule-id>=<level>, e.g. --rule send-without-cancel=error (got "${spec}")`);
    const id = spec.slice(0, eq).trim();
    const level = spec.slice(eq + 1).trim();
    if (!RULES_BY_ID.has(id)) throw new UsageError(`unknown rule "${id}" in --rule; known rules: ${[...RULES_BY_ID.keys()].join(', ')}`);
    const setting = normalizeSetting(level);
    if (!setting) throw new UsageError(`--rule ${id}: level must be off, error, warning, info (information) or hint, not "${level}"`);
    rules[id] = setting;
  }

  let jobs: number | undefined;
  if (v.jobs !== undefined) {
    if (!/^\d+$/.test(v.jobs) || Number(v.jobs) < 1) throw new UsageError(`--jobs must be a positive integer, not "${v.jobs}"`);
    jobs = Number(v.jobs);
  }

  return {
    paths: parsed.positionals.length ? parsed.positionals : ['.'],
    format,
    goVersion: goVersion?.trim(),
    rules,
    fix: v.fix ?? false,
    exitZero: v['exit-zero'] ?? false,
    jobs,
    lsp: v.lsp ?? false,
    help: v.help ?? false,
    version: v.version ?? false,
  };
}
