//! Disk I/O throttling of compute and disk offerings: the bytes and IOPS
//! read/write rates, their burst maxima and the burst lengths.
//!
//! CloudStack keeps a rate only when it is above zero
//! (`ConfigurationManagerImpl.setBytesRate`/`setIopsRate`) and refuses a
//! maximum below its rate (`validateMaxRateEqualsOrGreater`); the answer
//! shows the rates that are set, under `disk...` names.

use rusqlite::params_from_iter;

use crate::kernel::contract::Call;
use crate::kernel::error::ApiError;

/// One throttling value: the request parameter, the column and the answer
/// field.
struct Rate {
    param: &'static str,
    column: &'static str,
    field: &'static str,
}

const fn rate(param: &'static str, column: &'static str, field: &'static str) -> Rate {
    Rate {
        param,
        column,
        field,
    }
}

/// The twelve values, in CloudStack's order.
const RATES: [Rate; 12] = [
    rate("bytesreadrate", "bytes_read_rate", "diskBytesReadRate"),
    rate(
        "bytesreadratemax",
        "bytes_read_rate_max",
        "diskBytesReadRateMax",
    ),
    rate(
        "bytesreadratemaxlength",
        "bytes_read_rate_max_length",
        "diskBytesReadRateMaxLength",
    ),
    rate("byteswriterate", "bytes_write_rate", "diskBytesWriteRate"),
    rate(
        "byteswriteratemax",
        "bytes_write_rate_max",
        "diskBytesWriteRateMax",
    ),
    rate(
        "byteswriteratemaxlength",
        "bytes_write_rate_max_length",
        "diskBytesWriteRateMaxLength",
    ),
    rate("iopsreadrate", "iops_read_rate", "diskIopsReadRate"),
    rate(
        "iopsreadratemax",
        "iops_read_rate_max",
        "diskIopsReadRateMax",
    ),
    rate(
        "iopsreadratemaxlength",
        "iops_read_rate_max_length",
        "diskIopsReadRateMaxLength",
    ),
    rate("iopswriterate", "iops_write_rate", "diskIopsWriteRate"),
    rate(
        "iopswriteratemax",
        "iops_write_rate_max",
        "diskIopsWriteRateMax",
    ),
    rate(
        "iopswriteratemaxlength",
        "iops_write_rate_max_length",
        "diskIopsWriteRateMaxLength",
    ),
];

/// The rate/maximum pairs CloudStack compares, with the names its refusal
/// uses (`IOPS_READ_RATE`, ... in `ConfigurationManagerImpl`).
const PAIRS: [(usize, usize, &str); 4] = [
    (6, 7, "IOPS Read"),
    (9, 10, "IOPS Write"),
    (0, 1, "Bytes Read"),
    (3, 4, "Bytes Write"),
];

/// The throttling values of a create call, checked; `None` where a value is
/// not given or not above zero.
pub(super) fn from_call(call: &Call<'_>) -> Result<[Option<i64>; 12], ApiError> {
    let mut given = [None; 12];
    for (slot, rate) in given.iter_mut().zip(RATES.iter()) {
        *slot = call.params.i64(rate.param)?;
    }
    for (normal, max, name) in PAIRS {
        if let (Some(rate), Some(max)) = (given[normal], given[max]) {
            if max < rate {
                return Err(ApiError::param(format!(
                    "{name} rate ({rate}) cannot be greater than {name} maximum rate ({max})"
                )));
            }
        }
    }
    Ok(given.map(|v| v.filter(|v| *v > 0)))
}

/// Stores the values of [`from_call`] on an offering row of `table`.
pub(super) fn store(
    call: &Call<'_>,
    table: &str,
    id: &str,
    values: &[Option<i64>; 12],
) -> Result<(), ApiError> {
    let sets: Vec<String> = RATES
        .iter()
        .enumerate()
        .map(|(i, r)| format!("{} = ?{}", r.column, i + 2))
        .collect();
    let args = std::iter::once(rusqlite::types::Value::Text(id.to_string())).chain(
        values.iter().map(|v| {
            v.map_or(
                rusqlite::types::Value::Null,
                rusqlite::types::Value::Integer,
            )
        }),
    );
    call.tx.execute(
        &format!("UPDATE {table} SET {} WHERE id = ?1", sets.join(", ")),
        params_from_iter(args),
    )?;
    Ok(())
}

/// The select list of the answer fields, over the offering row `alias`.
pub(super) fn columns(alias: &str) -> String {
    RATES
        .iter()
        .map(|r| format!("{alias}.{} AS {}", r.column, r.field))
        .collect::<Vec<_>>()
        .join(", ")
}

#[cfg(test)]
#[path = "io_tests.rs"]
mod tests;
