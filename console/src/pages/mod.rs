//! One module per page.

mod campaigns;
mod charts;
mod draw;
mod embed;
mod entries;
mod entry;
mod moderation;
mod queues;
mod rewards;
mod shoppers;
mod stats;

use leptos::prelude::*;

use crate::route::{Page, Route};

pub fn view(route: Route) -> AnyView {
    match route {
        Route::Campaigns => campaigns::Campaigns().into_any(),
        Route::Queues => queues::Queues().into_any(),
        Route::Shoppers => shoppers::Shoppers().into_any(),
        Route::Entry { campaign, entry_id } => view! { <entry::Entry campaign entry_id /> }.into_any(),
        Route::Campaign { id, page } => match page {
            Page::Entries => view! { <entries::Entries campaign=id /> }.into_any(),
            Page::Moderation => view! { <moderation::Moderation campaign=id /> }.into_any(),
            Page::Draw => view! { <draw::Draws campaign=id /> }.into_any(),
            Page::Rewards => view! { <rewards::Rewards campaign=id /> }.into_any(),
            Page::Embed => view! { <embed::Embed campaign=id /> }.into_any(),
            Page::Stats => view! { <stats::Stats campaign=id /> }.into_any(),
        },
    }
}

/// `/campaigns/{id}` with the id encoded, for the API paths of one campaign.
pub fn campaign_path(campaign: &str, rest: &str) -> String {
    format!("/campaigns/{}{rest}", crate::api::enc(campaign))
}
