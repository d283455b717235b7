//! One event per state change, carrying every amount that moved.

use crate::state::{MarketParams, MarketStatus, OracleKind, SubAccountMode};
use anchor_lang::prelude::*;

/// Logs `event` as Anchor's `emit!` does: one `Program data:` line holding the event's
/// discriminator and Borsh bytes. Anchor 1.2's host build of `sol_log_data` drops the data,
/// so a host build (the local validator, the test suites) logs it through the host syscall
/// stubs instead, which write the same line into the transaction's logs.
pub fn emit<E: anchor_lang::Event>(event: E) {
    #[cfg(not(target_os = "solana"))]
    if SILENCED.with(std::cell::Cell::get) {
        return;
    }
    let data = event.data();
    #[cfg(target_os = "solana")]
    anchor_lang::solana_program::log::sol_log_data(&[&data]);
    #[cfg(not(target_os = "solana"))]
    solana_sysvar::program_stubs::sol_log_data(&[&data]);
}

#[cfg(not(target_os = "solana"))]
thread_local! {
    static SILENCED: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
}

/// Runs `f` with no events logged on this thread (off chain only: the SDK's simulations run
/// the program's own code on copies of its accounts, outside any transaction).
#[cfg(not(target_os = "solana"))]
pub fn silenced<T>(f: impl FnOnce() -> T) -> T {
    /// Restores the previous state however `f` ends (a panic included).
    struct Restore(bool);
    impl Drop for Restore {
        fn drop(&mut self) {
            SILENCED.with(|s| s.set(self.0));
        }
    }
    let _restore = Restore(SILENCED.with(|s| s.replace(true)));
    f()
}

/// The exchange, its vault and pool were created.
#[event]
#[derive(Debug, Clone, PartialEq)]
pub struct ExchangeInitialized {
    /// First admin.
    pub admin: Pubkey,
    /// Collateral mint.
    pub collateral_mint: Pubkey,
    /// Vault token account.
    pub vault: Pubkey,
    /// Treasury token account.
    pub treasury: Pubkey,
    /// Parameter-change timelock, seconds.
    pub timelock_s: u32,
    /// Whether stub oracles are allowed.
    pub allow_stub_oracles: bool,
}

/// A market was created.
#[event]
#[derive(Debug, Clone, PartialEq)]
pub struct MarketCreated {
    /// Market index.
    pub index: u16,
    /// Market account.
    pub market: Pubkey,
    /// Oracle account.
    pub oracle: Pubkey,
    /// Oracle kind.
    pub oracle_kind: OracleKind,
    /// Parameters.
    pub params: MarketParams,
}

/// A market parameter change was proposed; it applies from `apply_after`.
#[event]
#[derive(Debug, Clone, PartialEq)]
pub struct MarketUpdateProposed {
    /// Market index.
    pub index: u16,
    /// Parameters it will set.
    pub params: MarketParams,
    /// Unix time from which it may be applied.
    pub apply_after: i64,
}

/// A pending market parameter change was cancelled.
#[event]
#[derive(Debug, Clone, PartialEq)]
pub struct MarketUpdateCancelled {
    /// Market index.
    pub index: u16,
}

/// Protocol fees (and swept funding remainders) went to the treasury.
#[event]
#[derive(Debug, Clone, PartialEq)]
pub struct ProtocolFeesWithdrawn {
    /// The treasury token account.
    pub treasury: Pubkey,
    /// Amount paid, quote native.
    pub amount: u64,
    /// Protocol fees left, quote native.
    pub remaining: u64,
}

/// A market's funding rounding remainder moved to the protocol's fee ledger.
#[event]
#[derive(Debug, Clone, PartialEq)]
pub struct FundingRemainderSwept {
    /// Market index.
    pub index: u16,
    /// Amount moved, quote native.
    pub amount: i64,
}

/// A market's parameters were replaced.
#[event]
#[derive(Debug, Clone, PartialEq)]
pub struct MarketUpdated {
    /// Market index.
    pub index: u16,
    /// Parameters before.
    pub previous: MarketParams,
    /// Parameters after.
    pub params: MarketParams,
}

/// A market's status changed.
#[event]
#[derive(Debug, Clone, PartialEq)]
pub struct MarketStatusSet {
    /// Market index.
    pub index: u16,
    /// New status.
    pub status: MarketStatus,
}

/// The admin proposed a successor.
#[event]
#[derive(Debug, Clone, PartialEq)]
pub struct AdminProposed {
    /// Current admin.
    pub admin: Pubkey,
    /// Proposed admin.
    pub proposed: Pubkey,
}

