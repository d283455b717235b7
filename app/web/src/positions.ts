// Open positions as a trader manages them: each row with its entry, PnL, effective leverage,
// liquidation price and distance to it, stop-loss and take-profit; a close by percentage or by
// size that asks for confirmation with the expected fill and realized PnL first; the SL/TP
// edited in place; and a warning when a cross sub-account's other positions pull a liquidation
// price in.

import type { MarketView, PositionView, SubAccountView } from './chain';
import { percent, price, size, usd, usdFixed } from './format';
import { type AccountSummary, type Fixed, ONE, ceilToInt, fixedDiv, floorDiv, mulDiv, notional, quoteFill, summarize } from './preview';
import { FieldError, checkTriggers, optionalPrice, parseSize } from './ticket';

/** How much of a position to close, as typed: a percentage (1 to 100) or a size in base units. */
export interface CloseRequest {
  by: 'percent' | 'size';
  text: string;
}

/** A close the trader asked for and has not confirmed yet. */
export interface PendingClose {
  subId: number;
  marketIndex: number;
  /** What was asked for, as typed (re-quoted at every refresh and again when confirmed). */
  request: CloseRequest;
  /** Base atoms to close (positive), and whether that is the whole position. */
  base: bigint;
  whole: boolean;
  /** Worst acceptable price, native units per unit. */
  limitPrice: bigint;
  /** What the page expects: fill price, fee, realized PnL before funding (native units). */
  fillPrice: Fixed;
  fee: bigint;
  realizedPnl: bigint;
}

/** Slippage the page accepts on a close: 0.5% of the mark. */
const CLOSE_SLIPPAGE_BPS = 50n;
const abs = (v: bigint) => (v < 0n ? -v : v);

/** A market's base unit, as sizes are typed in: "BTC" for BTC-PERP. */
export const baseUnit = (marketName: string) => marketName.replace(/-PERP$/, '');

/** The input id of a position's close field: its percentage or its size. */
export const closeField = (by: CloseRequest['by'], subId: number, marketName: string) => `close-${by === 'percent' ? 'pct' : 'size'}-${subId}-${marketName}`;

/**
 * A typed close size in base atoms (9 decimals): a plain positive number of units, at most
 * `held` (the position's size in atoms); anything else is refused at `field`.
 */
export function parseCloseSize(text: string, held: bigint, field: string, unit: string): bigint {
  const base = parseSize(text, field, 'Close size');
  if (base > held) throw new FieldError(field, `Close size: at most the position, ${size(held)} ${unit}.`);
  return base;
}

/** The base atoms `request` asks to close of a position holding `held` atoms. */
function requestedBase(request: CloseRequest, held: bigint, subId: number, marketName: string): bigint {
  const field = closeField(request.by, subId, marketName);
  if (request.by === 'size') return parseCloseSize(request.text, held, field, baseUnit(marketName));
  const text = request.text.trim().replace(/%$/, '') || '100';
  const pct = /^\d{1,3}$/.test(text) ? Number(text) : NaN;
  if (!(pct >= 1 && pct <= 100)) throw new FieldError(field, 'Close: a whole percentage from 1 to 100.');
  const base = pct === 100 ? held : (held * BigInt(pct)) / 100n;
  if (base === 0n) throw new FieldError(field, 'Close: that share of the position is under one atom.');
  return base;
}

/**
 * The close `request` asks of `position` (a percentage or a size), priced as the program would
 * fill it. The one quote behind both the % and the size fields: closing all the atoms held is
 * a whole close whichever way it was asked.
 */
export function closeQuote(sub: SubAccountView, position: PositionView, market: MarketView, request: CloseRequest): PendingClose {
  const held = abs(position.base);
  const base = requestedBase(request, held, sub.id, market.name);
  const closing = position.base > 0n ? base : -base;
  const { price: fillPrice, quote } = quoteFill(market.preview, -closing);
  const released = floorDiv(position.quoteEntry * base, held);
  const fee = ceilToInt(mulDiv(notional(closing, fillPrice), BigInt(market.preview.params.takerFeeBps), 10_000n, 'up'));
  const mark = ((market.mark ?? 0n) * 1_000_000n) >> 48n;
  const limitPrice = position.base > 0n ? (mark * (10_000n - CLOSE_SLIPPAGE_BPS)) / 10_000n : (mark * (10_000n + CLOSE_SLIPPAGE_BPS)) / 10_000n + 1n;
  return { subId: sub.id, marketIndex: market.account.index, request, base, whole: base === held, limitPrice, fillPrice, fee, realizedPnl: quote + released - fee };
}

