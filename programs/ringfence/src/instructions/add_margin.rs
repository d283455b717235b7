//! Adds margin to an isolated sub-account from another of the owner's sub-accounts.

use super::move_margin::{move_margin, IsolatedSide, MoveMargin};
use anchor_lang::prelude::*;

/// Moves `amount` into the isolated `destination`.
pub fn add_margin<'info>(ctx: Context<'info, MoveMargin<'info>>, amount: u64) -> Result<()> {
    move_margin(ctx, amount, IsolatedSide::Destination)
}