/// The proposed admin took over.
#[event]
#[derive(Debug, Clone, PartialEq)]
pub struct AdminAccepted {
    /// Admin before.
    pub previous: Pubkey,
    /// Admin now.
    pub admin: Pubkey,
}

/// The admin set a stub oracle's price.
#[event]
#[derive(Debug, Clone, PartialEq)]
pub struct StubPriceSet {
    /// Market index.
    pub market_index: u16,
    /// Price mantissa.
    pub price: i64,
    /// Confidence mantissa.
    pub conf: u64,
    /// Exponent.
    pub exponent: i32,
    /// Publish time stamped, unix seconds.
    pub publish_time: i64,
}

/// A wallet created its user account.
#[event]
#[derive(Debug, Clone, PartialEq)]
pub struct UserCreated {
    /// The wallet.
    pub owner: Pubkey,
}

/// A sub-account was created.
#[event]
#[derive(Debug, Clone, PartialEq)]
pub struct SubAccountCreated {
    /// The wallet.
    pub owner: Pubkey,
    /// Sub-account id.
    pub id: u16,
    /// Sub-account address.
    pub sub_account: Pubkey,
    /// Margin mode.
    pub mode: SubAccountMode,
}

/// Collateral moved from a wallet into a sub-account.
#[event]
#[derive(Debug, Clone, PartialEq)]
pub struct Deposited {
    /// Sub-account.
    pub sub_account: Pubkey,
    /// Amount, quote native units.
    pub amount: u64,
    /// Collateral after, quote native units.
    pub collateral: i64,
}

/// Collateral moved from a sub-account to a token account.
#[event]
#[derive(Debug, Clone, PartialEq)]
pub struct Withdrawn {
    /// Sub-account.
    pub sub_account: Pubkey,
    /// Destination token account.
    pub destination: Pubkey,
    /// Amount, quote native units.
    pub amount: u64,
    /// Collateral after, quote native units.
    pub collateral: i64,
}

/// An empty sub-account was closed and its rent returned.
#[event]
#[derive(Debug, Clone, PartialEq)]
pub struct SubAccountClosed {
    /// The wallet.
    pub owner: Pubkey,
    /// Sub-account id.
    pub id: u16,
    /// Lamports of rent returned.
    pub rent_returned: u64,
}

/// A position was opened or increased.
#[event]
#[derive(Debug, Clone, PartialEq)]
pub struct PositionOpened {
    /// Sub-account.
    pub sub_account: Pubkey,
    /// Market index.
    pub market_index: u16,
    /// Size change, base atoms.
    pub base_delta: i64,
    /// Fill price as I80F48 bits.
    pub fill_price_bits: i128,
    /// Oracle mark the fill was priced from, as I80F48 bits (premium = fill / mark − 1).
    pub mark_bits: i128,
    /// Entry quote change, quote native.
    pub quote_delta: i64,
    /// Taker fee, quote native.
    pub fee: u64,
    /// Of the fee, the protocol's share (the rest is the pool's), quote native.
    pub protocol_fee: u64,
    /// Size after, base atoms.
    pub base: i64,
    /// Collateral after, quote native.
    pub collateral: i64,
}

/// A position was reduced or closed.
#[event]
#[derive(Debug, Clone, PartialEq)]
pub struct PositionClosed {
    /// Sub-account.
    pub sub_account: Pubkey,
    /// Market index.
    pub market_index: u16,
    /// Size change, base atoms.
    pub base_delta: i64,
    /// Fill price as I80F48 bits.
    pub fill_price_bits: i128,
    /// Oracle mark the fill was priced from, as I80F48 bits (premium = fill / mark − 1).
    pub mark_bits: i128,
    /// PnL realized into collateral (before the fee), quote native.
    pub realized_pnl: i64,
    /// Taker fee, quote native.
    pub fee: u64,
    /// Of the fee, the protocol's share (the rest is the pool's), quote native.
    pub protocol_fee: u64,
    /// Size after, base atoms.
    pub base: i64,
    /// Collateral after, quote native.
    pub collateral: i64,
}

/// A liquidity provider deposited into the pool.
#[event]
#[derive(Debug, Clone, PartialEq)]
pub struct PoolDeposited {
    /// The LP.
    pub owner: Pubkey,
    /// Amount, quote native.
    pub amount: u64,
    /// Shares issued.
    pub shares: u64,
    /// Pool balance after, quote native.
    pub pool_balance: u64,
    /// Shares outstanding after.
    pub total_shares: u64,
}

