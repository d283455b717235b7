// Reading the exchange over standard Solana JSON-RPC with @solana/kit and the codama client
// generated from the program's IDL: PDAs, markets with marks, sub-accounts with positions.

import {
  type Address,
  type ReadonlyUint8Array,
  type Rpc,
  type SolanaRpcApi,
  address,
  createSolanaRpc,
  getAddressEncoder,
  getBase58Decoder,
  getProgramDerivedAddress,
  getU16Encoder,
} from '@solana/kit';
import {
  RINGFENCE_PROGRAM_ADDRESS,
  decodeExchange,
  decodeMarket,
  decodeMarketUpdate,
  decodeStubOracle,
  decodeSubAccount,
  decodeUserAccount,
  getSubAccountDiscriminatorBytes,
  getSubAccountSize,
  type Market,
} from './generated';
import type { Fixed, PreviewMarket, PreviewPosition } from './preview';

/** The program's unit of `im_size_scale`: $100,000 in quote native units. */
const IM_SIZE_SCALE_UNIT = 100_000_000_000n;

export const PROGRAM = RINGFENCE_PROGRAM_ADDRESS;
export const TOKEN_PROGRAM = address('TokenkegQfeZyiNwAJbNbGKPFXCWuBvf9Ss623VQ5DA');
const ASSOCIATED_TOKEN_PROGRAM = address('ATokenGPvbdGVxr1b2hvZbsiqW5xWH25efTNsLJA8knL');
const SYSVAR_CLOCK = address('SysvarC1ock11111111111111111111111111111111');

/** Discriminator and header: the generated codec's size, so a layout change cannot skew slots. */
const SUB_ACCOUNT_HEADER = getSubAccountSize();
const POSITION_SIZE = 72;
const ORDER_SIZE = 48;
/** The all-zero address the program stores for "no delegate". */
const NO_DELEGATE = '11111111111111111111111111111111';
const OWNER_OFFSET = 8n;

const text = new TextEncoder();
const u16 = (value: number) => getU16Encoder().encode(value);
const addressBytes = (a: Address) => getAddressEncoder().encode(a);

async function pda(seeds: (string | ReadonlyUint8Array)[], program: Address = PROGRAM): Promise<Address> {
  const [found] = await getProgramDerivedAddress({
    programAddress: program,
    seeds: seeds.map((s) => (typeof s === 'string' ? text.encode(s) : s)),
  });
  return found;
}

export const exchangePda = () => pda(['exchange']);
export const poolPda = () => pda(['pool']);
export const vaultPda = () => pda(['vault']);
export const marketPda = (index: number) => pda(['market', u16(index)]);
export const marketUpdatePda = (index: number) => pda(['market_update', u16(index)]);
export const userPda = (owner: Address) => pda(['user', addressBytes(owner)]);
export const subAccountPda = (owner: Address, id: number) => pda(['sub_account', addressBytes(owner), u16(id)]);
export const tokenAccount = (owner: Address, mint: Address) =>
  pda([addressBytes(owner), addressBytes(TOKEN_PROGRAM), addressBytes(mint)], ASSOCIATED_TOKEN_PROGRAM);

/** JSON.stringify replacer for bigints (parameter comparison). */
const big = (_: string, v: unknown) => (typeof v === 'bigint' ? v.toString() : v);

/** A market as the page shows and previews it. */
export interface MarketView {
  address: Address;
  name: string;
  account: Market;
  /** Mark, I80F48 bits of dollars per whole base unit; null when the oracle cannot be read. */
  mark: Fixed | null;
  preview: PreviewMarket;
  /** Whether the price is the admin-set stub oracle (local networks and demos). */
  stub: boolean;
  /** A proposed parameter change waiting out the exchange's timelock, if any. */
  pending: { applyAfter: bigint; changed: string[] } | null;
}

/** A position slot as stored on chain. */
export interface PositionView extends PreviewPosition {
  stopLoss: bigint;
  takeProfit: bigint;
}

/** A resting limit order as stored on chain. */
export interface OrderView {
  /** Its slot (the index `cancel_order` and `execute_order` take). */
  slot: number;
  marketIndex: number;
  side: 'long' | 'short';
  /** Size, base atoms. */
  base: bigint;
  /** Worst acceptable fill, quote native units per whole base unit. */
  limitPrice: bigint;
  /** Unix time from which it can no longer execute. */
  expiry: bigint;
  leverage: number;
  reduceOnly: boolean;
}

