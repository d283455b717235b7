//! Account layouts. Hot accounts (`Market`, `SubAccount`) are zero-copy with pinned sizes;
//! the rest are small Borsh accounts.

pub mod exchange;
pub mod fixed_bits;
pub mod market;
pub mod pool;
pub mod stub_oracle;
pub mod sub_account;
pub mod user;

pub use exchange::*;
pub use fixed_bits::*;
pub use market::*;
pub use pool::*;
pub use stub_oracle::*;
pub use sub_account::*;
pub use user::*;
