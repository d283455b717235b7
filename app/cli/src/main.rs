//! `ringfence`: a trader's and an admin's commands over standard Solana JSON-RPC.

mod admin;
mod amounts;
mod history;
mod orders;
mod stress;
mod trader;

use clap::{Parser, Subcommand, ValueEnum};
use ringfence_sdk::client::Client;
use solana_sdk::pubkey::Pubkey;
use solana_sdk::signature::{read_keypair_file, Keypair, Signer};
use std::path::PathBuf;
use std::str::FromStr;

/// Ringfence perpetual futures from the command line.
#[derive(Debug, Parser)]
#[command(version)]
pub struct Cli {
    /// JSON-RPC URL of the cluster (the local network by default).
    #[arg(
        long,
        short = 'u',
        global = true,
        default_value = "http://127.0.0.1:8899"
    )]
    pub url: String,
    /// Keypair file in the Solana CLI's JSON format.
    #[arg(long, short = 'k', global = true, default_value_os_t = default_keypair())]
    pub keypair: PathBuf,
    /// Send without asking for confirmation.
    #[arg(long, short = 'y', global = true)]
    pub yes: bool,
    /// Trade another wallet's sub-accounts as its delegate (open, close, triggers): the
    /// sub-account ids are that owner's, the keypair signs.
    #[arg(long, global = true)]
    pub owner: Option<String>,
    /// The command.
    #[command(subcommand)]
    pub command: Command,
}

fn default_keypair() -> PathBuf {
    let home = std::env::var_os("HOME").unwrap_or_default();
    PathBuf::from(home).join(".config/solana/id.json")
}

/// Long or short.
#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum SideArg {
    /// Profit when the price rises.
    Long,
    /// Profit when the price falls.
    Short,
}

/// Cross or isolated.
#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum ModeArg {
    /// One collateral balance for up to 8 positions.
    Cross,
    /// One position with ring-fenced collateral.
    Isolated,
}

/// Every command.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Markets with mark price, funding rate and open interest.
    Markets,
    /// Your sub-accounts and positions (another wallet's with `--owner`): mark, PnL, margin
    /// ratio, liquidation price.
    Positions,
    /// Creates a sub-account (and your user account on first use).
    CreateSubAccount {
        /// Cross or isolated; always explicit.
        #[arg(long, value_enum)]
        mode: ModeArg,
        /// For an isolated sub-account, its one market (index or name).
        #[arg(long)]
        market: Option<String>,
    },
    /// Deposits collateral from your token account into a sub-account.
    Deposit {
        /// Sub-account id.
        #[arg(long)]
        sub: u16,
        /// Dollars ("250.5").
        #[arg(long)]
        usd: String,
    },
    /// Withdraws collateral from a sub-account to your token account.
    Withdraw {
        /// Sub-account id.
        #[arg(long)]
        sub: u16,
        /// Dollars.
        #[arg(long)]
        usd: String,
    },
    /// Opens or increases a position, after a preview and a confirmation.
    Open {
        /// Sub-account id.
        #[arg(long)]
        sub: u16,
        /// Market index or name ("BTC-PERP").
        #[arg(long)]
        market: String,
        /// Long or short.
        #[arg(long, value_enum)]
        side: SideArg,
        /// Size in whole base units ("0.2").
        #[arg(long)]
        size: String,
        /// Leverage.
        #[arg(long)]
        leverage: u16,
        /// Worst acceptable fill, basis points beyond the previewed fill.
        #[arg(long, default_value_t = 50)]
        slippage_bps: u64,
        /// Print the preview only.
        #[arg(long)]
        dry_run: bool,
    },
    /// Closes a position, whole or in part.
    Close {
        /// Sub-account id.
        #[arg(long)]
        sub: u16,
        /// Market index or name.
        #[arg(long)]
        market: String,
        /// Size to close in whole base units (all when absent).
        #[arg(long)]
        size: Option<String>,
        /// Worst acceptable fill, basis points beyond the mark.
        #[arg(long, default_value_t = 50)]
        slippage_bps: u64,
    },
    /// Moves collateral into an isolated sub-account from another of yours.
    AddMargin {
        /// Source sub-account id.
        #[arg(long)]
        from: u16,
        /// Isolated destination id.
        #[arg(long)]
        to: u16,
        /// Dollars.
        #[arg(long)]
        usd: String,
    },
    /// Moves collateral out of an isolated sub-account into another of yours.
    RemoveMargin {
        /// Isolated source id.
        #[arg(long)]
        from: u16,
        /// Destination sub-account id.
        #[arg(long)]
        to: u16,
        /// Dollars.
        #[arg(long)]
        usd: String,
    },
    /// Stop-loss and take-profit of a position.
    #[command(subcommand)]
    Triggers(TriggersCommand),
    /// The key that may trade a sub-account for you (never move its collateral).
    #[command(subcommand)]
    Delegate(DelegateCommand),
    /// Resting limit orders.
    #[command(subcommand)]
    Order(OrderCommand),
    /// Your fills, funding, liquidations and transfers, from the indexer.
    History(HistoryFilter),
    /// Realized PnL, fees and funding per sub-account and market, from the indexer.
    Pnl(HistoryFilter),
    /// What a price shock would do to your sub-accounts (and to the same positions in the other
    /// margin mode), computed with the program's own liquidation code; nothing is sent.
    Stress {
        /// A market's move, `MARKET=PCT` (`--shock BTC-PERP=-12%`); repeatable.
        #[arg(long = "shock")]
        shocks: Vec<String>,
        /// A correlated move of every market (`--correlated -15%`), scaled by `--beta`.
        #[arg(long, allow_hyphen_values = true)]
        correlated: Option<String>,
        /// A market's beta to the correlated move, `MARKET=BETA` (default 1); repeatable.
        #[arg(long = "beta")]
        betas: Vec<String>,
        /// Steps from the start, separated by `;`: `BTC-PERP=-5%;BTC-PERP=-12%` (a gap between
        /// steps is one the keeper cannot act inside).
        #[arg(long, allow_hyphen_values = true)]
        path: Option<String>,
        /// A built-in scenario: btc-12, eth-wick, correlated-20.
        #[arg(long)]
        preset: Option<String>,
        /// Print JSON (amounts in quote native units).
        #[arg(long)]
        json: bool,
    },
    /// Admin commands.
    #[command(subcommand)]
    Admin(admin::AdminCommand),
}

