//! Gives the C library (the cdylib) its SONAME on Linux. See docs/c-api.md "ABI": while the major
//! version is 0 every minor version may break the ABI, so the SONAME is
//! `libesme.so.0.<minor>`; from 1.0 on it is `libesme.so.<major>`.

fn main() {
    println!("cargo:rerun-if-changed=build.rs");
    let os = std::env::var("CARGO_CFG_TARGET_OS").unwrap_or_default();
    if os != "linux" {
        return;
    }
    let major = std::env::var("CARGO_PKG_VERSION_MAJOR").unwrap_or_default();
    let minor = std::env::var("CARGO_PKG_VERSION_MINOR").unwrap_or_default();
    let soname = if major == "0" {
        format!("libesme.so.0.{minor}")
    } else {
        format!("libesme.so.{major}")
    };
    println!("cargo:rustc-cdylib-link-arg=-Wl,-soname,{soname}");
}
