// @solana/spl-token 0.4.15 and web3.js's token methods against the local validator: how
// wallets list balances and move tokens, on the demo's collateral mint and on a new one.
import { describe, expect, test } from 'vitest';
import {
  createMint,
  getAccount,
  getMint,
  getOrCreateAssociatedTokenAccount,
  mintTo,
  transfer,
  TOKEN_PROGRAM_ID,
} from '@solana/spl-token';
import { PublicKey } from '@solana/web3.js';
import { connection, demo, funded, mint } from './helpers.js';

const conn = connection();

describe('spl-token', () => {
  test('create a mint, accounts, mint to and transfer', async () => {
    const payer = await funded(conn, 5);
    const token = await createMint(conn, payer, payer.publicKey, null, 6);
    const mine = await getOrCreateAssociatedTokenAccount(conn, payer, token, payer.publicKey);
    const friend = await funded(conn, 1);
    const theirs = await getOrCreateAssociatedTokenAccount(conn, payer, token, friend.publicKey);
    await mintTo(conn, payer, token, mine.address, payer, 1_000_000n);
    await transfer(conn, payer, mine.address, theirs.address, payer, 250_000n);
    expect((await getAccount(conn, mine.address)).amount).toBe(750_000n);
    expect((await getAccount(conn, theirs.address)).amount).toBe(250_000n);
    expect((await getMint(conn, token)).supply).toBe(1_000_000n);

    const signatures = await conn.getSignaturesForAddress(theirs.address);
    const parsed = await conn.getParsedTransaction(signatures[0].signature, { maxSupportedTransactionVersion: 0 });
    expect(parsed.meta.preTokenBalances.length).toBeGreaterThan(0);
    const post = parsed.meta.postTokenBalances.find((b) => b.owner === friend.publicKey.toBase58());
    expect(post.uiTokenAmount.amount).toBe('250000');
  });

  test('getTokenAccountsByOwner, parsed accounts, supply and largest accounts of the collateral', async () => {
    const trader = demo.wallets.find((w) => w.name === 'trader-2');
    const owner = new PublicKey(trader.pubkey);
    const owned = await conn.getTokenAccountsByOwner(owner, { mint });
    expect(owned.value.map((a) => a.pubkey.toBase58())).toContain(trader.token_account);
    const parsed = await conn.getParsedTokenAccountsByOwner(owner, { programId: TOKEN_PROGRAM_ID });
    const info = parsed.value.find((a) => a.pubkey.toBase58() === trader.token_account).account.data.parsed.info;
    expect(info.mint).toBe(mint.toBase58());
    expect(info.tokenAmount.decimals).toBe(6);
    const supply = await conn.getTokenSupply(mint);
    expect(supply.value.decimals).toBe(6);
    expect(BigInt(supply.value.amount)).toBeGreaterThan(0n);
    const largest = await conn.getTokenLargestAccounts(mint);
    expect(largest.value.length).toBeGreaterThan(0);
    const mintInfo = await conn.getParsedAccountInfo(mint);
    expect(mintInfo.value.data.parsed.type).toBe('mint');
  });
});
