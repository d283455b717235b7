//! Second step of the admin transfer: the proposed admin signs to take over.

use crate::error::RingfenceError;
use crate::events::AdminAccepted;
use crate::state::{Exchange, EXCHANGE_SEED};
use anchor_lang::prelude::*;

/// Accounts of `accept_admin`.
#[derive(Accounts)]
pub struct AcceptAdmin<'info> {
    /// The proposed admin.
    pub new_admin: Signer<'info>,
    /// The exchange.
    #[account(
        mut,
        seeds = [EXCHANGE_SEED],
        bump = exchange.bump,
        constraint = exchange.pending_admin == Some(new_admin.key()) @ RingfenceError::NotPendingAdmin
    )]
    pub exchange: Account<'info, Exchange>,
}

impl AcceptAdmin<'_> {
    /// Makes the signer the admin and clears the proposal.
    pub fn handler(ctx: Context<AcceptAdmin>) -> Result<()> {
        let exchange = &mut ctx.accounts.exchange;
        let previous = exchange.admin;
        exchange.admin = ctx.accounts.new_admin.key();
        exchange.pending_admin = None;
        crate::events::emit(AdminAccepted {
            previous,
            admin: exchange.admin,
        });
        Ok(())
    }
}