/** `pending` quoted again at the current marks; null once its position is gone. */
export function requote(pending: PendingClose | null, subs: SubAccountView[], markets: MarketView[]): PendingClose | null {
  const sub = subs.find((s) => s.id === pending?.subId);
  const position = sub?.positions.find((p) => p.marketIndex === pending?.marketIndex);
  const market = markets.find((m) => m.account.index === pending?.marketIndex);
  if (!pending || !sub || !position || !market) return null;
  try {
    return closeQuote(sub, position, market, pending.request);
  } catch {
    return null;
  }
}


/** The stop-loss and take-profit typed for `position`, checked against its side and the mark. */
export function readTriggers(sub: SubAccountView, position: PositionView, market: MarketView, stopText: string, takeText: string) {
  const fields = { stop: `sl-${sub.id}-${market.name}`, take: `tp-${sub.id}-${market.name}` };
  const stopLoss = optionalPrice(stopText, fields.stop, 'Stop-loss');
  const takeProfit = optionalPrice(takeText, fields.take, 'Take-profit');
  const mark = ((market.mark ?? 0n) * 1_000_000n) >> 48n;
  checkTriggers(position.base > 0n ? 'long' : 'short', mark, stopLoss, takeProfit, fields);
  return { stopLoss, takeProfit };
}

/** PnL as a share of the margin the position was opened with (entry notional / leverage). */
function pnlShare(p: PositionView, pnl: Fixed): string {
  const margin = abs(p.quoteEntry) / BigInt(Math.max(p.leverage, 1));
  if (margin === 0n) return '';
  const share = fixedDiv(pnl, margin << 48n);
  return `${share > 0n ? '+' : ''}${percent(share)}`;
}

/** How far the mark is from `liquidation`, as a signed share of the mark (−10% = a 10% fall). */
function distance(liquidation: Fixed | null, mark: Fixed | null): string {
  if (liquidation === null || !mark) return '';
  const share = fixedDiv(liquidation - mark, mark);
  return `${share > 0n ? '+' : ''}${percent(share)}`;
}

/** The liquidation price `position` would have with its sub-account's collateral and no other position. */
function aloneLiquidation(sub: SubAccountView, position: PositionView, markets: MarketView[], now: bigint): Fixed | null {
  return summarize(sub.collateral, [position], markets.map((m) => m.preview), now).positions[0].liquidationPrice;
}

/** A warning for each cross position whose liquidation price the others pull nearer the mark. */
function pulledIn(sub: SubAccountView, summary: AccountSummary, markets: MarketView[], now: bigint, name: (i: number) => MarketView): string[] {
  if (sub.isolatedMarket !== null || sub.positions.length < 2) return [];
  return sub.positions.flatMap((p, i) => {
    const market = name(p.marketIndex);
    const actual = summary.positions[i].liquidationPrice;
    const alone = aloneLiquidation(sub, p, markets, now);
    if (actual === null || !market.mark) return [];
    const nearer = alone === null || (p.base > 0n ? actual > alone : actual < alone);
    // Only a pull of more than 0.1% of the mark is worth a warning.
    const gap = alone === null ? ONE : fixedDiv(abs(actual - alone), market.mark);
    if (!nearer || gap * 1_000n < ONE) return [];
    const others = sub.positions.filter((q) => q !== p).map((q) => name(q.marketIndex).name).join(', ');
    return [`${market.name} would be liquidated at ${price(actual)}, not ${price(alone)}: ${others} in the same cross sub-account pull it in.`];
  });
}

