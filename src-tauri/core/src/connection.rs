//! Connections: the model crate's (the settings, the forms an operator fills in to add one and
//! the checks a saved one passes), named here as the core's modules have always named them.
pub use resetdesk_model::connection::*;
