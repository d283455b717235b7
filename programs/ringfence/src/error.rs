//! Every way an instruction can refuse, by area. Codes are stable once shipped: append only.

use crate::math::oracle::PriceRejection;
use crate::math::MathError;
use anchor_lang::prelude::*;

/// Ringfence's errors (codes start at 6000).
#[error_code]
pub enum RingfenceError {
    // Math
    #[msg("A calculation overflowed")]
    MathOverflow,

    // Admin and market parameters
    #[msg("Only the exchange admin may do this")]
    NotAdmin,
    #[msg("Only the proposed admin may accept the admin role")]
    NotPendingAdmin,
    #[msg("The collateral mint must have 6 decimals")]
    UnsupportedMintDecimals,
    #[msg("Max leverage must be between 1 and the protocol ceiling")]
    InvalidMaxLeverage,
    #[msg("Margin tiers must be 1 to 4 brackets with increasing bounds and non-decreasing ratios")]
    InvalidMarginTiers,
    #[msg("Every maintenance ratio must be below the initial ratio at max leverage")]
    MaintenanceNotBelowInitial,
    #[msg("The liquidation fee must be below the lowest maintenance ratio and at most 1%")]
    LiquidationFeeTooHigh,
    #[msg("A fee is above the protocol ceiling")]
    FeeTooHigh,
    #[msg("A fee share must be at most 100%")]
    InvalidFeeShare,
    #[msg("The unrealized-profit weight must be at most 100%")]
    InvalidUpnlWeight,
    #[msg(
        "Funding needs a positive skew scale and a rate within the ceiling (reserved bytes zero)"
    )]
    InvalidFundingParams,
    #[msg("The skew premium is above the protocol ceiling")]
    PremiumTooHigh,
    #[msg("Oracle limits must be positive and within the protocol ceilings, and the fill age at most the oracle age")]
    InvalidOracleGuards,
    #[msg("The open-interest cap must be positive and within the protocol ceiling")]
    InvalidOpenInterestCap,
    #[msg("A market name must be non-empty UTF-8 of at most 16 bytes")]
    InvalidMarketName,
    #[msg("This market's oracle is not a stub")]
    NotStubOracle,

    // Accounts
    #[msg("This account already exists")]
    AccountAlreadyExists,
    #[msg("The vault passed is not the exchange's vault")]
    InvalidVault,
    #[msg("The token account is not of the exchange's collateral mint")]
    WrongMint,
    #[msg("The token account does not belong to the signer")]
    TokenAccountNotOwned,
    #[msg("The account passed is not a Ringfence market")]
    InvalidMarketAccount,
    #[msg("The account passed is not a valid sub-account")]
    InvalidSubAccount,

    // Users and sub-accounts
    #[msg("Only the sub-account's owner may do this")]
    NotOwner,
    #[msg("This sub-account id was already used")]
    SubAccountIdUsed,
    #[msg("Sub-account ids are assigned in order: use the user account's next id")]
    SubAccountIdNotNext,
    #[msg("No market with this index exists")]
    MarketNotFound,
    #[msg("Close every position and withdraw all collateral before closing a sub-account")]
    SubAccountNotEmpty,

    // Collateral
    #[msg("The amount must be greater than zero")]
    ZeroAmount,
    #[msg("The amount is more than the free collateral")]
    InsufficientFreeCollateral,

    // Margin-check accounts
    #[msg("A market (and its oracle) that one of the sub-account's positions needs is missing")]
    MissingMarketAccount,
    #[msg("A market was passed that the sub-account holds no position in")]
    UnexpectedMarketAccount,
    #[msg("The same market was passed twice")]
    DuplicateMarketAccount,
    #[msg("The oracle passed is not the market's oracle")]
    OracleAccountMismatch,

    // Oracle
    #[msg("The oracle account is not owned by the oracle program")]
    OracleWrongOwner,
    #[msg("The oracle account could not be read")]
    OracleInvalidAccount,
    #[msg("The oracle account is for another price feed")]
    OracleFeedMismatch,
    #[msg("The oracle price is not fully verified")]
    OracleNotFullyVerified,
    #[msg("The oracle price is too old")]
    OracleStale,
    #[msg("The oracle price is zero or negative")]
    OracleNonPositive,
    #[msg("The oracle price's confidence interval is too wide")]
    OracleConfidenceTooWide,
    #[msg("The oracle price is too far from its moving average")]
    OracleEmaDivergence,
    #[msg("The oracle price cannot be represented")]
    OracleUnrepresentable,

    // Trading
    #[msg("The size must be greater than zero")]
    ZeroSize,
    #[msg("Leverage must be between 1 and the market's maximum")]
    InvalidLeverage,
    #[msg("A position keeps the leverage it was opened with")]
    LeverageMismatch,
    #[msg("This would trade against an open position: use close_position to reduce it")]
    PositionSideMismatch,
    #[msg("A cross sub-account holds at most 8 positions")]
    TooManyPositions,
    #[msg("An isolated sub-account trades only its own market")]
    IsolatedMarketMismatch,
    #[msg("The fill price is past the limit price")]
    SlippageExceeded,
    #[msg("The market's open-interest cap would be exceeded")]
    OpenInterestCapExceeded,
    #[msg("The pool cannot cover this much net exposure")]
    PoolExposureExceeded,
    #[msg("The sub-account would fall under its initial margin requirement")]
    InsufficientInitialMargin,
    #[msg("The market does not accept new risk (reduce-only or paused)")]
    MarketNotActive,
    #[msg("The market is paused")]
    MarketPaused,
    #[msg("The sub-account has no position in this market")]
    NoPosition,
    #[msg("The size to close is larger than the position")]
    CloseSizeTooLarge,
    #[msg("The pool cannot pay this profit now")]
    PoolCannotPay,

    // Pool and margin transfers
    #[msg("Market accounts must be the exchange's writable markets, each with its own oracle")]
    InvalidRefreshAccounts,
    #[msg("The number of shares must be greater than zero and at most those held")]
    InvalidShares,
    #[msg("Source and destination must be two different sub-accounts")]
    SameSubAccount,
    #[msg("Margin can only be added to or removed from an isolated sub-account")]
    NotIsolated,

    // Liquidation, insurance and triggers
    #[msg("The sub-account is not liquidatable: its equity is at or above maintenance")]
    NotLiquidatable,
    #[msg("The insurance fund would fall below its floor")]
    InsuranceBelowFloor,
    #[msg("The mark price has not crossed the position's stop-loss or take-profit")]
    NotTriggered,

    // Fills, liquidation and triggers (added with the one fill path)
    #[msg("The oracle price is too old to fill at: post a newer price update")]
    OracleTooOldForFill,
    #[msg("The oracle price is older than one this market has already filled at")]
    OracleOlderThanUsed,
    #[msg("The mark price has already crossed this trigger: close the position instead")]
    TriggerAlreadyCrossed,
    #[msg(
        "A cross sub-account is liquidated largest maintenance requirement first: pass that market"
    )]
    NotLargestMaintenance,

    // Admin bounds (added with the timelock)
    #[msg("The timelock must be at most 30 days, and at least 1 hour on an exchange without stub oracles")]
    InvalidTimelock,
    #[msg("This exchange does not allow stub oracles")]
    StubOraclesNotAllowed,
    #[msg("This market already has a pending parameter change: apply or cancel it first")]
    UpdateAlreadyPending,
    #[msg("The parameter change is still timelocked")]
    UpdateTimelocked,
    #[msg("The pending change is for another market")]
    UpdateMarketMismatch,
    #[msg("Fees and insurance surplus are paid only to the exchange's treasury")]
    NotTreasury,
    #[msg("The market still has open interest")]
    MarketHasOpenInterest,
    #[msg("The pending change expired (7 days after its timelock): propose it again")]
    UpdateExpired,
    #[msg("A change of the skew premium waits until the market's net skew is near zero")]
    PremiumChangeWithOpenSkew,
    #[msg("The pool's valuation is older than its bound: refresh the markets with open interest")]
    PoolValuationStale,
    #[msg("Open interest would exceed its share of pool equity plus insurance")]
    PoolOpenInterestCapExceeded,
    #[msg("These shares are still in their cooldown after the last deposit")]
    LpCooldown,
    #[msg("The sub-account holds no claim the pool has funded yet")]
    ClaimNotRedeemable,
    #[msg("LP cooldown or valuation age outside its bounds")]
    InvalidPoolConfig,
    #[msg("The pool's equity is not positive: it takes no deposits until it recovers")]
    PoolInsolvent,
    #[msg("The signer is neither the sub-account's owner nor its delegate")]
    NotOwnerOrDelegate,
    #[msg("A delegate must be a key other than the owner and the zero key")]
    InvalidDelegate,
    #[msg("Every order slot of this sub-account is taken")]
    OrderSlotsFull,
    #[msg("No resting order in this slot")]
    NoOrder,
    #[msg(
        "An order needs a size, a limit price and an expiry in the future, at most 30 days away"
    )]
    InvalidOrder,
    #[msg("The order has expired")]
    OrderExpired,
    #[msg("The oracle has not crossed the order's limit price")]
    OrderNotCrossed,
    #[msg("A reduce-only order needs an opposite position to reduce")]
    NothingToReduce,
    #[msg(
        "The order is neither expired nor unable to reduce anything: only its owner may remove it"
    )]
    OrderStillValid,
    #[msg("A limit order executes alone: no other Ringfence instruction in its transaction")]
    OrderNotAlone,
    #[msg("The market passed is not the order's market")]
    OrderMarketMismatch,
    #[msg("The mark has already crossed this limit: send an order (open_position) instead")]
    OrderAlreadyCrossed,
    #[msg("An order executes only in a slot after the one it was placed in")]
    OrderTooNew,
    #[msg("The oracle price was published before the order was placed")]
    OracleOlderThanOrder,
    #[msg("Resting orders must be cancelled before the sub-account closes")]
    SubAccountHasOrders,
}

impl From<MathError> for Error {
    fn from(err: MathError) -> Self {
        let MathError::Overflow(location) = err;
        msg!("math overflow at {}:{}", location.file(), location.line());
        RingfenceError::MathOverflow.into()
    }
}

impl From<PriceRejection> for RingfenceError {
    fn from(rejection: PriceRejection) -> Self {
        match rejection {
            PriceRejection::Stale => RingfenceError::OracleStale,
            PriceRejection::NonPositive => RingfenceError::OracleNonPositive,
            PriceRejection::ConfidenceTooWide => RingfenceError::OracleConfidenceTooWide,
            PriceRejection::EmaDivergence => RingfenceError::OracleEmaDivergence,
            PriceRejection::Unrepresentable => RingfenceError::OracleUnrepresentable,
        }
    }
}
