//! One conformance suite, two backends: every test here runs against the embedded backends
//! (SQLite, local files, outbox) and against the AWS ones (S3, SQS, DynamoDB, SES on moto).

#![allow(unreachable_pub)]

#[path = "../support/mod.rs"]
mod support;

mod analytics;
mod codes;
mod consents;
mod dead_letters;
mod draws;
mod entry_search;
mod erase_leftovers;
mod fixture;
mod ledger;
mod objects_mail;
mod operators;
mod payouts;
mod privacy;
mod queue;
mod receipts;
mod retention;
mod retention_notes;
mod review;
mod sources;
mod store;

/// Declares each listed test twice: `embedded::name` and `aws::name`.
macro_rules! conformance {
    ($($module:ident :: $name:ident),* $(,)?) => {
        mod embedded {
            $( #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
               async fn $name() { crate::$module::$name(crate::fixture::Fixture::embedded().await).await } )*
        }
        mod aws {
            $( #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
               async fn $name() { crate::$module::$name(crate::fixture::Fixture::aws().await).await } )*
        }
    };
}

conformance!(
    consents::consent_records_are_written_once_and_read_by_mailbox,
    consents::a_marketing_consent_is_confirmed_once,
    consents::concurrent_confirmations_confirm_once,
    queue::a_sent_message_is_delivered_and_hidden_while_held,
    queue::an_unacknowledged_message_comes_back_after_its_visibility_timeout,
    queue::an_extended_message_stays_hidden,
    queue::an_acknowledged_message_is_gone,
    queue::a_message_that_keeps_failing_is_dead_lettered,
    queue::a_paused_queue_stays_paused_until_resumed,
    queue::a_message_whose_handler_panics_is_retried_then_dead_lettered,
    dead_letters::a_dead_letter_is_listed_with_its_error_and_campaign_but_not_its_body,
    dead_letters::a_redriven_message_is_delivered_again_with_its_attempts_reset,
    dead_letters::dead_letters_are_listed_and_redriven_under_a_call_timeout_shorter_than_their_poll,
    dead_letters::racing_redrives_of_one_message_move_it_once,
    dead_letters::redrive_all_moves_every_dead_letter_back,
    store::an_entry_is_accepted_once_per_key_and_queued_once,
    store::a_different_body_under_the_same_key_is_refused,
    store::an_accepted_entry_reads_as_accepted_until_the_worker_decides,
    store::the_first_verdict_on_an_entry_stands,
    store::entries_are_listed_per_campaign_in_acceptance_order,
    store::an_upload_backs_one_entry_and_its_replay_stays_a_replay,
    store::an_unclaimed_upload_is_swept_and_an_entry_citing_it_later_is_refused,
    store::entries_beyond_a_persons_limit_are_refused_and_replays_still_answer,
    ledger::the_same_mailbox_joins_once_and_codes_are_unique,
    ledger::a_new_referrer_queues_its_join_event_once,
    ledger::tokens_visits_and_progress_follow_the_referrer,
    ledger::a_conversion_is_taken_in_once_per_order,
    ledger::credits_are_written_once_and_move_only_forward,
    ledger::recent_conversions_are_counted_per_code_and_client,
    ledger::merchant_and_webhook_secrets_are_kept,
    ledger::referrers_are_counted_per_campaign_once_each,
    ledger::an_operators_verdict_and_its_audit_record_are_written_together,
    sources::a_browser_report_never_blocks_the_merchants_report_of_the_same_order,
    sources::the_merchants_credits_replace_a_browsers_pending_ones_once,
    sources::a_decided_browser_credit_stands_against_the_merchants_report,
    sources::a_decision_and_its_event_commit_together,
    objects_mail::objects_are_stored_read_and_deleted,
    objects_mail::a_presigned_link_loads_the_object_until_it_expires,
    objects_mail::a_confirmation_mail_is_sent_once,
    objects_mail::copies_of_a_mail_sent_at_once_go_out_once,
    codes::codes_are_imported_once_per_campaign_and_bad_lines_are_reported,
    codes::codes_are_handed_out_in_import_order_and_shown_again,
    codes::concurrent_claims_never_share_a_code_and_the_rest_wait,
    codes::concurrent_claims_for_one_owed_item_get_one_code,
    codes::waiting_items_are_filled_in_order_after_an_import,
    codes::filled_items_stay_undelivered_until_their_delivery_is_recorded,
    codes::a_raw_read_of_the_store_does_not_show_a_code,
    receipts::a_receipt_is_claimed_by_one_entry_per_campaign,
    receipts::concurrent_claims_on_one_receipt_have_one_winner,
    receipts::near_hashes_are_found_by_their_bands_and_far_ones_are_not,
    review::a_review_case_is_kept_once,
    review::a_decision_moves_a_pending_entry_once_with_its_audit_record,
    review::concurrent_decisions_on_one_entry_have_one_winner,
    review::the_audit_log_lists_a_campaigns_records_oldest_first,
    draws::the_pool_lists_a_campaigns_decided_entries_by_id,
    draws::a_draw_is_stored_once_with_its_event,
    draws::a_forfeit_promotes_the_next_alternate_in_order,
    draws::concurrent_forfeits_each_promote_a_different_alternate,
    payouts::approved_referrer_credits_are_due_until_paid,
    payouts::marking_paid_is_all_or_nothing_and_once,
    payouts::a_large_batch_is_paid_once_across_transactions,
    payouts::concurrent_mark_paid_of_one_credit_pays_it_once,
    entry_search::entries_page_newest_first_through_every_entry_of_the_campaign,
    entry_search::entries_page_oldest_first_when_asked,
    entry_search::entries_are_filtered_by_status_time_email_and_name,
    entry_search::entries_arriving_while_paging_neither_repeat_nor_hide_others,
    entry_search::entries_are_counted_by_status_per_campaign,
    operators::an_operator_is_added_once_per_email_and_read_back,
    operators::concurrent_adds_of_one_email_have_one_winner,
    operators::sessions_are_found_by_hash_touched_forward_and_deleted,
    operators::removing_an_operator_or_resetting_its_password_ends_its_sessions,
    operators::tokens_are_unique_by_name_found_by_hash_and_revoked,
    operators::login_failures_count_within_a_window_and_clear,
    operators::passwords_and_tokens_are_stored_only_as_hashes,
    operators::concurrent_failures_are_all_counted,
    analytics::a_batch_is_counted_once_however_often_it_arrives,
    analytics::a_session_counts_once_per_counter,
    analytics::counters_are_read_per_campaign_for_the_days_asked,
    analytics::a_batch_larger_than_one_transaction_is_counted_once,
    analytics::concurrent_deliveries_of_one_batch_count_it_once,
    privacy::a_shoppers_data_is_found_in_every_campaign_or_in_one,
    privacy::erasing_anonymises_the_person_and_keeps_counts_and_ledger_totals,
    privacy::an_erasure_is_logged_by_hash_and_a_repeat_is_recognised,
    privacy::an_entry_accepted_before_its_persons_erasure_is_never_recorded,
    privacy::a_shoppers_consent_records_are_erased_and_their_opt_in_confirms_nothing,
    erase_leftovers::a_join_that_crossed_its_mailboxs_erasure_is_refused_and_writes_nothing,
    erase_leftovers::an_entry_refused_by_an_erasure_leaves_no_fingerprint_case_or_idempotency_record,
    erase_leftovers::an_audit_records_detail_is_rewritten_and_the_record_stays,
    erase_leftovers::a_conversions_client_is_found_and_anonymised,
    erase_leftovers::an_erasure_is_seen_by_a_message_accepted_before_it_only,
    erase_leftovers::operators_notes_on_a_credit_are_redacted_and_its_state_stays,
    retention::a_sweep_record_is_kept_and_replaced,
    retention::a_campaigns_referrers_consents_and_credits_come_page_by_page,
    retention::a_campaigns_entry_limits_are_erased_page_by_page,
    retention::objects_are_listed_by_folder,
    retention::a_sweep_removes_one_campaigns_people_keeps_the_books_and_runs_once,
    retention::an_interrupted_sweep_resumes_from_its_record,
    retention_notes::a_campaigns_conversion_clients_are_anonymised_page_by_page,
    retention_notes::a_campaigns_credit_notes_and_audit_text_are_erased_and_the_books_stay,
    retention_notes::a_campaigns_undelivered_webhook_events_are_erased,
    retention_notes::a_campaign_swept_by_an_older_generation_gets_the_steps_it_lacked,
);
