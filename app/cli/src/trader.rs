//! A trader's commands.

use crate::amounts::parse_decimal;
use crate::{CliResult, ModeArg, Session, SideArg};
use ringfence::instructions::{OpenPositionArgs, Side};
use ringfence::math::I80F48;
use ringfence::state::{Market, OracleKind};
use ringfence::state::{SubAccountMode, CROSS_POSITION_SLOTS};
use ringfence_sdk::accounts::{
    market_name, market_update, param_changes, price, usd, usd_fixed, SubAccountView,
};
use ringfence_sdk::builders;
use ringfence_sdk::client::{position_pairs, ClientError, PricedMarket};
use ringfence_sdk::errors::{describe, describe_program_error};
use ringfence_sdk::preview::{preview, Order, Preview};
use ringfence_sdk::summary::{summarize, AccountSummary};
use solana_sdk::instruction::Instruction;
use solana_sdk::pubkey::Pubkey;
use solana_sdk::signature::Signer;
use std::io::{BufRead, Write};

/// Base decimals (sizes are typed in whole base units).
const BASE_DECIMALS: u32 = 9;
/// Quote decimals (amounts are typed in dollars).
const QUOTE_DECIMALS: u32 = 6;

/// The arguments of `open`.
pub struct OrderArgs {
    /// Sub-account id.
    pub sub: u16,
    /// Market index or name.
    pub market: String,
    /// Side.
    pub side: SideArg,
    /// Size, whole base units.
    pub size: String,
    /// Leverage.
    pub leverage: u16,
    /// Slippage allowance, basis points.
    pub slippage_bps: u64,
}

fn rpc_error(error: ClientError) -> String {
    describe(&error)
}

pub(crate) async fn markets_now(session: &Session) -> Result<(Vec<PricedMarket>, i64), String> {
    let markets = session.client.markets().await.map_err(rpc_error)?;
    if markets.is_empty() {
        return Err("no exchange or no markets on this cluster".into());
    }
    let now = session.client.now().await.map_err(rpc_error)?;
    Ok((markets, now))
}

pub(crate) fn find_market<'m>(
    markets: &'m [PricedMarket],
    text: &str,
) -> Result<&'m PricedMarket, String> {
    markets
        .iter()
        .find(|m| {
            text.parse::<u16>().ok() == Some(m.market.index)
                || market_name(&m.market).eq_ignore_ascii_case(text)
        })
        .ok_or_else(|| format!("no market {text:?}"))
}

fn mark_of(market: &PricedMarket) -> Result<I80F48, String> {
    market
        .mark
        .clone()
        .map_err(|e| format!("{} has no usable price: {e}", market_name(&market.market)))
}

pub(crate) async fn sub_account(
    session: &Session,
    id: u16,
) -> Result<(Pubkey, SubAccountView), String> {
    let key = builders::sub_account_pda(&session.owner, id);
    let view = session
        .client
        .sub_account(&key)
        .await
        .map_err(rpc_error)?
        .ok_or_else(|| {
            format!("sub-account {id} does not exist; create it with create-sub-account")
        })?;
    Ok((key, view))
}

async fn token_account(session: &Session) -> Result<Pubkey, String> {
    let exchange = session
        .client
        .exchange()
        .await
        .map_err(rpc_error)?
        .ok_or("no exchange on this cluster")?;
    Ok(builders::token_account(
        &session.keypair.pubkey(),
        &exchange.collateral_mint,
    ))
}

fn confirm(session: &Session, question: &str) -> bool {
    if session.yes {
        return true;
    }
    print!("{question} [y/N] ");
    let _ = std::io::stdout().flush();
    let mut answer = String::new();
    let _ = std::io::stdin().lock().read_line(&mut answer);
    matches!(answer.trim(), "y" | "Y" | "yes")
}

pub(crate) async fn send(session: &Session, instructions: &[Instruction]) -> CliResult {
    let signature = session
        .client
        .send(instructions, &session.keypair, &[])
        .await
        .map_err(rpc_error)?;
    println!("sent: {signature}");
    Ok(())
}

