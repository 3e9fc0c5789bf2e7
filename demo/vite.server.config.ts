/** The demo server, built for the Node in use (Node 20 cannot run .ts). stream-v2 stays external: dist/. */
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

const here = (p: string) => fileURLToPath(new URL(p, import.meta.url));

export default defineConfig({
  build: {
    ssr: here('server.ts'),
    outDir: here('dist-server'),
    emptyOutDir: true,
    target: 'node20',
    rollupOptions: { output: { entryFileNames: 'server.js' }, external: ['stream-v2', /^@tus\//, /^node:/] },
  },
});
