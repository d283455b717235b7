// The TypeScript stress test against the vectors the Rust SDK writes (the program's own
// liquidation): every equity, closure, fill price, penalty and loss exactly equal, as held and
// in both counterfactuals.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { type StressHolding, type StressMarket, type StressOutcome, asIsolated, asOneCross, runStress } from '../src/stress';

interface HoldingJson {
  isolated: boolean;
  collateral: string;
  beingLiquidated: boolean;
  positions: { marketIndex: number; base: string; quoteEntry: string; leverage: number; fundingSnapshotBits: string }[];
}
interface MarketJson {
  index: number;
  params: Record<string, unknown> & { tierUpToNotional: string[]; skewScale: string; imSizeScale: string; liquidationFeeBps: number; maxLeverage: number };
  openInterestLong: string;
  openInterestShort: string;
  cumulativeFundingBits: string;
  lastFundingTs: string;
  markBits: string;
}
interface Vector {
  now: string;
  markets: MarketJson[];
  holdings: HoldingJson[];
  steps: [number, number][][];
  expected: { held: unknown; oneCross: unknown | null; isolated: { holdings: HoldingJson[]; outcome: unknown } };
}

const { cases } = JSON.parse(readFileSync(new URL('./stress-vectors.json', import.meta.url), 'utf8')) as { cases: Vector[] };

const market = (m: MarketJson): StressMarket => ({
  index: m.index,
  params: {
    ...(m.params as never),
    tierUpToNotional: m.params.tierUpToNotional.map(BigInt),
    skewScale: BigInt(m.params.skewScale),
    imSizeScale: BigInt(m.params.imSizeScale),
  },
  liquidationFeeBps: m.params.liquidationFeeBps,
  maxLeverage: m.params.maxLeverage,
  openInterestLong: BigInt(m.openInterestLong),
  openInterestShort: BigInt(m.openInterestShort),
  cumulativeFunding: BigInt(m.cumulativeFundingBits),
  lastFundingTs: BigInt(m.lastFundingTs),
  mark: BigInt(m.markBits),
});

const holding = (h: HoldingJson): StressHolding => ({
  isolated: h.isolated,
  collateral: BigInt(h.collateral),
  beingLiquidated: h.beingLiquidated,
  positions: h.positions.map((p) => ({
    marketIndex: p.marketIndex,
    base: BigInt(p.base),
    quoteEntry: BigInt(p.quoteEntry),
    leverage: p.leverage,
    fundingSnapshot: BigInt(p.fundingSnapshotBits),
  })),
});

/** The outcome in the vectors' JSON shape (bits and integers as decimal strings). */
const json = (o: StressOutcome) => ({
  startEquityBits: o.startEquity.map(String),
  totalLossBits: String(o.totalLoss),
  steps: o.steps.map((s) => ({
    marks: s.marks.map(([i, p]) => [i, String(p)]),
    accounts: s.accounts.map((a) => ({
      equityBeforeBits: String(a.equityBefore),
      maintenanceBeforeBits: String(a.maintenanceBefore),
      equityAfterBits: String(a.equityAfter),
      collateralAfter: String(a.collateralAfter),
      positionsLeft: a.positionsLeft,
      complete: a.complete,
      closures: a.closures.map((c) => ({
        marketIndex: c.marketIndex,
        closed: String(c.closed),
        fillPriceBits: String(c.fillPrice),
        realizedPnl: String(c.realizedPnl),
        penalty: String(c.penalty),
        bankrupt: c.bankrupt,
      })),
    })),
  })),
});

const holdingJson = (h: StressHolding) => ({
  isolated: h.isolated,
  collateral: String(h.collateral),
  beingLiquidated: h.beingLiquidated,
  positions: h.positions.map((p) => ({
    marketIndex: p.marketIndex,
    base: String(p.base),
    quoteEntry: String(p.quoteEntry),
    leverage: p.leverage,
    fundingSnapshotBits: String(p.fundingSnapshot),
  })),
});

describe('the TypeScript stress test agrees with the Rust SDK', () => {
  it('has varied vectors: partial liquidations, penalties, bankruptcies, refused merges', () => {
    const all = JSON.stringify(cases.map((c) => c.expected.held));
    expect(cases.length).toBeGreaterThanOrEqual(48);
    expect(all).toContain('"bankrupt":true');
    expect(all).toMatch(/"penalty":"[1-9]/);
    expect(cases.some((c) => c.expected.oneCross === null)).toBe(true);
    expect(cases.some((c) => c.steps.length > 1)).toBe(true);
  });

  cases.forEach((v, n) => {
    it(`case ${n}: as held, all in one cross, each isolated`, () => {
      const markets = v.markets.map(market);
      const holdings = v.holdings.map(holding);
      const now = BigInt(v.now);
      expect(json(runStress(markets, holdings, v.steps, now))).toEqual(v.expected.held);
      if (v.expected.oneCross === null) {
        expect(() => asOneCross(markets, holdings)).toThrow();
      } else {
        expect(json(runStress(markets, [asOneCross(markets, holdings)], v.steps, now))).toEqual(v.expected.oneCross);
      }
      const split = asIsolated(markets, holdings);
      expect(split.map(holdingJson)).toEqual(v.expected.isolated.holdings);
      expect(json(runStress(markets, split, v.steps, now))).toEqual(v.expected.isolated.outcome);
    });
  });
});
