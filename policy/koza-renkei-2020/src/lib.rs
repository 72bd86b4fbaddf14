//! koza-renkei-2020: to be written.
