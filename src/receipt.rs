//! Delivery receipts. (being written)
