//! Temporal schedules, pure: what a definition asks of its schedule, what Temporal has, the
//! calendars and fire times, and the calls a backend offers. The plan between desired and
//! actual lives in `crate::plan`; the Temporal client in `crate::temporal`.

pub mod actual;
pub mod backend;
pub mod calendar;
pub mod compiled_calendar;
pub mod desired;
pub mod fire_rate;
pub mod fires;
pub mod pause;
pub mod spec_note;
pub mod upcoming;
