//! Sub-accounts: a fixed header followed by position slots (8 for cross, 1 for isolated) and
//! resting-order slots (4 for cross, 1 for isolated), so an isolated sub-account costs a
//! fraction of a cross one.

use crate::error::RingfenceError;
use crate::state::FixedBits;
use anchor_lang::prelude::*;
use core::cell::{Ref, RefMut};
use core::mem::{offset_of, size_of};

/// Seed of a `SubAccount` PDA: `["sub_account", owner, id LE]`.
pub const SUB_ACCOUNT_SEED: &[u8] = b"sub_account";
/// Position slots of a cross sub-account.
pub const CROSS_POSITION_SLOTS: usize = 8;
/// Resting-order slots of a cross sub-account.
pub const CROSS_ORDER_SLOTS: usize = 4;
/// Byte offset of `owner` in the account data (for `memcmp` filters).
pub const SUB_ACCOUNT_OWNER_OFFSET: usize = 8;
/// Byte offset of `mode` in the account data (0 = cross, 1 = isolated).
pub const SUB_ACCOUNT_MODE_OFFSET: usize = 52;
/// Byte offset of `has_positions` in the account data (1 when any position is open).
pub const SUB_ACCOUNT_HAS_POSITIONS_OFFSET: usize = 53;

/// How a sub-account holds collateral. Fixed at creation.
#[derive(AnchorSerialize, AnchorDeserialize, Clone, Copy, Debug, PartialEq, Eq)]
pub enum SubAccountMode {
    /// One collateral balance shared by up to 8 positions.
    Cross,
    /// One position in `market_index`, with collateral no other account can touch.
    Isolated {
        /// The only market this sub-account may trade.
        market_index: u16,
    },
}

impl SubAccountMode {
    /// Position slots of a sub-account in this mode.
    pub const fn slots(&self) -> usize {
        match self {
            SubAccountMode::Cross => CROSS_POSITION_SLOTS,
            SubAccountMode::Isolated { .. } => 1,
        }
    }

    /// Resting-order slots of a sub-account in this mode.
    pub const fn order_slots(&self) -> usize {
        match self {
            SubAccountMode::Cross => CROSS_ORDER_SLOTS,
            SubAccountMode::Isolated { .. } => 1,
        }
    }

    /// Account size including the discriminator.
    pub const fn space(&self) -> usize {
        8 + size_of::<SubAccount>()
            + self.slots() * size_of::<Position>()
            + self.order_slots() * size_of::<RestingOrder>()
    }
}

/// Header of a sub-account, PDA `["sub_account", owner, id LE]`; position slots, then order
/// slots, follow it. Layout version 4 (v2 replaced 8 reserved bytes by the claim, its ticket
/// and the pool debt; v3 added the delegate; v4 the order slots). Accounts of an older layout
/// are refused (`InvalidSubAccount`): a fresh deployment only, as nothing older is live.
#[account(zero_copy)]
#[derive(Debug)]
pub struct SubAccount {
    /// The wallet that owns it.
    pub owner: Pubkey,
    /// Collateral, quote native units; negative only while a bankruptcy is unresolved.
    pub collateral: i64,
    /// Id under the owner, also in the seeds.
    pub id: u16,
    /// For isolated sub-accounts, the one market; zero for cross.
    pub isolated_market: u16,
    /// 0 = cross, 1 = isolated.
    pub mode: u8,
    /// 1 when any position is open (for `memcmp` filters), else 0.
    pub has_positions: u8,
    /// 1 while a liquidation is in progress: liquidators may go on until equity reaches the
    /// target. Cleared by liquidation at the target, or when an owner's action passes an
    /// initial-margin check (IM is above the target).
    pub being_liquidated: u8,
    /// Bump of this PDA.
    pub bump: u8,
    /// Profit the pool owes this sub-account and could not pay when it was realized, quote
    /// native (see `trade::book_pnl`); paid into collateral once the pool has funded it.
    pub claim: u64,
    /// The claim's place in the pool's queue: redeemable once `Pool::claims_funded` reaches it.
    pub claim_ticket: u64,
    /// The part of a negative collateral that is a realized loss the pool has booked as a
    /// receivable (`Pool::receivable`) rather than as balance, quote native.
    pub pool_debt: u64,
    /// A key the owner lets trade this sub-account (`authority::Right::Trade`), or the zero key
    /// for none. Set only by the owner (`set_delegate`).
    pub delegate: Pubkey,
}

