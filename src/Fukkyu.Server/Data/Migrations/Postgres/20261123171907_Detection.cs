using System;
using Microsoft.EntityFrameworkCore.Migrations;
using Npgsql.EntityFrameworkCore.PostgreSQL.Metadata;

#nullable disable

namespace Fukkyu.Server.Data.Migrations.Postgres
{
    /// <inheritdoc />
    public partial class Detection : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<string>(
                name: "status_set_by",
                table: "components",
                type: "character varying(100)",
                maxLength: 100,
                nullable: true);

            migrationBuilder.CreateTable(
                name: "alerts",
                columns: table => new
                {
                    id = table.Column<Guid>(type: "uuid", nullable: false),
                    origin = table.Column<string>(type: "character varying(40)", maxLength: 40, nullable: false),
                    source_id = table.Column<Guid>(type: "uuid", nullable: false),
                    source_name = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: false),
                    dedup_key = table.Column<string>(type: "character varying(255)", maxLength: 255, nullable: false),
                    status = table.Column<string>(type: "character varying(40)", maxLength: 40, nullable: false),
                    severity = table.Column<string>(type: "character varying(40)", maxLength: 40, nullable: false),
                    summary = table.Column<string>(type: "character varying(1024)", maxLength: 1024, nullable: false),
                    source = table.Column<string>(type: "character varying(1024)", maxLength: 1024, nullable: true),
                    component_name = table.Column<string>(type: "character varying(1024)", maxLength: 1024, nullable: true),
                    component_id = table.Column<Guid>(type: "uuid", nullable: true),
                    group = table.Column<string>(type: "character varying(1024)", maxLength: 1024, nullable: true),
                    @class = table.Column<string>(name: "class", type: "character varying(1024)", maxLength: 1024, nullable: true),
                    labels = table.Column<string>(type: "character varying(16384)", maxLength: 16384, nullable: true),
                    details = table.Column<string>(type: "character varying(524288)", maxLength: 524288, nullable: true),
                    links = table.Column<string>(type: "character varying(65536)", maxLength: 65536, nullable: true),
                    images = table.Column<string>(type: "character varying(65536)", maxLength: 65536, nullable: true),
                    client = table.Column<string>(type: "character varying(1024)", maxLength: 1024, nullable: true),
                    client_url = table.Column<string>(type: "character varying(1024)", maxLength: 1024, nullable: true),
                    started_at = table.Column<DateTime>(type: "timestamp with time zone", nullable: true),
                    first_seen_at = table.Column<DateTime>(type: "timestamp with time zone", nullable: false),
                    last_seen_at = table.Column<DateTime>(type: "timestamp with time zone", nullable: false),
                    acknowledged_at = table.Column<DateTime>(type: "timestamp with time zone", nullable: true),
                    resolved_at = table.Column<DateTime>(type: "timestamp with time zone", nullable: true),
                    count = table.Column<int>(type: "integer", nullable: false),
                    state_changes = table.Column<int>(type: "integer", nullable: false),
                    window_started_at = table.Column<DateTime>(type: "timestamp with time zone", nullable: false),
                    last_change_at = table.Column<DateTime>(type: "timestamp with time zone", nullable: false),
                    flapping = table.Column<bool>(type: "boolean", nullable: false),
                    needs_routing = table.Column<bool>(type: "boolean", nullable: false),
                    state_seq = table.Column<int>(type: "integer", nullable: false),
                    routed_status = table.Column<string>(type: "character varying(40)", maxLength: 40, nullable: true),
                    outcome = table.Column<string>(type: "character varying(40)", maxLength: 40, nullable: true),
                    rule_id = table.Column<Guid>(type: "uuid", nullable: true),
                    incident_id = table.Column<Guid>(type: "uuid", nullable: true),
                    version = table.Column<int>(type: "integer", nullable: false)
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
                name: "change_events",
                columns: table => new
                {
                    id = table.Column<Guid>(type: "uuid", nullable: false),
                    integration_id = table.Column<Guid>(type: "uuid", nullable: false),
                    summary = table.Column<string>(type: "character varying(1024)", maxLength: 1024, nullable: false),
                    source = table.Column<string>(type: "character varying(1024)", maxLength: 1024, nullable: true),
                    timestamp = table.Column<DateTime>(type: "timestamp with time zone", nullable: true),
                    received_at = table.Column<DateTime>(type: "timestamp with time zone", nullable: false),
                    details = table.Column<string>(type: "character varying(524288)", maxLength: 524288, nullable: true),
                    links = table.Column<string>(type: "character varying(65536)", maxLength: 65536, nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_change_events", x => x.id);
                });

            migrationBuilder.CreateTable(
                name: "integrations",
                columns: table => new
                {
                    id = table.Column<Guid>(type: "uuid", nullable: false),
                    name = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: false),
                    type = table.Column<string>(type: "character varying(40)", maxLength: 40, nullable: false),
                    component_id = table.Column<Guid>(type: "uuid", nullable: true),
                    key_hash = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: false),
                    key_prefix = table.Column<string>(type: "character varying(16)", maxLength: 16, nullable: false),
                    created_at = table.Column<DateTime>(type: "timestamp with time zone", nullable: false),
                    created_by = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: true),
                    disabled_at = table.Column<DateTime>(type: "timestamp with time zone", nullable: true),
                    version = table.Column<int>(type: "integer", nullable: false)
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
                name: "monitors",
                columns: table => new
                {
                    id = table.Column<Guid>(type: "uuid", nullable: false),
                    key = table.Column<string>(type: "character varying(100)", maxLength: 100, nullable: true),
                    name = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: false),
                    kind = table.Column<string>(type: "character varying(40)", maxLength: 40, nullable: false),
                    component_id = table.Column<Guid>(type: "uuid", nullable: true),
                    interval_seconds = table.Column<int>(type: "integer", nullable: false),
                    timeout_ms = table.Column<int>(type: "integer", nullable: false),
                    failure_threshold = table.Column<int>(type: "integer", nullable: false),
                    recovery_threshold = table.Column<int>(type: "integer", nullable: false),
                    settings = table.Column<string>(type: "character varying(16384)", maxLength: 16384, nullable: false),
                    severity = table.Column<string>(type: "character varying(40)", maxLength: 40, nullable: false),
                    down_status = table.Column<string>(type: "character varying(40)", maxLength: 40, nullable: false),
                    reconciliation = table.Column<bool>(type: "boolean", nullable: false),
                    paused = table.Column<bool>(type: "boolean", nullable: false),
                    paused_at = table.Column<DateTime>(type: "timestamp with time zone", nullable: true),
                    paused_by = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: true),
                    managed_by = table.Column<string>(type: "character varying(40)", maxLength: 40, nullable: false),
                    heartbeat_token_hash = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: true),
                    last_beat_at = table.Column<DateTime>(type: "timestamp with time zone", nullable: true),
                    state = table.Column<string>(type: "character varying(40)", maxLength: 40, nullable: false),
                    state_since = table.Column<DateTime>(type: "timestamp with time zone", nullable: false),
                    first_failure_at = table.Column<DateTime>(type: "timestamp with time zone", nullable: true),
                    last_message = table.Column<string>(type: "character varying(1000)", maxLength: 1000, nullable: true),
                    created_at = table.Column<DateTime>(type: "timestamp with time zone", nullable: false),
                    updated_at = table.Column<DateTime>(type: "timestamp with time zone", nullable: false),
                    version = table.Column<int>(type: "integer", nullable: false)
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
                name: "reports",
                columns: table => new
                {
                    id = table.Column<Guid>(type: "uuid", nullable: false),
                    occurred_at = table.Column<DateTime>(type: "timestamp with time zone", nullable: true),
                    what = table.Column<string>(type: "character varying(4000)", maxLength: 4000, nullable: false),
                    impact_seen = table.Column<string>(type: "character varying(2000)", maxLength: 2000, nullable: true),
                    reporter_name = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: false),
                    reporter_contact = table.Column<string>(type: "character varying(320)", maxLength: 320, nullable: true),
                    channel = table.Column<string>(type: "character varying(40)", maxLength: 40, nullable: false),
                    customer_reference = table.Column<string>(type: "character varying(100)", maxLength: 100, nullable: true),
                    component_id = table.Column<Guid>(type: "uuid", nullable: true),
                    incident_id = table.Column<Guid>(type: "uuid", nullable: true),
                    linked_at = table.Column<DateTime>(type: "timestamp with time zone", nullable: true),
                    linked_by = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: true),
                    created_at = table.Column<DateTime>(type: "timestamp with time zone", nullable: false),
                    created_by_id = table.Column<Guid>(type: "uuid", nullable: true),
                    created_by = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: false),
                    version = table.Column<int>(type: "integer", nullable: false)
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
                name: "routing_rules",
                columns: table => new
                {
                    id = table.Column<Guid>(type: "uuid", nullable: false),
                    name = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: false),
                    position = table.Column<int>(type: "integer", nullable: false),
                    enabled = table.Column<bool>(type: "boolean", nullable: false),
                    origin = table.Column<string>(type: "character varying(40)", maxLength: 40, nullable: true),
                    source_id = table.Column<Guid>(type: "uuid", nullable: true),
                    component_id = table.Column<Guid>(type: "uuid", nullable: true),
                    min_severity = table.Column<string>(type: "character varying(40)", maxLength: 40, nullable: true),
                    labels = table.Column<string>(type: "character varying(16384)", maxLength: 16384, nullable: true),
                    action = table.Column<string>(type: "character varying(40)", maxLength: 40, nullable: false),
                    impact_scope = table.Column<string>(type: "character varying(40)", maxLength: 40, nullable: false),
                    component_impact = table.Column<string>(type: "character varying(40)", maxLength: 40, nullable: false),
                    fallback_component_id = table.Column<Guid>(type: "uuid", nullable: true),
                    created_at = table.Column<DateTime>(type: "timestamp with time zone", nullable: false),
                    updated_at = table.Column<DateTime>(type: "timestamp with time zone", nullable: false),
                    version = table.Column<int>(type: "integer", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_routing_rules", x => x.id);
                });

            migrationBuilder.CreateTable(
                name: "monitor_hours",
                columns: table => new
                {
                    monitor_id = table.Column<Guid>(type: "uuid", nullable: false),
                    hour = table.Column<DateTime>(type: "timestamp with time zone", nullable: false),
                    checks = table.Column<int>(type: "integer", nullable: false),
                    failures = table.Column<int>(type: "integer", nullable: false),
                    latency_sum_us = table.Column<long>(type: "bigint", nullable: false),
                    latency_max_us = table.Column<int>(type: "integer", nullable: false)
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
                    monitor_id = table.Column<Guid>(type: "uuid", nullable: false),
                    minute = table.Column<DateTime>(type: "timestamp with time zone", nullable: false),
                    checks = table.Column<int>(type: "integer", nullable: false),
                    failures = table.Column<int>(type: "integer", nullable: false),
                    latency_sum_us = table.Column<long>(type: "bigint", nullable: false),
                    latency_max_us = table.Column<int>(type: "integer", nullable: false),
                    samples = table.Column<byte[]>(type: "bytea", nullable: true)
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
                    id = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    monitor_id = table.Column<Guid>(type: "uuid", nullable: false),
                    at = table.Column<DateTime>(type: "timestamp with time zone", nullable: false),
                    from = table.Column<string>(type: "character varying(40)", maxLength: 40, nullable: false),
                    to = table.Column<string>(type: "character varying(40)", maxLength: 40, nullable: false),
                    message = table.Column<string>(type: "character varying(1000)", maxLength: 1000, nullable: true)
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
                name: "ix_change_events_integration_id",
                table: "change_events",
                column: "integration_id");

            migrationBuilder.CreateIndex(
                name: "ix_change_events_received_at",
                table: "change_events",
                column: "received_at");

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
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "alerts");

            migrationBuilder.DropTable(
                name: "change_events");

            migrationBuilder.DropTable(
                name: "integrations");

            migrationBuilder.DropTable(
                name: "monitor_hours");

            migrationBuilder.DropTable(
                name: "monitor_minutes");

            migrationBuilder.DropTable(
                name: "monitor_state_changes");

            migrationBuilder.DropTable(
                name: "reports");

            migrationBuilder.DropTable(
                name: "routing_rules");

            migrationBuilder.DropTable(
                name: "monitors");

            migrationBuilder.DropColumn(
                name: "status_set_by",
                table: "components");
        }
    }
}
