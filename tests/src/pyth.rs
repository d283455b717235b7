//! Pyth `PriceUpdateV2` accounts written with exact bytes, as the receiver program stores them.

use anchor_lang::Discriminator;
use pyth_solana_receiver_sdk::price_update::PriceUpdateV2;
use solana_sdk::account::Account;
use solana_sdk::pubkey::Pubkey;

/// How the Wormhole signatures behind an update were checked.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Verification {
    /// All guardian signatures verified.
    Full,
    /// Only some signatures verified.
    Partial(u8),
}

/// The fields of one Pyth price update.
#[derive(Clone, Copy, Debug)]
pub struct PythPrice {
    /// Feed id.
    pub feed_id: [u8; 32],
    /// Price mantissa.
    pub price: i64,
    /// Confidence mantissa.
    pub conf: u64,
    /// Exponent.
    pub exponent: i32,
    /// Publish time, unix seconds.
    pub publish_time: i64,
    /// EMA price mantissa.
    pub ema_price: i64,
    /// Verification level.
    pub verification: Verification,
}

impl PythPrice {
    /// A fully verified update at `price × 10^-8` with a 0.05% confidence and EMA = price.
    pub fn usd(feed_id: [u8; 32], dollars: i64, publish_time: i64) -> Self {
        let price = dollars * 100_000_000;
        Self {
            feed_id,
            price,
            conf: (price / 2_000) as u64,
            exponent: -8,
            publish_time,
            ema_price: price,
            verification: Verification::Full,
        }
    }

    /// The account bytes (134 bytes, zero-padded after a Full level's one-byte tag).
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut data = Vec::with_capacity(PriceUpdateV2::LEN);
        data.extend_from_slice(PriceUpdateV2::DISCRIMINATOR);
        data.extend_from_slice(&[7u8; 32]); // write authority
        match self.verification {
            Verification::Partial(signatures) => data.extend_from_slice(&[0, signatures]),
            Verification::Full => data.push(1),
        }
        data.extend_from_slice(&self.feed_id);
        data.extend_from_slice(&self.price.to_le_bytes());
        data.extend_from_slice(&self.conf.to_le_bytes());
        data.extend_from_slice(&self.exponent.to_le_bytes());
        data.extend_from_slice(&self.publish_time.to_le_bytes());
        data.extend_from_slice(&(self.publish_time - 1).to_le_bytes()); // prev publish time
        data.extend_from_slice(&self.ema_price.to_le_bytes());
        data.extend_from_slice(&self.conf.to_le_bytes()); // ema conf
        data.extend_from_slice(&1u64.to_le_bytes()); // posted slot
        data.resize(PriceUpdateV2::LEN, 0);
        data
    }

    /// The account, owned by `owner` (the receiver program for a genuine one).
    pub fn to_account(&self, owner: Pubkey) -> Account {
        Account {
            lamports: 10_000_000,
            data: self.to_bytes(),
            owner,
            executable: false,
            rent_epoch: 0,
        }
    }
}

/// The Pyth receiver program, owner of genuine price updates.
pub fn receiver_program() -> Pubkey {
    pyth_solana_receiver_sdk::ID
}
