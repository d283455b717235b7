// The cross sub-account an isolated sub-account's margin moves use: the first by default, the
// chosen one when the wallet has several, named on the buttons; no choice offered with one.
import { describe, expect, it } from 'vitest';
import type { SubAccountView } from '../src/chain';
import { type AccountsView, accountsHtml, marginCross } from '../src/accounts';

const USD = 1_000_000n;

const sub = (id: number, isolatedMarket: number | null, collateral: bigint): SubAccountView => ({
  address: `SUB${id}` as never,
  id,
  isolatedMarket,
  collateral,
  beingLiquidated: false,
  slots: isolatedMarket === null ? 8 : 1,
  positions: [],
  orders: [],
  delegate: null,
});

const view = (subs: SubAccountView[], marginChoice = new Map<number, number>()): AccountsView => ({
  owner: 'OWNER',
  walletUsd: 0n,
  subs,
  markets: [{ name: 'BTC-PERP', account: { index: 0 } } as never],
  sessions: new Map(),
  now: 0n,
  pendingClose: null,
  marginChoice,
});

describe('the margin source and destination of an isolated sub-account', () => {
  // Cross #0 and #4, isolated BTC #2 (holding $300, so it is not archived).
  const subs = [sub(0, null, 20_000n * USD), sub(2, 0, 300n * USD), sub(4, null, 1_000n * USD)];

  it('is the first cross sub-account unless another was chosen', () => {
    expect(marginCross(subs, 2, new Map())?.id).toBe(0);
    expect(marginCross(subs, 2, new Map([[2, 4]]))?.id).toBe(4);
    // A choice for another sub-account, or of one that is not a cross sub-account, is not this one's.
    expect(marginCross(subs, 2, new Map([[7, 4]]))?.id).toBe(0);
    expect(marginCross(subs, 2, new Map([[2, 2]]))?.id).toBe(0);
    expect(marginCross([sub(2, 0, 0n)], 2, new Map())).toBeUndefined();
  });

  it('offers a select of the cross sub-accounts named as the ticket names them, and the buttons follow it', () => {
    const first = accountsHtml(view(subs));
    expect(first).toContain('<select id="margin-cross-2" data-margin-for="2" aria-label="cross sub-account for the margin of #2">');
    expect(first).toContain('<option value="0" selected>#0 ($20,000.00)</option><option value="4">#4 ($1,000.00)</option>');
    expect(first).toContain('add margin to #2 from #0</button>');
    expect(first).toContain('remove margin from #2 to #0</button>');

    const chosen = accountsHtml(view(subs, new Map([[2, 4]])));
    expect(chosen).toContain('<option value="0">#0 ($20,000.00)</option><option value="4" selected>#4 ($1,000.00)</option>');
    expect(chosen).toContain('add margin to #2 from #4</button>');
    expect(chosen).toContain('remove margin from #2 to #4</button>');
  });

  it('offers no select with one cross sub-account, and names it on the buttons', () => {
    const html = accountsHtml(view([sub(0, null, 20_000n * USD), sub(2, 0, 300n * USD)]));
    expect(html).not.toContain('<select');
    expect(html).toContain('add margin to #2 from #0</button>');
  });
});
