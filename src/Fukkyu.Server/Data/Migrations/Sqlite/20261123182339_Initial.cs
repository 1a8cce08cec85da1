using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Fukkyu.Server.Data.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class Initial : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "change_events",
                columns: table => new
                {
                    id = table.Column<Guid>(type: "TEXT", nullable: false),
                    integration_id = table.Column<Guid>(type: "TEXT", nullable: false),
                    summary = table.Column<string>(type: "TEXT", maxLength: 1024, nullable: false),
                    source = table.Column<string>(type: "TEXT", maxLength: 1024, nullable: true),
                    timestamp = table.Column<DateTime>(type: "TEXT", nullable: true),
                    received_at = table.Column<DateTime>(type: "TEXT", nullable: false),
                    details = table.Column<string>(type: "TEXT", maxLength: 524288, nullable: true),
                    links = table.Column<string>(type: "TEXT", maxLength: 65536, nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_change_events", x => x.id);
                });

            migrationBuilder.CreateTable(
                name: "company_holidays",
                columns: table => new
                {
                    date = table.Column<DateOnly>(type: "TEXT", nullable: false),
                    name_ja = table.Column<string>(type: "TEXT", maxLength: 200, nullable: false),
                    name_en = table.Column<string>(type: "TEXT", maxLength: 200, nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_company_holidays", x => x.date);
                });

            migrationBuilder.CreateTable(
                name: "component_groups",
                columns: table => new
                {
                    id = table.Column<Guid>(type: "TEXT", nullable: false),
                    key = table.Column<string>(type: "TEXT", maxLength: 100, nullable: false),
                    name_ja = table.Column<string>(type: "TEXT", maxLength: 200, nullable: false),
                    name_en = table.Column<string>(type: "TEXT", maxLength: 200, nullable: false),
                    position = table.Column<int>(type: "INTEGER", nullable: false),
                    @public = table.Column<bool>(name: "public", type: "INTEGER", nullable: false),
                    created_at = table.Column<DateTime>(type: "TEXT", nullable: false),
                    updated_at = table.Column<DateTime>(type: "TEXT", nullable: false),
                    version = table.Column<int>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_component_groups", x => x.id);
                });

            migrationBuilder.CreateTable(
                name: "control_approvals",
                columns: table => new
                {
                    id = table.Column<Guid>(type: "TEXT", nullable: false),
                    component_id = table.Column<Guid>(type: "TEXT", nullable: false),
                    component_key = table.Column<string>(type: "TEXT", maxLength: 100, nullable: false),
                    requested = table.Column<string>(type: "TEXT", maxLength: 2000, nullable: false),
                    summary = table.Column<string>(type: "TEXT", maxLength: 2000, nullable: false),
                    reason = table.Column<string>(type: "TEXT", maxLength: 2000, nullable: false),
                    incident_id = table.Column<Guid>(type: "TEXT", nullable: true),
                    incident_number = table.Column<string>(type: "TEXT", maxLength: 20, nullable: true),
                    requested_by_id = table.Column<Guid>(type: "TEXT", nullable: false),
                    requested_by_name = table.Column<string>(type: "TEXT", maxLength: 200, nullable: false),
                    requested_at = table.Column<DateTime>(type: "TEXT", nullable: false),
                    expires_at = table.Column<DateTime>(type: "TEXT", nullable: false),
                    state = table.Column<string>(type: "TEXT", maxLength: 40, nullable: false),
                    decided_by_id = table.Column<Guid>(type: "TEXT", nullable: true),
                    decided_by_name = table.Column<string>(type: "TEXT", maxLength: 200, nullable: true),
                    decided_at = table.Column<DateTime>(type: "TEXT", nullable: true),
                    decision_note = table.Column<string>(type: "TEXT", maxLength: 2000, nullable: true),
                    version = table.Column<int>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_control_approvals", x => x.id);
                });

            migrationBuilder.CreateTable(
                name: "control_changes",
                columns: table => new
                {
                    id = table.Column<long>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    event_id = table.Column<Guid>(type: "TEXT", nullable: false),
                    component_id = table.Column<Guid>(type: "TEXT", nullable: false),
                    component_key = table.Column<string>(type: "TEXT", maxLength: 100, nullable: false),
                    kind = table.Column<string>(type: "TEXT", maxLength: 40, nullable: false),
                    at = table.Column<DateTime>(type: "TEXT", nullable: false),
                    from = table.Column<string>(type: "TEXT", maxLength: 2000, nullable: false),
                    to = table.Column<string>(type: "TEXT", maxLength: 2000, nullable: false),
                    reason = table.Column<string>(type: "TEXT", maxLength: 2000, nullable: false),
                    incident_id = table.Column<Guid>(type: "TEXT", nullable: true),
                    incident_number = table.Column<string>(type: "TEXT", maxLength: 20, nullable: true),
                    actor_id = table.Column<Guid>(type: "TEXT", nullable: true),
                    actor_name = table.Column<string>(type: "TEXT", maxLength: 200, nullable: false),
                    approved_by_name = table.Column<string>(type: "TEXT", maxLength: 200, nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_control_changes", x => x.id);
                });

            migrationBuilder.CreateTable(
                name: "control_webhooks",
                columns: table => new
                {
                    id = table.Column<Guid>(type: "TEXT", nullable: false),
                    url = table.Column<string>(type: "TEXT", maxLength: 2000, nullable: false),
                    protected_secret = table.Column<string>(type: "TEXT", maxLength: 4000, nullable: false),
                    description = table.Column<string>(type: "TEXT", maxLength: 500, nullable: true),
                    enabled = table.Column<bool>(type: "INTEGER", nullable: false),
                    created_at = table.Column<DateTime>(type: "TEXT", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_control_webhooks", x => x.id);
                });

            migrationBuilder.CreateTable(
                name: "data_protection_keys",
                columns: table => new
                {
                    id = table.Column<int>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    friendly_name = table.Column<string>(type: "TEXT", nullable: true),
                    xml = table.Column<string>(type: "TEXT", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_data_protection_keys", x => x.id);
                });

            migrationBuilder.CreateTable(
                name: "drill_scenarios",
                columns: table => new
                {
                    key = table.Column<string>(type: "TEXT", maxLength: 60, nullable: false),
                    definition = table.Column<string>(type: "TEXT", maxLength: 64000, nullable: false),
                    updated_by_name = table.Column<string>(type: "TEXT", maxLength: 200, nullable: true),
                    updated_at = table.Column<DateTime>(type: "TEXT", nullable: false),
                    version = table.Column<int>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_drill_scenarios", x => x.key);
                });

            migrationBuilder.CreateTable(
                name: "escalation_policies",
                columns: table => new
                {
                    id = table.Column<Guid>(type: "TEXT", nullable: false),
                    key = table.Column<string>(type: "TEXT", maxLength: 100, nullable: false),
                    name = table.Column<string>(type: "TEXT", maxLength: 200, nullable: false),
                    repeat = table.Column<int>(type: "INTEGER", nullable: false),
                    created_at = table.Column<DateTime>(type: "TEXT", nullable: false),
                    updated_at = table.Column<DateTime>(type: "TEXT", nullable: false),
                    version = table.Column<int>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_escalation_policies", x => x.id);
                });

            migrationBuilder.CreateTable(
                name: "incident_counters",
                columns: table => new
                {
                    year = table.Column<int>(type: "INTEGER", nullable: false),
                    last = table.Column<int>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_incident_counters", x => x.year);
                });

            migrationBuilder.CreateTable(
                name: "jobs",
                columns: table => new
                {
                    id = table.Column<Guid>(type: "TEXT", nullable: false),
                    kind = table.Column<string>(type: "TEXT", maxLength: 100, nullable: false),
                    key = table.Column<string>(type: "TEXT", maxLength: 300, nullable: true),
                    payload = table.Column<string>(type: "TEXT", nullable: true),
                    incident_id = table.Column<Guid>(type: "TEXT", nullable: true),
                    state = table.Column<string>(type: "TEXT", maxLength: 40, nullable: false),
                    due_at = table.Column<DateTime>(type: "TEXT", nullable: false),
                    claimed_by = table.Column<string>(type: "TEXT", maxLength: 200, nullable: true),
                    claimed_until = table.Column<DateTime>(type: "TEXT", nullable: true),
                    attempts = table.Column<int>(type: "INTEGER", nullable: false),
                    last_error = table.Column<string>(type: "TEXT", maxLength: 2000, nullable: true),
                    created_at = table.Column<DateTime>(type: "TEXT", nullable: false),
                    completed_at = table.Column<DateTime>(type: "TEXT", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_jobs", x => x.id);
                });

            migrationBuilder.CreateTable(
                name: "leases",
                columns: table => new
                {
                    name = table.Column<string>(type: "TEXT", maxLength: 100, nullable: false),
                    holder = table.Column<string>(type: "TEXT", maxLength: 200, nullable: false),
                    expires_at = table.Column<DateTime>(type: "TEXT", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_leases", x => x.name);
                });

            migrationBuilder.CreateTable(
                name: "maintenances",
                columns: table => new
                {
                    id = table.Column<Guid>(type: "TEXT", nullable: false),
                    title_ja = table.Column<string>(type: "TEXT", maxLength: 200, nullable: false),
                    title_en = table.Column<string>(type: "TEXT", maxLength: 200, nullable: false),
                    what_ja = table.Column<string>(type: "TEXT", maxLength: 2000, nullable: false),
                    what_en = table.Column<string>(type: "TEXT", maxLength: 2000, nullable: false),
                    impact_ja = table.Column<string>(type: "TEXT", maxLength: 2000, nullable: false),
                    impact_en = table.Column<string>(type: "TEXT", maxLength: 2000, nullable: false),
                    alternatives_ja = table.Column<string>(type: "TEXT", maxLength: 2000, nullable: false),
                    alternatives_en = table.Column<string>(type: "TEXT", maxLength: 2000, nullable: false),
                    scheduled_for = table.Column<DateTime>(type: "TEXT", nullable: false),
                    scheduled_until = table.Column<DateTime>(type: "TEXT", nullable: false),
                    status = table.Column<string>(type: "TEXT", maxLength: 40, nullable: false),
                    auto_transitions = table.Column<bool>(type: "INTEGER", nullable: false),
                    remind_minutes_before = table.Column<int>(type: "INTEGER", nullable: false),
                    started_at = table.Column<DateTime>(type: "TEXT", nullable: true),
                    completed_at = table.Column<DateTime>(type: "TEXT", nullable: true),
                    cancelled_at = table.Column<DateTime>(type: "TEXT", nullable: true),
                    created_by_id = table.Column<Guid>(type: "TEXT", nullable: true),
                    created_by_name = table.Column<string>(type: "TEXT", maxLength: 200, nullable: false),
                    created_at = table.Column<DateTime>(type: "TEXT", nullable: false),
                    updated_at = table.Column<DateTime>(type: "TEXT", nullable: false),
                    version = table.Column<int>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_maintenances", x => x.id);
                });

            migrationBuilder.CreateTable(
                name: "outbox_messages",
                columns: table => new
                {
                    id = table.Column<Guid>(type: "TEXT", nullable: false),
                    channel = table.Column<string>(type: "TEXT", maxLength: 40, nullable: false),
                    recipient = table.Column<string>(type: "TEXT", maxLength: 2000, nullable: false),
                    idempotency_key = table.Column<string>(type: "TEXT", maxLength: 300, nullable: false),
                    purpose = table.Column<string>(type: "TEXT", maxLength: 60, nullable: false),
                    subject = table.Column<string>(type: "TEXT", maxLength: 1000, nullable: true),
                    body = table.Column<string>(type: "TEXT", nullable: false),
                    payload = table.Column<string>(type: "TEXT", nullable: true),
                    incident_id = table.Column<Guid>(type: "TEXT", nullable: true),
                    user_id = table.Column<Guid>(type: "TEXT", nullable: true),
                    reference = table.Column<string>(type: "TEXT", maxLength: 300, nullable: true),
                    state = table.Column<string>(type: "TEXT", maxLength: 40, nullable: false),
                    due_at = table.Column<DateTime>(type: "TEXT", nullable: false),
                    claimed_by = table.Column<string>(type: "TEXT", maxLength: 200, nullable: true),
                    claimed_until = table.Column<DateTime>(type: "TEXT", nullable: true),
                    attempts = table.Column<int>(type: "INTEGER", nullable: false),
                    last_error = table.Column<string>(type: "TEXT", maxLength: 2000, nullable: true),
                    created_at = table.Column<DateTime>(type: "TEXT", nullable: false),
                    delivered_at = table.Column<DateTime>(type: "TEXT", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_outbox_messages", x => x.id);
                });

            migrationBuilder.CreateTable(
                name: "routing_rules",
                columns: table => new
                {
                    id = table.Column<Guid>(type: "TEXT", nullable: false),
                    name = table.Column<string>(type: "TEXT", maxLength: 200, nullable: false),
                    position = table.Column<int>(type: "INTEGER", nullable: false),
                    enabled = table.Column<bool>(type: "INTEGER", nullable: false),
                    origin = table.Column<string>(type: "TEXT", maxLength: 40, nullable: true),
                    source_id = table.Column<Guid>(type: "TEXT", nullable: true),
                    component_id = table.Column<Guid>(type: "TEXT", nullable: true),
                    min_severity = table.Column<string>(type: "TEXT", maxLength: 40, nullable: true),
                    labels = table.Column<string>(type: "TEXT", maxLength: 16384, nullable: true),
                    action = table.Column<string>(type: "TEXT", maxLength: 40, nullable: false),
                    impact_scope = table.Column<string>(type: "TEXT", maxLength: 40, nullable: false),
                    component_impact = table.Column<string>(type: "TEXT", maxLength: 40, nullable: false),
                    fallback_component_id = table.Column<Guid>(type: "TEXT", nullable: true),
                    created_at = table.Column<DateTime>(type: "TEXT", nullable: false),
                    updated_at = table.Column<DateTime>(type: "TEXT", nullable: false),
                    version = table.Column<int>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_routing_rules", x => x.id);
                });

            migrationBuilder.CreateTable(
                name: "schedules",
                columns: table => new
                {
                    id = table.Column<Guid>(type: "TEXT", nullable: false),
                    key = table.Column<string>(type: "TEXT", maxLength: 100, nullable: false),
                    name = table.Column<string>(type: "TEXT", maxLength: 200, nullable: false),
                    description = table.Column<string>(type: "TEXT", maxLength: 2000, nullable: true),
                    time_zone = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    created_at = table.Column<DateTime>(type: "TEXT", nullable: false),
                    updated_at = table.Column<DateTime>(type: "TEXT", nullable: false),
                    version = table.Column<int>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_schedules", x => x.id);
                });

            migrationBuilder.CreateTable(
                name: "server_secrets",
                columns: table => new
                {
                    name = table.Column<string>(type: "TEXT", maxLength: 100, nullable: false),
                    protected_value = table.Column<string>(type: "TEXT", maxLength: 4000, nullable: false),
                    created_at = table.Column<DateTime>(type: "TEXT", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_server_secrets", x => x.name);
                });

            migrationBuilder.CreateTable(
                name: "sns_threads",
                columns: table => new
                {
                    subject_id = table.Column<Guid>(type: "TEXT", nullable: false),
                    last_seq = table.Column<int>(type: "INTEGER", nullable: false),
                    last_post_id = table.Column<string>(type: "TEXT", maxLength: 100, nullable: true),
                    updated_at = table.Column<DateTime>(type: "TEXT", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_sns_threads", x => x.subject_id);
                });

            migrationBuilder.CreateTable(
                name: "subscribers",
                columns: table => new
                {
                    id = table.Column<Guid>(type: "TEXT", nullable: false),
                    kind = table.Column<string>(type: "TEXT", maxLength: 40, nullable: false),
                    address = table.Column<string>(type: "TEXT", maxLength: 2000, nullable: false),
                    language = table.Column<string>(type: "TEXT", maxLength: 8, nullable: false),
                    component_ids = table.Column<string>(type: "TEXT", nullable: false),
                    state = table.Column<string>(type: "TEXT", maxLength: 40, nullable: false),
                    confirm_token_hash = table.Column<string>(type: "TEXT", maxLength: 64, nullable: true),
                    confirm_expires_at = table.Column<DateTime>(type: "TEXT", nullable: true),
                    pending_language = table.Column<string>(type: "TEXT", maxLength: 8, nullable: true),
                    pending_component_ids = table.Column<string>(type: "TEXT", nullable: true),
                    confirm_sends = table.Column<int>(type: "INTEGER", nullable: false),
                    confirm_window_started_at = table.Column<DateTime>(type: "TEXT", nullable: true),
                    token_stamp = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    signing_secret = table.Column<string>(type: "TEXT", maxLength: 2000, nullable: true),
                    label = table.Column<string>(type: "TEXT", maxLength: 200, nullable: true),
                    created_at = table.Column<DateTime>(type: "TEXT", nullable: false),
                    updated_at = table.Column<DateTime>(type: "TEXT", nullable: false),
                    confirmed_at = table.Column<DateTime>(type: "TEXT", nullable: true),
                    unsubscribed_at = table.Column<DateTime>(type: "TEXT", nullable: true),
                    version = table.Column<int>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_subscribers", x => x.id);
                });

            migrationBuilder.CreateTable(
                name: "users",
                columns: table => new
                {
                    id = table.Column<Guid>(type: "TEXT", nullable: false),
                    user_name = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    display_name = table.Column<string>(type: "TEXT", maxLength: 200, nullable: false),
                    email = table.Column<string>(type: "TEXT", maxLength: 320, nullable: true),
                    phone = table.Column<string>(type: "TEXT", maxLength: 40, nullable: true),
                    language = table.Column<string>(type: "TEXT", maxLength: 8, nullable: false),
                    roles = table.Column<string>(type: "TEXT", nullable: false),
                    password_hash = table.Column<string>(type: "TEXT", maxLength: 500, nullable: true),
                    active = table.Column<bool>(type: "INTEGER", nullable: false),
                    failed_sign_ins = table.Column<int>(type: "INTEGER", nullable: false),
                    locked_until = table.Column<DateTime>(type: "TEXT", nullable: true),
                    security_stamp = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    created_at = table.Column<DateTime>(type: "TEXT", nullable: false),
                    version = table.Column<int>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_users", x => x.id);
                });

            migrationBuilder.CreateTable(
                name: "components",
                columns: table => new
                {
                    id = table.Column<Guid>(type: "TEXT", nullable: false),
                    key = table.Column<string>(type: "TEXT", maxLength: 100, nullable: false),
                    category = table.Column<string>(type: "TEXT", maxLength: 40, nullable: false),
                    group_id = table.Column<Guid>(type: "TEXT", nullable: true),
                    name_ja = table.Column<string>(type: "TEXT", maxLength: 200, nullable: false),
                    name_en = table.Column<string>(type: "TEXT", maxLength: 200, nullable: false),
                    description_ja = table.Column<string>(type: "TEXT", maxLength: 2000, nullable: true),
                    description_en = table.Column<string>(type: "TEXT", maxLength: 2000, nullable: true),
                    pair = table.Column<string>(type: "TEXT", maxLength: 40, nullable: true),
                    asset = table.Column<string>(type: "TEXT", maxLength: 40, nullable: true),
                    network = table.Column<string>(type: "TEXT", maxLength: 60, nullable: true),
                    @public = table.Column<bool>(name: "public", type: "INTEGER", nullable: false),
                    main_function = table.Column<bool>(type: "INTEGER", nullable: false),
                    position = table.Column<int>(type: "INTEGER", nullable: false),
                    status = table.Column<string>(type: "TEXT", maxLength: 40, nullable: false),
                    status_changed_at = table.Column<DateTime>(type: "TEXT", nullable: false),
                    status_set_by = table.Column<string>(type: "TEXT", maxLength: 100, nullable: true),
                    created_at = table.Column<DateTime>(type: "TEXT", nullable: false),
                    updated_at = table.Column<DateTime>(type: "TEXT", nullable: false),
                    version = table.Column<int>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_components", x => x.id);
                    table.ForeignKey(
                        name: "fk_components_component_group_group_id",
                        column: x => x.group_id,
                        principalTable: "component_groups",
                        principalColumn: "id",
                        onDelete: ReferentialAction.SetNull);
                });

            migrationBuilder.CreateTable(
                name: "escalation_steps",
                columns: table => new
                {
                    id = table.Column<Guid>(type: "TEXT", nullable: false),
                    policy_id = table.Column<Guid>(type: "TEXT", nullable: false),
                    position = table.Column<int>(type: "INTEGER", nullable: false),
                    delay_minutes = table.Column<int>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_escalation_steps", x => x.id);
                    table.ForeignKey(
                        name: "fk_escalation_steps_escalation_policies_policy_id",
                        column: x => x.policy_id,
                        principalTable: "escalation_policies",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "outbox_attempts",
                columns: table => new
                {
                    id = table.Column<long>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    message_id = table.Column<Guid>(type: "TEXT", nullable: false),
                    at = table.Column<DateTime>(type: "TEXT", nullable: false),
                    success = table.Column<bool>(type: "INTEGER", nullable: false),
                    code = table.Column<int>(type: "INTEGER", nullable: true),
                    error = table.Column<string>(type: "TEXT", maxLength: 2000, nullable: true),
                    duration_ms = table.Column<int>(type: "INTEGER", nullable: false),
                    node = table.Column<string>(type: "TEXT", maxLength: 200, nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_outbox_attempts", x => x.id);
                    table.ForeignKey(
                        name: "fk_outbox_attempts_outbox_messages_message_id",
                        column: x => x.message_id,
                        principalTable: "outbox_messages",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "schedule_layers",
                columns: table => new
                {
                    id = table.Column<Guid>(type: "TEXT", nullable: false),
                    schedule_id = table.Column<Guid>(type: "TEXT", nullable: false),
                    position = table.Column<int>(type: "INTEGER", nullable: false),
                    name = table.Column<string>(type: "TEXT", maxLength: 200, nullable: false),
                    rotation = table.Column<string>(type: "TEXT", maxLength: 40, nullable: false),
                    shift_hours = table.Column<int>(type: "INTEGER", nullable: false),
                    start_date = table.Column<DateOnly>(type: "TEXT", nullable: false),
                    handoff_time = table.Column<TimeOnly>(type: "TEXT", nullable: false),
                    end_date = table.Column<DateOnly>(type: "TEXT", nullable: true),
                    days = table.Column<string>(type: "TEXT", maxLength: 40, nullable: false),
                    windows = table.Column<string>(type: "TEXT", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_schedule_layers", x => x.id);
                    table.ForeignKey(
                        name: "fk_schedule_layers_schedules_schedule_id",
                        column: x => x.schedule_id,
                        principalTable: "schedules",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "teams",
                columns: table => new
                {
                    id = table.Column<Guid>(type: "TEXT", nullable: false),
                    key = table.Column<string>(type: "TEXT", maxLength: 100, nullable: false),
                    name_ja = table.Column<string>(type: "TEXT", maxLength: 200, nullable: false),
                    name_en = table.Column<string>(type: "TEXT", maxLength: 200, nullable: false),
                    kind = table.Column<string>(type: "TEXT", maxLength: 40, nullable: false),
                    is_default = table.Column<bool>(type: "INTEGER", nullable: false),
                    schedule_id = table.Column<Guid>(type: "TEXT", nullable: true),
                    escalation_policy_id = table.Column<Guid>(type: "TEXT", nullable: true),
                    created_at = table.Column<DateTime>(type: "TEXT", nullable: false),
                    updated_at = table.Column<DateTime>(type: "TEXT", nullable: false),
                    version = table.Column<int>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_teams", x => x.id);
                    table.ForeignKey(
                        name: "fk_teams_escalation_policy_escalation_policy_id",
                        column: x => x.escalation_policy_id,
                        principalTable: "escalation_policies",
                        principalColumn: "id",
                        onDelete: ReferentialAction.SetNull);
                    table.ForeignKey(
                        name: "fk_teams_schedule_schedule_id",
                        column: x => x.schedule_id,
                        principalTable: "schedules",
                        principalColumn: "id",
                        onDelete: ReferentialAction.SetNull);
                });

            migrationBuilder.CreateTable(
                name: "action_items",
                columns: table => new
                {
                    id = table.Column<Guid>(type: "TEXT", nullable: false),
                    title = table.Column<string>(type: "TEXT", maxLength: 200, nullable: false),
                    description = table.Column<string>(type: "TEXT", maxLength: 10000, nullable: true),
                    kind = table.Column<string>(type: "TEXT", maxLength: 40, nullable: false),
                    status = table.Column<string>(type: "TEXT", maxLength: 40, nullable: false),
                    owner_id = table.Column<Guid>(type: "TEXT", nullable: false),
                    due_on = table.Column<DateOnly>(type: "TEXT", nullable: false),
                    runbooks = table.Column<string>(type: "TEXT", nullable: false),
                    created_by_id = table.Column<Guid>(type: "TEXT", nullable: true),
                    created_by_name = table.Column<string>(type: "TEXT", maxLength: 200, nullable: true),
                    created_at = table.Column<DateTime>(type: "TEXT", nullable: false),
                    updated_at = table.Column<DateTime>(type: "TEXT", nullable: false),
                    completed_at = table.Column<DateTime>(type: "TEXT", nullable: true),
                    resolution = table.Column<string>(type: "TEXT", maxLength: 10000, nullable: true),
                    version = table.Column<int>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_action_items", x => x.id);
                    table.ForeignKey(
                        name: "fk_action_items_users_owner_id",
                        column: x => x.owner_id,
                        principalTable: "users",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Restrict);
                });

            migrationBuilder.CreateTable(
                name: "api_keys",
                columns: table => new
                {
                    id = table.Column<Guid>(type: "TEXT", nullable: false),
                    user_id = table.Column<Guid>(type: "TEXT", nullable: false),
                    name = table.Column<string>(type: "TEXT", maxLength: 100, nullable: false),
                    prefix = table.Column<string>(type: "TEXT", maxLength: 16, nullable: false),
                    hash = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    roles = table.Column<string>(type: "TEXT", nullable: true),
                    created_at = table.Column<DateTime>(type: "TEXT", nullable: false),
                    expires_at = table.Column<DateTime>(type: "TEXT", nullable: true),
                    revoked_at = table.Column<DateTime>(type: "TEXT", nullable: true),
                    last_used_at = table.Column<DateTime>(type: "TEXT", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_api_keys", x => x.id);
                    table.ForeignKey(
                        name: "fk_api_keys_users_user_id",
                        column: x => x.user_id,
                        principalTable: "users",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "calendar_feeds",
                columns: table => new
                {
                    user_id = table.Column<Guid>(type: "TEXT", nullable: false),
                    token_hash = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    created_at = table.Column<DateTime>(type: "TEXT", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_calendar_feeds", x => x.user_id);
                    table.ForeignKey(
                        name: "fk_calendar_feeds_users_user_id",
                        column: x => x.user_id,
                        principalTable: "users",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "contact_methods",
                columns: table => new
                {
                    id = table.Column<Guid>(type: "TEXT", nullable: false),
                    user_id = table.Column<Guid>(type: "TEXT", nullable: false),
                    kind = table.Column<string>(type: "TEXT", maxLength: 40, nullable: false),
                    label = table.Column<string>(type: "TEXT", maxLength: 200, nullable: true),
                    address = table.Column<string>(type: "TEXT", maxLength: 2000, nullable: false),
                    protected_secret = table.Column<string>(type: "TEXT", maxLength: 4000, nullable: true),
                    delay_minutes = table.Column<int>(type: "INTEGER", nullable: false),
                    use_for_pages = table.Column<bool>(type: "INTEGER", nullable: false),
                    use_for_briefings = table.Column<bool>(type: "INTEGER", nullable: false),
                    enabled = table.Column<bool>(type: "INTEGER", nullable: false),
                    created_at = table.Column<DateTime>(type: "TEXT", nullable: false),
                    version = table.Column<int>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_contact_methods", x => x.id);
                    table.ForeignKey(
                        name: "fk_contact_methods_users_user_id",
                        column: x => x.user_id,
                        principalTable: "users",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "incidents",
                columns: table => new
                {
                    id = table.Column<Guid>(type: "TEXT", nullable: false),
                    number = table.Column<string>(type: "TEXT", maxLength: 20, nullable: false),
                    title = table.Column<string>(type: "TEXT", maxLength: 200, nullable: false),
                    description = table.Column<string>(type: "TEXT", maxLength: 10000, nullable: true),
                    category = table.Column<string>(type: "TEXT", maxLength: 40, nullable: false),
                    impact_scope = table.Column<string>(type: "TEXT", maxLength: 40, nullable: false),
                    main_function = table.Column<bool>(type: "INTEGER", nullable: false),
                    expected_recovery_minutes = table.Column<int>(type: "INTEGER", nullable: true),
                    affected_users_estimate = table.Column<int>(type: "INTEGER", nullable: true),
                    cause = table.Column<string>(type: "TEXT", maxLength: 10000, nullable: true),
                    level = table.Column<int>(type: "INTEGER", nullable: false),
                    level_rule = table.Column<string>(type: "TEXT", maxLength: 100, nullable: false),
                    level_reason_ja = table.Column<string>(type: "TEXT", maxLength: 2000, nullable: false),
                    level_reason_en = table.Column<string>(type: "TEXT", maxLength: 2000, nullable: false),
                    level_set_manually_at = table.Column<DateTime>(type: "TEXT", nullable: true),
                    status = table.Column<string>(type: "TEXT", maxLength: 40, nullable: false),
                    security = table.Column<bool>(type: "INTEGER", nullable: false),
                    drill = table.Column<bool>(type: "INTEGER", nullable: false),
                    reporter_name = table.Column<string>(type: "TEXT", maxLength: 200, nullable: true),
                    reporter_contact = table.Column<string>(type: "TEXT", maxLength: 320, nullable: true),
                    reporter_channel = table.Column<string>(type: "TEXT", maxLength: 40, nullable: false),
                    commander_id = table.Column<Guid>(type: "TEXT", nullable: true),
                    declared_by_id = table.Column<Guid>(type: "TEXT", nullable: true),
                    started_at = table.Column<DateTime>(type: "TEXT", nullable: true),
                    detected_at = table.Column<DateTime>(type: "TEXT", nullable: false),
                    acknowledged_at = table.Column<DateTime>(type: "TEXT", nullable: true),
                    identified_at = table.Column<DateTime>(type: "TEXT", nullable: true),
                    monitoring_at = table.Column<DateTime>(type: "TEXT", nullable: true),
                    resolved_at = table.Column<DateTime>(type: "TEXT", nullable: true),
                    closed_at = table.Column<DateTime>(type: "TEXT", nullable: true),
                    created_at = table.Column<DateTime>(type: "TEXT", nullable: false),
                    updated_at = table.Column<DateTime>(type: "TEXT", nullable: false),
                    timeline_count = table.Column<int>(type: "INTEGER", nullable: false),
                    timeline_head = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    version = table.Column<int>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_incidents", x => x.id);
                    table.ForeignKey(
                        name: "fk_incidents_users_commander_id",
                        column: x => x.commander_id,
                        principalTable: "users",
                        principalColumn: "id",
                        onDelete: ReferentialAction.SetNull);
                });

            migrationBuilder.CreateTable(
                name: "managed_documents",
                columns: table => new
                {
                    id = table.Column<Guid>(type: "TEXT", nullable: false),
                    title = table.Column<string>(type: "TEXT", maxLength: 200, nullable: false),
                    description = table.Column<string>(type: "TEXT", maxLength: 4000, nullable: true),
                    location = table.Column<string>(type: "TEXT", maxLength: 1000, nullable: true),
                    owner_id = table.Column<Guid>(type: "TEXT", nullable: false),
                    review_interval_months = table.Column<int>(type: "INTEGER", nullable: false),
                    review_by = table.Column<DateOnly>(type: "TEXT", nullable: false),
                    last_reviewed_on = table.Column<DateOnly>(type: "TEXT", nullable: true),
                    last_reviewed_by_name = table.Column<string>(type: "TEXT", maxLength: 200, nullable: true),
                    last_review_note = table.Column<string>(type: "TEXT", maxLength: 4000, nullable: true),
                    created_at = table.Column<DateTime>(type: "TEXT", nullable: false),
                    updated_at = table.Column<DateTime>(type: "TEXT", nullable: false),
                    version = table.Column<int>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_managed_documents", x => x.id);
                    table.ForeignKey(
                        name: "fk_managed_documents_users_owner_id",
                        column: x => x.owner_id,
                        principalTable: "users",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Restrict);
                });

            migrationBuilder.CreateTable(
                name: "runbooks",
                columns: table => new
                {
                    id = table.Column<Guid>(type: "TEXT", nullable: false),
                    key = table.Column<string>(type: "TEXT", maxLength: 100, nullable: false),
                    category = table.Column<string>(type: "TEXT", maxLength: 40, nullable: true),
                    min_level = table.Column<int>(type: "INTEGER", nullable: false),
                    title_ja = table.Column<string>(type: "TEXT", maxLength: 200, nullable: false),
                    title_en = table.Column<string>(type: "TEXT", maxLength: 200, nullable: false),
                    owner_id = table.Column<Guid>(type: "TEXT", nullable: true),
                    review_by = table.Column<DateOnly>(type: "TEXT", nullable: false),
                    review_interval_days = table.Column<int>(type: "INTEGER", nullable: false),
                    last_reviewed_at = table.Column<DateTime>(type: "TEXT", nullable: true),
                    last_reviewed_by = table.Column<string>(type: "TEXT", maxLength: 200, nullable: true),
                    current_version = table.Column<int>(type: "INTEGER", nullable: false),
                    archived = table.Column<bool>(type: "INTEGER", nullable: false),
                    created_at = table.Column<DateTime>(type: "TEXT", nullable: false),
                    updated_at = table.Column<DateTime>(type: "TEXT", nullable: false),
                    version = table.Column<int>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_runbooks", x => x.id);
                    table.ForeignKey(
                        name: "fk_runbooks_users_owner_id",
                        column: x => x.owner_id,
                        principalTable: "users",
                        principalColumn: "id",
                        onDelete: ReferentialAction.SetNull);
                });

            migrationBuilder.CreateTable(
                name: "schedule_overrides",
                columns: table => new
                {
                    id = table.Column<Guid>(type: "TEXT", nullable: false),
                    schedule_id = table.Column<Guid>(type: "TEXT", nullable: false),
                    user_id = table.Column<Guid>(type: "TEXT", nullable: false),
                    starts_at = table.Column<DateTime>(type: "TEXT", nullable: false),
                    ends_at = table.Column<DateTime>(type: "TEXT", nullable: false),
                    reason = table.Column<string>(type: "TEXT", maxLength: 500, nullable: true),
                    created_by_id = table.Column<Guid>(type: "TEXT", nullable: true),
                    created_by_name = table.Column<string>(type: "TEXT", maxLength: 200, nullable: false),
                    created_at = table.Column<DateTime>(type: "TEXT", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_schedule_overrides", x => x.id);
                    table.ForeignKey(
                        name: "fk_schedule_overrides_schedules_schedule_id",
                        column: x => x.schedule_id,
                        principalTable: "schedules",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                    table.ForeignKey(
                        name: "fk_schedule_overrides_users_user_id",
                        column: x => x.user_id,
                        principalTable: "users",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "controls",
                columns: table => new
                {
                    component_id = table.Column<Guid>(type: "TEXT", nullable: false),
                    kind = table.Column<string>(type: "TEXT", maxLength: 40, nullable: false),
                    trading = table.Column<string>(type: "TEXT", maxLength: 40, nullable: false),
                    transfer = table.Column<string>(type: "TEXT", maxLength: 40, nullable: false),
                    api = table.Column<string>(type: "TEXT", maxLength: 40, nullable: false),
                    stop_order = table.Column<bool>(type: "INTEGER", nullable: false),
                    stop_order_and_cancel = table.Column<bool>(type: "INTEGER", nullable: false),
                    stop_market_order = table.Column<bool>(type: "INTEGER", nullable: false),
                    stop_stop_order = table.Column<bool>(type: "INTEGER", nullable: false),
                    stop_stop_limit_order = table.Column<bool>(type: "INTEGER", nullable: false),
                    stop_buy_order = table.Column<bool>(type: "INTEGER", nullable: false),
                    stop_sell_order = table.Column<bool>(type: "INTEGER", nullable: false),
                    min_amount = table.Column<string>(type: "TEXT", maxLength: 40, nullable: true),
                    reason = table.Column<string>(type: "TEXT", maxLength: 2000, nullable: true),
                    incident_id = table.Column<Guid>(type: "TEXT", nullable: true),
                    incident_number = table.Column<string>(type: "TEXT", maxLength: 20, nullable: true),
                    under_security_incident = table.Column<bool>(type: "INTEGER", nullable: false),
                    changed_at = table.Column<DateTime>(type: "TEXT", nullable: false),
                    changed_by_id = table.Column<Guid>(type: "TEXT", nullable: true),
                    changed_by_name = table.Column<string>(type: "TEXT", maxLength: 200, nullable: true),
                    version = table.Column<int>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_controls", x => x.component_id);
                    table.ForeignKey(
                        name: "fk_controls_components_component_id",
                        column: x => x.component_id,
                        principalTable: "components",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "integrations",
                columns: table => new
                {
                    id = table.Column<Guid>(type: "TEXT", nullable: false),
                    name = table.Column<string>(type: "TEXT", maxLength: 200, nullable: false),
                    type = table.Column<string>(type: "TEXT", maxLength: 40, nullable: false),
                    component_id = table.Column<Guid>(type: "TEXT", nullable: true),
                    key_hash = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    key_prefix = table.Column<string>(type: "TEXT", maxLength: 16, nullable: false),
                    created_at = table.Column<DateTime>(type: "TEXT", nullable: false),
                    created_by = table.Column<string>(type: "TEXT", maxLength: 200, nullable: true),
                    disabled_at = table.Column<DateTime>(type: "TEXT", nullable: true),
                    version = table.Column<int>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_integrations", x => x.id);
                    table.ForeignKey(
                        name: "fk_integrations_components_component_id",
                        column: x => x.component_id,
                        principalTable: "components",
                        principalColumn: "id",
                        onDelete: ReferentialAction.SetNull);
                });

            migrationBuilder.CreateTable(
                name: "maintenance_components",
                columns: table => new
                {
                    maintenance_id = table.Column<Guid>(type: "TEXT", nullable: false),
                    component_id = table.Column<Guid>(type: "TEXT", nullable: false),
                    status_before = table.Column<string>(type: "TEXT", maxLength: 40, nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_maintenance_components", x => new { x.maintenance_id, x.component_id });
                    table.ForeignKey(
                        name: "fk_maintenance_components_components_component_id",
                        column: x => x.component_id,
                        principalTable: "components",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Restrict);
                    table.ForeignKey(
                        name: "fk_maintenance_components_maintenances_maintenance_id",
                        column: x => x.maintenance_id,
                        principalTable: "maintenances",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "monitors",
                columns: table => new
                {
                    id = table.Column<Guid>(type: "TEXT", nullable: false),
                    key = table.Column<string>(type: "TEXT", maxLength: 100, nullable: true),
                    name = table.Column<string>(type: "TEXT", maxLength: 200, nullable: false),
                    kind = table.Column<string>(type: "TEXT", maxLength: 40, nullable: false),
                    component_id = table.Column<Guid>(type: "TEXT", nullable: true),
                    interval_seconds = table.Column<int>(type: "INTEGER", nullable: false),
                    timeout_ms = table.Column<int>(type: "INTEGER", nullable: false),
                    failure_threshold = table.Column<int>(type: "INTEGER", nullable: false),
                    recovery_threshold = table.Column<int>(type: "INTEGER", nullable: false),
                    settings = table.Column<string>(type: "TEXT", maxLength: 16384, nullable: false),
                    severity = table.Column<string>(type: "TEXT", maxLength: 40, nullable: false),
                    down_status = table.Column<string>(type: "TEXT", maxLength: 40, nullable: false),
                    reconciliation = table.Column<bool>(type: "INTEGER", nullable: false),
                    paused = table.Column<bool>(type: "INTEGER", nullable: false),
                    paused_at = table.Column<DateTime>(type: "TEXT", nullable: true),
                    paused_by = table.Column<string>(type: "TEXT", maxLength: 200, nullable: true),
                    managed_by = table.Column<string>(type: "TEXT", maxLength: 40, nullable: false),
                    heartbeat_token_hash = table.Column<string>(type: "TEXT", maxLength: 64, nullable: true),
                    last_beat_at = table.Column<DateTime>(type: "TEXT", nullable: true),
                    state = table.Column<string>(type: "TEXT", maxLength: 40, nullable: false),
                    state_since = table.Column<DateTime>(type: "TEXT", nullable: false),
                    first_failure_at = table.Column<DateTime>(type: "TEXT", nullable: true),
                    last_message = table.Column<string>(type: "TEXT", maxLength: 1000, nullable: true),
                    created_at = table.Column<DateTime>(type: "TEXT", nullable: false),
                    updated_at = table.Column<DateTime>(type: "TEXT", nullable: false),
                    version = table.Column<int>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_monitors", x => x.id);
                    table.ForeignKey(
                        name: "fk_monitors_components_component_id",
                        column: x => x.component_id,
                        principalTable: "components",
                        principalColumn: "id",
                        onDelete: ReferentialAction.SetNull);
                });

            migrationBuilder.CreateTable(
                name: "escalation_targets",
                columns: table => new
                {
                    id = table.Column<Guid>(type: "TEXT", nullable: false),
                    step_id = table.Column<Guid>(type: "TEXT", nullable: false),
                    position = table.Column<int>(type: "INTEGER", nullable: false),
                    kind = table.Column<string>(type: "TEXT", maxLength: 40, nullable: false),
                    target_id = table.Column<Guid>(type: "TEXT", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_escalation_targets", x => x.id);
                    table.ForeignKey(
                        name: "fk_escalation_targets_escalation_steps_step_id",
                        column: x => x.step_id,
                        principalTable: "escalation_steps",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "schedule_layer_members",
                columns: table => new
                {
                    layer_id = table.Column<Guid>(type: "TEXT", nullable: false),
                    position = table.Column<int>(type: "INTEGER", nullable: false),
                    user_id = table.Column<Guid>(type: "TEXT", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_schedule_layer_members", x => new { x.layer_id, x.position });
                    table.ForeignKey(
                        name: "fk_schedule_layer_members_schedule_layers_layer_id",
                        column: x => x.layer_id,
                        principalTable: "schedule_layers",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                    table.ForeignKey(
                        name: "fk_schedule_layer_members_users_user_id",
                        column: x => x.user_id,
                        principalTable: "users",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "team_components",
                columns: table => new
                {
                    component_id = table.Column<Guid>(type: "TEXT", nullable: false),
                    team_id = table.Column<Guid>(type: "TEXT", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_team_components", x => x.component_id);
                    table.ForeignKey(
                        name: "fk_team_components_components_component_id",
                        column: x => x.component_id,
                        principalTable: "components",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                    table.ForeignKey(
                        name: "fk_team_components_teams_team_id",
                        column: x => x.team_id,
                        principalTable: "teams",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "team_members",
                columns: table => new
                {
                    team_id = table.Column<Guid>(type: "TEXT", nullable: false),
                    user_id = table.Column<Guid>(type: "TEXT", nullable: false),
                    lead = table.Column<bool>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_team_members", x => new { x.team_id, x.user_id });
                    table.ForeignKey(
                        name: "fk_team_members_teams_team_id",
                        column: x => x.team_id,
                        principalTable: "teams",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                    table.ForeignKey(
                        name: "fk_team_members_users_user_id",
                        column: x => x.user_id,
                        principalTable: "users",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "action_item_incidents",
                columns: table => new
                {
                    action_item_id = table.Column<Guid>(type: "TEXT", nullable: false),
                    incident_id = table.Column<Guid>(type: "TEXT", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_action_item_incidents", x => new { x.action_item_id, x.incident_id });
                    table.ForeignKey(
                        name: "fk_action_item_incidents_action_items_action_item_id",
                        column: x => x.action_item_id,
                        principalTable: "action_items",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                    table.ForeignKey(
                        name: "fk_action_item_incidents_incidents_incident_id",
                        column: x => x.incident_id,
                        principalTable: "incidents",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "alerts",
                columns: table => new
                {
                    id = table.Column<Guid>(type: "TEXT", nullable: false),
                    origin = table.Column<string>(type: "TEXT", maxLength: 40, nullable: false),
                    source_id = table.Column<Guid>(type: "TEXT", nullable: false),
                    source_name = table.Column<string>(type: "TEXT", maxLength: 200, nullable: false),
                    dedup_key = table.Column<string>(type: "TEXT", maxLength: 255, nullable: false),
                    status = table.Column<string>(type: "TEXT", maxLength: 40, nullable: false),
                    severity = table.Column<string>(type: "TEXT", maxLength: 40, nullable: false),
                    summary = table.Column<string>(type: "TEXT", maxLength: 1024, nullable: false),
                    source = table.Column<string>(type: "TEXT", maxLength: 1024, nullable: true),
                    component_name = table.Column<string>(type: "TEXT", maxLength: 1024, nullable: true),
                    component_id = table.Column<Guid>(type: "TEXT", nullable: true),
                    group = table.Column<string>(type: "TEXT", maxLength: 1024, nullable: true),
                    @class = table.Column<string>(name: "class", type: "TEXT", maxLength: 1024, nullable: true),
                    labels = table.Column<string>(type: "TEXT", maxLength: 16384, nullable: true),
                    details = table.Column<string>(type: "TEXT", maxLength: 524288, nullable: true),
                    links = table.Column<string>(type: "TEXT", maxLength: 65536, nullable: true),
                    images = table.Column<string>(type: "TEXT", maxLength: 65536, nullable: true),
                    client = table.Column<string>(type: "TEXT", maxLength: 1024, nullable: true),
                    client_url = table.Column<string>(type: "TEXT", maxLength: 1024, nullable: true),
                    started_at = table.Column<DateTime>(type: "TEXT", nullable: true),
                    first_seen_at = table.Column<DateTime>(type: "TEXT", nullable: false),
                    last_seen_at = table.Column<DateTime>(type: "TEXT", nullable: false),
                    acknowledged_at = table.Column<DateTime>(type: "TEXT", nullable: true),
                    resolved_at = table.Column<DateTime>(type: "TEXT", nullable: true),
                    count = table.Column<int>(type: "INTEGER", nullable: false),
                    state_changes = table.Column<int>(type: "INTEGER", nullable: false),
                    window_started_at = table.Column<DateTime>(type: "TEXT", nullable: false),
                    last_change_at = table.Column<DateTime>(type: "TEXT", nullable: false),
                    flapping = table.Column<bool>(type: "INTEGER", nullable: false),
                    needs_routing = table.Column<bool>(type: "INTEGER", nullable: false),
                    state_seq = table.Column<int>(type: "INTEGER", nullable: false),
                    routed_status = table.Column<string>(type: "TEXT", maxLength: 40, nullable: true),
                    outcome = table.Column<string>(type: "TEXT", maxLength: 40, nullable: true),
                    rule_id = table.Column<Guid>(type: "TEXT", nullable: true),
                    incident_id = table.Column<Guid>(type: "TEXT", nullable: true),
                    version = table.Column<int>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_alerts", x => x.id);
                    table.ForeignKey(
                        name: "fk_alerts_components_component_id",
                        column: x => x.component_id,
                        principalTable: "components",
                        principalColumn: "id",
                        onDelete: ReferentialAction.SetNull);
                    table.ForeignKey(
                        name: "fk_alerts_incidents_incident_id",
                        column: x => x.incident_id,
                        principalTable: "incidents",
                        principalColumn: "id",
                        onDelete: ReferentialAction.SetNull);
                });

            migrationBuilder.CreateTable(
                name: "briefings",
                columns: table => new
                {
                    id = table.Column<Guid>(type: "TEXT", nullable: false),
                    incident_id = table.Column<Guid>(type: "TEXT", nullable: false),
                    audience = table.Column<string>(type: "TEXT", maxLength: 40, nullable: false),
                    subject_ja = table.Column<string>(type: "TEXT", maxLength: 300, nullable: false),
                    subject_en = table.Column<string>(type: "TEXT", maxLength: 300, nullable: false),
                    body_ja = table.Column<string>(type: "TEXT", maxLength: 20000, nullable: false),
                    body_en = table.Column<string>(type: "TEXT", maxLength: 20000, nullable: false),
                    sent_by_id = table.Column<Guid>(type: "TEXT", nullable: true),
                    sent_by_name = table.Column<string>(type: "TEXT", maxLength: 200, nullable: false),
                    sent_at = table.Column<DateTime>(type: "TEXT", nullable: false),
                    recipients = table.Column<int>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_briefings", x => x.id);
                    table.ForeignKey(
                        name: "fk_briefings_incidents_incident_id",
                        column: x => x.incident_id,
                        principalTable: "incidents",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "drills",
                columns: table => new
                {
                    id = table.Column<Guid>(type: "TEXT", nullable: false),
                    scenario_key = table.Column<string>(type: "TEXT", maxLength: 60, nullable: false),
                    scenario = table.Column<string>(type: "TEXT", maxLength: 64000, nullable: false),
                    incident_id = table.Column<Guid>(type: "TEXT", nullable: false),
                    status = table.Column<string>(type: "TEXT", maxLength: 40, nullable: false),
                    started_by_id = table.Column<Guid>(type: "TEXT", nullable: true),
                    started_by_name = table.Column<string>(type: "TEXT", maxLength: 200, nullable: true),
                    started_at = table.Column<DateTime>(type: "TEXT", nullable: false),
                    injected_at = table.Column<DateTime>(type: "TEXT", nullable: true),
                    inject_status = table.Column<int>(type: "INTEGER", nullable: true),
                    inject_error = table.Column<string>(type: "TEXT", maxLength: 2000, nullable: true),
                    cleared_at = table.Column<DateTime>(type: "TEXT", nullable: true),
                    clear_status = table.Column<int>(type: "INTEGER", nullable: true),
                    clear_error = table.Column<string>(type: "TEXT", maxLength: 2000, nullable: true),
                    ended_at = table.Column<DateTime>(type: "TEXT", nullable: true),
                    ended_by_name = table.Column<string>(type: "TEXT", maxLength: 200, nullable: true),
                    findings = table.Column<string>(type: "TEXT", maxLength: 20000, nullable: true),
                    version = table.Column<int>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_drills", x => x.id);
                    table.ForeignKey(
                        name: "fk_drills_incidents_incident_id",
                        column: x => x.incident_id,
                        principalTable: "incidents",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "incident_checklists",
                columns: table => new
                {
                    id = table.Column<Guid>(type: "TEXT", nullable: false),
                    incident_id = table.Column<Guid>(type: "TEXT", nullable: false),
                    runbook_id = table.Column<Guid>(type: "TEXT", nullable: false),
                    runbook_key = table.Column<string>(type: "TEXT", maxLength: 100, nullable: false),
                    runbook_version = table.Column<int>(type: "INTEGER", nullable: false),
                    title_ja = table.Column<string>(type: "TEXT", maxLength: 200, nullable: false),
                    title_en = table.Column<string>(type: "TEXT", maxLength: 200, nullable: false),
                    level = table.Column<int>(type: "INTEGER", nullable: false),
                    attached_at = table.Column<DateTime>(type: "TEXT", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_incident_checklists", x => x.id);
                    table.ForeignKey(
                        name: "fk_incident_checklists_incidents_incident_id",
                        column: x => x.incident_id,
                        principalTable: "incidents",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "incident_components",
                columns: table => new
                {
                    incident_id = table.Column<Guid>(type: "TEXT", nullable: false),
                    component_id = table.Column<Guid>(type: "TEXT", nullable: false),
                    impact = table.Column<string>(type: "TEXT", maxLength: 40, nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_incident_components", x => new { x.incident_id, x.component_id });
                    table.ForeignKey(
                        name: "fk_incident_components_components_component_id",
                        column: x => x.component_id,
                        principalTable: "components",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Restrict);
                    table.ForeignKey(
                        name: "fk_incident_components_incidents_incident_id",
                        column: x => x.incident_id,
                        principalTable: "incidents",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "incident_members",
                columns: table => new
                {
                    incident_id = table.Column<Guid>(type: "TEXT", nullable: false),
                    user_id = table.Column<Guid>(type: "TEXT", nullable: false),
                    role = table.Column<string>(type: "TEXT", maxLength: 40, nullable: false),
                    added_at = table.Column<DateTime>(type: "TEXT", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_incident_members", x => new { x.incident_id, x.user_id });
                    table.ForeignKey(
                        name: "fk_incident_members_incidents_incident_id",
                        column: x => x.incident_id,
                        principalTable: "incidents",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                    table.ForeignKey(
                        name: "fk_incident_members_users_user_id",
                        column: x => x.user_id,
                        principalTable: "users",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "incident_reports",
                columns: table => new
                {
                    id = table.Column<Guid>(type: "TEXT", nullable: false),
                    incident_id = table.Column<Guid>(type: "TEXT", nullable: false),
                    status = table.Column<string>(type: "TEXT", maxLength: 40, nullable: false),
                    submitted_by_id = table.Column<Guid>(type: "TEXT", nullable: true),
                    submitted_by_name = table.Column<string>(type: "TEXT", maxLength: 200, nullable: true),
                    submitted_at = table.Column<DateTime>(type: "TEXT", nullable: true),
                    approved_by_id = table.Column<Guid>(type: "TEXT", nullable: true),
                    approved_by_name = table.Column<string>(type: "TEXT", maxLength: 200, nullable: true),
                    approved_at = table.Column<DateTime>(type: "TEXT", nullable: true),
                    published_by_name = table.Column<string>(type: "TEXT", maxLength: 200, nullable: true),
                    published_at = table.Column<DateTime>(type: "TEXT", nullable: true),
                    review_comment = table.Column<string>(type: "TEXT", maxLength: 2000, nullable: true),
                    created_at = table.Column<DateTime>(type: "TEXT", nullable: false),
                    updated_at = table.Column<DateTime>(type: "TEXT", nullable: false),
                    version = table.Column<int>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_incident_reports", x => x.id);
                    table.ForeignKey(
                        name: "fk_incident_reports_incidents_incident_id",
                        column: x => x.incident_id,
                        principalTable: "incidents",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "notices",
                columns: table => new
                {
                    id = table.Column<Guid>(type: "TEXT", nullable: false),
                    kind = table.Column<string>(type: "TEXT", maxLength: 40, nullable: false),
                    incident_id = table.Column<Guid>(type: "TEXT", nullable: true),
                    maintenance_id = table.Column<Guid>(type: "TEXT", nullable: true),
                    status = table.Column<string>(type: "TEXT", maxLength: 40, nullable: false),
                    state = table.Column<string>(type: "TEXT", maxLength: 40, nullable: false),
                    drill = table.Column<bool>(type: "INTEGER", nullable: false),
                    seq = table.Column<int>(type: "INTEGER", nullable: false),
                    title_ja = table.Column<string>(type: "TEXT", maxLength: 200, nullable: false),
                    title_en = table.Column<string>(type: "TEXT", maxLength: 200, nullable: false),
                    occurred_at = table.Column<DateTime>(type: "TEXT", nullable: false),
                    what_ja = table.Column<string>(type: "TEXT", maxLength: 2000, nullable: false),
                    what_en = table.Column<string>(type: "TEXT", maxLength: 2000, nullable: false),
                    impact_ja = table.Column<string>(type: "TEXT", maxLength: 2000, nullable: false),
                    impact_en = table.Column<string>(type: "TEXT", maxLength: 2000, nullable: false),
                    outlook_ja = table.Column<string>(type: "TEXT", maxLength: 2000, nullable: false),
                    outlook_en = table.Column<string>(type: "TEXT", maxLength: 2000, nullable: false),
                    alternatives_ja = table.Column<string>(type: "TEXT", maxLength: 2000, nullable: false),
                    alternatives_en = table.Column<string>(type: "TEXT", maxLength: 2000, nullable: false),
                    deliver_notifications = table.Column<bool>(type: "INTEGER", nullable: false),
                    affected_components = table.Column<string>(type: "TEXT", nullable: true),
                    component_states = table.Column<string>(type: "TEXT", nullable: true),
                    author_id = table.Column<Guid>(type: "TEXT", nullable: true),
                    author_name = table.Column<string>(type: "TEXT", maxLength: 200, nullable: false),
                    created_at = table.Column<DateTime>(type: "TEXT", nullable: false),
                    reviewer_id = table.Column<Guid>(type: "TEXT", nullable: true),
                    reviewer_name = table.Column<string>(type: "TEXT", maxLength: 200, nullable: true),
                    reviewed_at = table.Column<DateTime>(type: "TEXT", nullable: true),
                    reject_reason = table.Column<string>(type: "TEXT", maxLength: 2000, nullable: true),
                    published_at = table.Column<DateTime>(type: "TEXT", nullable: true),
                    version = table.Column<int>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_notices", x => x.id);
                    table.ForeignKey(
                        name: "fk_notices_incidents_incident_id",
                        column: x => x.incident_id,
                        principalTable: "incidents",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                    table.ForeignKey(
                        name: "fk_notices_maintenances_maintenance_id",
                        column: x => x.maintenance_id,
                        principalTable: "maintenances",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "pages",
                columns: table => new
                {
                    id = table.Column<Guid>(type: "TEXT", nullable: false),
                    incident_id = table.Column<Guid>(type: "TEXT", nullable: false),
                    group_key = table.Column<string>(type: "TEXT", maxLength: 200, nullable: false),
                    group_name = table.Column<string>(type: "TEXT", maxLength: 300, nullable: false),
                    purpose = table.Column<string>(type: "TEXT", maxLength: 40, nullable: false),
                    level = table.Column<int>(type: "INTEGER", nullable: false),
                    state = table.Column<string>(type: "TEXT", maxLength: 40, nullable: false),
                    steps = table.Column<string>(type: "TEXT", maxLength: 64000, nullable: false),
                    repeat = table.Column<int>(type: "INTEGER", nullable: false),
                    step = table.Column<int>(type: "INTEGER", nullable: false),
                    cycle = table.Column<int>(type: "INTEGER", nullable: false),
                    created_at = table.Column<DateTime>(type: "TEXT", nullable: false),
                    next_at = table.Column<DateTime>(type: "TEXT", nullable: true),
                    acknowledged_at = table.Column<DateTime>(type: "TEXT", nullable: true),
                    acknowledged_by_id = table.Column<Guid>(type: "TEXT", nullable: true),
                    acknowledged_by_name = table.Column<string>(type: "TEXT", maxLength: 200, nullable: true),
                    acknowledged_via = table.Column<string>(type: "TEXT", maxLength: 40, nullable: true),
                    ended_at = table.Column<DateTime>(type: "TEXT", nullable: true),
                    version = table.Column<int>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_pages", x => x.id);
                    table.ForeignKey(
                        name: "fk_pages_incidents_incident_id",
                        column: x => x.incident_id,
                        principalTable: "incidents",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "recovery_confirmations",
                columns: table => new
                {
                    id = table.Column<Guid>(type: "TEXT", nullable: false),
                    incident_id = table.Column<Guid>(type: "TEXT", nullable: false),
                    component_id = table.Column<Guid>(type: "TEXT", nullable: false),
                    component_key = table.Column<string>(type: "TEXT", maxLength: 100, nullable: false),
                    at = table.Column<DateTime>(type: "TEXT", nullable: false),
                    by_id = table.Column<Guid>(type: "TEXT", nullable: true),
                    by_name = table.Column<string>(type: "TEXT", maxLength: 200, nullable: false),
                    note = table.Column<string>(type: "TEXT", maxLength: 2000, nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_recovery_confirmations", x => x.id);
                    table.ForeignKey(
                        name: "fk_recovery_confirmations_incidents_incident_id",
                        column: x => x.incident_id,
                        principalTable: "incidents",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "register_entries",
                columns: table => new
                {
                    incident_id = table.Column<Guid>(type: "TEXT", nullable: false),
                    cause_class = table.Column<string>(type: "TEXT", maxLength: 40, nullable: false),
                    remarks = table.Column<string>(type: "TEXT", maxLength: 2000, nullable: true),
                    updated_by_name = table.Column<string>(type: "TEXT", maxLength: 200, nullable: true),
                    updated_at = table.Column<DateTime>(type: "TEXT", nullable: false),
                    version = table.Column<int>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_register_entries", x => x.incident_id);
                    table.ForeignKey(
                        name: "fk_register_entries_incidents_incident_id",
                        column: x => x.incident_id,
                        principalTable: "incidents",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "regulatory_tracks",
                columns: table => new
                {
                    incident_id = table.Column<Guid>(type: "TEXT", nullable: false),
                    reportable = table.Column<bool>(type: "INTEGER", nullable: false),
                    manual = table.Column<bool>(type: "INTEGER", nullable: false),
                    rule = table.Column<string>(type: "TEXT", maxLength: 60, nullable: false),
                    reason_ja = table.Column<string>(type: "TEXT", maxLength: 2000, nullable: false),
                    reason_en = table.Column<string>(type: "TEXT", maxLength: 2000, nullable: false),
                    decided_by_name = table.Column<string>(type: "TEXT", maxLength: 200, nullable: true),
                    decided_at = table.Column<DateTime>(type: "TEXT", nullable: false),
                    cause_found_at = table.Column<DateTime>(type: "TEXT", nullable: true),
                    created_at = table.Column<DateTime>(type: "TEXT", nullable: false),
                    updated_at = table.Column<DateTime>(type: "TEXT", nullable: false),
                    version = table.Column<int>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_regulatory_tracks", x => x.incident_id);
                    table.ForeignKey(
                        name: "fk_regulatory_tracks_incidents_incident_id",
                        column: x => x.incident_id,
                        principalTable: "incidents",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "reports",
                columns: table => new
                {
                    id = table.Column<Guid>(type: "TEXT", nullable: false),
                    occurred_at = table.Column<DateTime>(type: "TEXT", nullable: true),
                    what = table.Column<string>(type: "TEXT", maxLength: 4000, nullable: false),
                    impact_seen = table.Column<string>(type: "TEXT", maxLength: 2000, nullable: true),
                    reporter_name = table.Column<string>(type: "TEXT", maxLength: 200, nullable: false),
                    reporter_contact = table.Column<string>(type: "TEXT", maxLength: 320, nullable: true),
                    channel = table.Column<string>(type: "TEXT", maxLength: 40, nullable: false),
                    customer_reference = table.Column<string>(type: "TEXT", maxLength: 100, nullable: true),
                    component_id = table.Column<Guid>(type: "TEXT", nullable: true),
                    incident_id = table.Column<Guid>(type: "TEXT", nullable: true),
                    linked_at = table.Column<DateTime>(type: "TEXT", nullable: true),
                    linked_by = table.Column<string>(type: "TEXT", maxLength: 200, nullable: true),
                    created_at = table.Column<DateTime>(type: "TEXT", nullable: false),
                    created_by_id = table.Column<Guid>(type: "TEXT", nullable: true),
                    created_by = table.Column<string>(type: "TEXT", maxLength: 200, nullable: false),
                    version = table.Column<int>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_reports", x => x.id);
                    table.ForeignKey(
                        name: "fk_reports_components_component_id",
                        column: x => x.component_id,
                        principalTable: "components",
                        principalColumn: "id",
                        onDelete: ReferentialAction.SetNull);
                    table.ForeignKey(
                        name: "fk_reports_incidents_incident_id",
                        column: x => x.incident_id,
                        principalTable: "incidents",
                        principalColumn: "id",
                        onDelete: ReferentialAction.SetNull);
                });

            migrationBuilder.CreateTable(
                name: "timeline_entries",
                columns: table => new
                {
                    id = table.Column<long>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    incident_id = table.Column<Guid>(type: "TEXT", nullable: false),
                    seq = table.Column<int>(type: "INTEGER", nullable: false),
                    at = table.Column<DateTime>(type: "TEXT", nullable: false),
                    actor_id = table.Column<Guid>(type: "TEXT", nullable: true),
                    actor_name = table.Column<string>(type: "TEXT", maxLength: 200, nullable: false),
                    kind = table.Column<string>(type: "TEXT", maxLength: 40, nullable: false),
                    body = table.Column<string>(type: "TEXT", maxLength: 10000, nullable: true),
                    data = table.Column<string>(type: "TEXT", maxLength: 16000, nullable: true),
                    prev_hash = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    hash = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_timeline_entries", x => x.id);
                    table.ForeignKey(
                        name: "fk_timeline_entries_incidents_incident_id",
                        column: x => x.incident_id,
                        principalTable: "incidents",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "runbook_versions",
                columns: table => new
                {
                    id = table.Column<Guid>(type: "TEXT", nullable: false),
                    runbook_id = table.Column<Guid>(type: "TEXT", nullable: false),
                    number = table.Column<int>(type: "INTEGER", nullable: false),
                    change_note = table.Column<string>(type: "TEXT", maxLength: 2000, nullable: true),
                    created_at = table.Column<DateTime>(type: "TEXT", nullable: false),
                    created_by_name = table.Column<string>(type: "TEXT", maxLength: 200, nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_runbook_versions", x => x.id);
                    table.ForeignKey(
                        name: "fk_runbook_versions_runbooks_runbook_id",
                        column: x => x.runbook_id,
                        principalTable: "runbooks",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "monitor_hours",
                columns: table => new
                {
                    monitor_id = table.Column<Guid>(type: "TEXT", nullable: false),
                    hour = table.Column<DateTime>(type: "TEXT", nullable: false),
                    checks = table.Column<int>(type: "INTEGER", nullable: false),
                    failures = table.Column<int>(type: "INTEGER", nullable: false),
                    latency_sum_us = table.Column<long>(type: "INTEGER", nullable: false),
                    latency_max_us = table.Column<int>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_monitor_hours", x => new { x.monitor_id, x.hour });
                    table.ForeignKey(
                        name: "fk_monitor_hours_monitors_monitor_id",
                        column: x => x.monitor_id,
                        principalTable: "monitors",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "monitor_minutes",
                columns: table => new
                {
                    monitor_id = table.Column<Guid>(type: "TEXT", nullable: false),
                    minute = table.Column<DateTime>(type: "TEXT", nullable: false),
                    checks = table.Column<int>(type: "INTEGER", nullable: false),
                    failures = table.Column<int>(type: "INTEGER", nullable: false),
                    latency_sum_us = table.Column<long>(type: "INTEGER", nullable: false),
                    latency_max_us = table.Column<int>(type: "INTEGER", nullable: false),
                    samples = table.Column<byte[]>(type: "BLOB", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_monitor_minutes", x => new { x.monitor_id, x.minute });
                    table.ForeignKey(
                        name: "fk_monitor_minutes_monitors_monitor_id",
                        column: x => x.monitor_id,
                        principalTable: "monitors",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "monitor_state_changes",
                columns: table => new
                {
                    id = table.Column<long>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    monitor_id = table.Column<Guid>(type: "TEXT", nullable: false),
                    at = table.Column<DateTime>(type: "TEXT", nullable: false),
                    from = table.Column<string>(type: "TEXT", maxLength: 40, nullable: false),
                    to = table.Column<string>(type: "TEXT", maxLength: 40, nullable: false),
                    message = table.Column<string>(type: "TEXT", maxLength: 1000, nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_monitor_state_changes", x => x.id);
                    table.ForeignKey(
                        name: "fk_monitor_state_changes_monitors_monitor_id",
                        column: x => x.monitor_id,
                        principalTable: "monitors",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "incident_checklist_items",
                columns: table => new
                {
                    id = table.Column<Guid>(type: "TEXT", nullable: false),
                    checklist_id = table.Column<Guid>(type: "TEXT", nullable: false),
                    incident_id = table.Column<Guid>(type: "TEXT", nullable: false),
                    position = table.Column<int>(type: "INTEGER", nullable: false),
                    phase = table.Column<string>(type: "TEXT", maxLength: 40, nullable: false),
                    text_ja = table.Column<string>(type: "TEXT", maxLength: 1000, nullable: false),
                    text_en = table.Column<string>(type: "TEXT", maxLength: 1000, nullable: false),
                    required = table.Column<bool>(type: "INTEGER", nullable: false),
                    done_at = table.Column<DateTime>(type: "TEXT", nullable: true),
                    done_by_id = table.Column<Guid>(type: "TEXT", nullable: true),
                    done_by_name = table.Column<string>(type: "TEXT", maxLength: 200, nullable: true),
                    note = table.Column<string>(type: "TEXT", maxLength: 2000, nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_incident_checklist_items", x => x.id);
                    table.ForeignKey(
                        name: "fk_incident_checklist_items_incident_checklists_checklist_id",
                        column: x => x.checklist_id,
                        principalTable: "incident_checklists",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "incident_report_sections",
                columns: table => new
                {
                    report_id = table.Column<Guid>(type: "TEXT", nullable: false),
                    key = table.Column<string>(type: "TEXT", maxLength: 40, nullable: false),
                    language = table.Column<string>(type: "TEXT", maxLength: 8, nullable: false),
                    body = table.Column<string>(type: "TEXT", maxLength: 20000, nullable: false),
                    edited = table.Column<bool>(type: "INTEGER", nullable: false),
                    edited_by_id = table.Column<Guid>(type: "TEXT", nullable: true),
                    edited_by_name = table.Column<string>(type: "TEXT", maxLength: 200, nullable: true),
                    edited_at = table.Column<DateTime>(type: "TEXT", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_incident_report_sections", x => new { x.report_id, x.key, x.language });
                    table.ForeignKey(
                        name: "fk_incident_report_sections_incident_reports_report_id",
                        column: x => x.report_id,
                        principalTable: "incident_reports",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "notice_deliveries",
                columns: table => new
                {
                    notice_id = table.Column<Guid>(type: "TEXT", nullable: false),
                    channel = table.Column<string>(type: "TEXT", maxLength: 40, nullable: false),
                    cursor = table.Column<Guid>(type: "TEXT", nullable: true),
                    queued = table.Column<int>(type: "INTEGER", nullable: false),
                    done = table.Column<bool>(type: "INTEGER", nullable: false),
                    content_ja = table.Column<string>(type: "TEXT", nullable: true),
                    content_en = table.Column<string>(type: "TEXT", nullable: true),
                    updated_at = table.Column<DateTime>(type: "TEXT", nullable: false),
                    version = table.Column<int>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_notice_deliveries", x => new { x.notice_id, x.channel });
                    table.ForeignKey(
                        name: "fk_notice_deliveries_notices_notice_id",
                        column: x => x.notice_id,
                        principalTable: "notices",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "ack_tokens",
                columns: table => new
                {
                    id = table.Column<Guid>(type: "TEXT", nullable: false),
                    page_id = table.Column<Guid>(type: "TEXT", nullable: false),
                    user_id = table.Column<Guid>(type: "TEXT", nullable: false),
                    expires_at = table.Column<DateTime>(type: "TEXT", nullable: false),
                    used_at = table.Column<DateTime>(type: "TEXT", nullable: true),
                    created_at = table.Column<DateTime>(type: "TEXT", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_ack_tokens", x => x.id);
                    table.ForeignKey(
                        name: "fk_ack_tokens_pages_page_id",
                        column: x => x.page_id,
                        principalTable: "pages",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "page_notifications",
                columns: table => new
                {
                    id = table.Column<Guid>(type: "TEXT", nullable: false),
                    page_id = table.Column<Guid>(type: "TEXT", nullable: false),
                    incident_id = table.Column<Guid>(type: "TEXT", nullable: false),
                    user_id = table.Column<Guid>(type: "TEXT", nullable: false),
                    user_name = table.Column<string>(type: "TEXT", maxLength: 200, nullable: false),
                    step = table.Column<int>(type: "INTEGER", nullable: false),
                    cycle = table.Column<int>(type: "INTEGER", nullable: false),
                    channel = table.Column<string>(type: "TEXT", maxLength: 40, nullable: false),
                    contact_method_id = table.Column<Guid>(type: "TEXT", nullable: true),
                    recipient = table.Column<string>(type: "TEXT", maxLength: 2000, nullable: false),
                    outbox_message_id = table.Column<Guid>(type: "TEXT", nullable: true),
                    at = table.Column<DateTime>(type: "TEXT", nullable: false),
                    deferred = table.Column<bool>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_page_notifications", x => x.id);
                    table.ForeignKey(
                        name: "fk_page_notifications_pages_page_id",
                        column: x => x.page_id,
                        principalTable: "pages",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "regulatory_filings",
                columns: table => new
                {
                    id = table.Column<Guid>(type: "TEXT", nullable: false),
                    incident_id = table.Column<Guid>(type: "TEXT", nullable: false),
                    kind = table.Column<string>(type: "TEXT", maxLength: 40, nullable: false),
                    status = table.Column<string>(type: "TEXT", maxLength: 40, nullable: false),
                    due_at = table.Column<DateTime>(type: "TEXT", nullable: true),
                    draft = table.Column<string>(type: "TEXT", maxLength: 50000, nullable: true),
                    draft_edited_by_name = table.Column<string>(type: "TEXT", maxLength: 200, nullable: true),
                    draft_edited_at = table.Column<DateTime>(type: "TEXT", nullable: true),
                    submitted_at = table.Column<DateTime>(type: "TEXT", nullable: true),
                    submitted_by_id = table.Column<Guid>(type: "TEXT", nullable: true),
                    submitted_by_name = table.Column<string>(type: "TEXT", maxLength: 200, nullable: true),
                    submission_reference = table.Column<string>(type: "TEXT", maxLength: 200, nullable: true),
                    submission_note = table.Column<string>(type: "TEXT", maxLength: 2000, nullable: true),
                    submitted_text = table.Column<string>(type: "TEXT", maxLength: 50000, nullable: true),
                    not_required_reason = table.Column<string>(type: "TEXT", maxLength: 60, nullable: true),
                    created_at = table.Column<DateTime>(type: "TEXT", nullable: false),
                    updated_at = table.Column<DateTime>(type: "TEXT", nullable: false),
                    version = table.Column<int>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_regulatory_filings", x => x.id);
                    table.ForeignKey(
                        name: "fk_regulatory_filings_regulatory_tracks_incident_id",
                        column: x => x.incident_id,
                        principalTable: "regulatory_tracks",
                        principalColumn: "incident_id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "runbook_steps",
                columns: table => new
                {
                    id = table.Column<Guid>(type: "TEXT", nullable: false),
                    version_id = table.Column<Guid>(type: "TEXT", nullable: false),
                    position = table.Column<int>(type: "INTEGER", nullable: false),
                    phase = table.Column<string>(type: "TEXT", maxLength: 40, nullable: false),
                    text_ja = table.Column<string>(type: "TEXT", maxLength: 1000, nullable: false),
                    text_en = table.Column<string>(type: "TEXT", maxLength: 1000, nullable: false),
                    required = table.Column<bool>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_runbook_steps", x => x.id);
                    table.ForeignKey(
                        name: "fk_runbook_steps_runbook_versions_version_id",
                        column: x => x.version_id,
                        principalTable: "runbook_versions",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateIndex(
                name: "ix_ack_tokens_page_id",
                table: "ack_tokens",
                column: "page_id");

            migrationBuilder.CreateIndex(
                name: "ix_action_item_incidents_incident_id",
                table: "action_item_incidents",
                column: "incident_id");

            migrationBuilder.CreateIndex(
                name: "ix_action_items_owner_id",
                table: "action_items",
                column: "owner_id");

            migrationBuilder.CreateIndex(
                name: "ix_action_items_status_due_on",
                table: "action_items",
                columns: new[] { "status", "due_on" });

            migrationBuilder.CreateIndex(
                name: "ix_alerts_component_id",
                table: "alerts",
                column: "component_id");

            migrationBuilder.CreateIndex(
                name: "ix_alerts_incident_id",
                table: "alerts",
                column: "incident_id");

            migrationBuilder.CreateIndex(
                name: "ix_alerts_last_seen_at",
                table: "alerts",
                column: "last_seen_at");

            migrationBuilder.CreateIndex(
                name: "ix_alerts_needs_routing",
                table: "alerts",
                column: "needs_routing",
                filter: "needs_routing");

            migrationBuilder.CreateIndex(
                name: "ix_alerts_source_id_dedup_key",
                table: "alerts",
                columns: new[] { "source_id", "dedup_key" },
                unique: true,
                filter: "resolved_at IS NULL");

            migrationBuilder.CreateIndex(
                name: "ix_alerts_source_id_dedup_key_resolved_at",
                table: "alerts",
                columns: new[] { "source_id", "dedup_key", "resolved_at" });

            migrationBuilder.CreateIndex(
                name: "ix_alerts_status_last_seen_at",
                table: "alerts",
                columns: new[] { "status", "last_seen_at" });

            migrationBuilder.CreateIndex(
                name: "ix_api_keys_hash",
                table: "api_keys",
                column: "hash",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "ix_api_keys_user_id",
                table: "api_keys",
                column: "user_id");

            migrationBuilder.CreateIndex(
                name: "ix_briefings_incident_id_sent_at",
                table: "briefings",
                columns: new[] { "incident_id", "sent_at" });

            migrationBuilder.CreateIndex(
                name: "ix_calendar_feeds_token_hash",
                table: "calendar_feeds",
                column: "token_hash",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "ix_change_events_integration_id",
                table: "change_events",
                column: "integration_id");

            migrationBuilder.CreateIndex(
                name: "ix_change_events_received_at",
                table: "change_events",
                column: "received_at");

            migrationBuilder.CreateIndex(
                name: "ix_component_groups_key",
                table: "component_groups",
                column: "key",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "ix_components_category",
                table: "components",
                column: "category");

            migrationBuilder.CreateIndex(
                name: "ix_components_group_id",
                table: "components",
                column: "group_id");

            migrationBuilder.CreateIndex(
                name: "ix_components_key",
                table: "components",
                column: "key",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "ix_contact_methods_user_id",
                table: "contact_methods",
                column: "user_id");

            migrationBuilder.CreateIndex(
                name: "ix_control_approvals_state_component_id",
                table: "control_approvals",
                columns: new[] { "state", "component_id" });

            migrationBuilder.CreateIndex(
                name: "ix_control_changes_component_id",
                table: "control_changes",
                column: "component_id");

            migrationBuilder.CreateIndex(
                name: "ix_control_changes_incident_id",
                table: "control_changes",
                column: "incident_id");

            migrationBuilder.CreateIndex(
                name: "ix_drills_incident_id",
                table: "drills",
                column: "incident_id",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "ix_drills_status_started_at",
                table: "drills",
                columns: new[] { "status", "started_at" });

            migrationBuilder.CreateIndex(
                name: "ix_escalation_policies_key",
                table: "escalation_policies",
                column: "key",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "ix_escalation_steps_policy_id",
                table: "escalation_steps",
                column: "policy_id");

            migrationBuilder.CreateIndex(
                name: "ix_escalation_targets_kind_target_id",
                table: "escalation_targets",
                columns: new[] { "kind", "target_id" });

            migrationBuilder.CreateIndex(
                name: "ix_escalation_targets_step_id",
                table: "escalation_targets",
                column: "step_id");

            migrationBuilder.CreateIndex(
                name: "ix_incident_checklist_items_checklist_id",
                table: "incident_checklist_items",
                column: "checklist_id");

            migrationBuilder.CreateIndex(
                name: "ix_incident_checklist_items_incident_id_phase",
                table: "incident_checklist_items",
                columns: new[] { "incident_id", "phase" });

            migrationBuilder.CreateIndex(
                name: "ix_incident_checklists_incident_id_runbook_id",
                table: "incident_checklists",
                columns: new[] { "incident_id", "runbook_id" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "ix_incident_components_component_id",
                table: "incident_components",
                column: "component_id");

            migrationBuilder.CreateIndex(
                name: "ix_incident_members_user_id",
                table: "incident_members",
                column: "user_id");

            migrationBuilder.CreateIndex(
                name: "ix_incident_reports_incident_id",
                table: "incident_reports",
                column: "incident_id",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "ix_incident_reports_status",
                table: "incident_reports",
                column: "status");

            migrationBuilder.CreateIndex(
                name: "ix_incidents_commander_id",
                table: "incidents",
                column: "commander_id");

            migrationBuilder.CreateIndex(
                name: "ix_incidents_detected_at",
                table: "incidents",
                column: "detected_at");

            migrationBuilder.CreateIndex(
                name: "ix_incidents_number",
                table: "incidents",
                column: "number",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "ix_incidents_status_level",
                table: "incidents",
                columns: new[] { "status", "level" });

            migrationBuilder.CreateIndex(
                name: "ix_integrations_component_id",
                table: "integrations",
                column: "component_id");

            migrationBuilder.CreateIndex(
                name: "ix_integrations_key_hash",
                table: "integrations",
                column: "key_hash",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "ix_jobs_kind_key",
                table: "jobs",
                columns: new[] { "kind", "key" });

            migrationBuilder.CreateIndex(
                name: "ix_jobs_state_due_at",
                table: "jobs",
                columns: new[] { "state", "due_at" });

            migrationBuilder.CreateIndex(
                name: "ix_maintenance_components_component_id",
                table: "maintenance_components",
                column: "component_id");

            migrationBuilder.CreateIndex(
                name: "ix_maintenances_status_scheduled_for",
                table: "maintenances",
                columns: new[] { "status", "scheduled_for" });

            migrationBuilder.CreateIndex(
                name: "ix_managed_documents_owner_id",
                table: "managed_documents",
                column: "owner_id");

            migrationBuilder.CreateIndex(
                name: "ix_managed_documents_review_by",
                table: "managed_documents",
                column: "review_by");

            migrationBuilder.CreateIndex(
                name: "ix_monitor_hours_hour",
                table: "monitor_hours",
                column: "hour");

            migrationBuilder.CreateIndex(
                name: "ix_monitor_minutes_minute",
                table: "monitor_minutes",
                column: "minute");

            migrationBuilder.CreateIndex(
                name: "ix_monitor_state_changes_at",
                table: "monitor_state_changes",
                column: "at");

            migrationBuilder.CreateIndex(
                name: "ix_monitor_state_changes_monitor_id_at",
                table: "monitor_state_changes",
                columns: new[] { "monitor_id", "at" });

            migrationBuilder.CreateIndex(
                name: "ix_monitors_component_id",
                table: "monitors",
                column: "component_id");

            migrationBuilder.CreateIndex(
                name: "ix_monitors_heartbeat_token_hash",
                table: "monitors",
                column: "heartbeat_token_hash",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "ix_monitors_key",
                table: "monitors",
                column: "key",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "ix_notices_incident_id_state",
                table: "notices",
                columns: new[] { "incident_id", "state" });

            migrationBuilder.CreateIndex(
                name: "ix_notices_maintenance_id_state",
                table: "notices",
                columns: new[] { "maintenance_id", "state" });

            migrationBuilder.CreateIndex(
                name: "ix_notices_state_published_at",
                table: "notices",
                columns: new[] { "state", "published_at" });

            migrationBuilder.CreateIndex(
                name: "ix_outbox_attempts_message_id",
                table: "outbox_attempts",
                column: "message_id");

            migrationBuilder.CreateIndex(
                name: "ix_outbox_messages_idempotency_key",
                table: "outbox_messages",
                column: "idempotency_key",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "ix_outbox_messages_incident_id",
                table: "outbox_messages",
                column: "incident_id");

            migrationBuilder.CreateIndex(
                name: "ix_outbox_messages_purpose_reference",
                table: "outbox_messages",
                columns: new[] { "purpose", "reference" });

            migrationBuilder.CreateIndex(
                name: "ix_outbox_messages_state_due_at",
                table: "outbox_messages",
                columns: new[] { "state", "due_at" });

            migrationBuilder.CreateIndex(
                name: "ix_page_notifications_incident_id_user_id",
                table: "page_notifications",
                columns: new[] { "incident_id", "user_id" });

            migrationBuilder.CreateIndex(
                name: "ix_page_notifications_page_id",
                table: "page_notifications",
                column: "page_id");

            migrationBuilder.CreateIndex(
                name: "ix_pages_incident_id_group_key",
                table: "pages",
                columns: new[] { "incident_id", "group_key" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "ix_pages_state",
                table: "pages",
                column: "state");

            migrationBuilder.CreateIndex(
                name: "ix_recovery_confirmations_incident_id_component_id",
                table: "recovery_confirmations",
                columns: new[] { "incident_id", "component_id" });

            migrationBuilder.CreateIndex(
                name: "ix_register_entries_cause_class",
                table: "register_entries",
                column: "cause_class");

            migrationBuilder.CreateIndex(
                name: "ix_regulatory_filings_incident_id_kind",
                table: "regulatory_filings",
                columns: new[] { "incident_id", "kind" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "ix_regulatory_filings_status_due_at",
                table: "regulatory_filings",
                columns: new[] { "status", "due_at" });

            migrationBuilder.CreateIndex(
                name: "ix_reports_component_id_created_at",
                table: "reports",
                columns: new[] { "component_id", "created_at" });

            migrationBuilder.CreateIndex(
                name: "ix_reports_created_at",
                table: "reports",
                column: "created_at");

            migrationBuilder.CreateIndex(
                name: "ix_reports_incident_id",
                table: "reports",
                column: "incident_id");

            migrationBuilder.CreateIndex(
                name: "ix_routing_rules_position",
                table: "routing_rules",
                column: "position");

            migrationBuilder.CreateIndex(
                name: "ix_runbook_steps_version_id",
                table: "runbook_steps",
                column: "version_id");

            migrationBuilder.CreateIndex(
                name: "ix_runbook_versions_runbook_id_number",
                table: "runbook_versions",
                columns: new[] { "runbook_id", "number" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "ix_runbooks_category_min_level",
                table: "runbooks",
                columns: new[] { "category", "min_level" });

            migrationBuilder.CreateIndex(
                name: "ix_runbooks_key",
                table: "runbooks",
                column: "key",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "ix_runbooks_owner_id",
                table: "runbooks",
                column: "owner_id");

            migrationBuilder.CreateIndex(
                name: "ix_schedule_layer_members_user_id",
                table: "schedule_layer_members",
                column: "user_id");

            migrationBuilder.CreateIndex(
                name: "ix_schedule_layers_schedule_id",
                table: "schedule_layers",
                column: "schedule_id");

            migrationBuilder.CreateIndex(
                name: "ix_schedule_overrides_schedule_id_ends_at",
                table: "schedule_overrides",
                columns: new[] { "schedule_id", "ends_at" });

            migrationBuilder.CreateIndex(
                name: "ix_schedule_overrides_user_id",
                table: "schedule_overrides",
                column: "user_id");

            migrationBuilder.CreateIndex(
                name: "ix_schedules_key",
                table: "schedules",
                column: "key",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "ix_subscribers_confirm_token_hash",
                table: "subscribers",
                column: "confirm_token_hash");

            migrationBuilder.CreateIndex(
                name: "ix_subscribers_kind_address",
                table: "subscribers",
                columns: new[] { "kind", "address" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "ix_subscribers_kind_state_id",
                table: "subscribers",
                columns: new[] { "kind", "state", "id" });

            migrationBuilder.CreateIndex(
                name: "ix_team_components_team_id",
                table: "team_components",
                column: "team_id");

            migrationBuilder.CreateIndex(
                name: "ix_team_members_user_id",
                table: "team_members",
                column: "user_id");

            migrationBuilder.CreateIndex(
                name: "ix_teams_escalation_policy_id",
                table: "teams",
                column: "escalation_policy_id");

            migrationBuilder.CreateIndex(
                name: "ix_teams_key",
                table: "teams",
                column: "key",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "ix_teams_schedule_id",
                table: "teams",
                column: "schedule_id");

            migrationBuilder.CreateIndex(
                name: "ix_timeline_entries_incident_id_seq",
                table: "timeline_entries",
                columns: new[] { "incident_id", "seq" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "ix_users_user_name",
                table: "users",
                column: "user_name",
                unique: true);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "ack_tokens");

            migrationBuilder.DropTable(
                name: "action_item_incidents");

            migrationBuilder.DropTable(
                name: "alerts");

            migrationBuilder.DropTable(
                name: "api_keys");

            migrationBuilder.DropTable(
                name: "briefings");

            migrationBuilder.DropTable(
                name: "calendar_feeds");

            migrationBuilder.DropTable(
                name: "change_events");

            migrationBuilder.DropTable(
                name: "company_holidays");

            migrationBuilder.DropTable(
                name: "contact_methods");

            migrationBuilder.DropTable(
                name: "control_approvals");

            migrationBuilder.DropTable(
                name: "control_changes");

            migrationBuilder.DropTable(
                name: "control_webhooks");

            migrationBuilder.DropTable(
                name: "controls");

            migrationBuilder.DropTable(
                name: "data_protection_keys");

            migrationBuilder.DropTable(
                name: "drill_scenarios");

            migrationBuilder.DropTable(
                name: "drills");

            migrationBuilder.DropTable(
                name: "escalation_targets");

            migrationBuilder.DropTable(
                name: "incident_checklist_items");

            migrationBuilder.DropTable(
                name: "incident_components");

            migrationBuilder.DropTable(
                name: "incident_counters");

            migrationBuilder.DropTable(
                name: "incident_members");

            migrationBuilder.DropTable(
                name: "incident_report_sections");

            migrationBuilder.DropTable(
                name: "integrations");

            migrationBuilder.DropTable(
                name: "jobs");

            migrationBuilder.DropTable(
                name: "leases");

            migrationBuilder.DropTable(
                name: "maintenance_components");

            migrationBuilder.DropTable(
                name: "managed_documents");

            migrationBuilder.DropTable(
                name: "monitor_hours");

            migrationBuilder.DropTable(
                name: "monitor_minutes");

            migrationBuilder.DropTable(
                name: "monitor_state_changes");

            migrationBuilder.DropTable(
                name: "notice_deliveries");

            migrationBuilder.DropTable(
                name: "outbox_attempts");

            migrationBuilder.DropTable(
                name: "page_notifications");

            migrationBuilder.DropTable(
                name: "recovery_confirmations");

            migrationBuilder.DropTable(
                name: "register_entries");

            migrationBuilder.DropTable(
                name: "regulatory_filings");

            migrationBuilder.DropTable(
                name: "reports");

            migrationBuilder.DropTable(
                name: "routing_rules");

            migrationBuilder.DropTable(
                name: "runbook_steps");

            migrationBuilder.DropTable(
                name: "schedule_layer_members");

            migrationBuilder.DropTable(
                name: "schedule_overrides");

            migrationBuilder.DropTable(
                name: "server_secrets");

            migrationBuilder.DropTable(
                name: "sns_threads");

            migrationBuilder.DropTable(
                name: "subscribers");

            migrationBuilder.DropTable(
                name: "team_components");

            migrationBuilder.DropTable(
                name: "team_members");

            migrationBuilder.DropTable(
                name: "timeline_entries");

            migrationBuilder.DropTable(
                name: "action_items");

            migrationBuilder.DropTable(
                name: "escalation_steps");

            migrationBuilder.DropTable(
                name: "incident_checklists");

            migrationBuilder.DropTable(
                name: "incident_reports");

            migrationBuilder.DropTable(
                name: "monitors");

            migrationBuilder.DropTable(
                name: "notices");

            migrationBuilder.DropTable(
                name: "outbox_messages");

            migrationBuilder.DropTable(
                name: "pages");

            migrationBuilder.DropTable(
                name: "regulatory_tracks");

            migrationBuilder.DropTable(
                name: "runbook_versions");

            migrationBuilder.DropTable(
                name: "schedule_layers");

            migrationBuilder.DropTable(
                name: "teams");

            migrationBuilder.DropTable(
                name: "components");

            migrationBuilder.DropTable(
                name: "maintenances");

            migrationBuilder.DropTable(
                name: "incidents");

            migrationBuilder.DropTable(
                name: "runbooks");

            migrationBuilder.DropTable(
                name: "escalation_policies");

            migrationBuilder.DropTable(
                name: "schedules");

            migrationBuilder.DropTable(
                name: "component_groups");

            migrationBuilder.DropTable(
                name: "users");
        }
    }
}