/// What `history` and `pnl` cover.
#[derive(Debug, clap::Args)]
pub struct HistoryFilter {
    /// Only this sub-account id.
    #[arg(long)]
    sub: Option<u16>,
    /// Only this market (index or name).
    #[arg(long)]
    market: Option<String>,
    /// From: unix seconds, a UTC date (2026-12-01), or an age (36h, 7d).
    #[arg(long)]
    since: Option<String>,
    /// Rows per table, newest first.
    #[arg(long, default_value_t = 50)]
    limit: u32,
    /// The indexer's HTTP API.
    #[arg(long, default_value = "http://127.0.0.1:8890")]
    indexer: String,
}

impl HistoryFilter {
    fn into_args(self) -> history::HistoryArgs {
        history::HistoryArgs {
            indexer: self.indexer,
            sub: self.sub,
            market: self.market,
            since: self.since,
            limit: self.limit,
        }
    }
}

/// `triggers set|clear`.
#[derive(Debug, Subcommand)]
pub enum TriggersCommand {
    /// Sets a stop-loss and/or take-profit (dollars); one not given is cleared.
    Set {
        /// Sub-account id.
        #[arg(long)]
        sub: u16,
        /// Market index or name.
        #[arg(long)]
        market: String,
        /// Stop-loss price, dollars.
        #[arg(long)]
        stop_loss: Option<String>,
        /// Take-profit price, dollars.
        #[arg(long)]
        take_profit: Option<String>,
    },
    /// Clears both triggers.
    Clear {
        /// Sub-account id.
        #[arg(long)]
        sub: u16,
        /// Market index or name.
        #[arg(long)]
        market: String,
    },
}

/// `order place|cancel|list`.
#[derive(Debug, Subcommand)]
pub enum OrderCommand {
    /// Rests a limit order; keepers fill it once the oracle crosses the limit.
    Place {
        /// Sub-account id.
        #[arg(long)]
        sub: u16,
        /// Market index or name.
        #[arg(long)]
        market: String,
        /// Long (buy) or short (sell).
        #[arg(long, value_enum)]
        side: SideArg,
        /// Size in whole base units.
        #[arg(long)]
        size: String,
        /// Leverage of the position it opens.
        #[arg(long)]
        leverage: u16,
        /// Limit price, dollars: the worst fill accepted, premium included.
        #[arg(long)]
        limit: String,
        /// Lifetime in hours (at most 720).
        #[arg(long, default_value_t = 24)]
        hours: u32,
        /// Only reduce an opposite position (a take-profit or stop as a limit order).
        #[arg(long)]
        reduce_only: bool,
    },
    /// Cancels the order in a slot.
    Cancel {
        /// Sub-account id.
        #[arg(long)]
        sub: u16,
        /// Order slot (from `order list`).
        #[arg(long)]
        slot: u8,
    },
    /// Lists your resting orders.
    List,
}