/// `markets`.
pub async fn markets(session: &Session) -> CliResult {
    let (markets, _) = markets_now(session).await?;
    println!(
        "{:<5} {:<10} {:>14} {:>14} {:>14} {:>8}  {:<6} pending change",
        "index", "market", "mark", "funding %/h", "open long", "max lev", "oracle"
    );
    for m in &markets {
        let mark = m.mark.clone().map_or_else(|e| format!("({e})"), price);
        let rate = m.market.funding_rate.get() * I80F48::from_num(100);
        let oracle = match m.market.oracle_kind() {
            OracleKind::Stub => "STUB",
            OracleKind::Pyth => "pyth",
        };
        println!(
            "{:<5} {:<10} {:>14} {:>14} {:>14} {:>7}x  {:<6} {}",
            m.market.index,
            market_name(&m.market),
            mark,
            format!("{:.6}", rate),
            m.market.open_interest_long,
            m.market.params.max_leverage,
            oracle,
            pending_change(session, &m.market).await?
        );
    }
    Ok(())
}

/// The market's timelocked parameter change, in words ("-" when none).
async fn pending_change(session: &Session, market: &Market) -> Result<String, String> {
    let data = session
        .client
        .data(&builders::market_update_pda(market.index))
        .await
        .map_err(rpc_error)?;
    let Some(update) = data.as_deref().and_then(market_update) else {
        return Ok("-".into());
    };
    Ok(format!(
        "from unix {}: {}",
        update.apply_after,
        param_changes(&market.params, &update.params).join(", ")
    ))
}

fn print_account(summary: &AccountSummary) {
    let mode = match summary.mode {
        SubAccountMode::Cross => "cross".to_string(),
        SubAccountMode::Isolated { market_index } => format!("isolated (market {market_index})"),
    };
    let ratio = summary.margin_ratio.map_or("-".to_string(), |r| {
        format!("{:.2}%", r * I80F48::from_num(100))
    });
    println!(
        "sub-account {} {} {mode}: collateral ${}, equity ${}, maintenance ${}, margin ratio {ratio}{}",
        summary.id,
        summary.key,
        usd(i128::from(summary.collateral)),
        usd_fixed(summary.health.equity),
        usd_fixed(summary.health.maintenance_requirement),
        if summary.liquidatable { "  LIQUIDATABLE" } else { "" }
    );
    for p in &summary.positions {
        let side = if p.base > 0 { "long" } else { "short" };
        let size = I80F48::from_num(p.base.unsigned_abs()) / I80F48::from_num(1_000_000_000u64);
        println!(
            "  {:<9} {side:<5} {size:>12} @ entry ${:>11}  mark ${:>11}  pnl ${:>11}  {:>3}x  liquidation {}",
            p.market,
            price(p.entry_price),
            price(p.mark),
            usd_fixed(p.pnl),
            p.leverage,
            p.liquidation_price
                .map_or("none".to_string(), |l| format!("${}", price(l)))
        );
    }
}

/// `positions` of the session's owner (`--owner`, or the signer).
pub async fn positions(session: &Session) -> CliResult {
    let owner = session.owner;
    let (markets, now) = markets_now(session).await?;
    let accounts = session
        .client
        .sub_accounts_of(&owner)
        .await
        .map_err(rpc_error)?;
    if accounts.is_empty() {
        println!("{owner} has no sub-accounts");
    }
    for (key, view) in accounts {
        print_account(&summarize(key, &view, &markets, now)?);
    }
    Ok(())
}

/// `create-sub-account`.
pub async fn create_sub_account(
    session: &Session,
    mode: ModeArg,
    market: Option<String>,
) -> CliResult {
    let owner = session.keypair.pubkey();
    let mode = match (mode, market) {
        (ModeArg::Cross, None) => SubAccountMode::Cross,
        (ModeArg::Isolated, Some(text)) => {
            let (markets, _) = markets_now(session).await?;
            SubAccountMode::Isolated {
                market_index: find_market(&markets, &text)?.market.index,
            }
        }
        (ModeArg::Cross, Some(_)) => return Err("a cross sub-account takes no --market".into()),
        (ModeArg::Isolated, None) => return Err("an isolated sub-account needs --market".into()),
    };
    let user = session
        .client
        .data(&builders::user_pda(&owner))
        .await
        .map_err(rpc_error)?
        .and_then(|d| ringfence_sdk::accounts::borsh::<ringfence::state::UserAccount>(&d));
    let mut instructions = Vec::new();
    let id = match user {
        Some(user) => user.next_sub_account_id,
        None => {
            instructions.push(builders::create_user(&owner));
            0
        }
    };
    instructions.push(builders::create_sub_account(&owner, id, mode));
    send(session, &instructions).await?;
    println!("created sub-account {id}");
    Ok(())
}

