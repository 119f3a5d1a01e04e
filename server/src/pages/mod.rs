//! The HTML pages Vouch serves itself: the hosted campaign page and the Facebook fan-page tab.

pub mod facebook;
pub mod page;
pub mod prerender;
