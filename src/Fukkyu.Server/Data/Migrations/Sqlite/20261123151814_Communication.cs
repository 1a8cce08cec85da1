using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Fukkyu.Server.Data.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class Communication : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
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

            migrationBuilder.CreateIndex(
                name: "ix_briefings_incident_id_sent_at",
                table: "briefings",
                columns: new[] { "incident_id", "sent_at" });

            migrationBuilder.CreateIndex(
                name: "ix_maintenance_components_component_id",
                table: "maintenance_components",
                column: "component_id");

            migrationBuilder.CreateIndex(
                name: "ix_maintenances_status_scheduled_for",
                table: "maintenances",
                columns: new[] { "status", "scheduled_for" });

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
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "briefings");

            migrationBuilder.DropTable(
                name: "maintenance_components");

            migrationBuilder.DropTable(
                name: "notice_deliveries");

            migrationBuilder.DropTable(
                name: "sns_threads");

            migrationBuilder.DropTable(
                name: "subscribers");

            migrationBuilder.DropTable(
                name: "notices");

            migrationBuilder.DropTable(
                name: "maintenances");
        }
    }
}
