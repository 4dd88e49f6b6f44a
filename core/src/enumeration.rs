//! `numbered_enum!`: an enumeration whose numbers are part of the C contract, written as one
//! table. The rows give the variant, its number, its key (the name front ends build theirs
//! from: `AUTH_ERROR_` + upper case in C) and its documentation; the enum, `ALL`, the lookups
//! and the accessors are generated, so that adding a row is the only edit.

/// Generates the enum `$name` from rows `/// doc` `Variant = number, "key";`.
macro_rules! numbered_enum {
    (
        $(#[$meta:meta])*
        pub enum $name:ident {
            $(
                $(#[doc = $doc:literal])*
                $variant:ident = $number:literal, $key:literal;
            )*
        }
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum $name {
            $( $(#[doc = $doc])* $variant = $number, )*
        }

        impl $name {
            /// Every value, in the order of the table.
            pub const ALL: &'static [$name] = &[$($name::$variant),*];

            /// The number of the C contract.
            pub const fn number(self) -> u32 {
                self as u32
            }

            /// The value with this number, if there is one.
            pub const fn from_number(number: u32) -> Option<$name> {
                match number {
                    $($number => Some($name::$variant),)*
                    _ => None,
                }
            }

            /// The key: lower-case words joined by `_` (`"invalid_grant"`).
            pub const fn key(self) -> &'static str {
                match self {
                    $($name::$variant => $key,)*
                }
            }

            /// The value with this key, if there is one.
            pub fn from_key(key: &str) -> Option<$name> {
                match key {
                    $($key => Some($name::$variant),)*
                    _ => None,
                }
            }

            /// The documentation of the value (its doc comment).
            pub const fn doc(self) -> &'static str {
                match self {
                    $($name::$variant => concat!($($doc, "\n"),*),)*
                }
            }
        }
    };
}

pub(crate) use numbered_enum;

/// Generates the enum `$name` of an option's choices from rows `/// doc` `Variant = "text" |
/// "alias";`: `parse` (exact text, aliases accepted), `as_str` (the first text) and `CHOICES`
/// (the list a message shows).
macro_rules! choice_enum {
    (
        $(#[$meta:meta])*
        pub enum $name:ident {
            $(
                $(#[doc = $doc:literal])*
                $variant:ident = $text:literal $(| $alias:literal)*;
            )*
        }
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum $name {
            $( $(#[doc = $doc])* $variant, )*
        }

        impl $name {
            /// The texts accepted, for messages: `"a, b, c"`.
            pub const CHOICES: &'static str = crate::enumeration::join_choices!($($text),*);

            /// The value named by `text` (or one of its aliases).
            pub fn parse(text: &str) -> Option<$name> {
                match text {
                    $($text $(| $alias)* => Some($name::$variant),)*
                    _ => None,
                }
            }

            /// The text of the value, as `parse` accepts it.
            pub const fn as_str(self) -> &'static str {
                match self {
                    $($name::$variant => $text,)*
                }
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }
    };
}

/// `"a, b, c"` from the literals `a`, `b`, `c`.
macro_rules! join_choices {
    ($first:literal $(, $rest:literal)*) => { concat!($first $(, ", ", $rest)*) };
}

pub(crate) use choice_enum;
pub(crate) use join_choices;
