//! Reading a market's oracle account into a checked mark price. Account-level checks (address,
//! owner, feed id, verification) here; the price guards are the pure `math::oracle`.

use crate::error::RingfenceError;
use crate::math::oracle::{mark_price as guarded_price, PriceReading};
use crate::math::I80F48;
use crate::state::{Market, OracleKind, StubOracle};
use anchor_lang::prelude::*;
use pyth_solana_receiver_sdk::price_update::{PriceUpdateV2, VerificationLevel};

/// The checked mark price (quote per whole base unit) of `market` from `oracle`, or a named error.
pub fn mark_price(market: &Market, oracle: &AccountInfo, clock: &Clock) -> Result<I80F48> {
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
    guarded_price(&reading, &guards, clock.unix_timestamp)
        .map_err(|rejection| RingfenceError::from(rejection).into())
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
