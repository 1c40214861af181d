#!/usr/bin/env node
// The BullMQ peer baseline of omniroute-bench (load-tests/README.md, "The BullMQ peer"): a no-op
// BullMQ Worker on a given Redis, the yardstick DESIGN.md names for omniroute's cost per unit of
// work.
//
//   node noop-worker.js --host H --port P --queue NAME --jobs N [--concurrency 50]
//        [--warmup 500] [--chunk 1000] [--keep-completed 1000] [--keep-failed 5000]
//        [--username U] [--password PW] [--db N] [--path SOCKET] [--handshake]
//        [--timeout-seconds 300]
//
// One run, one fresh queue:
//   1. obliterate leftovers of the queue (an interrupted earlier run);
//   2. warm-up (not measured): --warmup jobs added and processed by a first Worker, so the
//      measured Worker runs on JIT-compiled code, as a long-running deployment does; "warmed";
//   3. pre-add N jobs with addBulk in chunks of --chunk (small data: {i}); "added";
//   4. a no-op Worker (concurrency --concurrency) is created and connected (waitUntilReady),
//      then the clock starts and worker.run() processes until N jobs finished; "done";
//   5. closes the worker and obliterates the queue (every key of it); "cleaned", exit 0.
// With --handshake the script stops after each of "warmed", "added" and "done" until it gets
// SIGUSR2, so the bench can read its counters (Redis INFO, this process's CPU) between steps.
// Each step prints one JSON line on stdout ({"event": ...}); any failure prints
// {"event":"error","message":...} and exits 1 (2 on --timeout-seconds).
//
// Finished jobs are kept as BullMQ's documentation recommends for production (Worker options
// removeOnComplete {count: 1000}, removeOnFail {count: 5000}): bounded memory, the last jobs
// kept for inspection. BullMQ's default keeps every finished job forever; --keep-completed -1
// reproduces it, --keep-completed 0 removes each job as it completes.
'use strict';

const { Queue, Worker } = require('bullmq');
const Redis = require('ioredis');

function parseArgs(argv) {
  const opts = {
    host: '127.0.0.1', port: 6379, path: '', username: '', password: '', db: 0, queue: '',
    jobs: 0,
    concurrency: 50, warmup: 500, chunk: 1000, 'keep-completed': 1000, 'keep-failed': 5000,
    handshake: false, 'timeout-seconds': 300,
  };
  for (let i = 0; i < argv.length; i++) {
    const name = argv[i].replace(/^--/, '');
    if (!(name in opts) || !argv[i].startsWith('--')) throw new Error(`unknown argument ${argv[i]}`);
    if (typeof opts[name] === 'boolean') {
      opts[name] = true;
      continue;
    }
    if (i + 1 >= argv.length) throw new Error(`--${name} needs a value`);
    const value = argv[++i];
    if (typeof opts[name] === 'number') {
      if (!/^-?\d+$/.test(value)) throw new Error(`--${name}: not an integer: ${value}`);
      opts[name] = Number(value);
    } else {
      opts[name] = value;
    }
  }
  if (!opts.queue) throw new Error('--queue is required');
  if (opts.jobs < 1 || opts.concurrency < 1 || opts.chunk < 1 || opts.warmup < 0) {
    throw new Error('--jobs, --concurrency and --chunk must be >= 1, --warmup >= 0');
  }
  return opts;
}

function emit(event, fields = {}) {
  process.stdout.write(`${JSON.stringify({ event, ...fields })}\n`);
}

// KeepJobs of the Worker options: -1 = keep all (BullMQ's default), otherwise keep the last n.
function keep(n) {
  return n < 0 ? undefined : { count: n };
}

// SIGUSR2 from the bench: "counters read, go on". Registered before the first line is printed,
// so a signal never finds the default action (which would end the process).
let released = null;
process.on('SIGUSR2', () => {
  if (released) released();
});
function waitForSignal() {
  return new Promise((resolve) => {
    released = () => {
      released = null;
      resolve();
    };
  });
}

async function addJobs(queue, from, count, chunk) {
  for (let done = 0; done < count; done += chunk) {
    const n = Math.min(chunk, count - done);
    const jobs = [];
    for (let k = 0; k < n; k++) jobs.push({ name: 'bench', data: { i: from + done + k } });
    await queue.addBulk(jobs);
  }
}

