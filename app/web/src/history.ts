// The trader's history from the indexer (app/indexer, docs/INDEXER.md): fills with their
// fees and realized PnL, funding and liquidations, newest first. The page reads it over the
// indexer's HTTP JSON API; without an indexer the section says so.

import { size, usd } from './format';

/** One row of the indexer's `/v1/fills`. */
export interface FillRow {
  id: number;
  block_time: number | null;
  sub_account: string;
  market_index: number;
  kind: string;
  base_delta: number;
  price: string;
  fee: number;
  penalty: number;
  keeper_fee: number;
  realized_pnl: number;
}

/** One row of `/v1/funding`. */
export interface FundingRow {
  block_time: number | null;
  sub_account: string;
  market_index: number;
  paid: number;
}

/** What the history section shows. */
export interface History {
  fills: FillRow[];
  funding: FundingRow[];
}

/** A decimal price text ("50400.25…", dollars per unit) as "$50,400.25", toward zero. */
export function decimalUsd(text: string): string {
  const match = /^(-?)(\d+)(?:\.(\d*))?$/.exec(text);
  if (!match) return text;
  const cents = BigInt(match[2]) * 100n + BigInt((match[3] ?? '').padEnd(2, '0').slice(0, 2));
  return usd((match[1] ? -cents : cents) * 10_000n);
}

/** Unix seconds as "2026-12-01 17:05:09" (UTC). */
export const utc = (seconds: number | null) =>
  seconds === null ? '-' : new Date(seconds * 1000).toISOString().replace('T', ' ').replace(/\.\d+Z$/, '');

/** The owner's latest fills and funding payments, or null when the indexer does not answer. */
export async function loadHistory(indexer: string, owner: string, limit = 20): Promise<History | null> {
  try {
    const get = async (path: string) => {
      const response = await fetch(`${indexer.replace(/\/$/, '')}${path}`);
      if (!response.ok) throw new Error(`${response.status}`);
      return ((await response.json()) as { items: unknown[] }).items;
    };
    const [fills, funding] = await Promise.all([
      get(`/v1/fills?owner=${owner}&limit=${limit}`),
      get(`/v1/funding?owner=${owner}&limit=${limit}`),
    ]);
    return { fills: fills as FillRow[], funding: funding as FundingRow[] };
  } catch {
    return null;
  }
}

/** The history section's HTML: `subId` names a sub-account, `marketName` a market. */
export function historyHtml(history: History | null, subId: (key: string) => string, marketName: (index: number) => string): string {
  if (!history) return '<p class="muted">No indexer answers: history is unavailable.</p>';
  if (history.fills.length === 0) return '<p class="muted">No fills yet.</p>';
  const fills = history.fills
    .map((f) => {
      const charged = BigInt(f.fee) + BigInt(f.penalty) + BigInt(f.keeper_fee);
      return `<tr data-testid="fill-${f.id}"><td>${utc(f.block_time)}</td><td>${subId(f.sub_account)}</td><td>${marketName(f.market_index)}</td>
        <td data-testid="fill-kind">${f.kind}</td><td class="num">${size(BigInt(f.base_delta))}</td><td class="num">${decimalUsd(f.price)}</td>
        <td class="num">${usd(charged)}</td><td class="num" data-testid="fill-pnl">${usd(BigInt(f.realized_pnl))}</td></tr>`;
    })
    .join('');
  const paid = history.funding.reduce((sum, f) => sum + BigInt(f.paid), 0n);
  return `<table data-testid="history"><tr><th>time (UTC)</th><th>sub</th><th>market</th><th>kind</th><th>size</th><th>price</th><th>fee / penalty</th><th>realized</th></tr>${fills}</table>
    <p class="muted">Funding in the last ${history.funding.length} settlements: ${paid >= 0n ? 'paid' : 'received'} ${usd(paid < 0n ? -paid : paid)}.</p>`;
}
