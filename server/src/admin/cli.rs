//! `vouch operators …`: operator accounts and API tokens from the shell, through the same
//! functions as the admin routes ([`super::operators`]).

use std::io::{BufRead, IsTerminal, Write};

use anyhow::Context as _;
use clap::Subcommand;
use vouch_core::admin::Role;

use super::auth::secrets::generated_password;
use super::operators;
use crate::app::wiring::Backends;
use crate::campaigns::Campaigns;

fn role(text: &str) -> Result<Role, String> {
    Role::parse(text).ok_or_else(|| "owner, moderator or viewer".into())
}

#[derive(Subcommand)]
pub enum OperatorsCommand {
    /// Add an operator. The password is read from stdin when piped, else one is generated and
    /// printed once.
    Add {
        email: String,
        #[arg(long, value_parser = role)]
        role: Role,
        /// The campaigns a moderator or viewer works on (comma-separated); owners have all.
        #[arg(long, value_delimiter = ',')]
        campaigns: Vec<String>,
    },
    /// Remove an operator; its sessions end at once.
    Remove { email: String },
    /// Set a new password (stdin when piped, else generated and printed); sessions end at once.
    ResetPassword { email: String },
    /// Every operator: e-mail, role, campaigns.
    List,
    /// API tokens for integrations.
    Token {
        #[command(subcommand)]
        command: TokenCommand,
    },
}

#[derive(Subcommand)]
pub enum TokenCommand {
    /// Create a token (printed once; only its hash is kept).
    Create {
        #[arg(long)]
        name: String,
        #[arg(long, value_parser = role)]
        role: Role,
        #[arg(long, value_delimiter = ',')]
        campaigns: Vec<String>,
    },
    /// Revoke a token by name; calls with it are refused at once.
    Revoke { name: String },
    /// Every token: name, role, campaigns, revoked or not.
    List,
}

/// Where a new password comes from.
pub enum PasswordSource {
    /// Piped in (the first line).
    Given(String),
    /// Generated, and printed once.
    Generate,
}

impl PasswordSource {
    /// The first line of stdin when it is piped, else a generated password.
    pub fn from_stdin() -> anyhow::Result<Self> {
        let stdin = std::io::stdin();
        if stdin.is_terminal() {
            return Ok(Self::Generate);
        }
        let mut line = String::new();
        stdin.lock().read_line(&mut line).context("reading the password from stdin")?;
        Ok(Self::Given(line.trim_end_matches(['\r', '\n']).to_string()))
    }

    fn take(self, out: &mut dyn Write) -> anyhow::Result<String> {
        Ok(match self {
            Self::Given(password) => password,
            Self::Generate => {
                let password = generated_password();
                writeln!(out, "password (shown once): {password}")?;
                password
            }
        })
    }
}

fn scope(role: Role, campaigns: Vec<String>, known: &Campaigns) -> anyhow::Result<Option<Vec<String>>> {
    if role == Role::Owner {
        return Ok(None);
    }
    if let Some(unknown) = campaigns.iter().find(|c| known.get(c).is_none()) {
        anyhow::bail!("no campaign {unknown:?} in the campaigns folder");
    }
    Ok(Some(campaigns))
}

fn scope_text(campaigns: &Option<Vec<String>>) -> String {
    campaigns.as_ref().map_or_else(|| "all campaigns".into(), |c| c.join(","))
}

pub async fn run(
    backends: &Backends,
    campaigns: &Campaigns,
    command: OperatorsCommand,
    password: impl FnOnce() -> anyhow::Result<PasswordSource>,
    out: &mut dyn Write,
) -> anyhow::Result<()> {
    let actor = crate::review::cli::actor(None);
    match command {
        OperatorsCommand::Add { email, role, campaigns: list } => {
            let scope = scope(role, list, campaigns)?;
            let password = password()?.take(out)?;
            let email = operators::add(backends, &actor, &email, role, scope, &password).await?;
            writeln!(out, "added {email} ({})", role.as_str())?;
        }
        OperatorsCommand::Remove { email } => {
            operators::remove(backends, &actor, &email).await?;
            writeln!(out, "removed; its sessions are over")?;
        }
        OperatorsCommand::ResetPassword { email } => {
            let password = password()?.take(out)?;
            operators::reset_password(backends, &actor, &email, &password).await?;
            writeln!(out, "password set; earlier sessions are over")?;
        }
        OperatorsCommand::List => {
            for o in operators::list(backends).await? {
                writeln!(out, "{}\t{}\t{}", o.email, o.role.as_str(), scope_text(&o.campaigns))?;
            }
        }
        OperatorsCommand::Token { command: TokenCommand::Create { name, role, campaigns: list } } => {
            let scope = scope(role, list, campaigns)?;
            let token = operators::create_token(backends, &actor, &name, role, scope).await?;
            writeln!(out, "{token}")?;
        }
        OperatorsCommand::Token { command: TokenCommand::Revoke { name } } => {
            operators::revoke_token(backends, &actor, &name).await?;
            writeln!(out, "revoked")?;
        }
        OperatorsCommand::Token { command: TokenCommand::List } => {
            for t in backends.operators.list_tokens().await? {
                let state = if t.revoked { "revoked" } else { "active" };
                writeln!(out, "{}\t{}\t{}\t{state}", t.name, t.role.as_str(), scope_text(&t.campaigns))?;
            }
        }
    }
    Ok(())
}

#[cfg(test)]
#[path = "cli_tests.rs"]
mod tests;
