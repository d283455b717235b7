// The wallet's sub-accounts by mode: each card with its collateral, equity, maintenance and
// margin ratio, positions (positions.ts), resting orders, one-click trading and money moves
// (an isolated sub-account's margin to and from a chosen cross sub-account).
// Emptied isolated sub-accounts (no collateral, position or order) fold into one archived line.

import type { KeyPairSigner } from '@solana/kit';
import type { MarketView, SubAccountView } from './chain';
import { percent, usd, usdFixed } from './format';
import { ordersHtml } from './orders';
import { type PendingClose, positionsHtml } from './positions';
import { oneClickHtml } from './session';

/** What the sub-accounts section shows. */
export interface AccountsView {
  owner: string;
  walletUsd: bigint;
  subs: SubAccountView[];
  markets: MarketView[];
  sessions: Map<string, KeyPairSigner>;
  now: bigint;
  pendingClose: PendingClose | null;
  marginChoice: MarginChoice;
}

/** The cross sub-account (id) chosen for each isolated sub-account's (id) margin moves. */
export type MarginChoice = Map<number, number>;

/**
 * The cross sub-account that the isolated sub-account `isolatedId`'s margin moves draw from and
 * return to: the one chosen for it in `choice`, else the wallet's first cross sub-account.
 */
export function marginCross(subs: SubAccountView[], isolatedId: number, choice: MarginChoice): SubAccountView | undefined {
  const cross = subs.filter((s) => s.isolatedMarket === null);
  return cross.find((s) => s.id === choice.get(isolatedId)) ?? cross[0];
}

/** A select of the cross sub-accounts, named as the ticket names them, when there is a choice. */
function marginSelect(v: AccountsView, sub: SubAccountView, chosen: SubAccountView): string {
  const cross = v.subs.filter((s) => s.isolatedMarket === null);
  if (cross.length < 2) return '';
  const options = cross.map((s) => `<option value="${s.id}"${s.id === chosen.id ? ' selected' : ''}>#${s.id} (${usd(s.collateral)})</option>`).join('');
  return `<label>margin from/to <select id="margin-cross-${sub.id}" data-margin-for="${sub.id}" aria-label="cross sub-account for the margin of #${sub.id}">${options}</select></label>`;
}

/** An isolated sub-account left with nothing (each isolated order opens a new one, so they pile up). */
const empty = (sub: SubAccountView) =>
  sub.isolatedMarket !== null && sub.collateral === 0n && sub.positions.length === 0 && sub.orders.length === 0;

function cardHtml(v: AccountsView, sub: SubAccountView): string {
  const name = (index: number) => v.markets.find((m) => m.account.index === index)?.name ?? `#${index}`;
  const { html: positions, summary } = positionsHtml(sub, v.markets, v.now, v.pendingClose);
  const mode = sub.isolatedMarket === null ? 'cross' : `isolated ${name(sub.isolatedMarket)}`;
  // An isolated sub-account's margin moves to and from a named cross sub-account.
  const marginSource = sub.isolatedMarket !== null ? marginCross(v.subs, sub.id, v.marginChoice) : undefined;
  const margin =
    sub.isolatedMarket !== null && marginSource
      ? `${marginSelect(v, sub, marginSource)}
         <button data-action="add-margin" data-sub="${sub.id}">add margin to #${sub.id} from #${marginSource.id}</button>
         <button data-action="remove-margin" data-sub="${sub.id}">remove margin from #${sub.id} to #${marginSource.id}</button>`
      : '';
  return `<div class="sub" data-testid="sub-${sub.id}">
    <div><b>#${sub.id}</b> ${mode} · collateral <span data-testid="collateral-${sub.id}">${usd(sub.collateral)}</span>
    · equity ${usdFixed(summary.equity)} · maintenance ${usdFixed(summary.maintenance)} · <abbr title="equity ÷ notional of the open positions; the program lets keepers liquidate when equity falls below maintenance">margin ratio</abbr> <span data-testid="ratio-${sub.id}">${percent(summary.marginRatio)}</span>
    ${summary.liquidatable ? ' · <b class="bad">liquidatable</b>' : ''}
    ${sub.beingLiquidated ? ' · <b class="bad">being liquidated</b>' : ''}</div>
    ${positions}
    ${ordersHtml(sub, name)}
    ${oneClickHtml(sub, v.sessions.get(sub.address))}
    <div class="row"><input data-testid="amount-${sub.id}" id="amount-${sub.id}" placeholder="$ amount" size="10" aria-label="amount in dollars for #${sub.id}">
    <button data-action="deposit" data-sub="${sub.id}">deposit into #${sub.id}</button>
    <button data-action="withdraw" data-sub="${sub.id}">withdraw from #${sub.id}</button>
    ${margin}</div></div>`;
}

/** The sub-accounts section's HTML. */
export function accountsHtml(v: AccountsView): string {
  const section = (title: string, subs: SubAccountView[]) =>
    `<h3>${title}</h3>` + (subs.length === 0 ? '<p class="muted">none</p>' : subs.map((s) => cardHtml(v, s)).join(''));
  const live = v.subs.filter((s) => !empty(s));
  const archived = v.subs.filter(empty);
  const archive = archived.length
    ? `<details data-testid="archived"><summary>${archived.length} empty isolated sub-account${archived.length > 1 ? 's' : ''} (${archived.map((s) => `#${s.id}`).join(', ')})</summary>
       ${archived.map((s) => cardHtml(v, s)).join('')}</details>`
    : '';
  return (
    `<p>Wallet: <code data-testid="owner">${v.owner}</code> · collateral in wallet <span data-testid="wallet-usd">${usd(v.walletUsd)}</span>
     <button data-action="new-cross">new cross sub-account</button></p>` +
    section('Cross sub-accounts (one collateral balance, up to 8 positions)', live.filter((s) => s.isolatedMarket === null)) +
    section('Isolated sub-accounts (one position, ring-fenced collateral)', live.filter((s) => s.isolatedMarket !== null)) +
    archive
  );
}