/// `deposit`. A sub-account flagged as being liquidated gets its markets passed too, so that a
/// deposit that brings it back to the liquidation-end target also clears the flag.
pub async fn deposit(session: &Session, id: u16, amount: &str) -> CliResult {
    let amount = parse_decimal(amount, QUOTE_DECIMALS)?;
    let (key, view) = sub_account(session, id).await?;
    let token = token_account(session).await?;
    let owner = session.keypair.pubkey();
    let ix = if view.header.being_liquidated == 1 {
        let (markets, _) = markets_now(session).await?;
        let pairs = position_pairs(&view, &markets, u16::MAX);
        builders::deposit_with_markets(&owner, &key, &token, amount, &pairs)
    } else {
        builders::deposit(&owner, &key, &token, amount)
    };
    send(session, &[ix]).await
}

/// `withdraw`.
pub async fn withdraw(session: &Session, id: u16, amount: &str) -> CliResult {
    let amount = parse_decimal(amount, QUOTE_DECIMALS)?;
    let (key, view) = sub_account(session, id).await?;
    let (markets, _) = markets_now(session).await?;
    let token = token_account(session).await?;
    let pairs = position_pairs(&view, &markets, u16::MAX);
    let ix = builders::withdraw(&session.keypair.pubkey(), &key, &token, amount, &pairs);
    send(session, &[ix]).await
}

/// The preview as the CLI prints it.
pub fn format_preview(preview: &Preview, isolated: bool, order: &Order, name: &str) -> String {
    let side = match order.side {
        Side::Long => "long",
        Side::Short => "short",
    };
    let size = I80F48::from_num(order.base) / I80F48::from_num(1_000_000_000u64);
    let ratio = preview.margin_ratio_after.map_or("-".to_string(), |r| {
        format!("{:.2}%", r * I80F48::from_num(100))
    });
    let liquidation = preview
        .liquidation_price
        .map_or("none".to_string(), |l| format!("${}", price(l)));
    let loss_scope = if isolated {
        "the isolated margin"
    } else {
        "the whole cross sub-account"
    };
    let funding = preview.funding_per_hour;
    let funding_words = if funding >= 0 { "pays" } else { "receives" };
    [
        format!("{side} {size} {name} at {}x", order.leverage),
        format!("  fill price          ${}", price(preview.fill_price)),
        format!("  fee                 ${}", usd(i128::from(preview.fee))),
        format!("  margin moved        ${}", usd_fixed(preview.margin_moved)),
        format!("  margin ratio after  {ratio}"),
        format!("  liquidation price   {liquidation}"),
        format!(
            "  maximum loss        ${} ({loss_scope})",
            usd(i128::from(preview.max_loss))
        ),
        format!(
            "  funding per hour    {funding_words} ${}",
            usd(i128::from(funding.abs()))
        ),
        if preview.meets_initial {
            "  initial margin      met".to_string()
        } else {
            "  initial margin      NOT met: the program will refuse this order".to_string()
        },
    ]
    .join("\n")
}

/// The worst fill to accept, quote native per whole base unit: `slippage_bps` beyond `fill`,
/// rounded away from the trader's side (up for a buy, down for a sell).
fn limit_price(fill: I80F48, side: Side, slippage_bps: u64) -> u64 {
    let native = fill.saturating_mul(I80F48::from_num(1_000_000));
    let clamp = |v: u128| u64::try_from(v).unwrap_or(u64::MAX);
    match side {
        Side::Long => {
            let base = native.ceil().to_num::<u128>();
            clamp((base * u128::from(10_000 + slippage_bps)).div_ceil(10_000))
        }
        Side::Short => {
            let base = native.floor().to_num::<u128>();
            clamp(base * u128::from(10_000u64.saturating_sub(slippage_bps)) / 10_000)
        }
    }
}

