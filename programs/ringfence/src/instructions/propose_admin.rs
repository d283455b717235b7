//! First step of the admin transfer: the admin names a successor.

use crate::error::RingfenceError;
use crate::events::AdminProposed;
use crate::state::{Exchange, EXCHANGE_SEED};
use anchor_lang::prelude::*;

/// Accounts of `propose_admin`.
#[derive(Accounts)]
pub struct ProposeAdmin<'info> {
    /// The admin.
    pub admin: Signer<'info>,
    /// The exchange.
    #[account(mut, seeds = [EXCHANGE_SEED], bump = exchange.bump, has_one = admin @ RingfenceError::NotAdmin)]
    pub exchange: Account<'info, Exchange>,
}

impl ProposeAdmin<'_> {
    /// Records `proposed` as the pending admin (replacing any earlier proposal).
    pub fn handler(ctx: Context<ProposeAdmin>, proposed: Pubkey) -> Result<()> {
        let exchange = &mut ctx.accounts.exchange;
        exchange.pending_admin = Some(proposed);
        crate::events::emit(AdminProposed {
            admin: exchange.admin,
            proposed,
        });
        Ok(())
    }
}
