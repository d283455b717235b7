//! Permissionless: pays a sub-account's claim (profit the pool could not pay when it was
//! realized) into its collateral once the pool's inflows have funded it.

use crate::error::RingfenceError;
use crate::events::ClaimRedeemed;
use crate::state::{load_sub_account_mut, Pool, SubAccount, POOL_SEED};
use crate::trade::redeem_claim;
use anchor_lang::prelude::*;

/// Accounts of `redeem_claim`.
#[derive(Accounts)]
pub struct RedeemClaim<'info> {
    /// The pool (its claim pot).
    #[account(mut, seeds = [POOL_SEED], bump = pool.bump)]
    pub pool: Account<'info, Pool>,
    /// The sub-account holding the claim; anyone may redeem it for its owner.
    #[account(mut)]
    pub sub_account: AccountLoader<'info, SubAccount>,
}

impl RedeemClaim<'_> {
    /// Moves the funded claim from the pot into the sub-account's collateral.
    pub fn handler(ctx: Context<RedeemClaim>) -> Result<()> {
        let info = ctx.accounts.sub_account.to_account_info();
        let (mut sub_account, _) = load_sub_account_mut(&info)?;
        let amount = redeem_claim(&mut sub_account, &mut ctx.accounts.pool)?;
        require_gt!(amount, 0, RingfenceError::ClaimNotRedeemable);
        emit!(ClaimRedeemed {
            sub_account: info.key(),
            amount,
        });
        Ok(())
    }
}