/// A liquidity provider redeemed shares.
#[event]
#[derive(Debug, Clone, PartialEq)]
pub struct PoolWithdrawn {
    /// The LP.
    pub owner: Pubkey,
    /// Amount paid out, quote native.
    pub amount: u64,
    /// Shares redeemed.
    pub shares: u64,
    /// Pool balance after, quote native.
    pub pool_balance: u64,
    /// Shares outstanding after.
    pub total_shares: u64,
}

/// Collateral moved between two of one owner's sub-accounts.
#[event]
#[derive(Debug, Clone, PartialEq)]
pub struct MarginMoved {
    /// Source sub-account.
    pub source: Pubkey,
    /// Destination sub-account.
    pub destination: Pubkey,
    /// Amount, quote native.
    pub amount: u64,
    /// Source collateral after.
    pub source_collateral: i64,
    /// Destination collateral after.
    pub destination_collateral: i64,
}

/// Funding accrued into a market's index.
#[event]
#[derive(Debug, Clone, PartialEq)]
pub struct FundingAccrued {
    /// Market index.
    pub market_index: u16,
    /// Hourly rate as I80F48 bits.
    pub rate_bits: i128,
    /// Cumulative index after, as I80F48 bits.
    pub index_bits: i128,
    /// Seconds accrued (capped).
    pub seconds: i64,
    /// Received (+) or paid (−) by the pool, quote native.
    pub pool_funding: i64,
}

/// A position's funding was settled into its sub-account's collateral.
#[event]
#[derive(Debug, Clone, PartialEq)]
pub struct FundingSettled {
    /// Sub-account.
    pub sub_account: Pubkey,
    /// Market index.
    pub market_index: u16,
    /// Paid (+) or received (−), quote native.
    pub paid: i64,
    /// Collateral after, quote native.
    pub collateral: i64,
}

/// A sub-account with no position and negative collateral was made whole.
#[event]
#[derive(Debug, Clone, PartialEq)]
pub struct BankruptcyResolved {
    /// Sub-account.
    pub sub_account: Pubkey,
    /// Deficit covered, quote native.
    pub deficit: u64,
    /// Paid by the insurance fund.
    pub insurance_paid: u64,
    /// Absorbed by the pool (socialised across LPs).
    pub pool_absorbed: u64,
}

/// Part of a position was liquidated.
#[event]
#[derive(Debug, Clone, PartialEq)]
pub struct Liquidated {
    /// Sub-account.
    pub sub_account: Pubkey,
    /// Market index.
    pub market_index: u16,
    /// Who liquidated.
    pub liquidator: Pubkey,
    /// Size closed, base atoms (signed like the position).
    pub closed: i64,
    /// Mark price as I80F48 bits.
    pub mark_bits: i128,
    /// Fill price (mark × (1 + premium)) as I80F48 bits.
    pub fill_price_bits: i128,
    /// PnL realized, quote native.
    pub realized_pnl: i64,
    /// Penalty charged (only out of equity above zero), quote native.
    pub penalty: u64,
    /// Of which paid to the liquidator.
    pub liquidator_reward: u64,
    /// Of which to the insurance fund.
    pub insurance_fee: u64,
    /// Bounty the insurance fund paid the liquidator for resolving a bankruptcy, quote native.
    pub bankruptcy_bounty: u64,
    /// Collateral after, quote native.
    pub collateral: i64,
    /// Whether the sub-account is still being liquidated.
    pub being_liquidated: bool,
}

/// The insurance fund received or paid out collateral.
#[event]
#[derive(Debug, Clone, PartialEq)]
pub struct InsuranceMoved {
    /// Who funded or received.
    pub account: Pubkey,
    /// Positive for funding, negative for a withdrawal, quote native.
    pub amount: i64,
    /// Insurance fund after.
    pub insurance_fund: u64,
}

/// A position's stop-loss and take-profit were set.
#[event]
#[derive(Debug, Clone, PartialEq)]
pub struct TriggersSet {
    /// Sub-account.
    pub sub_account: Pubkey,
    /// Market index.
    pub market_index: u16,
    /// Stop-loss price (quote native per base unit), 0 = none.
    pub stop_loss: u64,
    /// Take-profit price, 0 = none.
    pub take_profit: u64,
}