/// `delegate set|clear`.
#[derive(Debug, Subcommand)]
pub enum DelegateCommand {
    /// Names the key (base58) that may trade the sub-account.
    Set {
        /// Sub-account id.
        #[arg(long)]
        sub: u16,
        /// The delegate's public key.
        #[arg(long)]
        key: String,
    },
    /// Removes the delegate.
    Clear {
        /// Sub-account id.
        #[arg(long)]
        sub: u16,
    },
}

/// What a command needs: the RPC client, the signer, whose sub-accounts and whether to ask
/// before sending.
pub struct Session {
    /// RPC client.
    pub client: Client,
    /// The signer.
    pub keypair: Keypair,
    /// The wallet whose sub-accounts the ids name: the signer's own, or the owner it is a
    /// delegate of (`--owner`).
    pub owner: Pubkey,
    /// Send without asking.
    pub yes: bool,
}

/// A command's failure, in words.
pub type CliResult = Result<(), String>;

fn main() {
    let cli = Cli::parse();
    let runtime = tokio::runtime::Runtime::new().expect("tokio runtime");
    if let Err(message) = runtime.block_on(run(cli)) {
        eprintln!("error: {message}");
        std::process::exit(1);
    }
}

async fn run(cli: Cli) -> CliResult {
    let keypair = read_keypair_file(&cli.keypair)
        .map_err(|e| format!("cannot read keypair {}: {e}", cli.keypair.display()))?;
    let owner = match &cli.owner {
        Some(text) => Pubkey::from_str(text).map_err(|e| format!("--owner: {e}"))?,
        None => keypair.pubkey(),
    };
    let session = Session {
        client: Client::new(&cli.url),
        keypair,
        owner,
        yes: cli.yes,
    };
    match cli.command {
        Command::Markets => trader::markets(&session).await,
        Command::Positions => trader::positions(&session).await,
        Command::CreateSubAccount { mode, market } => {
            trader::create_sub_account(&session, mode, market).await
        }
        Command::Deposit { sub, usd } => trader::deposit(&session, sub, &usd).await,
        Command::Withdraw { sub, usd } => trader::withdraw(&session, sub, &usd).await,
        Command::Open {
            sub,
            market,
            side,
            size,
            leverage,
            slippage_bps,
            dry_run,
        } => {
            let order = trader::OrderArgs {
                sub,
                market,
                side,
                size,
                leverage,
                slippage_bps,
            };
            trader::open(&session, order, dry_run).await
        }
        Command::Close {
            sub,
            market,
            size,
            slippage_bps,
        } => trader::close(&session, sub, &market, size, slippage_bps).await,
        Command::AddMargin { from, to, usd } => {
            trader::move_margin(&session, from, to, &usd, true).await
        }
        Command::RemoveMargin { from, to, usd } => {
            trader::move_margin(&session, from, to, &usd, false).await
        }
        Command::Triggers(TriggersCommand::Set {
            sub,
            market,
            stop_loss,
            take_profit,
        }) => trader::set_triggers(&session, sub, &market, stop_loss, take_profit).await,
        Command::Triggers(TriggersCommand::Clear { sub, market }) => {
            trader::set_triggers(&session, sub, &market, None, None).await
        }
        Command::Delegate(DelegateCommand::Set { sub, key }) => {
            let key = Pubkey::from_str(&key).map_err(|e| format!("--key: {e}"))?;
            trader::set_delegate(&session, sub, Some(key)).await
        }
        Command::Delegate(DelegateCommand::Clear { sub }) => {
            trader::set_delegate(&session, sub, None).await
        }
        Command::Order(OrderCommand::Place {
            sub,
            market,
            side,
            size,
            leverage,
            limit,
            hours,
            reduce_only,
        }) => {
            let args = orders::PlaceArgs {
                sub,
                market,
                side,
                size,
                leverage,
                limit,
                hours,
                reduce_only,
            };
            orders::place(&session, args).await
        }
        Command::Order(OrderCommand::Cancel { sub, slot }) => {
            orders::cancel(&session, sub, slot).await
        }
        Command::Order(OrderCommand::List) => orders::list(&session).await,
        Command::History(filter) => history::history(&session, filter.into_args()).await,
        Command::Pnl(filter) => history::pnl(&session, filter.into_args()).await,
        Command::Stress {
            shocks,
            correlated,
            betas,
            path,
            preset,
            json,
        } => {
            let args = stress::StressArgs {
                shocks,
                correlated,
                betas,
                path,
                preset,
                json,
            };
            stress::stress(&session, args).await
        }
        Command::Admin(command) => admin::run(&session, command).await,
    }
}
