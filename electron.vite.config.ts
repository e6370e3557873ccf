import { resolve } from 'node:path';
import { defineConfig } from 'electron-vite';
import react from '@vitejs/plugin-react';

// One build produces the Electron main process, the job worker and its threads (merge reading, cipher, WAL checkpoints, a review copy's outcome pass, schema upgrades, the users file's gunzip), the CLI, the sandboxed preload and the renderer.
export default defineConfig({
  main: {
    build: {
      rollupOptions: {
        input: {
          index: resolve(__dirname, 'src/main/index.ts'),
          cli: resolve(__dirname, 'src/main/cli.ts'),
          worker: resolve(__dirname, 'src/main/jobs/worker.ts'),
          'cipher-worker': resolve(__dirname, 'src/main/workspace/cipher-worker.ts'),
          'stage-thread': resolve(__dirname, 'src/main/passwords/stage-thread.ts'),
          'wal-checkpoint-thread': resolve(__dirname, 'src/main/workspace/wal-checkpoint-thread.ts'),
          'outcome-thread': resolve(__dirname, 'src/main/review/outcome-thread.ts'),
          'migrate-thread': resolve(__dirname, 'src/main/workspace/migrate-thread.ts'),
          'gunzip-thread': resolve(__dirname, 'src/main/auth0/export/gunzip-thread.ts'),
          'sandbox-host': resolve(__dirname, 'src/main/sandbox/host.ts'),
        },
      },
    },
  },
  preload: {
    // A sandboxed preload may only require('electron'): bundle everything else into it.
    build: {
      externalizeDeps: false,
      rollupOptions: { input: { index: resolve(__dirname, 'src/preload/index.ts') } },
    },
  },
  renderer: {
    root: resolve(__dirname, 'src/renderer'),
    build: {
      rollupOptions: { input: { index: resolve(__dirname, 'src/renderer/index.html') } },
    },
    plugins: [react()],
  },
});
