import { fileURLToPath } from 'node:url';
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

const here = (p: string) => fileURLToPath(new URL(p, import.meta.url));

// Two pages from one build: the console (index.html, served at `/`) and the GraphQL IDE
// (ide.html, served at `/ide`). Everything is bundled from node_modules: the machines that run
// Warden may have no internet access, so nothing is loaded from a CDN.
export default defineConfig({
  plugins: [react()],
  base: '/',
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    chunkSizeWarningLimit: 4000,
    rollupOptions: {
      input: { console: here('./index.html'), ide: here('./ide.html') },
      // GraphiQL's modules start with "use no memo" (a React Compiler hint) that bundling drops; harmless.
      onwarn(warning, warn) {
        if (warning.code === 'MODULE_LEVEL_DIRECTIVE') return;
        warn(warning);
      },
    },
  },
  worker: { format: 'es' },
  server: {
    // `npm run dev -w @warden/console` against an api running on its default port.
    proxy: { '/graphql': { target: 'http://127.0.0.1:4000', ws: true } },
  },
});
