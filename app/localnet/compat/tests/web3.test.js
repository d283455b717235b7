// @solana/web3.js 1.99 against the local validator: the methods and subscriptions wallets,
// explorers and bots use.
import { describe, expect, test } from 'vitest';
import {
  ComputeBudgetProgram,
  LAMPORTS_PER_SOL,
  PublicKey,
  SendTransactionError,
  SystemProgram,
  Transaction,
  TransactionMessage,
  sendAndConfirmTransaction,
} from '@solana/web3.js';
import { connection, demo, first, funded, programId } from './helpers.js';

const conn = connection();

describe('web3.js: cluster', () => {
  test('getVersion reports agave and a numeric feature set', async () => {
    const version = await conn.getVersion();
    expect(version['solana-core']).toMatch(/^\d+\.\d+\.\d+$/);
    expect(typeof version['feature-set']).toBe('number');
  });

  test('commitment levels differ: processed ≥ confirmed ≥ finalized, and processed moves ahead', async () => {
    const slots = async () => [
      await conn.getSlot('processed'),
      await conn.getSlot('confirmed'),
      await conn.getSlot('finalized'),
    ];
    let [processed, confirmed, finalized] = await slots();
    expect(processed).toBeGreaterThanOrEqual(confirmed);
    expect(confirmed).toBeGreaterThanOrEqual(finalized);
    for (let i = 0; i < 50 && processed === finalized; i++) {
      await new Promise((resolve) => setTimeout(resolve, 200));
      [processed, confirmed, finalized] = await slots();
    }
    expect(processed).toBeGreaterThan(finalized);
  });

  test('airdrop, balance and confirmation', async () => {
    const payer = await funded(conn, 2);
    expect(await conn.getBalance(payer.publicKey)).toBe(2 * LAMPORTS_PER_SOL);
  });

  test('getFeeForMessage and getRecentPrioritizationFees', async () => {
    const payer = await funded(conn, 1);
    const { blockhash } = await conn.getLatestBlockhash();
    const message = new TransactionMessage({
      payerKey: payer.publicKey,
      recentBlockhash: blockhash,
      instructions: [SystemProgram.transfer({ fromPubkey: payer.publicKey, toPubkey: payer.publicKey, lamports: 1 })],
    }).compileToV0Message();
    expect((await conn.getFeeForMessage(message)).value).toBe(5_000);
    const fees = await conn.getRecentPrioritizationFees({ lockedWritableAccounts: [payer.publicKey] });
    expect(Array.isArray(fees)).toBe(true);
  });

  test('getBlock and getBlockTime on a confirmed slot', async () => {
    const payer = await funded(conn, 1);
    const tx = new Transaction().add(
      ComputeBudgetProgram.setComputeUnitPrice({ microLamports: 10 }),
      SystemProgram.transfer({ fromPubkey: payer.publicKey, toPubkey: PublicKey.unique(), lamports: 1_000_000 }),
    );
    const signature = await sendAndConfirmTransaction(conn, tx, [payer], { commitment: 'confirmed' });
    const landed = await conn.getTransaction(signature, { commitment: 'confirmed', maxSupportedTransactionVersion: 0 });
    const block = await conn.getBlock(landed.slot, { commitment: 'confirmed', maxSupportedTransactionVersion: 0 });
    const signatures = block.transactions.flatMap((t) => t.transaction.signatures);
    expect(signatures).toContain(signature);
    expect(block.parentSlot).toBeLessThan(landed.slot);
    const time = await conn.getBlockTime(landed.slot);
    expect(Math.abs(time - Date.now() / 1000)).toBeLessThan(120);
    const fees = await conn.getRecentPrioritizationFees({ lockedWritableAccounts: [payer.publicKey] });
    expect(fees.every((f) => Number.isInteger(f.slot) && Number.isInteger(f.prioritizationFee))).toBe(true);
  });

  test('getSignaturesForAddress lists the program\'s transactions', async () => {
    const signatures = await conn.getSignaturesForAddress(programId, { limit: 20 });
    expect(signatures.length).toBeGreaterThan(5);
    expect(signatures.every((s) => typeof s.signature === 'string' && s.slot > 0)).toBe(true);
  });

  test('getProgramAccounts with dataSize and memcmp filters', async () => {
    const trader = demo.wallets.find((w) => w.name === 'trader-1');
    const all = await conn.getProgramAccounts(programId);
    expect(all.length).toBeGreaterThan(5);
    const users = await conn.getProgramAccounts(programId, {
      filters: [{ memcmp: { offset: 8, bytes: trader.pubkey } }],
    });
    expect(users.length).toBeGreaterThan(0);
    const sizes = new Set(all.map((a) => a.account.data.length));
    const [size] = sizes;
    const bySize = await conn.getProgramAccounts(programId, { filters: [{ dataSize: size }] });
    expect(bySize.length).toBe(all.filter((a) => a.account.data.length === size).length);
  });
});

