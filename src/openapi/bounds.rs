//! Bounds that follow from a value's type alone, stated on every schema that does not state
//! its own: what a 32- or 64-bit integer can hold, that ids start at 1, how long a date or a
//! timestamp is written, and that no text holds U+0000. Limits of particular fields (the
//! validation rules) are the DTOs' own `#[schema]` attributes; these only fill the gaps.

use utoipa::openapi::schema::{ArrayItems, KnownFormat, Object, SchemaFormat, SchemaType, Type};
use utoipa::openapi::{RefOr, Schema};
use utoipa::Number;

/// Text that excludes U+0000, which the service refuses (no database text can hold it).
pub const NO_NUL_PATTERN: &str = "^[^\\u0000]*$";

/// The longest RFC 3339 timestamp the service writes or reads to the nanosecond, with an
/// offset: `2022-05-21T01:00:00.123456789+08:00`.
pub const DATE_TIME_MAX_LENGTH: usize = 35;
/// An RFC 3339 full date: `2022-05-21`.
pub const DATE_LENGTH: usize = 10;

/// Whether a property or parameter of this name holds an id (ids are 64-bit, from 1): `id`,
/// `…_id`. Arrays named `ids` or `…_ids` hold ids.
pub fn is_id(name: &str) -> bool {
    name == "id" || name.ends_with("_id")
}

fn holds_ids(name: &str) -> bool {
    name == "ids" || name.ends_with("_ids")
}

/// Fills the bounds of `schema` (named `name` in its object or parameter list) and of every
/// schema within it.
pub fn bound(name: &str, schema: &mut Schema) {
    let each = |name: &str, s: &mut RefOr<Schema>| {
        if let RefOr::T(s) = s {
            bound(name, s);
        }
    };
    match schema {
        Schema::Object(o) => {
            bound_object(name, o);
            for (key, property) in o.properties.iter_mut() {
                each(key, property);
            }
        }
        Schema::Array(a) => {
            if let ArrayItems::RefOrSchema(items) = &mut a.items {
                let item_name = if holds_ids(name) { "id" } else { name };
                each(item_name, items);
            }
        }
        Schema::OneOf(x) => x.items.iter_mut().for_each(|s| each(name, s)),
        Schema::AllOf(x) => x.items.iter_mut().for_each(|s| each(name, s)),
        Schema::AnyOf(x) => x.items.iter_mut().for_each(|s| each(name, s)),
        _ => {}
    }
}

fn has_type(o: &Object, wanted: Type) -> bool {
    match &o.schema_type {
        SchemaType::Type(t) => *t == wanted,
        SchemaType::Array(types) => types.contains(&wanted),
        SchemaType::AnyValue => false,
    }
}

fn bound_object(name: &str, o: &mut Object) {
    let format = match &o.format {
        Some(SchemaFormat::KnownFormat(f)) => Some(f.clone()),
        _ => None,
    };
    if has_type(o, Type::Integer) {
        let (low, high) = match format {
            Some(KnownFormat::Int64) => (i64::MIN as isize, i64::MAX as isize),
            _ => {
                // Integers without a format are 32-bit in this API (header values).
                if o.format.is_none() {
                    o.format = Some(SchemaFormat::KnownFormat(KnownFormat::Int32));
                }
                (i32::MIN as isize, i32::MAX as isize)
            }
        };
        if is_id(name) {
            o.minimum.get_or_insert(Number::Int(1));
        }
        let is_64 = matches!(format, Some(KnownFormat::Int64));
        if o.minimum.is_none() && o.maximum.is_none() {
            // of no stated range: what its type holds
            o.minimum = Some(Number::Int(low));
            o.maximum = Some(Number::Int(high));
        } else if is_64 {
            // 64-bit ids and counts never pass i64 (rows have i64 ids); a 32-bit unsigned
            // integer (utoipa states only `minimum: 0`) states its own maximum, since u32's
            // is not i32's.
            o.minimum.get_or_insert(Number::Int(low));
            o.maximum.get_or_insert(Number::Int(high));
        }
    }
    if has_type(o, Type::String) {
        match format {
            Some(KnownFormat::Date) => {
                o.max_length.get_or_insert(DATE_LENGTH);
            }
            Some(KnownFormat::DateTime) => {
                o.max_length.get_or_insert(DATE_TIME_MAX_LENGTH);
            }
            _ => {}
        }
        let free = matches!(
            o.format,
            None | Some(SchemaFormat::KnownFormat(KnownFormat::Password))
        );
        if free && o.pattern.is_none() && o.enum_values.is_none() {
            o.pattern = Some(NO_NUL_PATTERN.to_owned());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use utoipa::openapi::ObjectBuilder;

    fn integer(format: KnownFormat) -> Schema {
        ObjectBuilder::new()
            .schema_type(Type::Integer)
            .format(Some(SchemaFormat::KnownFormat(format)))
            .into()
    }

    fn range(schema: &Schema) -> (serde_json::Value, serde_json::Value) {
        let value = serde_json::to_value(schema).unwrap_or_default();
        (value["minimum"].clone(), value["maximum"].clone())
    }

    #[test]
    fn ids_start_at_one_and_plain_integers_hold_their_type() {
        let mut id = integer(KnownFormat::Int64);
        bound("branch_id", &mut id);
        assert_eq!(range(&id), (1.into(), i64::MAX.into()));
        let mut count = integer(KnownFormat::Int32);
        bound("capacity", &mut count);
        assert_eq!(range(&count), (i32::MIN.into(), i32::MAX.into()));
    }

    #[test]
    fn stated_bounds_stay() {
        let mut limit: Schema = ObjectBuilder::new()
            .schema_type(Type::Integer)
            .format(Some(SchemaFormat::KnownFormat(KnownFormat::Int32)))
            .minimum(Some(0))
            .into();
        bound("limit", &mut limit);
        assert_eq!(range(&limit), (0.into(), serde_json::Value::Null));
    }
}
