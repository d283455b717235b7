// @solana/kit 8.4 (the page's client) against the local validator.
import { describe, expect, test } from 'vitest';
import { address, createSolanaRpc, createSolanaRpcSubscriptions } from '@solana/kit';
import { demo } from './helpers.js';

describe('kit', () => {
  test('reads accounts and blockhashes, and hears slots', async () => {
    const rpc = createSolanaRpc(demo.rpc_url);
    const exchangeOwner = address(demo.program_id);
    const info = await rpc.getAccountInfo(exchangeOwner, { encoding: 'base64' }).send();
    expect(info.value.executable).toBe(true);
    const { value } = await rpc.getLatestBlockhash({ commitment: 'confirmed' }).send();
    expect(value.lastValidBlockHeight).toBeGreaterThan(0n);
    const trader = demo.wallets.find((w) => w.name === 'trader-1');
    const balance = await rpc.getBalance(address(trader.pubkey)).send();
    expect(balance.value).toBeGreaterThan(0n);
    const parsed = await rpc.getAccountInfo(address(trader.token_account), { encoding: 'jsonParsed' }).send();
    expect(parsed.value.data.parsed.type).toBe('account');

    const subscriptions = createSolanaRpcSubscriptions(demo.ws_url);
    const abort = new AbortController();
    const notifications = await subscriptions.slotNotifications().subscribe({ abortSignal: abort.signal });
    for await (const slot of notifications) {
      expect(slot.slot).toBeGreaterThan(0n);
      break;
    }
    abort.abort();
  });
});
