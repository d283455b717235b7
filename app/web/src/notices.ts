// Notices of what happened to the wallet's positions without the trader pressing anything:
// a stop-loss or take-profit fired, a limit order filled, a liquidation. They come from the
// program's own events as the indexer stored them (its fills of kind `trigger`, `limit` and
// `liquidation`); fills already there when the page connected are history, not news.

import { decimalUsd, type FillRow } from './history';
import { size, usd } from './format';

/** A notice for the page: its text, and the indexer's fill id it is about. */
export interface Notice {
  id: number;
  kind: 'trigger' | 'limit' | 'liquidation';
  text: string;
}

const KINDS = new Set(['trigger', 'limit', 'liquidation']);

/** Turns each newly indexed fill into at most one notice. */
export class NoticeBoard {
  private seen = new Set<number>();
  private primed = false;
  /** The latest notices, newest first (at most `keep`). */
  notices: Notice[] = [];

  constructor(private readonly keep = 5) {}

  /**
   * Takes the latest fills (newest first, as the indexer lists them). The first call only
   * records what is already there; later calls return the notices for fills not seen before.
   */
  observe(fills: FillRow[], subId: (key: string) => string, marketName: (index: number) => string): Notice[] {
    const fresh = fills.filter((f) => !this.seen.has(f.id));
    fresh.forEach((f) => this.seen.add(f.id));
    if (!this.primed) {
      this.primed = true;
      return [];
    }
    const news = fresh.filter((f) => KINDS.has(f.kind)).map((f) => notice(f, subId(f.sub_account), marketName(f.market_index)));
    this.notices = [...news, ...this.notices].slice(0, this.keep);
    return news;
  }

  /** Forgets the notice about fill `id` (the trader dismissed it). */
  dismiss(id: number) {
    this.notices = this.notices.filter((n) => n.id !== id);
  }
}

function notice(f: FillRow, sub: string, market: string): Notice {
  const closed = `${size(BigInt(Math.abs(f.base_delta)))} ${market} at ${decimalUsd(f.price)}`;
  const realized = `realized ${usd(BigInt(f.realized_pnl))}`;
  const kind = f.kind as Notice['kind'];
  const text =
    kind === 'liquidation'
      ? `#${sub} was liquidated: ${closed} closed, ${realized}, penalty ${usd(BigInt(f.penalty))}.`
      : kind === 'trigger'
        ? `A stop-loss or take-profit fired on #${sub}: ${closed} closed, ${realized}.`
        : `A limit order filled on #${sub}: ${f.base_delta > 0 ? 'bought' : 'sold'} ${closed}.`;
  return { id: f.id, kind, text };
}

/** The notices' HTML, each with a button to dismiss it. */
export function noticesHtml(board: NoticeBoard): string {
  return board.notices
    .map((n) => `<p class="notice ${n.kind}" data-testid="notice-${n.kind}">${n.text} <button data-dismiss="${n.id}" aria-label="dismiss this notice">×</button></p>`)
    .join('');
}
