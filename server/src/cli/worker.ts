// Worker-thread entry (bundled as dist/worker.js): lints the files the pool sends, one per message.
import { parentPort, workerData } from 'worker_threads';
import { initParser } from '../engine';
import { GoModResolver } from '../gomod';
import { safeLintFile, type LintOptions } from './lint';
import type { WorkerReply, WorkerRequest } from './pool';

const opts = workerData as LintOptions;
const mods = new GoModResolver();
const ready = initParser();

parentPort!.on('message', async (req: WorkerRequest) => {
  await ready;
  parentPort!.postMessage({ index: req.index, result: safeLintFile(req.file, opts, mods) } satisfies WorkerReply);
});
