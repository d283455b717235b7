// Starts the local exchange (network, demo, keeper, indexer, this page's build) on test ports and
// stops it after the run.
import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.join(here, '../../..');

export default async function globalSetup() {
  const binary = path.join(root, 'target/debug/ringfence-local-exchange');
  const out = mkdtempSync(path.join(tmpdir(), 'ringfence-e2e-'));
  const child = spawn(
    binary,
    ['--rpc-port', '18899', '--web-port', '18080', '--out', out, '--web-dir', path.join(here, '../dist'), '--price-step-ms', '5000'],
    { cwd: root, stdio: ['ignore', 'ignore', 'inherit'], env: { ...process.env, RUST_LOG: 'warn,tarpc=error,solana=error' } },
  );
  const deadline = Date.now() + 180_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`the local exchange exited with ${child.exitCode}`);
    try {
      // Written twice: by the demo, then with the indexer's URL once the indexer runs.
      const response = await fetch('http://127.0.0.1:18080/demo.json');
      if (response.ok && ((await response.json()) as { indexer_url?: string }).indexer_url) break;
    } catch {
      // not up yet
    }
    if (Date.now() > deadline) throw new Error('the local exchange did not start within 180 s');
    await new Promise((resolve) => setTimeout(resolve, 300));
  }
  return async () => {
    child.kill('SIGINT');
    await new Promise((resolve) => setTimeout(resolve, 500));
    if (child.exitCode === null) child.kill('SIGKILL');
  };
}
