// Notices come only for fills indexed after the page connected, and only for what the trader
// did not do themselves: a fired trigger, a filled limit order, a liquidation.
import { describe, expect, it } from 'vitest';
import type { FillRow } from '../src/history';
import { NoticeBoard } from '../src/notices';

const fill = (id: number, kind: string, over: Partial<FillRow> = {}): FillRow => ({
  id,
  block_time: 1_800_000_000,
  sub_account: 'SUB1',
  market_index: 0,
  kind,
  base_delta: -50_000_000,
  price: '44000.5',
  fee: 0,
  penalty: 0,
  keeper_fee: 0,
  realized_pnl: -300_000_000,
  ...over,
});
const names = [(key: string) => (key === 'SUB1' ? '1' : '?'), (i: number) => ['BTC-PERP', 'ETH-PERP'][i]] as const;

describe('notices', () => {
  it('says nothing about fills already indexed when the page connected', () => {
    const board = new NoticeBoard();
    expect(board.observe([fill(2, 'liquidation'), fill(1, 'open')], ...names)).toEqual([]);
    expect(board.notices).toEqual([]);
  });

  it('announces a liquidation, a fired trigger and a limit fill once each, never an own open or close', () => {
    const board = new NoticeBoard();
    board.observe([fill(1, 'open')], ...names);
    const news = board.observe([fill(5, 'limit', { base_delta: 20_000_000 }), fill(4, 'close'), fill(3, 'trigger'), fill(2, 'liquidation', { penalty: 2_500_000 }), fill(1, 'open')], ...names);
    expect(news.map((n) => n.kind)).toEqual(['limit', 'trigger', 'liquidation']);
    expect(news[2].text).toBe('#1 was liquidated: 0.05 BTC-PERP at $44,000.50 closed, realized -$300.00, penalty $2.50.');
    expect(news[1].text).toBe('A stop-loss or take-profit fired on #1: 0.05 BTC-PERP at $44,000.50 closed, realized -$300.00.');
    expect(news[0].text).toBe('A limit order filled on #1: bought 0.02 BTC-PERP at $44,000.50.');
    expect(board.observe([fill(3, 'trigger')], ...names)).toEqual([]);
    board.dismiss(3);
    expect(board.notices.map((n) => n.id)).toEqual([5, 2]);
  });

  it('sums funding settled after connecting into one notice per sub-account', () => {
    const board = new NoticeBoard();
    const row = (time: number, sub: string, paid: number) => ({ block_time: time, sub_account: sub, market_index: 0, paid });
    board.observeFunding([row(1, 'SUB1', 999_000_000)], names[0]);
    board.observeFunding([row(3, 'SUB1', 70_000), row(2, 'SUB1', 50_000), row(1, 'SUB1', 999_000_000)], names[0]);
    board.observeFunding([row(4, 'SUB1', -20_000), row(3, 'SUB1', 70_000)], names[0]);
    expect(board.notices.map((n) => n.text)).toEqual(['Funding on #1 since you connected: paid $0.10.']);
    board.dismiss(board.notices[0].id);
    expect(board.notices).toEqual([]);
  });
});
