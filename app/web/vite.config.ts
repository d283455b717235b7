import { defineConfig } from 'vite';

// The page is static: `npm run build` writes dist/, which the local exchange serves.
export default defineConfig({
  build: { outDir: 'dist', target: 'es2022' },
  server: { fs: { allow: ['../..'] } },
});
