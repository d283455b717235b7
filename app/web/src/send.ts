// Building, signing (through the wallet) and sending a transaction, and putting a refusal in
// words: the program's error name and message from its IDL, or the runtime's.

import {
  type Instruction,
  type TransactionPartialSigner,
  appendTransactionMessageInstructions,
  createTransactionMessage,
  getBase64EncodedWireTransaction,
  getSignatureFromTransaction,
  pipe,
  setTransactionMessageFeePayerSigner,
  setTransactionMessageLifetimeUsingBlockhash,
  signTransactionMessageWithSigners,
} from '@solana/kit';
import idl from '../../../idl/ringfence.json';
import type { Chain } from './chain';

const programErrors = new Map<number, { name: string; msg: string }>(
  idl.errors.map((e: { code: number; name: string; msg: string }) => [e.code, e]),
);

/** The program's error `code` in words, e.g. "InvalidLeverage: Leverage must be between 1 …". */
export function describeProgramError(code: number): string {
  const known = programErrors.get(code);
  if (known) return `${known.name}: ${known.msg}`;
  if (code >= 100 && code < 6000) return `Anchor check ${code} failed (an account or argument was refused)`;
  return `custom program error ${code}`;
}

/** Finds a custom program error code anywhere in a thrown error (kit wraps RPC errors). */
function customCode(error: unknown, seen = new Set<unknown>()): number | null {
  if (error === null || typeof error !== 'object' || seen.has(error)) return null;
  seen.add(error);
  const record = error as Record<string, unknown>;
  for (const key of ['Custom', 'custom', 'code']) {
    const value = record[key];
    if (key !== 'code' && typeof value === 'number') return value;
    if (key === 'code' && typeof value === 'number' && value >= 100 && record['index'] !== undefined) return value;
  }
  for (const value of Object.values(record)) {
    const found = customCode(value, seen);
    if (found !== null) return found;
  }
  const cause = (error as { cause?: unknown }).cause;
  return cause ? customCode(cause, seen) : null;
}

/** A thrown send error in words. */
export function describeError(error: unknown): string {
  const code = customCode(error);
  if (code !== null) return describeProgramError(code);
  const message = error instanceof Error ? error.message : String(error);
  const hex = /custom program error: 0x([0-9a-f]+)/i.exec(message);
  if (hex) return describeProgramError(parseInt(hex[1], 16));
  // Never a raw RPC blob: kit's errors carry a decoding hint and base64 context.
  if (/Decode this error|#-32002/.test(message) || message.length > 200) {
    return 'The cluster refused the transaction in simulation (nothing was sent): check the amounts against your balances.';
  }
  return message;
}

/**
 * Signs `instructions` with `payer` (the wallet), sends with preflight, and waits until it is
 * confirmed: the page reads at `confirmed`, so the refresh that follows shows what it did (a
 * `processed` status alone let the next action be built from the state before it).
 */
export async function send(chain: Chain, payer: TransactionPartialSigner, instructions: Instruction[]): Promise<string> {
  const { value: blockhash } = await chain.rpc.getLatestBlockhash().send();
  const message = pipe(
    createTransactionMessage({ version: 'legacy' }),
    (m) => setTransactionMessageFeePayerSigner(payer, m),
    (m) => setTransactionMessageLifetimeUsingBlockhash(blockhash, m),
    (m) => appendTransactionMessageInstructions(instructions, m),
  );
  const signed = await signTransactionMessageWithSigners(message);
  const signature = getSignatureFromTransaction(signed);
  await chain.rpc.sendTransaction(getBase64EncodedWireTransaction(signed), { encoding: 'base64' }).send();
  for (let attempt = 0; attempt < 50; attempt++) {
    const { value } = await chain.rpc.getSignatureStatuses([signature]).send();
    const status = value[0];
    if (status?.err) throw Object.assign(new Error('transaction failed'), { cause: status.err });
    if (status && status.confirmationStatus !== 'processed') return signature;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error(`transaction ${signature} was not confirmed`);
}
