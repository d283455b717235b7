//! The pool: the liquidity that takes the other side of every trade, its O(1) valuation
//! aggregates, and the claims it owes winners it could not pay at once.

use crate::error::RingfenceError;
use anchor_lang::prelude::*;

/// Seed of the `Pool` PDA.
pub const POOL_SEED: &[u8] = b"pool";
/// Longest LP cooldown an exchange may be created with, seconds (7 days).
pub const MAX_LP_COOLDOWN_S: u32 = 7 * 86_400;
/// Shortest LP cooldown of an exchange without stub oracles, seconds (1 hour).
pub const MIN_REAL_LP_COOLDOWN_S: u32 = 3_600;
/// Longest accepted age of the pool's valuation for LP flows, seconds.
pub const MAX_VALUATION_AGE_S: u32 = 600;
/// Shortest accepted age bound (two windows of one second).
pub const MIN_VALUATION_AGE_S: u32 = 2;

/// Liquidity providers' pool, PDA `["pool"]`: the counterparty of every trade.
///
/// Its valuation is kept in O(1): every market that has open interest holds its terms (the
/// traders' PnL at the market's last used mark, see `pool_equity`), and the pool holds their
/// sums. Time is cut into windows of half `max_valuation_age_s`; LP flows accept the valuation
/// when every market with open interest was valued in the current or the previous window.
#[account]
#[derive(InitSpace, Debug)]
pub struct Pool {
    /// Tokens the pool owns, quote native units (held in the vault).
    pub balance: u64,
    /// LP shares outstanding.
    pub total_shares: u64,
    /// Bump of this PDA.
    pub bump: u8,
    /// Tokens set aside for claims, quote native (held in the vault; part of conservation).
    pub claim_pot: u64,
    /// Cumulative claims issued to winners the pool could not pay at once, quote native: a
    /// claim's ticket is this total just after it was issued.
    pub claims_issued: u64,
    /// Cumulative tokens moved into the claim pot; a claim is redeemable once this reaches its
    /// ticket (and the pot holds it). Never above `claims_issued`.
    pub claims_funded: u64,
    /// Realized trader losses beyond their collateral, owed by those sub-accounts
    /// (Σ `SubAccount::pool_debt`), quote native: part of conservation, never of the balance, so
    /// it pays no winner, funds no claim and counts for no LP until collected.
    pub receivable: u64,
    /// Σ over markets of the traders' net unrealized PnL (losses counted), rounded down:
    /// what a depositor pays for.
    pub traders_pnl: i64,
    /// Σ over markets of the traders' unrealized profit per side plus the funding credited to
    /// the pool and not yet paid by positions, rounded up: what a withdrawer is charged for.
    pub traders_profit: u64,
    /// Σ over markets of |net size| × mark, rounded up.
    pub total_exposure: u64,
    /// Valuation window (unix time / half of `max_valuation_age_s`) of the last revaluation.
    pub valuation_window: i64,
    /// Markets with open interest last valued in that window.
    pub window_markets: u16,
    /// Markets with open interest last valued in the window before it.
    pub previous_window_markets: u16,
    /// Markets with open interest (their terms are nonzero and go stale).
    pub active_markets: u16,
    /// The largest equity plus insurance any market's open interest needed under its pool cap
    /// (side notional / `max_side_oi_pool_bps`) among valuations in the current window.
    pub window_oi_required: u64,
    /// The same over the previous window.
    pub previous_window_oi_required: u64,
    /// Seconds an LP must wait after depositing before redeeming, fixed at creation.
    pub lp_cooldown_s: u32,
    /// Oldest valuation LP flows accept, seconds (two windows), fixed at creation.
    pub max_valuation_age_s: u32,
}

impl Pool {
    /// Account size including the discriminator.
    pub const SPACE: usize = 8 + Self::INIT_SPACE;

    /// An empty pool with its fixed LP settings (nothing open, so always freshly valued).
    pub fn new(bump: u8, lp_cooldown_s: u32, max_valuation_age_s: u32) -> Self {
        Self {
            balance: 0,
            total_shares: 0,
            bump,
            claim_pot: 0,
            claims_issued: 0,
            claims_funded: 0,
            receivable: 0,
            traders_pnl: 0,
            traders_profit: 0,
            total_exposure: 0,
            valuation_window: 0,
            window_markets: 0,
            previous_window_markets: 0,
            active_markets: 0,
            window_oi_required: 0,
            previous_window_oi_required: 0,
            lp_cooldown_s,
            max_valuation_age_s,
        }
    }

