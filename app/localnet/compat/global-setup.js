// Starts the local network with the demo exchange (target/debug/ringfence-localnet --demo) on
// test ports, hands its demo.json to the tests, and stops it afterwards.
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.join(here, '../../..');

export default async function setup({ provide }) {
  const binary = path.join(root, 'target/debug/ringfence-localnet');
  const out = mkdtempSync(path.join(tmpdir(), 'ringfence-compat-'));
  const args = ['--demo', '--rpc-port', '28899', '--faucet-port', '29900', '--control-port', '28901', '--out', out];
  const child = spawn(binary, args, {
    cwd: root,
    stdio: ['ignore', 'ignore', 'inherit'],
    env: { ...process.env, RUST_LOG: 'warn,solana=error,agave=error' },
  });
  const demoFile = path.join(out, 'demo.json');
  const deadline = Date.now() + 120_000;
  while (!existsSync(demoFile)) {
    if (child.exitCode !== null) throw new Error(`ringfence-localnet exited with ${child.exitCode}`);
    if (Date.now() > deadline) throw new Error('the local network did not start within 120 s');
    await new Promise((resolve) => setTimeout(resolve, 300));
  }
  await new Promise((resolve) => setTimeout(resolve, 300));
  provide('demo', JSON.parse(readFileSync(demoFile, 'utf8')));
  provide('idl', JSON.parse(readFileSync(path.join(root, 'idl/ringfence.json'), 'utf8')));
  return async () => {
    child.kill('SIGINT');
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    if (child.exitCode === null) child.kill('SIGKILL');
  };
}
