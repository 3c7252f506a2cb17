// Finds the `go` directive of the go.mod that governs a file (the nearest one above it). File I/O lives
// here, outside the engine, and is shared by the CLI, the language server and the tests.
import * as fs from 'fs';
import * as path from 'path';
import { goModDirective } from './engine/goversion';

export class GoModResolver {
  /** Directory → go.mod path governing it (or null). */
  private dirs = new Map<string, string | null>();
  /** go.mod path → its directive (or null when it has none). */
  private mods = new Map<string, string | null>();

  constructor(
    /** Overrides for go.mod contents not yet on disk (open editors). */
    private readonly readOverride?: (gomodPath: string) => string | undefined,
  ) {}

  /** The governing go.mod for a file, if any. */
  goModFor(file: string): string | undefined {
    const start = path.dirname(path.resolve(file));
    const visited: string[] = [];
    let dir = start;
    let found: string | null | undefined;
    for (;;) {
      const cached = this.dirs.get(dir);
      if (cached !== undefined) {
        found = cached;
        break;
      }
      visited.push(dir);
      const candidate = path.join(dir, 'go.mod');
      if (fs.existsSync(candidate)) {
        found = candidate;
        break;
      }
      const up = path.dirname(dir);
      if (up === dir) {
        found = null;
        break;
      }
      dir = up;
    }
    for (const v of visited) this.dirs.set(v, found ?? null);
    return found ?? undefined;
  }

  /** The go directive ("1.21", "1.22.3") governing a file, if a go.mod with one is found. */
  goVersionFor(file: string): string | undefined {
    const mod = this.goModFor(file);
    if (!mod) return undefined;
    let v = this.mods.get(mod);
    if (v === undefined) {
      let text = this.readOverride?.(mod);
      if (text === undefined) {
        try {
          text = fs.readFileSync(mod, 'utf8');
        } catch {
          text = '';
        }
      }
      v = goModDirective(text) ?? null;
      this.mods.set(mod, v);
    }
    return v ?? undefined;
  }

  /** Forget what was read (a go.mod was created, changed or deleted). */
  invalidate(): void {
    this.dirs.clear();
    this.mods.clear();
  }
}
