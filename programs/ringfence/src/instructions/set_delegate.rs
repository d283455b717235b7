//! The owner names (or clears) the one key that may trade a sub-account for it: open, close and
//! set triggers, nothing that moves collateral out (`authority::Right`).

use crate::authority::{permits, Right};
use crate::error::RingfenceError;
use crate::events::DelegateSet;
use crate::state::SubAccount;
use anchor_lang::prelude::*;

/// Accounts of `set_delegate`.
#[derive(Accounts)]
pub struct SetDelegate<'info> {
    /// The sub-account's owner (a delegate cannot change the delegate).
    pub owner: Signer<'info>,
    /// The sub-account.
    #[account(mut, constraint = permits(&sub_account, owner.key, Right::Owner)? @ RingfenceError::NotOwner)]
    pub sub_account: AccountLoader<'info, SubAccount>,
}

impl SetDelegate<'_> {
    /// Stores `delegate` (`None` clears it). The owner itself is refused: it already may.
    pub fn handler(ctx: Context<SetDelegate>, delegate: Option<Pubkey>) -> Result<()> {
        let owner = ctx.accounts.owner.key();
        let key = delegate.unwrap_or_default();
        require!(
            key != owner && (delegate.is_none() || key != Pubkey::default()),
            RingfenceError::InvalidDelegate
        );
        let mut sub_account = ctx.accounts.sub_account.load_mut()?;
        sub_account.delegate = key;
        crate::events::emit(DelegateSet {
            sub_account: ctx.accounts.sub_account.key(),
            delegate,
        });
        Ok(())
    }
}
