//! Reading a market's oracle account into a checked mark price. Account-level checks (address,
//! owner, feed id, verification) here; the price guards are the pure `math::oracle`.

use crate::error::RingfenceError;
use crate::math::oracle::{mark_price as guarded_price, PriceReading};
use crate::math::I80F48;
use crate::state::{Market, OracleKind, StubOracle};
use anchor_lang::prelude::*;
use pyth_solana_receiver_sdk::price_update::{PriceUpdateV2, VerificationLevel};

/// The checked mark price (quote per whole base unit) of `market` from `oracle`, or a named error.
/// For margin checks that move nothing: any price up to `max_oracle_age_s` old.
pub fn mark_price(market: &Market, oracle: &AccountInfo, clock: &Clock) -> Result<I80F48> {
    Ok(checked_reading(market, oracle, clock)?.0)
}

/// A mark price checked fresh enough to fill at. Only `fill_mark` makes one, so the one fill
/// function cannot be handed a price that skipped the freshness rules.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct FillMark {
    price: I80F48,
    now: i64,
    published: i64,
}

impl FillMark {
    /// The checked mark price, quote per whole base unit.
    pub fn price(&self) -> I80F48 {
        self.price
    }

    /// The time of the instruction filling at it, unix seconds.
    pub fn now(&self) -> i64 {
        self.now
    }

    /// When the oracle published it, unix seconds.
    pub fn published(&self) -> i64 {
        self.published
    }

    /// A fill mark off chain (SDK preview, keeper, benchmarks), where no market is written.
    #[cfg(not(target_os = "solana"))]
    pub fn assume_fresh(price: I80F48, now: i64) -> Self {
        Self {
            price,
            now,
            published: now,
        }
    }
}

/// The mark price for a fill: checked as `mark_price`, and also no older than the market's
/// `max_fill_age_s` and not older than the newest price a fill of this market has used, which
/// it then records. A trader therefore cannot open on an old price and close on a newer one it
/// has already seen; what remains is the choice among prices of the last `max_fill_age_s`.
pub fn fill_mark(market: &mut Market, oracle: &AccountInfo, clock: &Clock) -> Result<FillMark> {
    let (price, publish_time) = checked_reading(market, oracle, clock)?;
    let age = clock.unix_timestamp.saturating_sub(publish_time);
    require!(
        age <= i64::from(market.params.max_fill_age_s),
        RingfenceError::OracleTooOldForFill
    );
    require!(
        publish_time >= market.last_fill_publish_time,
        RingfenceError::OracleOlderThanUsed
    );
    market.last_fill_publish_time = publish_time;
    Ok(FillMark {
        price,
        now: clock.unix_timestamp,
        published: publish_time,
    })
}

/// The guarded price and its publish time.
fn checked_reading(market: &Market, oracle: &AccountInfo, clock: &Clock) -> Result<(I80F48, i64)> {
    require_keys_eq!(
        oracle.key(),
        market.oracle,
        RingfenceError::OracleAccountMismatch
    );
    let reading = match market.oracle_kind() {
        OracleKind::Pyth => pyth_reading(oracle, &market.feed_id)?,
        OracleKind::Stub => stub_reading(oracle, market.index)?,
    };
    let guards = market.params.oracle_guards();
    let price =
        guarded_price(&reading, &guards, clock.unix_timestamp).map_err(RingfenceError::from)?;
    Ok((price, reading.publish_time))
}

/// A Pyth `PriceUpdateV2` owned by the receiver program, for `feed_id`, fully verified.
pub fn pyth_reading(oracle: &AccountInfo, feed_id: &[u8; 32]) -> Result<PriceReading> {
    require_keys_eq!(
        *oracle.owner,
        pyth_solana_receiver_sdk::ID,
        RingfenceError::OracleWrongOwner
    );
    let data = oracle.try_borrow_data()?;
    let update = PriceUpdateV2::try_deserialize(&mut &data[..])
        .map_err(|_| RingfenceError::OracleInvalidAccount)?;
    require!(
        update.verification_level.gte(VerificationLevel::Full),
        RingfenceError::OracleNotFullyVerified
    );
    let message = update.price_message;
    require!(
        message.feed_id == *feed_id,
        RingfenceError::OracleFeedMismatch
    );
    Ok(PriceReading {
        price: message.price,
        conf: message.conf,
        exponent: message.exponent,
        publish_time: message.publish_time,
        ema_price: message.ema_price,
    })
}

fn stub_reading(oracle: &AccountInfo, market_index: u16) -> Result<PriceReading> {
    require_keys_eq!(*oracle.owner, crate::ID, RingfenceError::OracleWrongOwner);
    let data = oracle.try_borrow_data()?;
    let stub = StubOracle::try_deserialize(&mut &data[..])
        .map_err(|_| RingfenceError::OracleInvalidAccount)?;
    require_eq!(
        stub.market_index,
        market_index,
        RingfenceError::OracleAccountMismatch
    );
    Ok(stub.reading())
}
