"""One program, threads or processes — the seed's unify_thread_process.py.

"Get the title of each page" through a PoolExecutor alias. Under PoolScope
the alias follows the backend toggle (py-thread → ThreadPoolExecutor,
py-process → ProcessPoolExecutor); run plainly, edit the fallback import.
Each task prints multiprocessing.current_process(): on threads every task
shows the same PID and MainProcess; on processes, one PID and
ForkProcess-N per worker.

No internet needed: the script serves a few pages itself, on 127.0.0.1.
"""
import multiprocessing
import re
import threading
import urllib.request
from concurrent.futures import as_completed
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

try:
    from poolscope import PoolExecutor   # the toggle, when run by PoolScope
except ImportError:
    from concurrent.futures import ThreadPoolExecutor as PoolExecutor
    # from concurrent.futures import ProcessPoolExecutor as PoolExecutor

PAGES = {
    '/python': 'Python multiprocessing',
    '/futures': 'concurrent.futures',
    '/threads': 'Threads share one GIL',
    '/processes': 'Processes each have their own',
    '/gil': 'The global interpreter lock',
    '/event-loop': 'The JavaScript event loop',
}


def get_title(url):
    p = multiprocessing.current_process()
    print(f"Getting title from {url.replace('http://', '')} PID: {p.pid} ProcName: {p.name}")
    with urllib.request.urlopen(url, timeout=10) as response:
        html = response.read().decode('utf-8')
    match = re.search(r'<title>([^<]*)</title>', html)
    return url, match.group(1) if match else '(no title)', p.pid


class Site(BaseHTTPRequestHandler):
    """A tiny local web site; each page answers after a short delay, like a real server would."""

    def do_GET(self):
        threading.Event().wait(0.1)
        title = PAGES.get(self.path)
        self.send_response(200 if title else 404)
        self.send_header('content-type', 'text/html; charset=utf-8')
        self.end_headers()
        self.wfile.write(f'<!doctype html><title>{title or "Not found"}</title>'.encode())

    def log_message(self, *args):
        pass


def main():
    server = ThreadingHTTPServer(('127.0.0.1', 0), Site)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f'http://127.0.0.1:{server.server_address[1]}'
    try:
        # The with-block hands out all the work first, then waits for it when it ends.
        with PoolExecutor(max_workers=3) as executor:
            print(f'{PoolExecutor.__name__} with 3 workers')
            futures = [executor.submit(get_title, base + path) for path in PAGES]   # submit → Future
            pids = set()
            for future in as_completed(futures):
                url, title, pid = future.result()
                pids.add(pid)
                print(f'{url} -> "{title}" (PID {pid})')
        print(f'main program PID: {multiprocessing.current_process().pid}; distinct PIDs that ran tasks: {len(pids)}')
    finally:
        server.shutdown()


if __name__ == '__main__':
    main()
