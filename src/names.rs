//! The C names of the core's enumerations, made from their tables by one rule each
//! (`AUTH_OPT_` / `AUTH_ERROR_` / `AUTH_KIND_` + the key in upper case), and the enumerations'
//! definitions in the header, generated from the same tables (tests/header.rs puts them in
//! `include/authtoken.h`; the Python and Node bindings read their tables from there).

use authtoken_core::{ErrorKind, Kind, ParamOption};
use std::ffi::{CStr, CString};
use std::sync::LazyLock;

fn c_name(prefix: &str, key: &str) -> String {
    format!("{prefix}{}", key.to_ascii_uppercase())
}

/// `AUTH_OPT_CLIENT_ID` and so on, indexed like `ParamOption::ALL`.
static OPTION_NAMES: LazyLock<Vec<String>> = LazyLock::new(|| {
    ParamOption::ALL
        .iter()
        .map(|o| c_name("AUTH_OPT_", o.key()))
        .collect()
});

/// The C name of an option; the core names options this way in the messages the C library
/// gives (installed by [`install`]).
pub(crate) fn option_name(option: ParamOption) -> &'static str {
    let index = ParamOption::ALL
        .iter()
        .position(|o| *o == option)
        .expect("every option is in ALL");
    &OPTION_NAMES[index]
}

/// Makes the core's messages name options as C programs know them.
pub(crate) fn install() {
    authtoken_core::config::set_option_naming(option_name);
}

/// `AUTH_OK`, then `AUTH_ERROR_*` for every error kind, as static C strings.
static RESULT_NAMES: LazyLock<Vec<(u32, CString)>> = LazyLock::new(|| {
    std::iter::once((0, c"AUTH_OK".to_owned()))
        .chain(ErrorKind::ALL.iter().map(|k| {
            let name = c_name("AUTH_ERROR_", k.key());
            (k.number(), CString::new(name).expect("no NUL in a key"))
        }))
        .collect()
});

/// The C name of a result code; `AUTH_ERROR_UNKNOWN` for a number that is none.
pub(crate) fn result_name(number: u32) -> &'static CStr {
    RESULT_NAMES
        .iter()
        .find(|(n, _)| *n == number)
        .map_or(c"AUTH_ERROR_UNKNOWN", |(_, name)| name.as_c_str())
}

/// One `typedef enum` of the header, documented as cbindgen documents the rest.
fn c_enum(name: &str, doc: &str, values: &[(String, u32, &str)]) -> String {
    let mut out = doc_comment("", doc);
    out.push_str(&format!("typedef enum {name} {{\n"));
    for (value, number, doc) in values {
        out.push_str(&doc_comment("  ", doc));
        out.push_str(&format!("  {value} = {number},\n"));
    }
    out.push_str(&format!("}} {name};\n\n"));
    out
}

fn doc_comment(indent: &str, doc: &str) -> String {
    let mut out = format!("{indent}/**\n");
    for line in doc.trim_end().lines() {
        let line = line.strip_prefix(' ').unwrap_or(line);
        if line.is_empty() {
            out.push_str(&format!("{indent} *\n"));
        } else {
            out.push_str(&format!("{indent} * {line}\n"));
        }
    }
    out.push_str(&format!("{indent} */\n"));
    out
}

/// The definitions of `auth_result`, `auth_kind` and `auth_option` for the header, from the
/// core's tables.
#[doc(hidden)]
pub fn header_enums() -> String {
    let results: Vec<_> = std::iter::once(("AUTH_OK".to_owned(), 0, " Success."))
        .chain(
            ErrorKind::ALL
                .iter()
                .map(|k| (c_name("AUTH_ERROR_", k.key()), k.number(), k.doc())),
        )
        .collect();
    let kinds: Vec<_> = Kind::ALL
        .iter()
        .map(|k| (c_name("AUTH_KIND_", k.key()), k.number(), k.doc()))
        .collect();
    let options: Vec<_> = ParamOption::ALL
        .iter()
        .map(|o| (option_name(*o).to_owned(), o.number(), o.doc()))
        .collect();
    [
        c_enum(
            "auth_result",
            " The result of every fallible function. `AUTH_OK` is 0; the values are fixed forever.\n \
             A value received from the host is read as a plain integer: an unknown one is never\n \
             undefined behaviour.",
            &results,
        ),
        c_enum(
            "auth_kind",
            " The family of parameters (WLanguage `OAuth2Parameters`, `OpenIDParameters`, `JWTParameters`).",
            &kinds,
        ),
        c_enum(
            "auth_option",
            " The options of `auth_params_set`. Values are fixed forever; an unknown one is\n \
             `AUTH_ERROR_INVALID_ARGUMENT`.",
            &options,
        ),
    ]
    .concat()
}
