//! `#[derive(Setters)]`: a chained setter per field of a props struct, so that app code
//! writes `RoleProps::default().description("..").path("/app/")` instead of a struct
//! literal with `Some(x.into())` and `..Default::default()`.
//!
//! For a field `f: T` the setter is `pub fn f(self, value) -> Self`, taking:
//! - `impl Into<U>` for `Option<U>` (stored as `Some`),
//! - `impl IntoIterator<Item = impl Into<U>>` for `Vec<U>` (replacing the list),
//! - `bool` for `bool`,
//! - the number itself for a primitive number `N` or `Option<N>` (`u32`, `i64`, `f64`, ...):
//!   `impl Into<u32>` would make a bare literal (`.timeout_minutes(30)`) an `i32`, which
//!   converts into no unsigned type, and ask for `30u32`,
//! - `impl Into<T>` otherwise.
//!
//! The field's doc comment becomes the setter's, so each setter documents its default.
//! The setter of a field named `default` is `default_value`, so that it does not shadow
//! `Default::default()`. `#[setters(skip)]` on a field leaves it without a setter (for a field whose name is
//! already an associated function of the struct).

use proc_macro::TokenStream;
use proc_macro2::TokenStream as Tokens;
use quote::quote;
use syn::{
    Attribute, Data, DeriveInput, Fields, GenericArgument, PathArguments, Type, parse_macro_input,
};

/// See the crate documentation.
#[proc_macro_derive(Setters, attributes(setters))]
pub fn derive_setters(input: TokenStream) -> TokenStream {
    let input = parse_macro_input!(input as DeriveInput);
    match setters(&input) {
        Ok(tokens) => tokens.into(),
        Err(error) => error.to_compile_error().into(),
    }
}

fn setters(input: &DeriveInput) -> syn::Result<Tokens> {
    let Data::Struct(data) = &input.data else {
        return Err(syn::Error::new_spanned(
            input,
            "Setters derives only for structs with named fields",
        ));
    };
    let Fields::Named(fields) = &data.fields else {
        return Err(syn::Error::new_spanned(
            input,
            "Setters derives only for structs with named fields",
        ));
    };
    let mut methods = Vec::new();
    for field in &fields.named {
        if skipped(&field.attrs)? {
            continue;
        }
        let Some(field_name) = &field.ident else {
            continue;
        };
        // A setter named `default` would shadow `Default::default()` on the struct.
        let name = if field_name == "default" {
            quote::format_ident!("default_value")
        } else {
            field_name.clone()
        };
        let docs: Vec<&Attribute> = field
            .attrs
            .iter()
            .filter(|a| a.path().is_ident("doc"))
            .collect();
        let ty = &field.ty;
        let method = if let Some(inner) = wrapped(ty, "Option").filter(|inner| is_number(inner)) {
            quote! {
                #(#docs)*
                pub fn #name(mut self, value: #inner) -> Self {
                    self.#field_name = ::core::option::Option::Some(value);
                    self
                }
            }
        } else if is_number(ty) {
            quote! {
                #(#docs)*
                pub fn #name(mut self, value: #ty) -> Self {
                    self.#field_name = value;
                    self
                }
            }
        } else if let Some(inner) = wrapped(ty, "Option") {
            quote! {
                #(#docs)*
                pub fn #name(mut self, value: impl ::core::convert::Into<#inner>) -> Self {
                    self.#field_name = ::core::option::Option::Some(value.into());
                    self
                }
            }
        } else if let Some(inner) = wrapped(ty, "Vec") {
            quote! {
                #(#docs)*
                pub fn #name(
                    mut self,
                    values: impl ::core::iter::IntoIterator<Item = impl ::core::convert::Into<#inner>>,
                ) -> Self {
                    self.#field_name = values.into_iter().map(::core::convert::Into::into).collect();
                    self
                }
            }
        } else if is_bool(ty) {
            quote! {
                #(#docs)*
                pub fn #name(mut self, value: bool) -> Self {
                    self.#field_name = value;
                    self
                }
            }
        } else {
            quote! {
                #(#docs)*
                pub fn #name(mut self, value: impl ::core::convert::Into<#ty>) -> Self {
                    self.#field_name = value.into();
                    self
                }
            }
        };
        methods.push(method);
    }
    let ident = &input.ident;
    let (impl_generics, ty_generics, where_clause) = input.generics.split_for_impl();
    Ok(quote! {
        impl #impl_generics #ident #ty_generics #where_clause {
            #(#methods)*
        }
    })
}

/// A primitive number type, written as its bare name (`u32`).
fn is_number(ty: &Type) -> bool {
    const NUMBERS: [&str; 14] = [
        "u8", "u16", "u32", "u64", "u128", "usize", "i8", "i16", "i32", "i64", "i128", "isize",
        "f32", "f64",
    ];
    matches!(ty, Type::Path(path) if path.qself.is_none()
        && path.path.get_ident().is_some_and(|ident| NUMBERS.iter().any(|n| ident == n)))
}

/// `#[setters(skip)]`.
fn skipped(attrs: &[Attribute]) -> syn::Result<bool> {
    let mut skip = false;
    for attr in attrs.iter().filter(|a| a.path().is_ident("setters")) {
        attr.parse_nested_meta(|meta| {
            if meta.path.is_ident("skip") {
                skip = true;
                Ok(())
            } else {
                Err(meta.error("unknown setters option; the one option is `skip`"))
            }
        })?;
    }
    Ok(skip)
}

/// `U` when `ty` is `<wrapper><U>` (by its last path segment).
fn wrapped<'t>(ty: &'t Type, wrapper: &str) -> Option<&'t Type> {
    let Type::Path(path) = ty else { return None };
    let last = path.path.segments.last()?;
    if last.ident != wrapper {
        return None;
    }
    let PathArguments::AngleBracketed(args) = &last.arguments else {
        return None;
    };
    match args.args.first()? {
        GenericArgument::Type(inner) if args.args.len() == 1 => Some(inner),
        _ => None,
    }
}

fn is_bool(ty: &Type) -> bool {
    matches!(ty, Type::Path(p) if p.path.is_ident("bool"))
}