const_assert_size!(SubAccount, 104);
const _: () = assert!(8 + offset_of!(SubAccount, owner) == SUB_ACCOUNT_OWNER_OFFSET);
const _: () = assert!(8 + offset_of!(SubAccount, mode) == SUB_ACCOUNT_MODE_OFFSET);
const _: () =
    assert!(8 + offset_of!(SubAccount, has_positions) == SUB_ACCOUNT_HAS_POSITIONS_OFFSET);

/// One position slot. A slot is free while `base == 0`.
#[zero_copy]
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Position {
    /// Signed size, base atoms (positive = long).
    pub base: i64,
    /// Signed quote paid on entry, quote native units (entry price = −quote_entry / base).
    pub quote_entry: i64,
    /// The market's cumulative funding when this position last settled.
    pub funding_snapshot: FixedBits,
    /// Market of the position.
    pub market_index: u16,
    /// Leverage chosen at opening, kept for the position's life.
    pub leverage: u16,
    /// Explicit padding.
    pub padding: [u8; 4],
    /// Stop-loss price, quote native units per whole base unit; 0 = none.
    pub stop_loss: u64,
    /// Take-profit price, quote native units per whole base unit; 0 = none.
    pub take_profit: u64,
    /// Room for growth.
    pub reserved: [u8; 16],
}

const_assert_size!(Position, 72);

/// One resting limit order. A slot is free while `base == 0`.
#[zero_copy]
#[derive(Debug, Default, PartialEq, Eq)]
pub struct RestingOrder {
    /// Size, base atoms; 0 = free slot.
    pub base: u64,
    /// Worst acceptable fill, quote native units per whole base unit: a buy fills at or
    /// below it, a sell at or above it (the skew premium included).
    pub limit_price: u64,
    /// Unix time from which the order can no longer execute (and anyone may prune it).
    pub expiry: i64,
    /// Unix time it was placed.
    pub placed_at: i64,
    /// Market of the order.
    pub market_index: u16,
    /// Leverage of the position it opens or increases.
    pub leverage: u16,
    /// 0 = buy (long), 1 = sell (short).
    pub side: u8,
    /// 1 = only ever reduces an opposite position, never opens, grows or flips one.
    pub reduce_only: u8,
    /// Explicit padding.
    pub padding: [u8; 2],
    /// Slot it was placed in: it executes only in a later slot.
    pub placed_slot: u64,
}

const_assert_size!(RestingOrder, 48);
const _: () = assert!(SubAccountMode::Cross.space() == 880);
const _: () = assert!(SubAccountMode::Isolated { market_index: 0 }.space() == 232);

impl RestingOrder {
    /// Whether the slot holds an order.
    pub fn is_open(&self) -> bool {
        self.base != 0
    }

    /// Signed size change the order asks for (positive buys).
    pub fn base_delta(&self) -> Option<i64> {
        let size = i64::try_from(self.base).ok()?;
        Some(if self.side == 0 { size } else { -size })
    }
}

impl Position {
    /// Whether the slot holds a position.
    pub fn is_open(&self) -> bool {
        self.base != 0
    }
}

/// Index of the open position in `market_index`, if any.
pub fn position_slot(positions: &[Position], market_index: u16) -> Option<usize> {
    positions
        .iter()
        .position(|p| p.is_open() && p.market_index == market_index)
}

