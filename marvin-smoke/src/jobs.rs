//! Async jobs, and refusals with their error codes.
