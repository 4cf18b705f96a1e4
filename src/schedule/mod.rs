//! Temporal schedules: what a definition asks of its schedule, what Temporal has, and
//! the plan between them (pure; the client lives in `crate::temporal`).

pub mod actual;
pub mod calendar;
pub mod desired;
pub mod fires;
pub mod planner;
