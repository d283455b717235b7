// The What-if panel's liquidation points against a hand computation: an isolated long of
// 0.2 BTC entered at $50,000 with $1,000 of collateral (10x), maintenance 0.5%, no funding due.
// Equity 1,000 + 0.2 (P − 50,000) falls under 0.001 P when P < 9,000 / 0.199 = $45,226.13,
// a move of −9.5477%: liquidated at −9.55% (P = $45,225), not at −9.54% (P = $45,230).
import { describe, expect, it } from 'vitest';
import { fromInt } from '../src/preview';
import { type WhatIfData, curvesFor, liquidationPointsFor } from '../src/whatif';

const USD = 1_000_000n;
const BTC = 1_000_000_000n;

const data: WhatIfData = {
  now: 1_800_000_000n,
  markets: [
    {
      name: 'BTC-PERP',
      market: {
        index: 0,
        params: {
          tierUpToNotional: [1_000_000n * USD, 5_000_000n * USD, 0n, 0n],
          tierMmBps: [50, 100, 200, 0],
          tierCount: 3,
          skewScale: 10_000_000n * USD,
          maxFundingRatePpm: 100,
          takerFeeBps: 5,
          upnlInitialWeightBps: 5_000,
          maxPremiumBps: 10,
          imSizeScale: 0n,
        },
        liquidationFeeBps: 25,
        maxLeverage: 40,
        // The position and 1 BTC on each side; funding accrued up to now, so none is due.
        openInterestLong: BTC / 5n + BTC,
        openInterestShort: BTC,
        cumulativeFunding: 0n,
        lastFundingTs: 1_800_000_000n,
        mark: fromInt(50_000n),
      },
    },
  ],
  accounts: [
    {
      id: 7,
      label: '#7 isolated BTC-PERP',
      holding: {
        isolated: true,
        collateral: 1_000n * USD,
        beingLiquidated: false,
        positions: [{ marketIndex: 0, base: BTC / 5n, quoteEntry: -10_000n * USD, leverage: 10, fundingSnapshot: 0n }],
      },
    },
  ],
};

describe('what-if liquidation points', () => {
  it('marks the fall at the basis point where equity first goes under maintenance', () => {
    const own = new Map([[0, 0]]);
    const points = liquidationPointsFor(data, own, curvesFor(data, own), 0);
    expect(points.map((p) => p.shock)).toEqual([-9.55]);
  });

  it('moves by the market slider: BTC first −5% leaves −4.55% for the correlated move', () => {
    const own = new Map([[0, -5]]);
    const points = liquidationPointsFor(data, own, curvesFor(data, own), 0);
    expect(points.map((p) => p.shock)).toEqual([-4.55]);
  });

  it('draws equity against the move: $1,000 + 0.2 × $500 per 1% above the point', () => {
    const c = curvesFor(data, new Map([[0, 0]]));
    const at = (x: number) => c.accounts[0].equity[x + 50];
    expect(at(0)).toBe(1_000n * USD);
    expect(at(10)).toBe(2_000n * USD);
    expect(at(-9)).toBe(100n * USD);
    expect(c.accounts[0].liquidated[-10 + 50]).toBe(true);
    expect(c.accounts[0].liquidated[-9 + 50]).toBe(false);
  });
});
