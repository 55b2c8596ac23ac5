// The tables of migrations/{postgres,sqlite}. Types are the portable subset both backends
// share: BigInt ids, Integer minutes, Timestamp (UTC), Date, Text enums, Bool.

diesel::table! {
    plans (id) {
        id -> BigInt,
        year -> Integer,
        title -> Text,
        title_en -> Nullable<Text>,
        issuer -> Text,
        published_on -> Nullable<Date>,
        preamble -> Nullable<Text>,
        version -> BigInt,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    plan_sections (id) {
        id -> BigInt,
        plan_id -> BigInt,
        number -> Integer,
        title -> Text,
        title_en -> Nullable<Text>,
    }
}

diesel::table! {
    plan_items (id) {
        id -> BigInt,
        plan_id -> BigInt,
        section_id -> BigInt,
        number -> Integer,
        title -> Text,
        title_en -> Nullable<Text>,
        body -> Text,
    }
}

diesel::table! {
    branches (id) {
        id -> BigInt,
        code -> Text,
        name -> Text,
        parent_id -> Nullable<BigInt>,
        archived -> Bool,
        version -> BigInt,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        search_text -> Text,
    }
}

diesel::table! {
    volunteers (id) {
        id -> BigInt,
        name -> Text,
        gender -> Nullable<Text>,
        phone -> Nullable<Text>,
        volunteer_number -> Nullable<Text>,
        branch_id -> BigInt,
        status -> Text,
        joined_on -> Nullable<Date>,
        version -> BigInt,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        search_text -> Text,
    }
}

diesel::table! {
    volunteer_tags (volunteer_id, tag) {
        volunteer_id -> BigInt,
        tag -> Text,
    }
}

diesel::table! {
    users (id) {
        id -> BigInt,
        username -> Text,
        password_hash -> Text,
        role -> Text,
        branch_id -> Nullable<BigInt>,
        volunteer_id -> Nullable<BigInt>,
        disabled -> Bool,
        failed_logins -> Integer,
        first_failed_login_at -> Nullable<Timestamp>,
        locked_until -> Nullable<Timestamp>,
        last_login_at -> Nullable<Timestamp>,
        token_version -> BigInt,
        version -> BigInt,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    events (id) {
        id -> BigInt,
        title -> Text,
        description -> Nullable<Text>,
        category -> Text,
        organiser_branch_id -> BigInt,
        place -> Nullable<Text>,
        starts_at -> Timestamp,
        ends_at -> Timestamp,
        status -> Text,
        capacity -> Nullable<Integer>,
        created_by -> Nullable<BigInt>,
        version -> BigInt,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        search_text -> Text,
        signup_mode -> Text,
        signup_opens_at -> Nullable<Timestamp>,
        signup_closes_at -> Nullable<Timestamp>,
        signup_scope -> Text,
    }
}

diesel::table! {
    event_required_tags (event_id, tag) {
        event_id -> BigInt,
        tag -> Text,
    }
}

diesel::table! {
    signups (id) {
        id -> BigInt,
        event_id -> BigInt,
        volunteer_id -> BigInt,
        status -> Text,
        reason -> Nullable<Text>,
        created_by -> BigInt,
        decided_by -> Nullable<BigInt>,
        decided_at -> Nullable<Timestamp>,
        version -> BigInt,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    event_plan_items (event_id, plan_item_id) {
        event_id -> BigInt,
        plan_item_id -> BigInt,
    }
}

diesel::table! {
    hour_entries (id) {
        id -> BigInt,
        volunteer_id -> BigInt,
        event_id -> BigInt,
        branch_id -> BigInt,
        minutes -> Integer,
        service_date -> Date,
        started_at -> Nullable<Timestamp>,
        ended_at -> Nullable<Timestamp>,
        role -> Nullable<Text>,
        note -> Nullable<Text>,
        status -> Text,
        corrects_id -> Nullable<BigInt>,
        submitted_by -> Nullable<BigInt>,
        reviewed_by -> Nullable<BigInt>,
        reviewed_at -> Nullable<Timestamp>,
        reason -> Nullable<Text>,
        version -> BigInt,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        source -> Text,
        auto_closed -> Bool,
    }
}

diesel::table! {
    audit_log (id) {
        id -> BigInt,
        occurred_at -> Timestamp,
        actor_id -> Nullable<BigInt>,
        action -> Text,
        entity -> Text,
        entity_id -> Nullable<BigInt>,
        before_json -> Nullable<Text>,
        after_json -> Nullable<Text>,
        reason -> Nullable<Text>,
        request_id -> Nullable<Text>,
    }
}

diesel::table! {
    idempotency_keys (id) {
        id -> BigInt,
        user_id -> BigInt,
        key -> Text,
        method -> Text,
        path -> Text,
        request_hash -> Text,
        state -> Text,
        response_status -> Nullable<Integer>,
        response_headers -> Nullable<Text>,
        response_body -> Nullable<Text>,
        created_at -> Timestamp,
        completed_at -> Nullable<Timestamp>,
        expires_at -> Timestamp,
    }
}

diesel::table! {
    refresh_tokens (id) {
        id -> BigInt,
        user_id -> BigInt,
        family_id -> Text,
        token_hash -> Text,
        issued_at -> Timestamp,
        expires_at -> Timestamp,
        used_at -> Nullable<Timestamp>,
        revoked_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    commendations (id) {
        id -> BigInt,
        volunteer_id -> BigInt,
        title -> Text,
        awarded_by -> Text,
        awarded_on -> Date,
        level -> Text,
        note -> Nullable<Text>,
        created_by -> Nullable<BigInt>,
        version -> BigInt,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    evaluations (id) {
        id -> BigInt,
        event_id -> BigInt,
        volunteer_id -> BigInt,
        rating -> Text,
        comment -> Nullable<Text>,
        created_by -> Nullable<BigInt>,
        updated_by -> Nullable<BigInt>,
        version -> BigInt,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    error_reports (id) {
        id -> BigInt,
        volunteer_id -> BigInt,
        kind -> Text,
        event_id -> BigInt,
        hour_entry_id -> Nullable<BigInt>,
        service_date -> Nullable<Date>,
        minutes -> Integer,
        started_at -> Nullable<Timestamp>,
        ended_at -> Nullable<Timestamp>,
        role -> Nullable<Text>,
        note -> Nullable<Text>,
        explanation -> Text,
        status -> Text,
        decided_by -> Nullable<BigInt>,
        decided_at -> Nullable<Timestamp>,
        decline_reason -> Nullable<Text>,
        created_entry_id -> Nullable<BigInt>,
        created_by -> Nullable<BigInt>,
        version -> BigInt,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    certificate_counters (year) {
        year -> Integer,
        last_sequence -> BigInt,
    }
}

diesel::table! {
    certificates (id) {
        id -> BigInt,
        number -> Text,
        year -> Integer,
        sequence -> BigInt,
        volunteer_id -> BigInt,
        issued_by -> BigInt,
        issued_at -> Timestamp,
        period_from -> Nullable<Date>,
        period_to -> Nullable<Date>,
        purpose -> Nullable<Text>,
        snapshot -> Text,
        snapshot_sha256 -> Text,
        code -> Text,
        revoked_at -> Nullable<Timestamp>,
        revoked_by -> Nullable<BigInt>,
        revoke_reason -> Nullable<Text>,
    }
}

diesel::table! {
    attendance (id) {
        id -> BigInt,
        event_id -> BigInt,
        volunteer_id -> BigInt,
        checked_in_at -> Timestamp,
        checked_in_client_at -> Nullable<Timestamp>,
        checked_in_received_at -> Timestamp,
        check_in_method -> Text,
        checked_in_by -> BigInt,
        checked_out_at -> Nullable<Timestamp>,
        checked_out_client_at -> Nullable<Timestamp>,
        checked_out_received_at -> Nullable<Timestamp>,
        check_out_method -> Nullable<Text>,
        checked_out_by -> Nullable<BigInt>,
        auto_closed -> Bool,
        hour_entry_id -> Nullable<BigInt>,
        flag -> Nullable<Text>,
        flag_detail -> Nullable<Text>,
        version -> BigInt,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::joinable!(plan_sections -> plans (plan_id));
diesel::joinable!(plan_items -> plan_sections (section_id));
diesel::joinable!(plan_items -> plans (plan_id));
diesel::joinable!(volunteers -> branches (branch_id));
diesel::joinable!(volunteer_tags -> volunteers (volunteer_id));
diesel::joinable!(events -> branches (organiser_branch_id));
diesel::joinable!(event_plan_items -> events (event_id));
diesel::joinable!(event_plan_items -> plan_items (plan_item_id));
diesel::joinable!(hour_entries -> events (event_id));
diesel::joinable!(hour_entries -> volunteers (volunteer_id));
diesel::joinable!(hour_entries -> branches (branch_id));
diesel::joinable!(idempotency_keys -> users (user_id));
diesel::joinable!(refresh_tokens -> users (user_id));
diesel::joinable!(commendations -> volunteers (volunteer_id));
diesel::joinable!(evaluations -> volunteers (volunteer_id));
diesel::joinable!(evaluations -> events (event_id));
diesel::joinable!(error_reports -> volunteers (volunteer_id));
diesel::joinable!(error_reports -> events (event_id));
diesel::joinable!(certificates -> volunteers (volunteer_id));
diesel::joinable!(attendance -> volunteers (volunteer_id));
diesel::joinable!(signups -> volunteers (volunteer_id));
diesel::joinable!(signups -> events (event_id));
diesel::joinable!(event_required_tags -> events (event_id));
diesel::joinable!(attendance -> events (event_id));

diesel::allow_tables_to_appear_in_same_query!(
    plans,
    plan_sections,
    plan_items,
    branches,
    volunteers,
    volunteer_tags,
    users,
    events,
    event_plan_items,
    hour_entries,
    audit_log,
    idempotency_keys,
    refresh_tokens,
    commendations,
    evaluations,
    error_reports,
    certificate_counters,
    certificates,
    attendance,
    signups,
    event_required_tags,
);
