//! Removes margin from an isolated sub-account into another of the owner's sub-accounts, only
//! while what stays covers its initial margin.

use super::move_margin::{move_margin, IsolatedSide, MoveMargin};
use anchor_lang::prelude::*;

/// Moves `amount` out of the isolated `source`.
pub fn remove_margin<'info>(ctx: Context<'info, MoveMargin<'info>>, amount: u64) -> Result<()> {
    move_margin(ctx, amount, IsolatedSide::Source)
}
