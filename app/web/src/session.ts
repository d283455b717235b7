// One-click trading: a session key made in this browser (non-extractable, kept in IndexedDB),
// set as one sub-account's delegate and funded with a little SOL for fees, all in one wallet
// signature. It then signs trades, orders and cancels on that sub-account, with no wallet
// prompt, until revoked. The program lets a delegate trade and nothing else: no withdrawal, no
// margin moved out, no close of the sub-account, no change of delegate (docs/SECURITY.md).

import { type Address, type Instruction, type KeyPairSigner, type TransactionPartialSigner, createSignerFromKeyPair, generateKeyPair, lamports } from '@solana/kit';
import { getTransferSolInstruction } from '@solana-program/system';
import { getSetDelegateInstruction } from './generated';
import type { SubAccountView } from './chain';

const DATABASE = 'ringfence-sessions';
const STORE = 'keys';
/** SOL given to a session key for its fees: 0.01 SOL, 2,000 transactions at 5,000 lamports. */
export const SESSION_FUNDING = 10_000_000n;

function database(): Promise<IDBDatabase> {
  return new Promise((resolve, reject) => {
    const request = indexedDB.open(DATABASE, 1);
    request.onupgradeneeded = () => request.result.createObjectStore(STORE);
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error);
  });
}

async function withStore<T>(mode: IDBTransactionMode, act: (store: IDBObjectStore) => IDBRequest<T>): Promise<T> {
  const db = await database();
  return new Promise((resolve, reject) => {
    const request = act(db.transaction(STORE, mode).objectStore(STORE));
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error);
  });
}

/** Saves `sub`'s session key pair (CryptoKeys are stored as they are: never exported). */
export const saveSession = (sub: Address, pair: CryptoKeyPair) => withStore('readwrite', (s) => s.put(pair, sub));

/** Deletes `sub`'s session key from this browser. */
export const forgetSession = (sub: Address) => withStore('readwrite', (s) => s.delete(sub));

/** The key pair this browser holds for `sub`, whether or not the chain still names it. */
export const storedPair = async (sub: Address) => ((await withStore('readonly', (s) => s.get(sub))) as CryptoKeyPair | undefined) ?? null;

/** `storedPair` as a signer. */
export async function storedSession(sub: Address): Promise<KeyPairSigner | null> {
  const pair = await storedPair(sub);
  return pair ? createSignerFromKeyPair(pair) : null;
}

/** The session signer for `sub` if this browser holds the key the sub-account delegates to. */
export async function sessionFor(sub: Address, delegate: Address | null): Promise<KeyPairSigner | null> {
  if (!delegate) return null;
  const signer = await storedSession(sub);
  return signer?.address === delegate ? signer : null;
}

/**
 * A new session key for `sub` and the instructions (signed by the owner) that enable it. A key
 * this browser held before (`previous`, revoked elsewhere) returns its `previousBalance` of SOL
 * to the owner in the same transaction, so replacing it strands nothing.
 */
export async function enableSession(owner: TransactionPartialSigner, sub: Address, previous: KeyPairSigner | null, previousBalance: bigint) {
  const pair = await generateKeyPair();
  const signer = await createSignerFromKeyPair(pair);
  const instructions: Instruction[] = [
    getTransferSolInstruction({ source: owner, destination: signer.address, amount: lamports(SESSION_FUNDING) }),
    getSetDelegateInstruction({ owner, subAccount: sub, delegate: signer.address }),
  ];
  if (previous && previousBalance > 0n) {
    instructions.push(getTransferSolInstruction({ source: previous, destination: owner.address, amount: lamports(previousBalance) }));
  }
  return { pair, signer, instructions };
}

/** Instructions that revoke `sub`'s delegate and return the session key's `balance` to the owner. */
export function revokeSession(owner: TransactionPartialSigner, sub: Address, session: KeyPairSigner | null, balance: bigint): Instruction[] {
  const instructions: Instruction[] = [getSetDelegateInstruction({ owner, subAccount: sub, delegate: null })];
  if (session && balance > 0n) {
    instructions.push(getTransferSolInstruction({ source: session, destination: owner.address, amount: lamports(balance) }));
  }
  return instructions;
}

/** The sub-account's one-click trading state: on with this browser's key, another delegate, or off. */
export function oneClickHtml(sub: SubAccountView, session: KeyPairSigner | undefined) {
  const short = (a: string) => `${a.slice(0, 4)}…${a.slice(-4)}`;
  const line = session
    ? `<b>on</b>: this browser's session key <code>${short(session.address)}</code> signs trades, orders and cancels here (never withdrawals)
       <button data-action="one-click-off" data-sub="${sub.id}">revoke one-click trading on #${sub.id}</button>`
    : sub.delegate
      ? `delegate <code>${short(sub.delegate)}</code> (not this browser's) <button data-action="one-click-off" data-sub="${sub.id}">revoke the delegate of #${sub.id}</button>`
      : `off <button data-action="one-click-on" data-sub="${sub.id}">enable one-click trading on #${sub.id}</button>`;
  return `<div class="row" data-testid="one-click-${sub.id}">One-click trading: ${line}</div>`;
}

