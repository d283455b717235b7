// The TypeScript preview against the vectors the Rust SDK writes (the program's own code):
// every field within one rounding unit, every flag equal.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { preview, type PreviewMarket, type PreviewPosition } from '../src/preview';

interface Vector {
  now: string;
  collateral: string;
  positions: { marketIndex: number; base: string; quoteEntry: string; leverage: number; fundingSnapshotBits: string }[];
  slots: number;
  markets: {
    index: number;
    params: {
      tierUpToNotional: string[];
      tierMmBps: number[];
      tierCount: number;
      skewScale: string;
      maxFundingRatePpm: number;
      takerFeeBps: number;
      upnlInitialWeightBps: number;
      maxPremiumBps: number;
      imSizeScale: string;
    };
    openInterestLong: string;
    openInterestShort: string;
    cumulativeFundingBits: string;
    lastFundingTs: string;
    markBits: string;
  }[];
  order: { marketIndex: number; side: 'long' | 'short'; base: string; leverage: number };
  expected: {
    fillPriceBits: string;
    fee: string;
    marginMovedBits: string;
    marginRatioAfterBits: string | null;
    meetsInitial: boolean;
    liquidationPriceBits: string | null;
    maxLoss: string;
    fundingPerHour: string;
  };
}

const { cases } = JSON.parse(readFileSync(new URL('./preview-vectors.json', import.meta.url), 'utf8')) as { cases: Vector[] };

/** One rounding unit: a micro-dollar for amounts and prices (in I80F48 bits). */
const UNIT_BITS = (1n << 48n) / 1_000_000n;
const near = (actual: bigint | null, expected: string | null, unit: bigint) => {
  if (actual === null || expected === null) return actual === null && expected === null;
  const difference = actual - BigInt(expected);
  return (difference < 0n ? -difference : difference) <= unit;
};

function inputs(v: Vector) {
  const markets: PreviewMarket[] = v.markets.map((m) => ({
    index: m.index,
    params: { ...m.params, tierUpToNotional: m.params.tierUpToNotional.map(BigInt), skewScale: BigInt(m.params.skewScale), imSizeScale: BigInt(m.params.imSizeScale) },
    openInterestLong: BigInt(m.openInterestLong),
    openInterestShort: BigInt(m.openInterestShort),
    cumulativeFunding: BigInt(m.cumulativeFundingBits),
    lastFundingTs: BigInt(m.lastFundingTs),
    mark: BigInt(m.markBits),
  }));
  const positions: PreviewPosition[] = v.positions.map((p) => ({
    marketIndex: p.marketIndex,
    base: BigInt(p.base),
    quoteEntry: BigInt(p.quoteEntry),
    leverage: p.leverage,
    fundingSnapshot: BigInt(p.fundingSnapshotBits),
  }));
  const order = { ...v.order, base: BigInt(v.order.base) };
  return { markets, positions, order };
}

describe('the TypeScript preview agrees with the Rust SDK', () => {
  it('has enough varied vectors', () => {
    expect(cases.length).toBeGreaterThanOrEqual(50);
    expect(cases.some((c) => c.positions.length > 0)).toBe(true);
    expect(cases.some((c) => !c.expected.meetsInitial)).toBe(true);
  });

  cases.forEach((v, i) => {
    it(`case ${i}: ${v.order.side} ${v.order.base} atoms in market ${v.order.marketIndex}`, () => {
      const { markets, positions, order } = inputs(v);
      const p = preview(BigInt(v.collateral), positions, v.slots, markets, order, BigInt(v.now));
      const e = v.expected;
      expect(near(p.fillPrice, e.fillPriceBits, UNIT_BITS), 'fill price').toBe(true);
      expect(near(p.fee, e.fee, 1n), 'fee').toBe(true);
      expect(near(p.marginMoved, e.marginMovedBits, 1n << 48n), 'margin moved').toBe(true);
      expect(near(p.marginRatioAfter, e.marginRatioAfterBits, UNIT_BITS), 'margin ratio').toBe(true);
      expect(p.meetsInitial, 'meets initial').toBe(e.meetsInitial);
      expect(near(p.liquidationPrice, e.liquidationPriceBits, UNIT_BITS), 'liquidation price').toBe(true);
      expect(near(p.maxLoss, e.maxLoss, 1n), 'max loss').toBe(true);
      expect(near(p.fundingPerHour, e.fundingPerHour, 1n), 'funding per hour').toBe(true);
    });
  });
});
