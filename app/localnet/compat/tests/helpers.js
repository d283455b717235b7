// What every compatibility test needs: the demo's summary, a web3.js connection, keypairs.
import { inject } from 'vitest';
import { readFileSync } from 'node:fs';
import { Connection, Keypair, LAMPORTS_PER_SOL, PublicKey } from '@solana/web3.js';

export const demo = inject('demo');
export const idl = inject('idl');
export const programId = new PublicKey(demo.program_id);
export const mint = new PublicKey(demo.collateral_mint);

/** A web3.js connection at `confirmed`, with the websocket the validator announces. */
export function connection() {
  return new Connection(demo.rpc_url, { commitment: 'confirmed', wsEndpoint: demo.ws_url });
}

/** The demo wallet `name`'s keypair (Solana's JSON keypair file). */
export function wallet(name) {
  const entry = demo.wallets.find((w) => w.name === name);
  return Keypair.fromSecretKey(Uint8Array.from(JSON.parse(readFileSync(entry.keypair_path, 'utf8'))));
}

/** A new keypair with `sol` SOL from the faucet, confirmed. */
export async function funded(conn, sol = 10) {
  const keypair = Keypair.generate();
  const signature = await conn.requestAirdrop(keypair.publicKey, sol * LAMPORTS_PER_SOL);
  const latest = await conn.getLatestBlockhash();
  await conn.confirmTransaction({ signature, ...latest }, 'confirmed');
  return keypair;
}

/** Resolves with the first value `subscribe(resolve)` delivers, or rejects after `ms`. */
export function first(subscribe, ms = 30_000) {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no notification in ${ms} ms`)), ms);
    subscribe((value) => {
      clearTimeout(timer);
      resolve(value);
    });
  });
}

/** The PDA of `seeds` under the program. */
export function pda(...seeds) {
  return PublicKey.findProgramAddressSync(seeds, programId)[0];
}

/** A sub-account id as the program's seed bytes (u16 little-endian). */
export function idSeed(id) {
  const bytes = Buffer.alloc(2);
  bytes.writeUInt16LE(id);
  return bytes;
}