/// A stop-loss or take-profit closed a position.
#[event]
#[derive(Debug, Clone, PartialEq)]
pub struct TriggerExecuted {
    /// Sub-account.
    pub sub_account: Pubkey,
    /// Market index.
    pub market_index: u16,
    /// Who executed it.
    pub keeper: Pubkey,
    /// Size closed, base atoms.
    pub closed: i64,
    /// Fill price (mark × (1 + premium)) as I80F48 bits.
    pub fill_price_bits: i128,
    /// Oracle mark as I80F48 bits.
    pub mark_bits: i128,
    /// PnL realized, quote native.
    pub realized_pnl: i64,
    /// Taker fee booked, quote native.
    pub taker_fee: u64,
    /// Of the taker fee, the protocol's share, quote native.
    pub protocol_fee: u64,
    /// Fee paid to the keeper, quote native.
    pub keeper_fee: u64,
}

/// A winner's profit the pool could not pay at once became a claim (paid first from the pool's
/// later inflows).
#[event]
#[derive(Debug, Clone, PartialEq)]
pub struct ClaimIssued {
    /// Owner of the sub-account.
    pub owner: Pubkey,
    /// Sub-account id under the owner.
    pub sub_account_id: u16,
    /// Amount added to the claim, quote native.
    pub amount: u64,
    /// The sub-account's whole claim after, quote native.
    pub claim: u64,
    /// Its place in the queue (`Pool::claims_funded` must reach it).
    pub ticket: u64,
}

/// A funded claim was paid into its sub-account's collateral.
#[event]
#[derive(Debug, Clone, PartialEq)]
pub struct ClaimRedeemed {
    /// Sub-account.
    pub sub_account: Pubkey,
    /// Amount paid, quote native.
    pub amount: u64,
}

/// Markets' pool terms were refreshed.
#[event]
#[derive(Debug, Clone, PartialEq)]
pub struct PoolValuationRefreshed {
    /// Markets refreshed.
    pub markets: u16,
    /// Markets with open interest after the refresh.
    pub active_markets: u16,
    /// The pool's traders' PnL term after (deposit valuation), quote native.
    pub traders_pnl: i64,
    /// The pool's traders' profit term after (withdrawal valuation), quote native.
    pub traders_profit: u64,
    /// Summed net exposure after, quote native.
    pub total_exposure: u64,
}

/// A sub-account's delegate was named or cleared.
#[event]
#[derive(Debug, Clone, PartialEq)]
pub struct DelegateSet {
    /// Sub-account.
    pub sub_account: Pubkey,
    /// The key that may now trade it, or none.
    pub delegate: Option<Pubkey>,
}

/// A limit order was placed in a sub-account's order slot.
#[event]
#[derive(Debug, Clone, PartialEq)]
pub struct OrderPlaced {
    /// Sub-account.
    pub sub_account: Pubkey,
    /// Order slot.
    pub slot: u8,
    /// Market index.
    pub market_index: u16,
    /// Signed size, base atoms (positive buys).
    pub base_delta: i64,
    /// Leverage of the position it opens.
    pub leverage: u16,
    /// Worst acceptable fill, quote native per whole base unit.
    pub limit_price: u64,
    /// Unix time from which it can no longer execute.
    pub expiry: i64,
    /// Whether it only ever reduces a position.
    pub reduce_only: bool,
}

/// A resting order was removed without filling: cancelled by its owner or delegate, or pruned
/// by anyone once expired or unable to reduce anything.
#[event]
#[derive(Debug, Clone, PartialEq)]
pub struct OrderRemoved {
    /// Sub-account.
    pub sub_account: Pubkey,
    /// Order slot.
    pub slot: u8,
    /// Market index.
    pub market_index: u16,
    /// Who removed it.
    pub by: Pubkey,
    /// Pruned (by anyone, for the keeper fee) rather than cancelled.
    pub pruned: bool,
    /// Fee paid to the pruner, quote native.
    pub keeper_fee: u64,
}

/// A resting order filled: the one fill function, the taker fee, and a keeper fee.
#[event]
#[derive(Debug, Clone, PartialEq)]
pub struct OrderExecuted {
    /// Sub-account.
    pub sub_account: Pubkey,
    /// Order slot.
    pub slot: u8,
    /// Market index.
    pub market_index: u16,
    /// Who executed it.
    pub keeper: Pubkey,
    /// Size change, base atoms (positive buys).
    pub base_delta: i64,
    /// Fill price as I80F48 bits.
    pub fill_price_bits: i128,
    /// Oracle mark as I80F48 bits.
    pub mark_bits: i128,
    /// Taker fee, quote native.
    pub fee: u64,
    /// Of the fee, the protocol's share, quote native.
    pub protocol_fee: u64,
    /// Fee paid to the keeper, quote native.
    pub keeper_fee: u64,
    /// PnL realized (a reduce-only order), quote native.
    pub realized_pnl: i64,
    /// Size after, base atoms.
    pub base: i64,
    /// Collateral after, quote native.
    pub collateral: i64,
}
