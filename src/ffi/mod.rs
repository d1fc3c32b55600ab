//! C ABI. (being written)
