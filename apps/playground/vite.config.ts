import { defineConfig, type Plugin } from 'vite';

import { mnistSubsetModule } from './src/mnist_subset.js';

const MNIST_MODULE_ID = 'virtual:mnist-subset';
const RESOLVED_MNIST_MODULE_ID = `\0${MNIST_MODULE_ID}`;

/** Serves `virtual:mnist-subset`, the digits the page trains and tests on. */
function mnistSubset(): Plugin {
  return {
    name: 'mnist-subset',
    resolveId: (id) => (id === MNIST_MODULE_ID ? RESOLVED_MNIST_MODULE_ID : undefined),
    load: (id) => (id === RESOLVED_MNIST_MODULE_ID ? mnistSubsetModule() : undefined),
  };
}

export default defineConfig({
  base: './',
  plugins: [mnistSubset()],
  server: { host: '127.0.0.1', strictPort: false },
  preview: { host: '127.0.0.1' },
  build: {
    target: 'es2022',
    // tfjs with four backends is about 3 MB of script and the digits another 3 MB.
    chunkSizeWarningLimit: 8000,
  },
});
