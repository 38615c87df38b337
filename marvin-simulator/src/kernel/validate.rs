//! Generic validation, driven by the precache, before any handler runs:
//! map encodings, required parameters, types, uuid format, string lengths
//! and the paging rules (cloudstack-protocol.md §1 and §7); then ids are
//! made canonical.

use marvin_core::{CsErrorCode, ErrorCode};

use crate::kernel::catalog::{ApiSpec, ParamKind, ParamSpec};
use crate::kernel::contract::Page;
use crate::kernel::error::ApiError;
use crate::kernel::params::{ParamName, Params, parse_name};

/// Checks a call's parameters, then lower-cases its ids
/// ([`canonical_ids`]). `authenticator` commands (`login`, `logout`) get
/// only the required-parameter check, as on a real server, where they
/// bypass the dispatcher's parameter processing.
pub(crate) fn check(
    spec: &ApiSpec,
    params: &mut Params,
    authenticator: bool,
) -> Result<(), ApiError> {
    if !authenticator {
        check_names(params)?;
    }
    for param in &spec.params {
        if param.kind == ParamKind::Map {
            if param.required && !has_map(params, &param.name) && params.str(&param.name).is_none()
            {
                return Err(ApiError::missing(&spec.name, &param.name));
            }
            continue;
        }
        let Some(value) = params.str(&param.name) else {
            if param.required {
                return Err(ApiError::missing(&spec.name, &param.name));
            }
            continue;
        };
        if !authenticator {
            check_value(&spec.name, param, value)?;
        }
    }
    if spec.paged && !authenticator {
        check_paging(params)?;
    }
    canonical_ids(spec, params);
    Ok(())
}

/// Refuses a name CloudStack's dispatcher cannot unpack (a map entry with a
/// bad index, such as one beyond Java's `int`, or a misplaced bracket):
/// `ParamUnpackWorker.handle` throws a `ServerApiException` with
/// `MALFORMED_PARAMETER_ERROR`, so 430 with cserrorcode 9999.
fn check_names(params: &Params) -> Result<(), ApiError> {
    for (name, _) in params.iter() {
        if parse_name(name) == ParamName::Malformed {
            return Err(ApiError::new(
                ErrorCode::MalformedParameter,
                CsErrorCode::ServerApi,
                format!(
                    "Unable to decode parameter {name}; if specifying an object array, please use \
                     parameter[index].field=XXX, e.g. userGroupList[0].group=httpGroup"
                ),
            ));
        }
    }
    Ok(())
}

/// Lower-cases the ids a call carries, so that every handler compares
/// canonical ids: CloudStack's database (MySQL with a case-insensitive
/// collation) finds `id=<UPPER-CASE UUID>`, the simulator's stored ids are
/// lower case. Values of `uuid` parameters are ids (already checked to be
/// UUIDs); so are the UUID-shaped items of a `list` parameter named `…id` or
/// `…ids` (`ids`, `zoneid`, `virtualmachineids`: the precache does not say
/// which lists hold ids, and such lists are ids in CloudStack's commands).
fn canonical_ids(spec: &ApiSpec, params: &mut Params) {
    for param in &spec.params {
        let Some(value) = params.get(&param.name) else {
            continue;
        };
        let canonical = match param.kind {
            ParamKind::Uuid if is_uuid(value) => value.to_ascii_lowercase(),
            ParamKind::List if param.name.ends_with("id") || param.name.ends_with("ids") => value
                .split(',')
                .map(|item| {
                    if is_uuid(item.trim()) {
                        item.to_ascii_lowercase()
                    } else {
                        item.to_owned()
                    }
                })
                .collect::<Vec<_>>()
                .join(","),
            _ => continue,
        };
        if canonical != value {
            params.insert(&param.name, canonical);
        }
    }
}

fn check_value(command: &str, param: &ParamSpec, value: &str) -> Result<(), ApiError> {
    let name = param.name.as_str();
    let number = |ok: bool| {
        if ok {
            Ok(())
        } else {
            Err(ApiError::param(format!(
                "Unable to execute API command {} due to invalid value {value} for parameter {name}",
                command.to_ascii_lowercase()
            )))
        }
    };
    match param.kind {
        ParamKind::Short => number(value.parse::<i16>().is_ok()),
        ParamKind::Integer => number(value.parse::<i32>().is_ok()),
        ParamKind::Long => number(value.parse::<i64>().is_ok()),
        ParamKind::Float => number(value.parse::<f64>().is_ok_and(f64::is_finite)),
        ParamKind::Uuid => {
            if is_uuid(value) {
                Ok(())
            } else {
                Err(ApiError::invalid_id(name, value))
            }
        }
        ParamKind::Date | ParamKind::TzDate => {
            if crate::kernel::time::parse_param(value).is_some() {
                Ok(())
            } else {
                Err(ApiError::param(format!(
                    "Unable to parse date {value} for command {}, please pass dates in the format mentioned in \
                     the api documentation",
                    command.to_ascii_lowercase()
                )))
            }
        }
        ParamKind::String => match param.length {
            Some(max) if value.encode_utf16().count() > max as usize => Err(ApiError::param(
                format!("Value greater than max allowed length {max} for param: {name}"),
            )),
            _ => Ok(()),
        },
        ParamKind::Boolean | ParamKind::List | ParamKind::Map | ParamKind::Other => Ok(()),
    }
}