/** The sub-account's positions as table rows, the pending close's confirmation, and warnings. */
export function positionsHtml(sub: SubAccountView, markets: MarketView[], now: bigint, pending: PendingClose | null) {
  const marketOf = (index: number) => markets.find((m) => m.account.index === index)!;
  const summary = summarize(sub.collateral, sub.positions, markets.map((m) => m.preview), now);
  const equity = summary.equity;
  const rows = sub.positions.map((p, i) => {
    const market = marketOf(p.marketIndex);
    const view = summary.positions[i];
    const n = market.mark ? notional(p.base, market.mark) : 0n;
    const effective = equity > 0n ? `${(Number(fixedDiv(n, equity) * 10n >> 48n) / 10).toFixed(1)}x` : '—';
    const trigger = (v: bigint) => (v ? usd(v) : '—');
    const at = `${sub.id}-${market.name}`;
    const confirm =
      pending && pending.subId === sub.id && pending.marketIndex === p.marketIndex
        ? `<div class="confirm" data-testid="confirm-${at}">Close ${size(pending.base)} ${market.name} of #${sub.id} at about ${price(pending.fillPrice)}:
           realized PnL about <b data-testid="confirm-pnl-${at}">${usd(pending.realizedPnl)}</b> after a ${usd(pending.fee)} fee, before funding.
           <button data-action="confirm-close" data-sub="${sub.id}" data-market="${p.marketIndex}">confirm close of ${market.name} in #${sub.id}</button>
           <button data-action="cancel-close" data-sub="${sub.id}" data-market="${p.marketIndex}">keep it</button></div>`
        : '';
    return `<tr data-testid="position-${at}"><td>${market.name}</td><td>${p.base > 0n ? 'long' : 'short'}</td>
      <td class="num" data-testid="size-${at}">${size(abs(p.base))}</td><td class="num">${price(view.entryPrice)}</td><td class="num">${price(market.mark)}</td>
      <td class="num">${usdFixed(view.pnl)} <span class="muted" data-testid="pnl-pct-${at}">${pnlShare(p, view.pnl)}</span></td><td class="num" title="chosen ${p.leverage}x; notional / equity now">${effective}</td>
      <td class="num" data-testid="liquidation-${at}">${price(view.liquidationPrice)}</td><td class="num muted" data-testid="distance-${at}">${distance(view.liquidationPrice, market.mark)}</td>
      <td class="num" data-testid="sl-now-${at}">${trigger(p.stopLoss)}</td><td class="num" data-testid="tp-now-${at}">${trigger(p.takeProfit)}</td></tr>
      <tr class="manage"><td colspan="11"><label>close <input id="${closeField('percent', sub.id, market.name)}" inputmode="numeric" size="3" placeholder="100" aria-label="percent of ${market.name} in #${sub.id} to close">%</label>
      <button data-action="close" data-sub="${sub.id}" data-market="${p.marketIndex}">close ${market.name} in #${sub.id}…</button>
      <label>Close size <input id="${closeField('size', sub.id, market.name)}" inputmode="decimal" size="8" placeholder="${size(abs(p.base))}" aria-label="close size of ${market.name} in #${sub.id}, in ${baseUnit(market.name)}">${baseUnit(market.name)}</label>
      <button data-action="close-size" data-sub="${sub.id}" data-market="${p.marketIndex}">close size of ${market.name} in #${sub.id}…</button>
      <label>SL $<input id="sl-${at}" inputmode="decimal" size="9" aria-label="stop-loss of ${market.name} in #${sub.id}"></label>
      <label>TP $<input id="tp-${at}" inputmode="decimal" size="9" aria-label="take-profit of ${market.name} in #${sub.id}"></label>
      <button data-action="set-triggers" data-sub="${sub.id}" data-market="${p.marketIndex}">set SL/TP of ${market.name} in #${sub.id}</button>${confirm}</td></tr>`;
  });
  const warnings = pulledIn(sub, summary, markets, now, marketOf).map((w) => `<p class="warning" data-testid="pulled-in-${sub.id}">⚠ ${w}</p>`);
  const table = rows.length
    ? `<table><tr><th>market</th><th>side</th><th>size</th><th>entry</th><th>mark</th><th>PnL</th><th>eff. leverage</th><th>liquidation</th><th>distance</th><th>stop-loss</th><th>take-profit</th></tr>${rows.join('')}</table>`
    : '';
  return { html: table + warnings.join(''), summary };
}
