//! `order place|cancel|list`: resting limit orders, executed by keepers once the oracle
//! crosses their limit.

use crate::amounts::parse_decimal;
use crate::trader::{find_market, markets_now, send, sub_account};
use crate::{CliResult, Session, SideArg};
use ringfence::instructions::{PlaceOrderArgs, Side};
use ringfence_sdk::accounts::{market_name, usd};
use ringfence_sdk::builders;
use solana_sdk::signature::Signer;

/// The arguments of `order place`.
pub struct PlaceArgs {
    /// Sub-account id.
    pub sub: u16,
    /// Market index or name.
    pub market: String,
    /// Buy or sell.
    pub side: SideArg,
    /// Size, whole base units.
    pub size: String,
    /// Leverage.
    pub leverage: u16,
    /// Limit price, dollars.
    pub limit: String,
    /// Lifetime, hours (at most 720).
    pub hours: u32,
    /// Only reduce an opposite position.
    pub reduce_only: bool,
}

/// `order place`.
pub async fn place(session: &Session, args: PlaceArgs) -> CliResult {
    let (key, _) = sub_account(session, args.sub).await?;
    let (markets, now) = markets_now(session).await?;
    let market = find_market(&markets, &args.market)?;
    let order = PlaceOrderArgs {
        side: match args.side {
            SideArg::Long => Side::Long,
            SideArg::Short => Side::Short,
        },
        base: parse_decimal(&args.size, 9)?,
        leverage: args.leverage,
        limit_price: parse_decimal(&args.limit, 6)?,
        expiry: now + i64::from(args.hours) * 3_600,
        reduce_only: args.reduce_only,
    };
    let ix = builders::place_order(
        &session.keypair.pubkey(),
        &key,
        market.market.index,
        &market.market.oracle,
        order,
    );
    send(session, &[ix]).await
}

/// `order cancel`.
pub async fn cancel(session: &Session, sub: u16, slot: u8) -> CliResult {
    let (key, _) = sub_account(session, sub).await?;
    let ix = builders::cancel_order(&session.keypair.pubkey(), &key, slot);
    send(session, &[ix]).await
}

/// `order list`: every resting order of the wallet's sub-accounts.
pub async fn list(session: &Session) -> CliResult {
    let (markets, now) = markets_now(session).await?;
    let subs = session
        .client
        .sub_accounts_of(&session.owner)
        .await
        .map_err(|e| e.to_string())?;
    println!(
        "{:>4} {:>4} {:<9} {:<5} {:>12} {:>13} {:>5} {:>9} {:<11}",
        "sub", "slot", "market", "side", "size", "limit", "lev", "expires", "kind"
    );
    for (_, view) in &subs {
        for (slot, order) in view.orders.iter().enumerate().filter(|(_, o)| o.is_open()) {
            let name = markets
                .iter()
                .find(|m| m.market.index == order.market_index)
                .map_or(order.market_index.to_string(), |m| market_name(&m.market));
            let left = order.expiry - now;
            println!(
                "{:>4} {:>4} {:<9} {:<5} {:>12} {:>13} {:>4}x {:>8}m {:<11}",
                view.header.id,
                slot,
                name,
                if order.side == 0 { "buy" } else { "sell" },
                format!(
                    "{}.{:09}",
                    order.base / 1_000_000_000,
                    order.base % 1_000_000_000
                ),
                format!("${}", usd(i128::from(order.limit_price))),
                order.leverage,
                left.max(0) / 60,
                if order.reduce_only == 1 {
                    "reduce-only"
                } else {
                    "open"
                },
            );
        }
    }
    Ok(())
}