// Runs a no-op Worker until `count` jobs finished (completed or failed). Timing starts after the
// worker's connection is ready, when worker.run() is called.
async function work(opts, connection, count) {
  let firstStart = 0;
  const worker = new Worker(
    opts.queue,
    async () => {
      if (firstStart === 0) firstStart = performance.now();
    },
    {
      connection,
      concurrency: opts.concurrency,
      autorun: false,
      removeOnComplete: keep(opts['keep-completed']),
      removeOnFail: keep(opts['keep-failed']),
    },
  );
  let completed = 0;
  let failed = 0;
  let firstError = '';
  let finish;
  const finished = new Promise((resolve) => {
    finish = resolve;
  });
  // The counts are taken when the last job finished: later events cannot change the result.
  const settle = () => {
    if (completed + failed >= count) finish({ end: performance.now(), completed, failed });
  };
  worker.on('completed', () => {
    completed++;
    settle();
  });
  worker.on('failed', (job, err) => {
    failed++;
    if (!firstError) firstError = String(err && err.message);
    settle();
  });
  worker.on('error', (err) => {
    if (!firstError) firstError = String(err && err.message);
  });
  await worker.waitUntilReady();
  const start = performance.now();
  const running = worker.run();
  const { end, completed: c, failed: f } = await finished;
  return { worker, running, start, firstStart, end, completed: c, failed: f, firstError };
}

// Keys matching `pattern` (SCAN, so a shared Redis is never blocked the way KEYS would).
async function keysLeft(client, pattern) {
  let cursor = '0';
  let n = 0;
  do {
    const [next, keys] = await client.scan(cursor, 'MATCH', pattern, 'COUNT', 1000);
    cursor = next;
    n += keys.length;
  } while (cursor !== '0');
  return n;
}

async function main() {
  const opts = parseArgs(process.argv.slice(2));
  const timer = setTimeout(() => {
    emit('error', { message: `timed out after ${opts['timeout-seconds']} s` });
    process.exit(2);
  }, opts['timeout-seconds'] * 1000);
  const connection = opts.path
    ? { path: opts.path }
    : { host: opts.host, port: opts.port };
  if (opts.username) connection.username = opts.username;
  if (opts.password) connection.password = opts.password;
  connection.db = opts.db;
  // Workers need maxRetriesPerRequest: null on their blocking connection (BullMQ warns otherwise).
  connection.maxRetriesPerRequest = null;

  const queue = new Queue(opts.queue, { connection });
  await queue.waitUntilReady();
  await queue.obliterate({ force: true });

  if (opts.warmup > 0) {
    await addJobs(queue, -opts.warmup, opts.warmup, opts.chunk);
    const w = await work(opts, connection, opts.warmup);
    await w.worker.close();
    await w.running;
  }
  emit('warmed', { warmup: opts.warmup });
  if (opts.handshake) await waitForSignal();

  const addStart = performance.now();
  await addJobs(queue, 0, opts.jobs, opts.chunk);
  const waiting = await queue.getWaitingCount();
  emit('added', {
    jobs: opts.jobs,
    waiting,
    warmup: opts.warmup,
    add_seconds: (performance.now() - addStart) / 1000,
  });
  if (opts.handshake) await waitForSignal();

  const r = await work(opts, connection, opts.jobs);
  const seconds = (r.end - r.start) / 1000;
  emit('done', {
    jobs: opts.jobs,
    completed: r.completed,
    failed: r.failed,
    seconds,
    seconds_from_first_start: r.firstStart ? (r.end - r.firstStart) / 1000 : null,
    jobs_per_s: r.completed / seconds,
    window: 'worker.run() called -> last job completed',
    concurrency: opts.concurrency,
    keep_completed: opts['keep-completed'],
    keep_failed: opts['keep-failed'],
    first_error: r.firstError,
  });
  if (opts.handshake) await waitForSignal();

  await r.worker.close();
  await r.running;
  await queue.obliterate({ force: true });
  const check = new Redis(connection);
  const left = await keysLeft(check, `bull:${opts.queue}:*`);
  check.disconnect();
  await queue.close();
  clearTimeout(timer);
  emit('cleaned', { keys_left: left });
  process.exit(r.completed === opts.jobs && left === 0 ? 0 : 1);
}

main().catch((err) => {
  emit('error', { message: String((err && err.message) || err) });
  process.exit(1);
});
