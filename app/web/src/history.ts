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

/** One row of `/v1/liquidations`. */
export interface LiquidationRow {
  block_time: number | null;
  sub_account: string;
  market_index: number;
  closed: number;
  price: string;
  realized_pnl: number;
  penalty: number;
}

/** One line of `/v1/pnl`: per sub-account and market, or the total (without them). */
export interface PnlRow {
  sub_account?: string;
  market_index?: number;
  fills: number;
  realized_pnl: number;
  fees: number;
  penalties: number;
  keeper_fees: number;
  funding_paid: number;
  net: number;
}

/** What the history section shows. */
export interface History {
  fills: FillRow[];
  funding: FundingRow[];
  liquidations?: LiquidationRow[];
  pnl?: { rows: PnlRow[]; total: PnlRow };
}

/** The history section's tabs. */
export type HistoryTab = 'fills' | 'funding' | 'liquidations' | 'pnl';
const TABS: [HistoryTab, string][] = [
  ['fills', 'Fills'],
  ['funding', 'Funding'],
  ['liquidations', 'Liquidations'],
  ['pnl', 'Realized PnL'],
];

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
    const [fills, funding, liquidations] = await Promise.all([
      get(`/v1/fills?owner=${owner}&limit=${limit}`),
      get(`/v1/funding?owner=${owner}&limit=${limit}`),
      get(`/v1/liquidations?owner=${owner}&limit=${limit}`),
    ]);
    const pnl = await fetch(`${indexer.replace(/\/$/, '')}/v1/pnl?owner=${owner}`).then((r) => (r.ok ? r.json() : undefined));
    return { fills: fills as FillRow[], funding: funding as FundingRow[], liquidations: liquidations as LiquidationRow[], pnl };
  } catch {
    return null;
  }
}

/** The tabs' buttons, the chosen one pressed. */
const tabsHtml = (tab: HistoryTab) =>
  `<div class="row" role="tablist">${TABS.map(([t, label]) => `<button role="tab" aria-selected="${t === tab}" data-history-tab="${t}">${label}</button>`).join('')}</div>`;

const table = (head: string[], rows: string[], testid: string) =>
  `<table data-testid="${testid}"><tr>${head.map((h) => `<th>${h}</th>`).join('')}</tr>${rows.join('')}</table>`;

/** The history section's HTML for `tab`: `subId` names a sub-account, `marketName` a market. */
export function historyHtml(history: History | null, subId: (key: string) => string, marketName: (index: number) => string, tab: HistoryTab = 'fills'): string {
  if (!history) return '<p class="muted">No indexer answers: history is unavailable.</p>';
  const body = {
    fills: () => fillsHtml(history, subId, marketName),
    funding: () =>
      history.funding.length
        ? table(['time (UTC)', 'sub', 'market', 'paid (+) / received (−)'], history.funding.map((f) => `<tr><td>${utc(f.block_time)}</td><td>${subId(f.sub_account)}</td><td>${marketName(f.market_index)}</td><td class="num">${usd(BigInt(f.paid))}</td></tr>`), 'history-funding')
        : '<p class="muted">No funding settled yet.</p>',
    liquidations: () =>
      history.liquidations?.length
        ? table(['time (UTC)', 'sub', 'market', 'closed', 'price', 'realized', 'penalty'], history.liquidations.map((l) => `<tr><td>${utc(l.block_time)}</td><td>${subId(l.sub_account)}</td><td>${marketName(l.market_index)}</td><td class="num">${size(BigInt(l.closed))}</td><td class="num">${decimalUsd(l.price)}</td><td class="num">${usd(BigInt(l.realized_pnl))}</td><td class="num">${usd(BigInt(l.penalty))}</td></tr>`), 'history-liquidations')
        : '<p class="muted">No liquidations.</p>',
    pnl: () => (history.pnl ? pnlHtml(history.pnl, subId, marketName) : '<p class="muted">No PnL from the indexer.</p>'),
  }[tab]();
  return tabsHtml(tab) + body;
}

function pnlHtml(pnl: { rows: PnlRow[]; total: PnlRow }, subId: (key: string) => string, marketName: (index: number) => string): string {
  const line = (r: PnlRow, label: string) =>
    `<tr><td>${label}</td><td class="num">${r.fills}</td><td class="num">${usd(BigInt(r.realized_pnl))}</td><td class="num">${usd(BigInt(r.fees + r.penalties + r.keeper_fees))}</td><td class="num">${usd(BigInt(r.funding_paid))}</td><td class="num" data-testid="pnl-net">${usd(BigInt(r.net))}</td></tr>`;
  const rows = pnl.rows.map((r) => line(r, `#${subId(r.sub_account ?? '')} ${marketName(r.market_index ?? -1)}`));
  rows.push(line(pnl.total, '<b>total</b>'));
  return table(['sub-account and market', 'fills', 'realized', 'fees and penalties', 'funding paid', 'net'], rows, 'history-pnl');
}

/** The fills tab: every fill with its fee, penalty and keeper fee, and the net funding. */
function fillsHtml(history: History, subId: (key: string) => string, marketName: (index: number) => string): string {
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
