// Bundle entry (dist/cli.js, the package's `goroutine-guard` bin).
import { run } from './cli';

// `goroutine-guard | head` closes the pipe early: stop quietly instead of dying with an EPIPE stack.
process.stdout.on('error', (err: NodeJS.ErrnoException) => {
  if (err.code !== 'EPIPE') throw err;
  process.exit(process.exitCode ?? 0);
});

run(process.argv.slice(2)).then(
  (code) => {
    // exitCode, not exit(): large outputs to a pipe must be flushed first.
    process.exitCode = code;
  },
  (err: unknown) => {
    process.stderr.write(`goroutine-guard: internal error: ${(err as Error)?.stack ?? String(err)}\n`);
    process.exitCode = 2;
  },
);
