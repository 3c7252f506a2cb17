// A small worker_threads pool for linting many files. Node has no built-in pool, and pool libraries
// (piscina, workerpool) spawn worker scripts of their own that esbuild does not bundle; this one starts
// dist/worker.js (or out/…/worker.js under tsc), next to this module. Each worker initialises the parser
// once and lints one file per message; results land at the file's index, so the output does not depend
// on which worker finished first.
import * as path from 'path';
import { Worker } from 'worker_threads';
import type { FileResult, LintOptions } from './lint';

export interface WorkerRequest {
  index: number;
  file: string;
}

export interface WorkerReply {
  index: number;
  result: FileResult;
}

export function lintInWorkers(files: string[], jobs: number, opts: LintOptions): Promise<FileResult[]> {
  const script = path.join(__dirname, 'worker.js');
  const results: FileResult[] = new Array(files.length);
  let next = 0;
  let done = 0;
  return new Promise((resolve) => {
    if (!files.length) return resolve(results);
    const finish = (index: number, result: FileResult) => {
      if (results[index]) return;
      results[index] = result;
      if (++done === files.length) resolve(results);
    };
    const start = () => {
      const worker = new Worker(script, { workerData: opts });
      let current = -1;
      const feed = () => {
        if (next >= files.length) {
          current = -1;
          void worker.terminate();
          return;
        }
        current = next++;
        worker.postMessage({ index: current, file: files[current] } satisfies WorkerRequest);
      };
      worker.on('message', (m: WorkerReply) => {
        finish(m.index, m.result);
        feed();
      });
      // A worker that dies (e.g. the wasm heap is exhausted) loses only the file it held; a fresh worker
      // takes over the rest of the queue.
      const died = (why: string) => {
        if (current < 0) return;
        const index = current;
        current = -1;
        finish(index, { file: files[index], diagnostics: [], warnings: [], fixesApplied: 0, error: `internal error while linting: ${why}` });
        if (next < files.length) start();
      };
      worker.on('error', (err) => died(err.message));
      worker.on('exit', (code) => died(`worker exited with code ${code}`));
      feed();
    };
    for (let i = 0; i < Math.min(jobs, files.length); i++) start();
  });
}
