//! One spelling per option value: [`named_enum!`](crate::named_enum) gives an enum `FromStr` and
//! `Display` from a single table, so the binding and the error messages use the same words.

/// Implements `FromStr` (with [`Error::InvalidOption`](crate::Error::InvalidOption) naming the option
/// and listing the choices), `Display`, `name()` and `NAMES` for a fieldless enum.
///
/// Each variant has one canonical spelling (what `Display` writes) and optional aliases that parse to it.
///
/// ```ignore
/// named_enum!(Ties, "ties", {
///     Efron => "efron",
///     Breslow => "breslow" | "peto",
/// });
/// ```
#[doc(hidden)]
#[macro_export]
macro_rules! named_enum {
    ($ty:ty, $option:literal, { $($variant:ident => $name:literal $(| $alias:literal)*),+ $(,)? }) => {
        impl $ty {
            /// Every canonical spelling, in declaration order.
            pub const NAMES: &'static [&'static str] = &[$($name),+];

            /// The canonical spelling (what `Display` writes and `FromStr` reads).
            pub const fn name(self) -> &'static str {
                match self {
                    $(Self::$variant => $name),+
                }
            }
        }

        impl ::std::str::FromStr for $ty {
            type Err = $crate::Error;

            fn from_str(s: &str) -> ::std::result::Result<Self, Self::Err> {
                match s {
                    $($name $(| $alias)* => Ok(Self::$variant),)+
                    other => Err($crate::Error::option(
                        $option,
                        other,
                        format!("expected one of {}", Self::NAMES.join(", ")),
                    )),
                }
            }
        }

        impl ::std::fmt::Display for $ty {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                f.write_str(self.name())
            }
        }
    };
}

/// Builder setters for an options struct: `setters!(NpsOptions { confidence: f64, seed: u64 })` gives
/// `NpsOptions::default().confidence(0.9).seed(7)`. Each setter's doc names the field it sets; the
/// field's own doc says what it means.
#[doc(hidden)]
#[macro_export]
macro_rules! setters {
    ($ty:ty { $($field:ident : $fty:ty),+ $(,)? }) => {
        impl $ty {
            $(
                #[doc = concat!("Sets [`", stringify!($field), "`](Self::", stringify!($field), ").")]
                #[must_use]
                pub fn $field(mut self, value: $fty) -> Self {
                    self.$field = value;
                    self
                }
            )+
        }
    };
}
