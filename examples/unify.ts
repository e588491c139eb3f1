/**
 * One program, threads or processes — the seed's `unify_thread_process.py`.
 *
 * "Get the title of each page" through a `PoolExecutor`: its backend comes from
 * configuration (the editor's backend toggle, or `POOLSCOPE_BACKEND` in a
 * terminal), so the same code runs on worker threads or child processes
 * without edits. Each task reports `currentProcess()`: on threads every task
 * prints the same PID and `MainProcess`; on processes, one PID and
 * `SpawnProcess-N` per worker.
 *
 * No internet needed: the example serves a few pages itself, on 127.0.0.1.
 *
 * Run it: `poolscope run examples/unify.ts --backend thread`, then `--backend process`.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { PoolExecutor, asCompleted, currentProcess } from 'poolscope';

const PAGES: Record<string, string> = {
  '/python': 'Python multiprocessing',
  '/futures': 'concurrent.futures',
  '/threads': 'Worker threads in Node.js',
  '/processes': 'Child processes in Node.js',
  '/gil': 'The global interpreter lock',
  '/event-loop': 'The JavaScript event loop',
};

/** Fetches `url` and returns its `<title>`, with the process that did the work. */
export async function getTitle(url: string): Promise<{ url: string; title: string; pid: number; procName: string }> {
  const p = currentProcess();
  // The seed's line; task output shows on the timeline (and in `poolscope run`'s output).
  console.log(`Getting title from ${url.replace('http://', '')} PID: ${p.pid} ProcName: ${p.name}`);
  const response = await fetch(url);
  const html = await response.text();
  const title = /<title>([^<]*)<\/title>/i.exec(html)?.[1] ?? '(no title)';
  return { url, title, pid: p.pid, procName: p.name };
}

/** A tiny local web site; each page answers after a short delay, like a real server would. */
async function startSite(): Promise<{ base: string; server: Server }> {
  const server = createServer((req, res) => {
    const title = PAGES[req.url ?? ''];
    setTimeout(() => {
      res.writeHead(title ? 200 : 404, { 'content-type': 'text/html; charset=utf-8' });
      res.end(`<!doctype html><html><head><title>${title ?? 'Not found'}</title></head><body></body></html>`);
    }, 100);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { base: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, server };
}

export default async function main(): Promise<void> {
  const { base, server } = await startSite();
  try {
    // `await using` is Python's `with`: the executor is shut down (waiting for its work) when the block ends.
    await using executor = new PoolExecutor();
    console.log(`PoolExecutor on the '${executor.backend}' backend with ${executor.maxWorkers} workers`);

    // submit() schedules the call and returns a Future at once: all the work is handed out first…
    const futures = Object.keys(PAGES).map((path) => executor.submit(getTitle, `${base}${path}`));

    // …then the results are collected as they come in.
    const pids = new Set<number>();
    for await (const future of asCompleted(futures)) {
      const page = await future.result();
      pids.add(page.pid);
      console.log(`Title of ${new URL(page.url).pathname}: "${page.title}" (PID: ${page.pid} ProcName: ${page.procName})`);
    }
    console.log(`main program PID: ${currentProcess().pid} (${currentProcess().name})`);
    console.log(`distinct PIDs that ran tasks: ${pids.size}`);
  } finally {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}
