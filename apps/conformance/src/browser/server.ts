import { readFileSync, readdirSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import { dirname, join } from 'node:path';

/** A page server on 127.0.0.1 with an ephemeral port; `close` it in a `finally`. */
export interface PageServer {
  /** Base URL with a trailing slash, such as `http://127.0.0.1:41234/`. */
  url: string;
  close(): Promise<void>;
}

const INDEX_HTML = `<!doctype html>
<html>
  <head><meta charset="utf-8"><title>label-smoothing conformance</title></head>
  <body><script type="module" src="/page.js"></script></body>
</html>
`;

/** A file served at a fixed path beside the page, such as a WebAssembly binary. */
export interface StaticFile {
  /** Absolute URL path, such as `/tfjs-backend-wasm-simd.wasm`. */
  path: string;
  contentType: string;
  body: string | Uint8Array;
}

/**
 * Lists tfjs' own wasm binaries, to be served at the page's root: in a
 * bundled module script tfjs-backend-wasm 4.22 looks for them relative to
 * the page's URL, so the page needs no `setWasmPaths` call.
 */
export function tfjsWasmBinaries(): StaticFile[] {
  const directory = dirname(createRequire(import.meta.url).resolve('@tensorflow/tfjs-backend-wasm'));
  return readdirSync(directory)
    .filter((name) => name.endsWith('.wasm'))
    .map((name) => ({ path: `/${name}`, contentType: 'application/wasm', body: readFileSync(join(directory, name)) }));
}

/**
 * Serves the harness page: `/` is a blank document that loads `/page.js`,
 * the bundled script, and `/favicon.ico` is empty. Each of `files` is served
 * at its path, and every other path is 404.
 */
export async function startPageServer(pageScript: string, files: readonly StaticFile[] = []): Promise<PageServer> {
  const server: Server = createServer((request, response) => {
    const path = new URL(request.url ?? '/', 'http://127.0.0.1').pathname;
    const file = files.find((candidate) => candidate.path === path);
    if (file) {
      response.writeHead(200, { 'content-type': file.contentType });
      response.end(file.body);
    } else if (path === '/' || path === '/index.html') {
      response.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
      response.end(INDEX_HTML);
    } else if (path === '/page.js') {
      response.writeHead(200, { 'content-type': 'text/javascript; charset=utf-8' });
      response.end(pageScript);
    } else if (path === '/favicon.ico') {
      response.writeHead(204);
      response.end();
    } else {
      response.writeHead(404, { 'content-type': 'text/plain' });
      response.end(`not found: ${path}\n`);
    }
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/`,
    close: () => new Promise<void>((resolve, reject) => server.close((error) => (error ? reject(error) : resolve()))),
  };
}
