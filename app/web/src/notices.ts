// Notices of what happened to the wallet's positions without the trader pressing anything:
// a stop-loss or take-profit fired, a limit order filled, a liquidation, funding settled. They
// come from the program's own events as the indexer stored them (its fills of kind `trigger`,
// `limit` and `liquidation`, and its funding payments, summed per sub-account); what was already
// there when the page connected is history, not news.

import { decimalUsd, type FillRow, type FundingRow, type History } from './history';
import { size, usd } from './format';

/** A notice for the page: its text, and the indexer's fill id it is about (for funding, the
 * negative of the sub-account's index in the board's funding totals). */
export interface Notice {
  id: number;
  kind: 'trigger' | 'limit' | 'liquidation' | 'funding';
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

  /** Takes a fresh read of the indexer's history: its fills and its funding settlements. */
  take(history: History, subId: (key: string) => string, marketName: (index: number) => string) {
    this.observe(history.fills, subId, marketName);
    this.observeFunding(history.funding, subId);
  }

  private fundingSeen = new Set<string>();
  private fundingPrimed = false;
  private funding = new Map<string, bigint>();

  /**
   * Takes the latest funding settlements. The first call only records what is there; later
   * ones add the new settlements to one running notice per sub-account ("paid $0.12 since you
   * connected"), so a keeper settling every minute does not flood the page.
   */
  observeFunding(rows: FundingRow[], subId: (key: string) => string) {
    const fresh = rows.filter((r) => !this.fundingSeen.has(fundingKey(r)));
    fresh.forEach((r) => this.fundingSeen.add(fundingKey(r)));
    if (!this.fundingPrimed) {
      this.fundingPrimed = true;
      return;
    }
    for (const r of fresh) this.funding.set(r.sub_account, (this.funding.get(r.sub_account) ?? 0n) + BigInt(r.paid));
    const keys = [...this.funding.keys()];
    const totals = keys.map((key, i): Notice => {
      const paid = this.funding.get(key)!;
      return { id: -(i + 1), kind: 'funding', text: `Funding on #${subId(key)} since you connected: ${paid >= 0n ? 'paid' : 'received'} ${usd(paid < 0n ? -paid : paid)}.` };
    });
    this.notices = [...this.notices.filter((n) => n.kind !== 'funding'), ...totals];
  }

  /** Forgets the notice about fill `id` (the trader dismissed it). */
  dismiss(id: number) {
    const notice = this.notices.find((n) => n.id === id);
    // A dismissed funding notice starts counting again from zero.
    if (notice?.kind === 'funding') this.funding.delete([...this.funding.keys()][-id - 1]);
    this.notices = this.notices.filter((n) => n.id !== id);
  }
}

const fundingKey = (r: FundingRow) => `${r.block_time}:${r.sub_account}:${r.market_index}:${r.paid}`;

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
