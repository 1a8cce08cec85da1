using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Fukkyu.Server.Data.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class Detection : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
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
                name: "routing_rules");
        }
    }
}