/** A sub-account with its positions and resting orders. */
export interface SubAccountView {
  address: Address;
  id: number;
  isolatedMarket: number | null;
  collateral: bigint;
  beingLiquidated: boolean;
  slots: number;
  positions: PositionView[];
  orders: OrderView[];
  /** The key that may trade it besides the owner, if any. */
  delegate: Address | null;
}

/** Little-endian two's-complement bytes (an I80F48's raw bits) to a BigInt. */
export const leToBigInt = (bytes: ReadonlyUint8Array, signed = true) => {
  let value = 0n;
  for (let i = bytes.length - 1; i >= 0; i--) value = (value << 8n) | BigInt(bytes[i]);
  const bits = BigInt(bytes.length * 8);
  return signed && value >> (bits - 1n) ? value - (1n << bits) : value;
};

/** Dollars per whole unit as I80F48 bits from a mantissa and a decimal exponent. */
function priceBits(mantissa: bigint, exponent: number): Fixed {
  const one = 1n << 48n;
  return exponent >= 0 ? mantissa * 10n ** BigInt(exponent) * one : (mantissa * one) / 10n ** BigInt(-exponent);
}

function decodeBase64(data: string): Uint8Array {
  return Uint8Array.from(atob(data), (c) => c.charCodeAt(0));
}

/** A Pyth PriceUpdateV2's price (fully verified updates only; the program refuses others). */
function pythPrice(bytes: Uint8Array): Fixed | null {
  if (bytes.length < 134 || bytes[40] !== 1) return null;
  const view = new DataView(bytes.buffer, bytes.byteOffset);
  return priceBits(view.getBigInt64(73, true), view.getInt32(89, true));
}

/** The page's connection to a cluster. */
export class Chain {
  readonly rpc: Rpc<SolanaRpcApi>;

  constructor(readonly url: string) {
    this.rpc = createSolanaRpc(url);
  }

  private async raw(addresses: Address[]): Promise<(Uint8Array | null)[]> {
    if (addresses.length === 0) return [];
    const { value } = await this.rpc.getMultipleAccounts(addresses, { encoding: 'base64' }).send();
    return value.map((account) => (account ? decodeBase64(account.data[0]) : null));
  }

  /** The cluster's unix time (the program checks oracle ages and accrues funding by it). */
  async now(): Promise<bigint> {
    const [clock] = await this.raw([SYSVAR_CLOCK]);
    if (!clock) throw new Error('no clock sysvar');
    return new DataView(clock.buffer).getBigInt64(32, true);
  }

  async exchange() {
    const key = await exchangePda();
    const [data] = await this.raw([key]);
    return data ? decodeExchange(encoded(key, data)).data : null;
  }

  async nextSubAccountId(owner: Address): Promise<number | null> {
    const key = await userPda(owner);
    const [data] = await this.raw([key]);
    if (!data) return null;
    return decodeUserAccount(encoded(key, data)).data.nextSubAccountId;
  }

  /** Every market with its mark. */
  async markets(count: number): Promise<MarketView[]> {
    const keys = await Promise.all(Array.from({ length: count }, (_, i) => marketPda(i)));
    const data = await this.raw(keys);
    const markets = data.map((d, i) => decodeMarket(encoded(keys[i], d!)).data);
    const oracles = await this.raw(markets.map((m) => m.oracle));
    const updateKeys = await Promise.all(markets.map((m) => marketUpdatePda(m.index)));
    const updates = await this.raw(updateKeys);
    return markets.map((account, i) => {
      const update = updates[i] ? decodeMarketUpdate(encoded(updateKeys[i], updates[i]!)).data : null;
      const pending = update
        ? {
            applyAfter: update.applyAfter,
            changed: Object.keys(update.params).filter(
              (k) => JSON.stringify((update.params as never)[k], big) !== JSON.stringify((account.params as never)[k], big),
            ),
          }
        : null;
      const oracle = oracles[i];
      let mark: Fixed | null = null;
      if (oracle && account.oracleKind === 1) {
        const stub = decodeStubOracle(encoded(account.oracle, oracle)).data;
        mark = priceBits(stub.price, stub.exponent);
      } else if (oracle) {
        mark = pythPrice(oracle);
      }
      const p = account.params;
      return {
        address: keys[i],
        name: new TextDecoder().decode(account.name as Uint8Array).replace(/\0+$/, ''),
        account,
        mark,
        stub: account.oracleKind === 1,
        pending,
        preview: {
          index: account.index,
          params: {
            tierUpToNotional: [...p.tierUpToNotional],
            tierMmBps: [...p.tierMmBps],
            tierCount: p.tierCount,
            skewScale: p.skewScale,
            maxFundingRatePpm: p.maxFundingRatePpm,
            takerFeeBps: p.takerFeeBps,
            upnlInitialWeightBps: p.upnlInitialWeightBps,
            maxPremiumBps: p.maxPremiumBps,
            imSizeScale: BigInt(p.imSizeScale) * IM_SIZE_SCALE_UNIT,
          },
          openInterestLong: account.openInterestLong,
          openInterestShort: account.openInterestShort,
          cumulativeFunding: leToBigInt(account.cumulativeFunding.leBytes, true),
          lastFundingTs: account.lastFundingTs,
          mark: mark ?? 0n,
        },
      };
    });
  }

