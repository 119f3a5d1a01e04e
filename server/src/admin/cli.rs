//! `vouch operators …` (filled in below).
