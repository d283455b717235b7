// @coral-xyz/anchor 0.32.1 with the committed IDL (built by Anchor's own builder) against the
// local validator: accounts resolved from the IDL's PDA seeds, errors by name, events from
// simulation and from a listener, account decoding.
import { describe, expect, test } from 'vitest';
import anchor from '@coral-xyz/anchor';
import { getAssociatedTokenAddressSync } from '@solana/spl-token';
import { connection, funded, idl, mint, pda, idSeed, programId, wallet } from './helpers.js';

const { AnchorProvider, BN, Program, Wallet, AnchorError } = anchor;
const conn = connection();

/** A program client for a new funded wallet that holds `usd` of collateral. */
async function trader(usd) {
  const keypair = await funded(conn, 5);
  const provider = new AnchorProvider(conn, new Wallet(keypair), { commitment: 'confirmed' });
  const program = new Program(idl, provider);
  const token = getAssociatedTokenAddressSync(mint, keypair.publicKey);
  const admin = wallet('admin');
  const { createAssociatedTokenAccountIdempotent, mintTo } = await import('@solana/spl-token');
  await createAssociatedTokenAccountIdempotent(conn, admin, mint, keypair.publicKey);
  if (usd > 0) await mintTo(conn, admin, mint, token, admin, BigInt(usd) * 1_000_000n);
  return { keypair, program, token };
}

/** A trader (as `trader`) with its user account and cross sub-account 0 made through `.rpc()`,
 * and `deposit(amount)`, a method builder for a deposit into that sub-account. */
async function depositor(usd) {
  const { keypair, program, token } = await trader(usd);
  const owner = keypair.publicKey;
  await program.methods.createUser().accounts({ owner }).rpc();
  await program.methods.createSubAccount(0, { cross: {} }).accounts({ owner }).rpc();
  const subAccount = pda(Buffer.from('sub_account'), owner.toBuffer(), idSeed(0));
  // The vault is `address = exchange.vault` in the program, not a seed the IDL can resolve.
  const vault = pda(Buffer.from('vault'));
  const deposit = (amount) =>
    program.methods.deposit(new BN(amount)).accounts({ owner, subAccount, vault, ownerToken: token });
  return { owner, program, subAccount, deposit };
}

describe('anchor', () => {
  test('the IDL is Anchor\'s: short names, the program address, PDA seeds, fixed program ids', () => {
    expect(idl.address).toBe(programId.toBase58());
    expect(idl.accounts.map((a) => a.name)).toContain('SubAccount');
    const createUser = idl.instructions.find((i) => i.name === 'create_user');
    expect(createUser.accounts.find((a) => a.name === 'user').pda.seeds.length).toBe(2);
    expect(createUser.accounts.find((a) => a.name === 'system_program').address).toBe('11111111111111111111111111111111');
  });

  test('.rpc() with accounts resolved from the IDL; account fetch and all()', async () => {
    const { keypair, program } = await trader(0);
    const owner = keypair.publicKey;
    await program.methods.createUser().accounts({ owner }).rpc();
    await program.methods.createSubAccount(0, { cross: {} }).accounts({ owner }).rpc();
    const user = await program.account.userAccount.fetch(pda(Buffer.from('user'), owner.toBuffer()));
    expect(user.owner.toBase58()).toBe(owner.toBase58());
    expect(user.nextSubAccountId).toBe(1);
    const subs = await program.account.subAccount.all([{ memcmp: { offset: 8, bytes: owner.toBase58() } }]);
    expect(subs.length).toBe(1);
    expect(subs[0].publicKey.toBase58()).toBe(pda(Buffer.from('sub_account'), owner.toBuffer(), idSeed(0)).toBase58());
  });

  test('a refusal is an AnchorError with the program\'s error name', async () => {
    const { deposit } = await depositor(10);
    const error = await deposit(0).rpc().catch((e) => e);
    expect(error).toBeInstanceOf(AnchorError);
    expect(error.error.errorCode.code).toBe('ZeroAmount');
    expect(error.logs.some((l) => l.includes('Error Code: ZeroAmount'))).toBe(true);
  });

  test('.simulate() returns the event; addEventListener hears it when sent', async () => {
    const { owner, program, subAccount, deposit } = await depositor(10);
    const simulated = await deposit(4_000_000).simulate();
    const event = simulated.events.find((e) => e.name === 'deposited');
    expect(event.data.amount.toNumber()).toBe(4_000_000);
    expect(event.data.subAccount.toBase58()).toBe(subAccount.toBase58());

    let listener;
    const heard = new Promise((resolve) => {
      listener = program.addEventListener('deposited', (data, slot) => resolve({ data, slot }));
    });
    const signature = await deposit(4_000_000).rpc();
    const { data, slot } = await Promise.race([heard, new Promise((_, reject) => setTimeout(() => reject(new Error('no event')), 30_000))]);
    await program.removeEventListener(listener);
    expect(slot).toBeGreaterThan(0);
    expect(data.collateral.toNumber()).toBe(4_000_000);

    // The stored transaction: the CPI into SPL Token as a parsed inner instruction, and the
    // trader's token balance before and after.
    let parsed = null;
    for (let i = 0; i < 100 && !parsed; i++) {
      parsed = await conn.getParsedTransaction(signature, { commitment: 'confirmed', maxSupportedTransactionVersion: 0 });
      if (!parsed) await new Promise((resolve) => setTimeout(resolve, 200));
    }
    const inner = parsed.meta.innerInstructions[0].instructions[0];
    expect(inner.program).toBe('spl-token');
    expect(inner.parsed.type).toBe('transfer');
    expect(inner.parsed.info.amount).toBe('4000000');
    const before = parsed.meta.preTokenBalances.find((b) => b.owner === owner.toBase58());
    const after = parsed.meta.postTokenBalances.find((b) => b.owner === owner.toBase58());
    expect(BigInt(before.uiTokenAmount.amount) - BigInt(after.uiTokenAmount.amount)).toBe(4_000_000n);
    const sub = await program.account.subAccount.fetch(subAccount);
    expect(sub.collateral.toNumber()).toBe(4_000_000);
  });
});
