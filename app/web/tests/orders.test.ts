// The ticket's limit fields and the reduce-only preview, against hand-computed values.
import { describe, expect, it } from 'vitest';
import { limitBits, readLimit, reducePreviewHtml } from '../src/orders';
import type { SubAccountView } from '../src/chain';

const MARK = 50_000n << 48n; // $50,000 as I80F48 bits
const BTC = 1_000_000_000n; // base atoms per unit

function subWith(base: bigint, quoteEntry: bigint): SubAccountView {
  return {
    address: 'S' as never, id: 0, isolatedMarket: null, collateral: 0n, beingLiquidated: false, slots: 8, orders: [], delegate: null,
    positions: [{ marketIndex: 0, base, quoteEntry, fundingSnapshot: 0n, leverage: 5, stopLoss: 0n, takeProfit: 0n }],
  };
}

describe('limit fields', () => {
  it('reads a resting buy: dollars to native units, hours to an expiry', () => {
    expect(readLimit({ limit: '49,000.5', hours: '2', reduceOnly: true }, 'long', MARK, 1_000n)).toEqual({
      limitPrice: 49_000_500_000n,
      expiry: 1_000n + 7_200n,
      reduceOnly: true,
    });
    expect(readLimit({ limit: '50,000.01', hours: '0.5', reduceOnly: false }, 'short', MARK, 0n).expiry).toBe(1_800n);
  });

  it('refuses a limit that would fill at once, malformed prices and lifetimes', () => {
    const read = (limit: string, side: 'long' | 'short', hours = '24') => () => readLimit({ limit, hours, reduceOnly: false }, side, MARK, 0n);
    expect(read('50,000', 'long')).toThrow('A limit buy rests below the mark ($50,000.00)');
    expect(read('49,999.99', 'short')).toThrow('A limit sell rests above the mark');
    for (const bad of ['abc', '-5', '0', '2,8OO', '1e4']) expect(read(bad, 'long')).toThrow('Enter the limit price');
    for (const hours of ['0', '721', '1e1', '-1', 'x']) expect(read('49,000', 'long', hours)).toThrow('Enter how many hours');
    expect(() => readLimit({ limit: '49,000', hours: '1', reduceOnly: false }, 'long', null, 0n)).toThrow('no price');
  });

  it('previews at a mark equal to the limit', () => {
    expect(limitBits(49_000_000_000n)).toBe(49_000n << 48n);
    expect(limitBits(1n)).toBe((1n << 48n) / 1_000_000n);
  });
});

describe('reduce-only preview', () => {
  // 0.2 BTC long bought for $10,000 (quote entry −$10,000); 0.2 BTC short sold for $10,000.
  const long = subWith(2n * BTC / 10n, -10_000_000_000n);
  const short = subWith(-2n * BTC / 10n, 10_000_000_000n);
  const limit = (dollars: bigint) => ({ limitPrice: dollars * 1_000_000n, expiry: 0n, reduceOnly: true });

  it('closes at most the position and realizes the PnL at the limit', () => {
    // Sell 0.5 at $51,000 against 0.2: closes 0.2, realizes 0.2 × $51,000 − $10,000 = $200.
    const all = reducePreviewHtml(long, 0, 'short', 5n * BTC / 10n, limit(51_000n));
    expect(all).toContain('0.2 of 0.2');
    expect(all).toContain('$200.00');
    // Sell 0.05: a quarter of the entry, 0.05 × $51,000 − $2,500 = $50.
    expect(reducePreviewHtml(long, 0, 'short', 5n * BTC / 100n, limit(51_000n))).toContain('$50.00');
    // Buy 0.1 of the short at $49,000: $5,000 received − $4,900 = $100.
    expect(reducePreviewHtml(short, 0, 'long', BTC / 10n, limit(49_000n))).toContain('$100.00');
  });

  it('refuses without an opposite position', () => {
    expect(() => reducePreviewHtml(long, 0, 'long', BTC, limit(49_000n))).toThrow('open short position');
    expect(() => reducePreviewHtml(long, 1, 'short', BTC, limit(49_000n))).toThrow('open long position');
    expect(() => reducePreviewHtml(null, 0, 'short', BTC, limit(49_000n))).toThrow('to reduce');
  });
});
