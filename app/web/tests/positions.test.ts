// Position management against hand computations: the confirmation's expected fill and realized
// PnL for a partial close, the refusal of a share that is not a percentage, and the warning
// when a losing cross position pulls another's liquidation price in.
import { describe, expect, it } from 'vitest';
import type { MarketView, PositionView, SubAccountView } from '../src/chain';
import { fromInt, type PreviewParams } from '../src/preview';
import { closeQuote, positionsHtml } from '../src/positions';

const USD = 1_000_000n;
const UNIT = 1_000_000_000n;

const params = (mmBps: number): PreviewParams => ({
  tierUpToNotional: [0n, 0n, 0n, 0n],
  tierMmBps: [mmBps, 0, 0, 0],
  tierCount: 1,
  skewScale: 10_000_000n * USD,
  maxFundingRatePpm: 0,
  takerFeeBps: 5,
  upnlInitialWeightBps: 5_000,
  maxPremiumBps: 0,
  imSizeScale: 0n,
});

function market(index: number, name: string, mark: bigint, mmBps: number): MarketView {
  return {
    address: name as never,
    name,
    account: { index } as never,
    mark: fromInt(mark),
    stub: true,
    pending: null,
    preview: { index, params: params(mmBps), openInterestLong: 0n, openInterestShort: 0n, cumulativeFunding: 0n, lastFundingTs: 0n, mark: fromInt(mark) },
  };
}

const position = (marketIndex: number, base: bigint, quoteEntry: bigint): PositionView => ({
  marketIndex,
  base,
  quoteEntry,
  leverage: 10,
  fundingSnapshot: 0n,
  stopLoss: 0n,
  takeProfit: 0n,
});

const sub = (collateral: bigint, positions: PositionView[]): SubAccountView => ({
  address: 'SUB' as never,
  id: 3,
  isolatedMarket: null,
  collateral,
  beingLiquidated: false,
  slots: 8,
  positions,
  orders: [],
  delegate: null,
});

describe('closing part of a position', () => {
  const btc = market(0, 'BTC-PERP', 51_000n, 50);
  const long = position(0, UNIT / 5n, -10_000n * USD);

  it('quotes half of a 0.2 BTC long from $50,000 at $51,000: $100 less the $2.55 fee', () => {
    const q = closeQuote(sub(1_000n * USD, [long]), long, btc, '50');
    expect(q.base).toBe(UNIT / 10n);
    expect(q.fillPrice).toBe(fromInt(51_000n));
    expect(q.fee).toBe(2_550_000n);
    expect(q.realizedPnl).toBe(97_450_000n);
    // 0.5% below the mark at worst.
    expect(q.limitPrice).toBe(50_745n * USD);
  });

  it('refuses a share that is not a whole percentage from 1 to 100', () => {
    for (const bad of ['0', '101', '12.5', 'half']) {
      expect(() => closeQuote(sub(1_000n * USD, [long]), long, btc, bad)).toThrow('a whole percentage from 1 to 100');
    }
    expect(closeQuote(sub(1_000n * USD, [long]), long, btc, '').base).toBe(UNIT / 5n);
  });
});

describe('the position row', () => {
  it('shows PnL as a share of the opening margin: +$200 on $1,000 (0.2 BTC from $50,000 at 10x) is +20.00%', () => {
    const markets = [market(0, 'BTC-PERP', 51_000n, 50)];
    const { html } = positionsHtml(sub(1_000n * USD, [position(0, UNIT / 5n, -10_000n * USD)]), markets, 0n, null);
    expect(html).toContain('data-testid="pnl-pct-3-BTC-PERP">+20.00%</span>');
  });
});

describe('a cross position pulled in by another', () => {
  it('warns that ETH losing $600 moves the BTC liquidation from $40,201.00 to $43,487.43', () => {
    // Alone: 2,000 + 0.2 (P − 50,000) = 0.001 P gives P = 8,000 / 0.199 = 40,201.00.
    // With ETH (−$600, maintenance 1% × $5,400 = $54): 0.199 P = 8,654, P = 43,487.43.
    const markets = [market(0, 'BTC-PERP', 50_000n, 50), market(1, 'ETH-PERP', 2_700n, 100)];
    const account = sub(2_000n * USD, [position(0, UNIT / 5n, -10_000n * USD), position(1, 2n * UNIT, -6_000n * USD)]);
    const { html } = positionsHtml(account, markets, 0n, null);
    expect(html).toContain('BTC-PERP would be liquidated at $43,487.43, not $40,201.00: ETH-PERP in the same cross sub-account pull it in.');
  });

  it('says nothing for a single position', () => {
    const markets = [market(0, 'BTC-PERP', 50_000n, 50)];
    const { html } = positionsHtml(sub(2_000n * USD, [position(0, UNIT / 5n, -10_000n * USD)]), markets, 0n, null);
    expect(html).not.toContain('pull it in');
  });
});
