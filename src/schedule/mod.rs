//! Temporal schedules: what a definition asks of its schedule (pure, no client here).

pub mod desired;
pub mod fires;
