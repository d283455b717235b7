//! The admin's commands.

use crate::amounts::parse_decimal;
use crate::{CliResult, Session};
use clap::{Subcommand, ValueEnum};
use ringfence::state::MarketStatus;
use ringfence_sdk::builders;
use ringfence_sdk::deploy::{deploy, MarketList};
use ringfence_sdk::errors::describe;
use solana_sdk::signature::Signer;
use std::path::PathBuf;

/// A market's trading status.
#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum StatusArg {
    /// Everything allowed.
    Active,
    /// No opens; closes, triggers, liquidation and funding run.
    ReduceOnly,
    /// No opens and no new triggers; closes, trigger executions, liquidation and funding run.
    Paused,
}

/// Admin commands (the signer must be the exchange admin).
#[derive(Debug, Subcommand)]
pub enum AdminCommand {
    /// Makes the cluster match a market list file (initialise, create, update), idempotently.
    Deploy {
        /// The market list (see migrations/).
        file: PathBuf,
    },
    /// Sets a stub oracle's price (local networks and demos).
    SetPrice {
        /// Market index.
        #[arg(long)]
        market: u16,
        /// Dollars.
        #[arg(long)]
        usd: String,
    },
    /// Sets a market's status.
    SetStatus {
        /// Market index.
        #[arg(long)]
        market: u16,
        /// The new status.
        #[arg(long, value_enum)]
        status: StatusArg,
    },
}

/// Runs an admin command.
pub async fn run(session: &Session, command: AdminCommand) -> CliResult {
    let admin = session.keypair.pubkey();
    let instruction = match command {
        AdminCommand::Deploy { file } => {
            let text =
                std::fs::read_to_string(&file).map_err(|e| format!("{}: {e}", file.display()))?;
            let list = MarketList::parse(&text).map_err(|e| format!("{}: {e}", file.display()))?;
            let report = deploy(&session.client, &session.keypair, &list)
                .await
                .map_err(|e| describe(&e))?;
            for (name, action) in report {
                println!("{name}: {action:?}");
            }
            return Ok(());
        }
        AdminCommand::SetPrice { market, usd } => {
            let micros = parse_decimal(&usd, 6)?;
            let price = i64::try_from(micros).map_err(|_| "price too large")?;
            builders::set_stub_price(&admin, market, price, 0, -6)
        }
        AdminCommand::SetStatus { market, status } => {
            let status = match status {
                StatusArg::Active => MarketStatus::Active,
                StatusArg::ReduceOnly => MarketStatus::ReduceOnly,
                StatusArg::Paused => MarketStatus::Paused,
            };
            builders::set_market_status(&admin, market, status)
        }
    };
    let signature = session
        .client
        .send(&[instruction], &session.keypair, &[])
        .await
        .map_err(|e| describe(&e))?;
    println!("sent: {signature}");
    Ok(())
}
