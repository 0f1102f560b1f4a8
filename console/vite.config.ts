import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

// The console is a static bundle served by the API at `/` (src/api/routes/console.routes.ts
// reads the same folder). Everything is bundled: no CDN, no runtime fetch of code.
export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  base: '/',
  publicDir: false,
  logLevel: 'warn',
  build: {
    outDir: fileURLToPath(new URL('../dist/console', import.meta.url)),
    emptyOutDir: true,
    // No source map: the bundle is served to every visitor, the sources stay in the repository.
    sourcemap: false,
    assetsInlineLimit: 0,
  },
});
