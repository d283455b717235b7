// Position management against hand computations: the confirmation's expected fill and realized
// PnL for a partial close by percentage or by size, the refusal of a share that is not a
// percentage and of a size that is not a number of units within the position, and the warning
// when a losing cross position pulls another's liquidation price in.
import { describe, expect, it } from 'vitest';
import type { MarketView, PositionView, SubAccountView } from '../src/chain';
import { fromInt, type PreviewParams } from '../src/preview';
import { FieldError } from '../src/ticket';
import { closeQuote, parseCloseSize, positionsHtml } from '../src/positions';

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
    const q = closeQuote(sub(1_000n * USD, [long]), long, btc, { by: 'percent', text: '50' });
    expect(q.base).toBe(UNIT / 10n);
    expect(q.fillPrice).toBe(fromInt(51_000n));
    expect(q.fee).toBe(2_550_000n);
    expect(q.realizedPnl).toBe(97_450_000n);
    // 0.5% below the mark at worst.
    expect(q.limitPrice).toBe(50_745n * USD);
  });

  it('refuses a share that is not a whole percentage from 1 to 100', () => {
    for (const bad of ['0', '101', '12.5', 'half']) {
      expect(() => closeQuote(sub(1_000n * USD, [long]), long, btc, { by: 'percent', text: bad })).toThrow('a whole percentage from 1 to 100');
    }
    expect(closeQuote(sub(1_000n * USD, [long]), long, btc, { by: 'percent', text: '' }).base).toBe(UNIT / 5n);
  });
});

describe('closing by size', () => {
  const btc = market(0, 'BTC-PERP', 51_000n, 50);
  const long = position(0, UNIT / 5n, -10_000n * USD);
  const field = 'close-size-3-BTC-PERP';
  const refusal = (text: string) => {
    try {
      parseCloseSize(text, UNIT / 5n, field, 'BTC');
    } catch (error) {
      return error instanceof FieldError ? `${error.field}: ${error.message}` : 'not a field error';
    }
    return 'accepted';
  };

  it('reads a plain number of units, up to the whole position', () => {
    expect(parseCloseSize('0.05', UNIT / 5n, field, 'BTC')).toBe(50_000_000n);
    expect(parseCloseSize(' 0.2 ', UNIT / 5n, field, 'BTC')).toBe(200_000_000n);
    expect(parseCloseSize('0.000000001', UNIT / 5n, field, 'BTC')).toBe(1n);
  });

  it('refuses non-numbers, zero, negatives and more than the position, at the field', () => {
    for (const bad of ['', 'abc', '0', '0.0', '-0.05', '1e-2', '0x1', '0.05 BTC', '0.0000000001']) {
      expect(refusal(bad)).toBe(`${field}: Close size: a number of units above zero, like 0.2.`);
    }
    expect(refusal('0.200000001')).toBe(`${field}: Close size: at most the position, 0.2 BTC.`);
    expect(refusal('1')).toBe(`${field}: Close size: at most the position, 0.2 BTC.`);
  });

  it('quotes 0.05 of a 0.2 BTC long from $50,000 at $51,000: $50 less the $1.275 fee', () => {
    // By hand: the 0.05 BTC released a quarter of the $10,000 entry, $2,500, and sells for
    // 0.05 × $51,000 = $2,550 (no premium here), a gross $50; the fee is 5 bps of $2,550 =
    // $1.275; realized $48.725 before funding.
    const q = closeQuote(sub(1_000n * USD, [long]), long, btc, { by: 'size', text: '0.05' });
    expect(q.base).toBe(50_000_000n);
    expect(q.whole).toBe(false);
    expect(q.fillPrice).toBe(fromInt(51_000n));
    expect(q.fee).toBe(1_275_000n);
    expect(q.realizedPnl).toBe(48_725_000n);
    expect(q.limitPrice).toBe(50_745n * USD);
  });

  it('quotes 0.05 of a 0.2 BTC short from $50,000 at $49,000: $50 less the $1.225 fee, limit 0.5% above', () => {
    // By hand: buying back 0.05 at $49,000 costs $2,450 against the $2,500 of entry it
    // releases, a gross $50; the fee is 5 bps of $2,450 = $1.225; realized $48.775. The limit
    // is $49,000 × 1.005 = $49,245, plus one native unit (rounded against the trader).
    const short = position(0, -UNIT / 5n, 10_000n * USD);
    const q = closeQuote(sub(1_000n * USD, [short]), short, market(0, 'BTC-PERP', 49_000n, 50), { by: 'size', text: '0.05' });
    expect(q.base).toBe(50_000_000n);
    expect(q.fee).toBe(1_225_000n);
    expect(q.realizedPnl).toBe(48_775_000n);
    expect(q.limitPrice).toBe(49_245_000_001n);
  });

  it('treats a size equal to the position as a whole close, the same quote as 100%', () => {
    // By hand: 0.2 × ($51,000 − $50,000) = $200, less 5 bps of $10,200 = $5.10: $194.90.
    const bySize = closeQuote(sub(1_000n * USD, [long]), long, btc, { by: 'size', text: '0.2' });
    const byPercent = closeQuote(sub(1_000n * USD, [long]), long, btc, { by: 'percent', text: '100' });
    expect(bySize.whole).toBe(true);
    expect(bySize.realizedPnl).toBe(194_900_000n);
    expect({ ...bySize, request: null }).toEqual({ ...byPercent, request: null });
    // One atom less is a partial close.
    expect(closeQuote(sub(1_000n * USD, [long]), long, btc, { by: 'size', text: '0.199999999' }).whole).toBe(false);
  });

  it('refuses a size above the position when quoting, at the size field', () => {
    expect(() => closeQuote(sub(1_000n * USD, [long]), long, btc, { by: 'size', text: '0.3' })).toThrow('at most the position, 0.2 BTC');
  });
});

describe('the position row', () => {
  it('has a labelled close size field in the market\'s base unit and its own button', () => {
    const markets = [market(0, 'BTC-PERP', 51_000n, 50)];
    const { html } = positionsHtml(sub(1_000n * USD, [position(0, UNIT / 5n, -10_000n * USD)]), markets, 0n, null);
    expect(html).toContain('<input id="close-size-3-BTC-PERP" inputmode="decimal" size="8" placeholder="0.2" aria-label="close size of BTC-PERP in #3, in BTC">');
    expect(html).toContain('<button data-action="close-size" data-sub="3" data-market="0">close size of BTC-PERP in #3…</button>');
  });

  it('shows a size close\'s confirmation with its size and realized PnL', () => {
    const markets = [market(0, 'BTC-PERP', 51_000n, 50)];
    const long = position(0, UNIT / 5n, -10_000n * USD);
    const pending = closeQuote(sub(1_000n * USD, [long]), long, markets[0], { by: 'size', text: '0.05' });
    const { html } = positionsHtml(sub(1_000n * USD, [long]), markets, 0n, pending);
    expect(html).toContain('Close 0.05 BTC-PERP of #3 at about $51,000.00');
    expect(html).toContain('<b data-testid="confirm-pnl-3-BTC-PERP">$48.72</b> after a $1.27 fee');
  });

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