fn check_paging(params: &Params) -> Result<(), ApiError> {
    // Both were type-checked as integers above, when the precache has them.
    let size = params.i64("pagesize")?;
    let page = params.i64("page")?;
    match (page, size) {
        (Some(_), Some(-1)) => Err(ApiError::param(
            "Can't specify page parameter when pagesize is -1 (Unlimited)",
        )),
        (_, Some(size)) if size > Page::MAX => Err(ApiError::param(format!(
            "Page size can't exceed max allowed page size value: {}",
            Page::MAX
        ))),
        (_, Some(size)) if size < 1 && size != -1 => Err(ApiError::param(format!(
            "Invalid page size {size}: use a number from 1 to {} or -1",
            Page::MAX
        ))),
        (None, Some(size)) if size != -1 => Err(ApiError::param(
            "\"page\" parameter is required when \"pagesize\" is specified",
        )),
        (Some(_), None) => Err(ApiError::param(
            "\"pagesize\" parameter is required when \"page\" is specified",
        )),
        (Some(page), Some(_)) if page < 1 => Err(ApiError::param(format!(
            "Invalid page {page}: pages are numbered from 1"
        ))),
        _ => Ok(()),
    }
}

fn has_map(params: &Params, name: &str) -> bool {
    params.iter().any(|(key, _)| {
        key.strip_prefix(name)
            .is_some_and(|rest| rest.starts_with('['))
    })
}

