//! Templates and ISOs.
