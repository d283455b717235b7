//! Permissionless: pays a sub-account's claim (profit the pool could not pay when it was
//! realized) into its collateral once the pool's inflows have funded it.

use crate::error::RingfenceError;
use crate::events::ClaimRedeemed;
use crate::state::{load_sub_account_mut, Exchange, Pool, SubAccount, EXCHANGE_SEED, POOL_SEED};
use crate::trade::{redeem_claim, resolve_bankruptcy};
use anchor_lang::prelude::*;

/// Accounts of `redeem_claim`.
#[derive(Accounts)]
pub struct RedeemClaim<'info> {
    /// The exchange (insurance, for a bankruptcy the redemption lets resolve).
    #[account(mut, seeds = [EXCHANGE_SEED], bump = exchange.bump)]
    pub exchange: Account<'info, Exchange>,
    /// The pool (its claim pot).
    #[account(mut, seeds = [POOL_SEED], bump = pool.bump)]
    pub pool: Account<'info, Pool>,
    /// The sub-account holding the claim; anyone may redeem it for its owner.
    #[account(mut)]
    pub sub_account: AccountLoader<'info, SubAccount>,
}

impl RedeemClaim<'_> {
    /// Moves the funded claim from the pot into the sub-account's collateral (repaying any debt
    /// the sub-account owes the pool), then resolves a bankruptcy that waited on it.
    pub fn handler(ctx: Context<RedeemClaim>) -> Result<()> {
        let accounts = ctx.accounts;
        let info = accounts.sub_account.to_account_info();
        let (mut sub_account, positions) = load_sub_account_mut(&info)?;
        let amount = redeem_claim(&mut sub_account, &mut accounts.pool)?;
        require_gt!(amount, 0, RingfenceError::ClaimNotRedeemable);
        resolve_bankruptcy(
            &mut sub_account,
            &positions,
            &mut accounts.exchange,
            &mut accounts.pool,
            info.key(),
        )?;
        crate::events::emit(ClaimRedeemed {
            sub_account: info.key(),
            amount,
        });
        Ok(())
    }
}
