// The markets table: mark, funding rate, maximum leverage, oracle kind and any parameter change
// waiting out the timelock.

import { type MarketView, leToBigInt } from './chain';
import { price } from './format';
import { toNumber } from './preview';

/** The markets table's HTML. */
export function marketsHtml(markets: MarketView[]): string {
  const rows = markets
    .map((m) => {
      const rate = toNumber(leToBigInt(m.account.fundingRate.leBytes));
      const oracle = m.stub ? '<span class="badge" title="admin-set price: local networks and demos only">stub</span>' : 'Pyth';
      const pending = m.pending
        ? `changes ${m.pending.changed.join(', ') || 'nothing'} from ${new Date(Number(m.pending.applyAfter) * 1000).toISOString().replace('.000Z', 'Z')}`
        : '—';
      return `<tr data-testid="market-${m.name}"><td>${m.name}</td><td class="num" data-testid="mark-${m.name}">${price(m.mark)}</td>
        <td class="num">${(rate * 100).toFixed(6)}%</td><td class="num">${m.account.params.maxLeverage}x</td>
        <td data-testid="oracle-${m.name}">${oracle}</td><td data-testid="pending-${m.name}">${pending}</td></tr>`;
    })
    .join('');
  return `<table><tr><th>market</th><th>mark</th><th>funding / hour</th><th>max leverage</th><th>oracle</th><th>pending change (timelocked)</th></tr>${rows}</table>`;
}

/** Moves market `index`'s demo price by `pct` percent through the local exchange's control
 * method (`ringfence_demoShift`); returns `pct`. */
export async function demoShift(control: string | null | undefined, index: number, pct: number): Promise<number> {
  if (!control) throw new Error('The demo price controls are not running.');
  const body = JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'ringfence_demoShift', params: [index, pct] });
  await fetch(control, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
  return pct;
}
