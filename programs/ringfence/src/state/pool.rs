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

/// Liquidity providers' pool, PDA `["pool"]`: the counterparty of every trade.
///
/// Its valuation is kept in O(1): every market that has open interest holds its terms (the
/// traders' PnL at the market's last used mark, see `pool_equity`), and the pool holds their
/// sums. A valuation epoch is complete once every market with open interest has been refreshed
/// in it; LP flows accept the valuation while the last complete epoch is recent enough.
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
    /// ticket. Never above `claims_issued`.
    pub claims_funded: u64,
    /// Σ over markets of the traders' net unrealized PnL (losses counted), rounded down:
    /// what a depositor pays for.
    pub traders_pnl: i64,
    /// Σ over markets of the traders' unrealized profit per side plus the funding credited to
    /// the pool and not yet paid by positions, rounded up: what a withdrawer is charged for.
    pub traders_profit: u64,
    /// Σ over markets of |net size| × mark, rounded up.
    pub total_exposure: u64,
    /// At least the largest equity any market's open interest needs under its pool cap
    /// (max side notional / fraction), quote native; exact again at each complete epoch.
    pub oi_required: u64,
    /// The same maximum over the refreshes of the epoch being built.
    pub epoch_oi_required: u64,
    /// Number of the valuation epoch being built.
    pub valuation_epoch: u64,
    /// Unix time of the first refresh counted in the epoch being built.
    pub epoch_started_ts: i64,
    /// Markets with open interest refreshed in the epoch being built.
    pub epoch_markets: u16,
    /// Markets with open interest (their terms are nonzero and go stale).
    pub active_markets: u16,
    /// Every market's term is from this time or later (start of the last complete epoch).
    pub valued_since_ts: i64,
    /// Seconds an LP must wait after depositing before redeeming, fixed at creation.
    pub lp_cooldown_s: u32,
    /// Oldest valuation (`valued_since_ts`) LP flows accept, seconds, fixed at creation.
    pub max_valuation_age_s: u32,
}

impl Pool {
    /// Account size including the discriminator.
    pub const SPACE: usize = 8 + Self::INIT_SPACE;

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

    /// Takes back up to `amount` of claim funding not yet paid out (a bankruptcy deficit the
    /// balance could not absorb); returns what was taken.
    pub fn unfund_claims(&mut self, amount: u64) -> u64 {
        let taken = amount.min(self.claim_pot);
        self.claim_pot -= taken;
        self.claims_funded -= taken;
        taken
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