/// `open`: preview, confirmation, send.
pub async fn open(session: &Session, args: OrderArgs, dry_run: bool) -> CliResult {
    let (key, view) = sub_account(session, args.sub).await?;
    let (markets, now) = markets_now(session).await?;
    let market = find_market(&markets, &args.market)?;
    let side = match args.side {
        SideArg::Long => Side::Long,
        SideArg::Short => Side::Short,
    };
    let order = Order {
        market_index: market.market.index,
        side,
        base: parse_decimal(&args.size, BASE_DECIMALS)?,
        leverage: args.leverage,
    };
    let priced: Vec<_> = markets
        .iter()
        .filter_map(|m| Some((m.market, m.mark.clone().ok()?)))
        .collect();
    mark_of(market)?;
    let preview = preview(&view.header, &view.positions, &priced, order, now)
        .map_err(|e| format!("preview foresees a refusal: {}", describe_program_error(&e)))?;
    let isolated = view.positions.len() < CROSS_POSITION_SLOTS;
    println!(
        "{}",
        format_preview(&preview, isolated, &order, &market_name(&market.market))
    );
    if dry_run || !confirm(session, "Send this order?") {
        println!("not sent");
        return Ok(());
    }
    let args = OpenPositionArgs {
        side,
        base: order.base,
        leverage: order.leverage,
        limit_price: limit_price(preview.fill_price, side, args.slippage_bps),
    };
    let pairs = position_pairs(&view, &markets, market.market.index);
    let ix = builders::open_position(
        &session.keypair.pubkey(),
        &key,
        market.market.index,
        &market.market.oracle,
        args,
        &pairs,
    );
    send(session, &[ix]).await
}

/// `close`.
pub async fn close(
    session: &Session,
    id: u16,
    market: &str,
    size: Option<String>,
    slippage_bps: u64,
) -> CliResult {
    let (key, view) = sub_account(session, id).await?;
    let (markets, _) = markets_now(session).await?;
    let market = find_market(&markets, market)?;
    let position = view
        .open_positions()
        .find(|p| p.market_index == market.market.index)
        .ok_or("no open position in that market")?;
    let base = size.map(|s| parse_decimal(&s, BASE_DECIMALS)).transpose()?;
    // Closing a long sells, closing a short buys.
    let closing_side = if position.base > 0 {
        Side::Short
    } else {
        Side::Long
    };
    let limit = limit_price(mark_of(market)?, closing_side, slippage_bps);
    let ix = builders::close_position(
        &session.keypair.pubkey(),
        &key,
        market.market.index,
        &market.market.oracle,
        base,
        limit,
    );
    send(session, &[ix]).await
}

/// `add-margin` / `remove-margin`.
pub async fn move_margin(
    session: &Session,
    from: u16,
    to: u16,
    amount: &str,
    add: bool,
) -> CliResult {
    let amount = parse_decimal(amount, QUOTE_DECIMALS)?;
    let (source, view) = sub_account(session, from).await?;
    let destination = builders::sub_account_pda(&session.keypair.pubkey(), to);
    let (markets, _) = markets_now(session).await?;
    let pairs = position_pairs(&view, &markets, u16::MAX);
    let owner = session.keypair.pubkey();
    let ix = if add {
        builders::add_margin(&owner, &source, &destination, amount, &pairs)
    } else {
        builders::remove_margin(&owner, &source, &destination, amount, &pairs)
    };
    send(session, &[ix]).await
}

/// `triggers set|clear`: prices in dollars, absent = cleared.
pub async fn set_triggers(
    session: &Session,
    id: u16,
    market: &str,
    stop_loss: Option<String>,
    take_profit: Option<String>,
) -> CliResult {
    let (key, _) = sub_account(session, id).await?;
    let (markets, _) = markets_now(session).await?;
    let market = find_market(&markets, market)?;
    let price = |text: Option<String>| -> Result<u64, String> {
        text.map_or(Ok(0), |t| parse_decimal(&t, QUOTE_DECIMALS))
    };
    let ix = builders::set_triggers(
        &session.keypair.pubkey(),
        &key,
        market.market.index,
        &market.market.oracle,
        price(stop_loss)?,
        price(take_profit)?,
    );
    send(session, &[ix]).await
}

/// `delegate set|clear` (the owner's own sub-accounts only).
pub async fn set_delegate(session: &Session, id: u16, delegate: Option<Pubkey>) -> CliResult {
    let (key, _) = sub_account(session, id).await?;
    let ix = builders::set_delegate(&session.keypair.pubkey(), &key, delegate);
    send(session, &[ix]).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn limits_allow_the_slippage_and_round_against_the_trader() {
        let fill = I80F48::from_num(50_000);
        assert_eq!(limit_price(fill, Side::Long, 50), 50_250_000_000);
        assert_eq!(limit_price(fill, Side::Short, 50), 49_750_000_000);
        assert_eq!(limit_price(fill, Side::Short, 20_000), 0);
    }
}