impl SubAccount {
    /// Keeps the `has_positions` byte (a keeper `memcmp` filter) in step with the slots.
    pub fn refresh_has_positions(&mut self, positions: &[Position]) {
        self.has_positions = u8::from(positions.iter().any(Position::is_open));
    }

    /// The sub-account's mode.
    pub fn mode(&self) -> SubAccountMode {
        if self.mode == 1 {
            SubAccountMode::Isolated {
                market_index: self.isolated_market,
            }
        } else {
            SubAccountMode::Cross
        }
    }
}

/// Where the position slots and the order slots end in a sub-account's data, from the mode
/// byte: the data must be exactly that long.
fn split(data: &[u8]) -> Result<(usize, usize, usize)> {
    let header_end = 8 + size_of::<SubAccount>();
    require!(
        data.len() >= header_end && data[..8] == *SubAccount::DISCRIMINATOR,
        RingfenceError::InvalidSubAccount
    );
    let mode = match data[SUB_ACCOUNT_MODE_OFFSET] {
        0 => SubAccountMode::Cross,
        1 => SubAccountMode::Isolated { market_index: 0 },
        _ => return err!(RingfenceError::InvalidSubAccount),
    };
    let positions_end = header_end + mode.slots() * size_of::<Position>();
    let orders_end = positions_end + mode.order_slots() * size_of::<RestingOrder>();
    require_eq!(data.len(), orders_end, RingfenceError::InvalidSubAccount);
    Ok((header_end, positions_end, orders_end))
}

/// Borrows a sub-account's header and position slots (the account was already checked
/// for owner and discriminator by its `AccountLoader`).
pub fn load_sub_account<'a>(
    info: &'a AccountInfo,
) -> Result<(Ref<'a, SubAccount>, Ref<'a, [Position]>)> {
    let data = info.try_borrow_data()?;
    let (header_end, positions_end, _) = split(&data)?;
    Ok(Ref::map_split(data, |d| {
        let (header, slots) = d[8..positions_end].split_at(header_end - 8);
        (bytemuck::from_bytes(header), bytemuck::cast_slice(slots))
    }))
}

/// Mutably borrows a sub-account's header and position slots.
pub fn load_sub_account_mut<'a>(
    info: &'a AccountInfo,
) -> Result<(RefMut<'a, SubAccount>, RefMut<'a, [Position]>)> {
    let data = info.try_borrow_mut_data()?;
    let (header_end, positions_end, _) = split(&data)?;
    Ok(RefMut::map_split(data, |d| {
        let (header, slots) = d[8..positions_end].split_at_mut(header_end - 8);
        (
            bytemuck::from_bytes_mut(header),
            bytemuck::cast_slice_mut(slots),
        )
    }))
}

/// A sub-account's header, position slots and order slots, mutably.
pub type SubAccountParts<'a> = (
    RefMut<'a, SubAccount>,
    RefMut<'a, [Position]>,
    RefMut<'a, [RestingOrder]>,
);

/// Mutably borrows a sub-account's header, position slots and order slots.
pub fn load_sub_account_with_orders_mut<'a>(info: &'a AccountInfo) -> Result<SubAccountParts<'a>> {
    let data = info.try_borrow_mut_data()?;
    let (header_end, positions_end, orders_end) = split(&data)?;
    let (header_and_positions, orders) = RefMut::map_split(data, |d| {
        let (front, orders) = d[8..orders_end].split_at_mut(positions_end - 8);
        (front, orders)
    });
    let (header, positions) = RefMut::map_split(header_and_positions, |d| {
        let (header, slots) = d.split_at_mut(header_end - 8);
        (
            bytemuck::from_bytes_mut::<SubAccount>(header),
            bytemuck::cast_slice_mut::<u8, Position>(slots),
        )
    });
    Ok((
        header,
        positions,
        RefMut::map(orders, |o| bytemuck::cast_slice_mut(o)),
    ))
}