describe('web3.js: transactions', () => {
  test('a failing transaction is refused in preflight with its logs', async () => {
    const payer = await funded(conn, 1);
    const tx = new Transaction().add(
      SystemProgram.transfer({ fromPubkey: payer.publicKey, toPubkey: PublicKey.unique(), lamports: 100 * LAMPORTS_PER_SOL }),
    );
    const error = await sendAndConfirmTransaction(conn, tx, [payer]).catch((e) => e);
    expect(error).toBeInstanceOf(SendTransactionError);
    const logs = await error.getLogs(conn);
    expect(logs.some((l) => l.includes('insufficient lamports'))).toBe(true);
  });

  test('getTransaction and getParsedTransaction in json and jsonParsed', async () => {
    const payer = await funded(conn, 1);
    const to = PublicKey.unique();
    const tx = new Transaction().add(SystemProgram.transfer({ fromPubkey: payer.publicKey, toPubkey: to, lamports: 1_000_000 }));
    const signature = await sendAndConfirmTransaction(conn, tx, [payer], { commitment: 'confirmed' });
    const plain = await conn.getTransaction(signature, { commitment: 'confirmed', maxSupportedTransactionVersion: 0 });
    expect(plain.meta.fee).toBe(5_000);
    expect(plain.meta.logMessages).toContain('Program 11111111111111111111111111111111 success');
    const parsed = await conn.getParsedTransaction(signature, { commitment: 'confirmed', maxSupportedTransactionVersion: 0 });
    const transfer = parsed.transaction.message.instructions[0];
    expect(transfer.parsed.type).toBe('transfer');
    expect(transfer.parsed.info.destination).toBe(to.toBase58());
  });
});

describe('web3.js: subscriptions', () => {
  test('onSlotChange, onRootChange and onSlotUpdate deliver', async () => {
    const slot = await first((done) => conn.onSlotChange((s) => done(s.slot)));
    expect(slot).toBeGreaterThan(0);
    // Roots trail the tip by about 32 slots, so a network a few seconds old still reports
    // root 0: wait for the first root past genesis.
    const root = await first((done) => conn.onRootChange((r) => r > 0 && done(r)));
    expect(root).toBeGreaterThan(0);
    const update = await first((done) => conn.onSlotUpdate((u) => done(u)));
    expect(typeof update.type).toBe('string');
    await conn.removeSlotChangeListener(0).catch(() => {});
  });

  test('onLogs for the program and onSignature for a transaction', async () => {
    const payer = await funded(conn, 1);
    const logs = first((done) => conn.onLogs(payer.publicKey, (l) => done(l), 'confirmed'));
    const tx = new Transaction().add(SystemProgram.transfer({ fromPubkey: payer.publicKey, toPubkey: PublicKey.unique(), lamports: 1_000_000 }));
    tx.feePayer = payer.publicKey;
    tx.recentBlockhash = (await conn.getLatestBlockhash()).blockhash;
    tx.sign(payer);
    const signature = await conn.sendRawTransaction(tx.serialize());
    const status = first((done) => conn.onSignature(signature, (result) => done(result), 'confirmed'));
    expect((await status).err).toBeNull();
    const notified = await logs;
    expect(notified.signature).toBe(signature);
    expect(notified.logs).toContain('Program 11111111111111111111111111111111 success');
  });

  test('onAccountChange delivers a new balance', async () => {
    const payer = await funded(conn, 1);
    const target = PublicKey.unique();
    const change = first((done) => conn.onAccountChange(target, (account) => done(account), 'confirmed'));
    const tx = new Transaction().add(SystemProgram.transfer({ fromPubkey: payer.publicKey, toPubkey: target, lamports: 5_000_000 }));
    await sendAndConfirmTransaction(conn, tx, [payer]);
    expect((await change).lamports).toBe(5_000_000);
  });
});
