//! Collateral moves between two of one owner's sub-accounts, shared by `add_margin` (into an
//! isolated sub-account) and `remove_margin` (out of one). The source keeps at least its
//! initial margin and never moves unrealized profit. Wallet ↔ isolated moves are `deposit`
//! and `withdraw`, which apply the same checks.

use crate::authority::{permits, Right};
use crate::error::RingfenceError;
use crate::events::MarginMoved;
use crate::health::{debit_free_collateral, unflag_if_recovered};
use crate::state::{load_sub_account_mut, Pool, SubAccount, POOL_SEED};
use crate::trade::repay_pool_debt;
use anchor_lang::prelude::*;

/// Accounts of `add_margin` and `remove_margin`. Remaining accounts: `[market, oracle]` for
/// each open position of the source, then, optionally, the same for the destination (to clear
/// a liquidation flag the move has made stale).
#[derive(Accounts)]
pub struct MoveMargin<'info> {
    /// Owner of both sub-accounts.
    pub owner: Signer<'info>,
    /// Where the collateral comes from.
    #[account(mut, constraint = permits(&source, owner.key, Right::Owner)? @ RingfenceError::NotOwner)]
    pub source: AccountLoader<'info, SubAccount>,
    /// Where it goes.
    #[account(mut, constraint = permits(&destination, owner.key, Right::Owner)? @ RingfenceError::NotOwner)]
    pub destination: AccountLoader<'info, SubAccount>,
    /// The pool: a destination that owes it a realized loss repays it first.
    #[account(mut, seeds = [POOL_SEED], bump = pool.bump)]
    pub pool: Account<'info, Pool>,
}

/// Which of the two must be isolated.
pub enum IsolatedSide {
    /// `add_margin`: the destination.
    Destination,
    /// `remove_margin`: the source.
    Source,
}

/// Moves `amount` (quote native) from source to destination if the source can spare it.
pub fn move_margin<'info>(
    ctx: Context<'info, MoveMargin<'info>>,
    amount: u64,
    isolated: IsolatedSide,
) -> Result<()> {
    require_gt!(amount, 0, RingfenceError::ZeroAmount);
    let accounts = ctx.accounts;
    // Anchor's duplicate-account check does not cover zero-copy accounts.
    require_keys_neq!(
        accounts.source.key(),
        accounts.destination.key(),
        RingfenceError::SameSubAccount
    );
    let source_info = accounts.source.to_account_info();
    let destination_info = accounts.destination.to_account_info();
    let (mut source, positions) = load_sub_account_mut(&source_info)?;
    let (mut destination, destination_positions) = load_sub_account_mut(&destination_info)?;
    let isolated_account = match isolated {
        IsolatedSide::Destination => &destination,
        IsolatedSide::Source => &source,
    };
    require_eq!(isolated_account.mode, 1, RingfenceError::NotIsolated);
    let source_pairs = 2 * positions.iter().filter(|p| p.is_open()).count();
    let (source_remaining, destination_remaining) = ctx
        .remaining_accounts
        .split_at(source_pairs.min(ctx.remaining_accounts.len()));
    debit_free_collateral(&mut source, &positions, source_remaining, amount)?;
    let amount_signed = i64::try_from(amount).map_err(|_| RingfenceError::MathOverflow)?;
    destination.collateral = destination
        .collateral
        .checked_add(amount_signed)
        .ok_or(RingfenceError::MathOverflow)?;
    repay_pool_debt(&mut destination, &mut accounts.pool)?;
    unflag_if_recovered(
        &mut destination,
        &destination_positions,
        destination_remaining,
    )?;
    crate::events::emit(MarginMoved {
        source: source_info.key(),
        destination: destination_info.key(),
        amount,
        source_collateral: source.collateral,
        destination_collateral: destination.collateral,
    });
    Ok(())
}
