// The history section's formatting of indexer rows: exact prices toward zero, fees and
// penalties together, funding summed with its direction.
import { describe, expect, it } from 'vitest';
import { decimalUsd, historyHtml, utc, type History } from '../src/history';

describe('history', () => {
  it('prints decimal prices as dollars toward zero', () => {
    expect(decimalUsd('50400')).toBe('$50,400.00');
    expect(decimalUsd('2990.999999')).toBe('$2,990.99');
    expect(decimalUsd('-0.0033')).toBe('$0.00');
    expect(decimalUsd('-12.5')).toBe('-$12.50');
    expect(decimalUsd('not a price')).toBe('not a price');
  });

  it('prints UTC times', () => {
    expect(utc(20_788 * 86_400 + 3_661)).toBe('2026-12-01 01:01:01');
    expect(utc(null)).toBe('-');
  });

  it('renders fills with fee, penalty and keeper fee together, and net funding', () => {
    const history: History = {
      fills: [
        { id: 7, block_time: 0, sub_account: 'S1', market_index: 0, kind: 'trigger', base_delta: -50_000_000, price: '50400', fee: 2_520_000, penalty: 0, keeper_fee: 1_000_000, realized_pnl: -30_000_000 },
      ],
      funding: [
        { block_time: 0, sub_account: 'S1', market_index: 0, paid: 700_000 },
        { block_time: 0, sub_account: 'S1', market_index: 0, paid: -200_000 },
      ],
    };
    const html = historyHtml(history, () => '1', () => 'BTC-PERP');
    expect(html).toContain('<td data-testid="fill-kind">trigger</td>');
    expect(html).toContain('-0.05');
    expect(html).toContain('$50,400.00');
    expect(html).toContain('$3.52'); // 2.52 fee + 1.00 keeper fee
    expect(html).toContain('-$30.00');
    expect(html).toContain('paid $0.50');
    expect(historyHtml(null, String, String)).toContain('unavailable');
  });

  it('renders the funding, liquidation and realized-PnL tabs from their indexer rows', () => {
    const history: History = {
      fills: [],
      funding: [{ block_time: 0, sub_account: 'S1', market_index: 1, paid: -1_250_000 }],
      liquidations: [{ block_time: 0, sub_account: 'S1', market_index: 0, closed: 200_000_000, price: '43999.5', realized_pnl: -1_205_000_000, penalty: 0 }],
      pnl: {
        rows: [{ sub_account: 'S1', market_index: 0, fills: 2, realized_pnl: -1_205_000_000, fees: 5_000_000, penalties: 0, keeper_fees: 0, funding_paid: 250_000, net: -1_210_250_000 }],
        total: { fills: 2, realized_pnl: -1_205_000_000, fees: 5_000_000, penalties: 0, keeper_fees: 0, funding_paid: 250_000, net: -1_210_250_000 },
      },
    };
    const names = [() => '1', (i: number) => ['BTC-PERP', 'ETH-PERP'][i]] as const;
    expect(historyHtml(history, ...names, 'funding')).toContain('<td class="num">-$1.25</td>');
    const liquidations = historyHtml(history, ...names, 'liquidations');
    expect(liquidations).toContain('0.2');
    expect(liquidations).toContain('$43,999.50');
    expect(liquidations).toContain('-$1,205.00');
    const pnl = historyHtml(history, ...names, 'pnl');
    expect(pnl).toContain('#1 BTC-PERP');
    expect(pnl).toContain('-$1,210.25');
    expect(pnl).toContain('aria-selected="true" data-history-tab="pnl"');
  });
});
