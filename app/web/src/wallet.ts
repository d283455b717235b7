// Wallets through wallet-standard: every installed wallet that can sign Solana transactions is
// offered (Phantom, Solflare, Backpack, ...), plus, on the local network, a burner wallet that
// holds a demo keypair served by the local exchange. The page signs through the standard
// `solana:signTransaction` feature only, whichever wallet it is.

import { getWallets } from '@wallet-standard/app';
import type { Wallet, WalletAccount } from '@wallet-standard/base';
import { registerWallet } from '@wallet-standard/wallet';
import {
  SolanaSignTransaction,
  type SolanaSignTransactionFeature,
  type SolanaSignTransactionInput,
} from '@solana/wallet-standard-features';
import {
  type Address,
  type Transaction,
  type TransactionPartialSigner,
  createKeyPairSignerFromBytes,
  getTransactionDecoder,
  getTransactionEncoder,
  partiallySignTransaction,
} from '@solana/kit';

const CONNECT = 'standard:connect';
const EVENTS = 'standard:events';
const CHAINS = ['solana:localnet', 'solana:devnet', 'solana:mainnet'] as const;
const ICON = 'data:image/svg+xml;base64,PHN2ZyB4bWxucz0iaHR0cDovL3d3dy53My5vcmcvMjAwMC9zdmciIHZpZXdCb3g9IjAgMCAxIDEiLz4=' as const;

/** A wallet-standard wallet holding one demo keypair (local network only). */
export async function registerBurner(name: string, secretKey: Uint8Array): Promise<void> {
  const keyPair = await createKeyPairSignerFromBytes(secretKey);
  const account: WalletAccount = {
    address: keyPair.address,
    publicKey: new Uint8Array(await crypto.subtle.exportKey('raw', keyPair.keyPair.publicKey)),
    chains: CHAINS,
    features: [SolanaSignTransaction],
  };
  let connected = false;
  const signTransaction: SolanaSignTransactionFeature[typeof SolanaSignTransaction]['signTransaction'] = async (
    ...inputs: readonly SolanaSignTransactionInput[]
  ) => {
    const signed = [];
    // Counted on the page, so a test can see which actions asked the wallet to sign.
    document.body.dataset.walletSignatures = String(Number(document.body.dataset.walletSignatures ?? 0) + inputs.length);
    for (const input of inputs) {
      const transaction = getTransactionDecoder().decode(input.transaction);
      const result = await partiallySignTransaction([keyPair.keyPair], transaction);
      signed.push({ signedTransaction: new Uint8Array(getTransactionEncoder().encode(result)) });
    }
    return signed;
  };
  const wallet: Wallet = {
    version: '1.0.0',
    name: `Ringfence burner (${name})`,
    icon: ICON,
    chains: CHAINS,
    get accounts() {
      return connected ? [account] : [];
    },
    features: {
      [CONNECT]: {
        version: '1.0.0',
        connect: async () => {
          connected = true;
          return { accounts: [account] };
        },
      },
      [EVENTS]: { version: '1.0.0', on: () => () => {} },
      [SolanaSignTransaction]: {
        version: '1.0.0',
        supportedTransactionVersions: ['legacy', 0],
        signTransaction,
      },
    },
  };
  registerWallet(wallet);
}

/** Wallets that can connect and sign Solana transactions. */
export function solanaWallets(): readonly Wallet[] {
  return getWallets()
    .get()
    .filter((w) => CONNECT in w.features && SolanaSignTransaction in w.features);
}

/** Subscribes to wallets appearing (extensions register after the page loads). */
export function onWalletsChanged(callback: () => void): void {
  getWallets().on('register', callback);
}

/** Connects `wallet` and returns its first account. */
export async function connect(wallet: Wallet): Promise<WalletAccount> {
  const feature = wallet.features[CONNECT] as { connect: () => Promise<{ accounts: readonly WalletAccount[] }> };
  const { accounts } = await feature.connect();
  if (accounts.length === 0) throw new Error('the wallet gave no account');
  return accounts[0];
}

/** A @solana/kit signer that asks the wallet, through `solana:signTransaction`, to sign. */
export function walletSigner(wallet: Wallet, account: WalletAccount): TransactionPartialSigner {
  const feature = wallet.features[SolanaSignTransaction] as SolanaSignTransactionFeature[typeof SolanaSignTransaction];
  return {
    address: account.address as Address,
    async signTransactions(transactions: readonly Transaction[]) {
      const encoder = getTransactionEncoder();
      const outputs = await feature.signTransaction(
        ...transactions.map((t) => ({ account, transaction: new Uint8Array(encoder.encode(t)) })),
      );
      return outputs.map((output) => {
        const signed = getTransactionDecoder().decode(output.signedTransaction);
        const signature = signed.signatures[account.address as Address];
        if (!signature) throw new Error('the wallet did not sign');
        return { [account.address]: signature } as never;
      });
    },
  };
}

/** Registers a burner wallet for each demo trader in `names` (only `wanted` when given), from
 * the keypairs the local exchange serves at `/wallets/<name>.json`. */
export async function loadBurners(names: string[], wanted: string | null) {
  for (const name of names.filter((n) => n.startsWith('trader') && (!wanted || n === wanted))) {
    const response = await fetch(`/wallets/${name}.json`);
    if (response.ok) await registerBurner(name, Uint8Array.from((await response.json()) as number[]));
  }
}
