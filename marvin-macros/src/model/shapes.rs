//! Response shapes, interned by structure: marvin-core's
//! [`marvin_core::shapes`], shared with the OpenAPI document.

pub(crate) use marvin_core::shapes::{Kind, RawField, Scalar, ShapeId, Shapes};
