//! One file per instruction: its accounts, arguments and handler together.

pub mod accept_admin;
pub mod close_position;
pub mod close_sub_account;
pub mod create_market;
pub mod create_sub_account;
pub mod create_user;
pub mod deposit;
pub mod initialize_exchange;
pub mod open_position;
pub mod pool_deposit;
pub mod pool_withdraw;
pub mod propose_admin;
pub mod set_market_status;
pub mod set_stub_price;
pub mod update_market;
pub mod withdraw;

pub use accept_admin::*;
pub use close_position::*;
pub use close_sub_account::*;
pub use create_market::*;
pub use create_sub_account::*;
pub use create_user::*;
pub use deposit::*;
pub use initialize_exchange::*;
pub use open_position::*;
pub use pool_deposit::*;
pub use pool_withdraw::*;
pub use propose_admin::*;
pub use set_market_status::*;
pub use set_stub_price::*;
pub use update_market::*;
pub use withdraw::*;
