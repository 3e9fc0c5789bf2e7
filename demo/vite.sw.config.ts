/** The demo's Service Worker: one self-contained ES module at demo/dist/sw.js (scope: the whole site). */
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

const here = (p: string) => fileURLToPath(new URL(p, import.meta.url));

export default defineConfig({
  build: {
    outDir: here('dist'),
    emptyOutDir: false,
    target: 'es2022',
    sourcemap: false,
    minify: false,
    rollupOptions: {
      input: here('sw.ts'),
      output: { entryFileNames: 'sw.js', format: 'es', codeSplitting: false },
    },
  },
  worker: { format: 'es' },
});