    /// Length of a valuation window, seconds (half the accepted age).
    pub fn window_s(&self) -> i64 {
        i64::from(self.max_valuation_age_s / 2).max(1)
    }

    /// Claims issued and not yet funded: a liability of the pool, quote native.
    pub fn unfunded_claims(&self) -> u64 {
        self.claims_issued - self.claims_funded
    }

    /// Takes `amount` into the pool: unfunded claims are funded first, the rest is balance.
    pub fn credit(&mut self, amount: u64) -> Result<()> {
        let to_claims = amount.min(self.unfunded_claims());
        self.claims_funded += to_claims;
        self.claim_pot = checked_add(self.claim_pot, to_claims)?;
        self.balance = checked_add(self.balance, amount - to_claims)?;
        Ok(())
    }

    /// Pays up to `amount` out of the balance; returns what was paid (the rest is owed).
    pub fn pay_up_to(&mut self, amount: u64) -> u64 {
        let paid = amount.min(self.balance);
        self.balance -= paid;
        paid
    }

    /// Issues a claim of `amount` and returns its ticket.
    pub fn issue_claim(&mut self, amount: u64) -> Result<u64> {
        self.claims_issued = checked_add(self.claims_issued, amount)?;
        Ok(self.claims_issued)
    }

    /// Pays out a redeemable claim of `amount` from the pot.
    pub fn redeem_claim(&mut self, amount: u64) -> Result<()> {
        self.claim_pot = self
            .claim_pot
            .checked_sub(amount)
            .ok_or(RingfenceError::MathOverflow)?;
        Ok(())
    }
}

fn checked_add(a: u64, b: u64) -> Result<u64> {
    a.checked_add(b)
        .ok_or_else(|| RingfenceError::MathOverflow.into())
}

/// Seed of an `LpAccount` PDA: `["lp", owner]`.
pub const LP_SEED: &[u8] = b"lp";

/// A liquidity provider's shares of the pool, PDA `["lp", owner]`.
#[account]
#[derive(InitSpace, Debug)]
pub struct LpAccount {
    /// The wallet.
    pub owner: Pubkey,
    /// Pool shares held.
    pub shares: u64,
    /// Bump of this PDA.
    pub bump: u8,
    /// Unix time of the last deposit: no share is redeemed before it + the pool's cooldown.
    pub last_deposit_ts: i64,
}

impl LpAccount {
    /// Account size including the discriminator.
    pub const SPACE: usize = 8 + Self::INIT_SPACE;
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pool(balance: u64) -> Pool {
        Pool {
            balance,
            ..Pool::new(0, 0, 60)
        }
    }

    #[test]
    fn claims_are_funded_in_the_order_they_were_issued() {
        let mut pool = pool(0);
        // A is owed 100 (ticket 100), then B 50 (ticket 150).
        assert_eq!(pool.issue_claim(100).unwrap(), 100);
        assert_eq!(pool.issue_claim(50).unwrap(), 150);
        // 120 of inflow: all of it funds claims, A's ticket is reached, B's is not.
        pool.credit(120).unwrap();
        assert_eq!(
            (pool.balance, pool.claim_pot, pool.claims_funded),
            (0, 120, 120)
        );
        pool.redeem_claim(100).unwrap();
        // 40 more: 30 completes B's funding, 10 is the pool's again.
        pool.credit(40).unwrap();
        assert_eq!(
            (pool.balance, pool.claim_pot, pool.unfunded_claims()),
            (10, 50, 0)
        );
        pool.redeem_claim(50).unwrap();
        assert_eq!(pool.claim_pot, 0);
    }

    #[test]
    fn a_partly_funded_claim_leaves_the_rest_unfunded() {
        let mut pool = pool(0);
        pool.issue_claim(100).unwrap();
        pool.credit(70).unwrap();
        assert_eq!(
            (pool.claim_pot, pool.claims_funded, pool.unfunded_claims()),
            (70, 70, 30)
        );
        assert_eq!(pool.pay_up_to(5), 0);
    }

    #[test]
    fn the_pool_pays_what_it_holds_and_no_more() {
        let mut pool = pool(30);
        assert_eq!(pool.pay_up_to(50), 30);
        assert_eq!(pool.balance, 0);
    }
}