  /** The wallet's sub-accounts, by getProgramAccounts with an owner memcmp. */
  async subAccounts(owner: Address): Promise<SubAccountView[]> {
    const base58 = getBase58Decoder();
    const found = await this.rpc
      .getProgramAccounts(PROGRAM, {
        encoding: 'base64',
        filters: [
          { memcmp: { offset: 0n, bytes: base58.decode(getSubAccountDiscriminatorBytes()) as never, encoding: 'base58' } },
          { memcmp: { offset: OWNER_OFFSET, bytes: owner as never, encoding: 'base58' } },
        ],
      })
      .send();
    const views = found.map(({ pubkey, account }) => subAccountView(pubkey, decodeBase64(account.data[0])));
    return views.sort((a, b) => a.id - b.id);
  }

  /** Collateral tokens in the wallet's associated token account (native units). */
  async walletBalance(owner: Address, mint: Address): Promise<bigint> {
    const [data] = await this.raw([await tokenAccount(owner, mint)]);
    return data ? new DataView(data.buffer).getBigUint64(64, true) : 0n;
  }
}

function encoded(key: Address, data: Uint8Array) {
  return { address: key, data, executable: false, lamports: 0n, programAddress: PROGRAM, space: BigInt(data.length) } as never;
}

function subAccountView(key: Address, data: Uint8Array): SubAccountView {
  const header = decodeSubAccount(encoded(key, data.slice(0, SUB_ACCOUNT_HEADER))).data;
  const view = new DataView(data.buffer, data.byteOffset);
  const positions: PositionView[] = [];
  // Position slots (8 cross, 1 isolated), then the resting-order slots.
  const slots = header.mode === 1 ? 1 : 8;
  for (let slot = 0; slot < slots; slot++) {
    const at = SUB_ACCOUNT_HEADER + slot * POSITION_SIZE;
    const base = view.getBigInt64(at, true);
    if (base === 0n) continue;
    positions.push({
      base,
      quoteEntry: view.getBigInt64(at + 8, true),
      fundingSnapshot: leToBigInt(data.slice(at + 16, at + 32), true),
      marketIndex: view.getUint16(at + 32, true),
      leverage: view.getUint16(at + 34, true),
      stopLoss: view.getBigUint64(at + 40, true),
      takeProfit: view.getBigUint64(at + 48, true),
    });
  }
  const orders: OrderView[] = [];
  const orderSlots = header.mode === 1 ? 1 : 4;
  for (let slot = 0; slot < orderSlots; slot++) {
    const at = SUB_ACCOUNT_HEADER + slots * POSITION_SIZE + slot * ORDER_SIZE;
    const base = view.getBigUint64(at, true);
    if (base === 0n) continue;
    orders.push({
      slot,
      base,
      limitPrice: view.getBigUint64(at + 8, true),
      expiry: view.getBigInt64(at + 16, true),
      marketIndex: view.getUint16(at + 32, true),
      leverage: view.getUint16(at + 34, true),
      side: data[at + 36] === 0 ? 'long' : 'short',
      reduceOnly: data[at + 37] === 1,
    });
  }
  return {
    address: key,
    id: header.id,
    orders,
    delegate: header.delegate === NO_DELEGATE ? null : header.delegate,
    isolatedMarket: header.mode === 1 ? header.isolatedMarket : null,
    collateral: header.collateral,
    beingLiquidated: header.beingLiquidated === 1,
    slots,
    positions,
  };
}

