//! The client against small fake management servers on 127.0.0.1:0.

mod calls;
mod error_paths;
mod fake;
mod jobs;
mod observe;
mod paging;
mod retries;
mod sessions;
