//! The pool's O(1) valuation checked against the positions themselves: the invariant suites
//! call it after every step.

use crate::harness::Harness;
use fixed::types::I80F48;
use ringfence::pool_equity::{pool_equity, LpFlow};
use solana_sdk::pubkey::Pubkey;

/// Base atoms per quote native unit of value at a price of 1 (1e9 atoms, 1e6 native).
const ATOMS_PER_NATIVE: i64 = 1_000;

impl Harness {
    /// Every market's open interest and entry quotes per side equal the sums over `subs`'
    /// positions (the only sub-accounts in play); its pool terms are those positions valued at
    /// the market's last mark, with no trader loss counted for withdrawals (each side's profit
    /// only, computed here without the program's code); and the pool's sums are the markets'
    /// terms.
    pub async fn assert_pool_valuation(&mut self, subs: &[Pubkey]) {
        let count = self.exchange().await.market_count;
        let mut sides = vec![[(0i64, 0i64); 2]; usize::from(count)];
        for sub in subs {
            if let Some((_, positions)) = self.try_sub_account(sub).await {
                for p in positions.iter().filter(|p| p.is_open()) {
                    let side = &mut sides[usize::from(p.market_index)][usize::from(p.base < 0)];
                    side.0 += p.base;
                    side.1 += p.quote_entry;
                }
            }
        }
        let pool = self.pool().await;
        let (mut pnl, mut profit, mut exposure, mut active) = (0i64, 0u64, 0u64, 0u16);
        for index in 0..count {
            let market = self.market(index).await;
            let [(long, long_quote), (short, short_quote)] = sides[usize::from(index)];
            assert_eq!(
                (market.open_interest_long, market.open_interest_short),
                (long as u64, short.unsigned_abs()),
                "market {index}: open interest is the positions' sum"
            );
            assert_eq!(
                (market.quote_entry_long, market.quote_entry_short),
                (long_quote, short_quote),
                "market {index}: entry quotes per side are the positions' sums"
            );
            let mark = market.valued_mark.get();
            let value = |base: i64, quote: i64| {
                I80F48::from_num(base) * mark / I80F48::from_num(ATOMS_PER_NATIVE)
                    + I80F48::from_num(quote)
            };
            let (long_pnl, short_pnl) = (value(long, long_quote), value(short, short_quote));
            let unpaid = I80F48::from_num(market.funding_ledger.min(0).unsigned_abs());
            let withdrawer_charge =
                long_pnl.max(I80F48::ZERO) + short_pnl.max(I80F48::ZERO) + unpaid;
            let net =
                I80F48::from_num(long + short).abs() * mark / I80F48::from_num(ATOMS_PER_NATIVE);
            let near = |stored: I80F48, expected: I80F48| (stored - expected).abs() <= 2;
            assert!(
                near(I80F48::from_num(market.valued_pnl), long_pnl + short_pnl)
                    && I80F48::from_num(market.valued_pnl) <= long_pnl + short_pnl,
                "market {index}: depositor term {} vs {}",
                market.valued_pnl,
                long_pnl + short_pnl
            );
            assert!(
                near(I80F48::from_num(market.valued_profit), withdrawer_charge)
                    && I80F48::from_num(market.valued_profit) >= withdrawer_charge,
                "market {index}: withdrawal term {} counts a loss (profits are {withdrawer_charge})",
                market.valued_profit
            );
            assert!(near(I80F48::from_num(market.valued_exposure), net));
            assert_eq!(market.valued_active == 1, long != 0 || short != 0);
            pnl += market.valued_pnl;
            profit += market.valued_profit;
            exposure += market.valued_exposure;
            active += u16::from(market.valued_active);
        }
        assert_eq!(
            (
                pool.traders_pnl,
                pool.traders_profit,
                pool.total_exposure,
                pool.active_markets
            ),
            (pnl, profit, exposure, active),
            "the pool's sums are the markets' terms"
        );
    }

    /// The pool's equity for `flow` (the program's own valuation of the stored sums), quote
    /// native.
    pub async fn pool_equity(&mut self, flow: LpFlow) -> i128 {
        pool_equity(&self.pool().await, flow)
    }
}
