// Limit orders on the page: the ticket's limit fields read strictly, the price a limit order is
// previewed at, the placement instruction, and a sub-account's resting orders with cancel.

import type { Address, Instruction, TransactionSigner } from '@solana/kit';
import { Side, getPlaceOrderInstruction } from './generated';
import type { MarketView, SubAccountView } from './chain';
import { parseDecimal, size, usd } from './format';
import type { Fixed } from './preview';

/** The program's longest order lifetime: 30 days. */
const MAX_LIFETIME_HOURS = 720;

/** What a limit order adds to a market order. */
export interface LimitFields {
  /** Worst acceptable fill, quote native units per whole base unit. */
  limitPrice: bigint;
  /** Unix time from which it can no longer execute. */
  expiry: bigint;
  reduceOnly: boolean;
}

const markNative = (mark: Fixed) => (mark * 1_000_000n) >> 48n;

/**
 * Reads the ticket's limit fields: a limit price on the resting side of the mark (a buy below
 * it, a sell above it: the program refuses an order that would fill at once), a lifetime in
 * hours up to 30 days, and reduce-only. Throws the reason in words.
 */
export function readLimit(fields: { limit: string; hours: string; reduceOnly: boolean }, side: 'long' | 'short', mark: Fixed | null, now: bigint): LimitFields {
  const limitPrice = parseDecimal(fields.limit, 6);
  if (!limitPrice) throw new Error('Enter the limit price in dollars (49,000).');
  if (mark === null) throw new Error('The market has no price right now.');
  const current = markNative(mark);
  if (side === 'long' && limitPrice >= current) throw new Error(`A limit buy rests below the mark (${usd(current)}); at or above it, use a market order.`);
  if (side === 'short' && limitPrice <= current) throw new Error(`A limit sell rests above the mark (${usd(current)}); at or below it, use a market order.`);
  const hours = Number(fields.hours);
  if (!/^\d+(\.\d+)?$/.test(fields.hours.trim()) || hours <= 0 || hours > MAX_LIFETIME_HOURS) {
    throw new Error(`Enter how many hours the order rests: more than 0, at most ${MAX_LIFETIME_HOURS}.`);
  }
  return { limitPrice, expiry: now + BigInt(Math.floor(hours * 3_600)), reduceOnly: fields.reduceOnly };
}

/** A limit order is previewed as if filled at its limit: the market's mark set to it. */
export const limitBits = (limitPrice: bigint): Fixed => (limitPrice << 48n) / 1_000_000n;

/** `place_order` on `subAccount` for `trader` (its owner or delegate). */
export function placeOrderInstruction(
  trader: TransactionSigner,
  subAccount: Address,
  market: MarketView,
  order: { side: 'long' | 'short'; base: bigint; leverage: number },
  limit: LimitFields,
): Instruction {
  return getPlaceOrderInstruction({
    trader,
    subAccount,
    market: market.address,
    oracle: market.account.oracle,
    side: order.side === 'long' ? Side.Long : Side.Short,
    base: order.base,
    leverage: order.leverage,
    limitPrice: limit.limitPrice,
    expiry: limit.expiry,
    reduceOnly: limit.reduceOnly,
  });
}

/** The sub-account's resting orders as a table, each with a cancel button; '' when none. */
export function ordersHtml(sub: SubAccountView, marketName: (index: number) => string): string {
  if (sub.orders.length === 0) return '';
  const rows = sub.orders.map((o) => {
    const name = marketName(o.marketIndex);
    const expires = new Date(Number(o.expiry) * 1000).toISOString().replace('.000Z', 'Z');
    return `<tr data-testid="order-${sub.id}-${o.slot}"><td>${name}</td><td>limit ${o.side === 'long' ? 'buy' : 'sell'}${o.reduceOnly ? ' (reduce-only)' : ''}</td>
      <td class="num">${size(o.base)}</td><td class="num" data-testid="order-limit-${sub.id}-${o.slot}">${usd(o.limitPrice)}</td><td class="num">${o.leverage}x</td><td>${expires}</td>
      <td><button data-action="cancel-order" data-sub="${sub.id}" data-slot="${o.slot}" aria-label="cancel the ${name} order of #${sub.id}">cancel</button></td></tr>`;
  });
  return `<table data-testid="orders-${sub.id}"><tr><th>market</th><th>resting order</th><th>size</th><th>limit</th><th>leverage</th><th>expires (UTC)</th><th></th></tr>${rows.join('')}</table>`;
}

/**
 * What a reduce-only limit order would do to `sub`'s position in `marketIndex` if it filled at
 * its limit: the size it closes (at most the position's) and the PnL that realizes, as a table.
 * Throws when there is no opposite position to reduce (the program refuses it).
 */
export function reducePreviewHtml(sub: SubAccountView | null, marketIndex: number, side: 'long' | 'short', base: bigint, limit: LimitFields): string {
  const position = sub?.positions.find((p) => p.marketIndex === marketIndex);
  if (!position || (position.base > 0n) === (side === 'long')) {
    throw new Error(`Reduce-only needs an open ${side === 'long' ? 'short' : 'long'} position in this market to reduce.`);
  }
  const held = position.base < 0n ? -position.base : position.base;
  const closing = base < held ? base : held;
  // Realized = the closed share of the entry's quote + the closed size at the limit (native).
  const atLimit = (closing * limit.limitPrice) / 1_000_000_000n;
  const entryShare = (position.quoteEntry * closing) / held;
  const realized = position.base > 0n ? entryShare + atLimit : entryShare - atLimit;
  return `<table data-testid="preview">
    <tr><td>reduce-only: closes</td><td class="num" data-testid="p-closes">${size(closing)} of ${size(held)}</td></tr>
    <tr><td>at no worse than</td><td class="num">${usd(limit.limitPrice)}</td></tr>
    <tr><td>realized PnL at the limit, before fees</td><td class="num" data-testid="p-realized">${usd(realized)}</td></tr>
  </table><p class="muted" data-testid="p-limit-note">It never opens, grows or flips a position; the keeper fills it once the oracle reaches the limit.</p>`;
}