/// A hyphenated UUID (`8-4-4-4-12` hex digits), as CloudStack's ids are.
pub(crate) fn is_uuid(value: &str) -> bool {
    let bytes = value.as_bytes();
    bytes.len() == 36
        && bytes.iter().enumerate().all(|(i, b)| match i {
            8 | 13 | 18 | 23 => *b == b'-',
            _ => b.is_ascii_hexdigit(),
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spec() -> ApiSpec {
        let param = |name: &str, kind, length, required| ParamSpec {
            name: name.into(),
            kind,
            length,
            required,
        };
        ApiSpec {
            name: "listThings".into(),
            isasync: false,
            paged: true,
            params: vec![
                param("id", ParamKind::Uuid, Some(255), false),
                param("name", ParamKind::String, Some(5), false),
                param("size", ParamKind::Short, None, false),
                param("when", ParamKind::Date, None, false),
                param("zoneid", ParamKind::Uuid, None, true),
                param("tags", ParamKind::Map, None, false),
                param("flag", ParamKind::Boolean, None, false),
                param("page", ParamKind::Integer, None, false),
                param("pagesize", ParamKind::Integer, None, false),
            ],
        }
    }

    const ZONE: &str = "0f8fad5b-d9cb-469f-a165-70867728950e";

    fn run(pairs: &[(&str, &str)]) -> Result<(), ApiError> {
        let mut all = vec![("zoneid", ZONE)];
        all.extend_from_slice(pairs);
        check(&spec(), &mut Params::from_pairs(all), false)
    }

    fn text(pairs: &[(&str, &str)]) -> String {
        let error = run(pairs).unwrap_err();
        assert_eq!(error.code.as_u16(), 431);
        error.text
    }

    #[test]
    fn a_valid_call_passes() {
        run(&[
            ("flag", "yes"),
            ("tags[0].key", "a"),
            ("when", "2024-01-01"),
            ("page", "2"),
            ("pagesize", "10"),
        ])
        .unwrap();
        run(&[("pagesize", "-1")]).unwrap();
    }

    #[test]
    fn missing_required_parameter() {
        let error = check(&spec(), &mut Params::new(), false).unwrap_err();
        assert_eq!(
            error.text,
            "Unable to execute API command listthings due to missing parameter zoneid"
        );
    }

    #[test]
    fn malformed_uuid_and_numbers_and_dates() {
        assert!(
            text(&[("id", "12")])
                .starts_with("Invalid parameter id value=12 due to incorrect long value format")
        );
        assert_eq!(
            text(&[("size", "70000")]),
            "Unable to execute API command listthings due to invalid value 70000 for parameter size"
        );
        assert!(text(&[("when", "tomorrow")]).starts_with("Unable to parse date tomorrow"));
    }

    #[test]
    fn over_long_strings_count_characters() {
        run(&[("name", "ééééé")]).unwrap();
        assert_eq!(
            text(&[("name", "abcdef")]),
            "Value greater than max allowed length 5 for param: name"
        );
    }

    /// `ParamUnpackWorker.handle`: a name it cannot unpack is a
    /// `MALFORMED_PARAMETER_ERROR` (430, a `ServerApiException`: 9999).
    #[test]
    fn map_entries_need_an_index_java_can_read() {
        for bad in [
            "tags[a].key",
            "tags[0]key",
            "tags[[0]].x",
            "tags[4294967296].key",
            "tags[2147483648].key",
            "tags[99999999999999999999].key",
        ] {
            let error = run(&[(bad, "v")]).unwrap_err();
            assert_eq!(
                (error.code.as_u16(), error.cs_code.map(|c| c.as_u32())),
                (430, Some(9999)),
                "{bad}"
            );
            assert_eq!(
                error.text,
                format!(
                    "Unable to decode parameter {bad}; if specifying an object array, please use \
                     parameter[index].field=XXX, e.g. userGroupList[0].group=httpGroup"
                )
            );
        }
        // What Java's parser and the unpacking accept.
        for good in ["tags[-1].key", "tags[2147483647].key", "tags[0].", "[0].x"] {
            run(&[(good, "v")]).unwrap_or_else(|e| panic!("{good}: {}", e.text));
        }
    }

    /// MySQL's case-insensitive collation finds an upper-case id: ids are
    /// made lower case once, for every handler.
    #[test]
    fn ids_are_lower_cased_for_the_handlers() {
        let mut spec = spec();
        spec.params.push(ParamSpec {
            name: "ids".into(),
            kind: ParamKind::List,
            length: None,
            required: false,
        });
        spec.params.push(ParamSpec {
            name: "names".into(),
            kind: ParamKind::List,
            length: None,
            required: false,
        });
        let upper = ZONE.to_uppercase();
        let mut params = Params::from_pairs([
            ("zoneid", upper.as_str()),
            ("ids", &format!("{upper}, {upper},Not-An-Id")),
            ("names", upper.as_str()),
            ("name", "ABC"),
        ]);
        check(&spec, &mut params, false).unwrap();
        assert_eq!(params.get("zoneid"), Some(ZONE));
        assert_eq!(
            params.get("ids"),
            Some(format!("{ZONE}, {ZONE},Not-An-Id").as_str())
        );
        assert_eq!(params.get("names"), Some(upper.as_str()), "not an id list");
        assert_eq!(params.get("name"), Some("ABC"));
    }

    #[test]
    fn paging_rules() {
        assert!(text(&[("page", "1")]).contains("\"pagesize\" parameter is required"));
        assert!(text(&[("pagesize", "10")]).contains("\"page\" parameter is required"));
        assert!(
            text(&[("page", "1"), ("pagesize", "501")])
                .contains("can't exceed max allowed page size value: 500")
        );
        assert!(text(&[("page", "1"), ("pagesize", "-1")]).contains("pagesize is -1"));
        assert!(text(&[("page", "0"), ("pagesize", "5")]).contains("Invalid page"));
        assert!(text(&[("page", "1"), ("pagesize", "0")]).contains("Invalid page size"));
    }

    #[test]
    fn authenticators_only_need_their_required_parameters() {
        let spec = ApiSpec {
            name: "login".into(),
            isasync: false,
            paged: false,
            params: vec![ParamSpec {
                name: "domainid".into(),
                kind: ParamKind::Long,
                length: None,
                required: false,
            }],
        };
        check(&spec, &mut Params::from_pairs([("domainId", ZONE)]), true).unwrap();
        // Their names are not unpacked either.
        check(&spec, &mut Params::from_pairs([("a[x].b", "1")]), true).unwrap();
    }

    #[test]
    fn uuids_are_hyphenated_hex() {
        assert!(is_uuid(ZONE));
        assert!(is_uuid(&ZONE.to_uppercase()));
        assert!(!is_uuid("0f8fad5bd9cb469fa16570867728950e"));
        assert!(!is_uuid("0f8fad5b-d9cb-469f-a165-70867728950g"));
    }
}
