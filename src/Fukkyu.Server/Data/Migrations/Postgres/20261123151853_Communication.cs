using System;
using System.Collections.Generic;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Fukkyu.Server.Data.Migrations.Postgres
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
                    id = table.Column<Guid>(type: "uuid", nullable: false),
                    incident_id = table.Column<Guid>(type: "uuid", nullable: false),
                    audience = table.Column<string>(type: "character varying(40)", maxLength: 40, nullable: false),
                    subject_ja = table.Column<string>(type: "character varying(300)", maxLength: 300, nullable: false),
                    subject_en = table.Column<string>(type: "character varying(300)", maxLength: 300, nullable: false),
                    body_ja = table.Column<string>(type: "character varying(20000)", maxLength: 20000, nullable: false),
                    body_en = table.Column<string>(type: "character varying(20000)", maxLength: 20000, nullable: false),
                    sent_by_id = table.Column<Guid>(type: "uuid", nullable: true),
                    sent_by_name = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: false),
                    sent_at = table.Column<DateTime>(type: "timestamp with time zone", nullable: false),
                    recipients = table.Column<int>(type: "integer", nullable: false)
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
                    id = table.Column<Guid>(type: "uuid", nullable: false),
                    title_ja = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: false),
                    title_en = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: false),
                    what_ja = table.Column<string>(type: "character varying(2000)", maxLength: 2000, nullable: false),
                    what_en = table.Column<string>(type: "character varying(2000)", maxLength: 2000, nullable: false),
                    impact_ja = table.Column<string>(type: "character varying(2000)", maxLength: 2000, nullable: false),
                    impact_en = table.Column<string>(type: "character varying(2000)", maxLength: 2000, nullable: false),
                    alternatives_ja = table.Column<string>(type: "character varying(2000)", maxLength: 2000, nullable: false),
                    alternatives_en = table.Column<string>(type: "character varying(2000)", maxLength: 2000, nullable: false),
                    scheduled_for = table.Column<DateTime>(type: "timestamp with time zone", nullable: false),
                    scheduled_until = table.Column<DateTime>(type: "timestamp with time zone", nullable: false),
                    status = table.Column<string>(type: "character varying(40)", maxLength: 40, nullable: false),
                    auto_transitions = table.Column<bool>(type: "boolean", nullable: false),
                    remind_minutes_before = table.Column<int>(type: "integer", nullable: false),
                    started_at = table.Column<DateTime>(type: "timestamp with time zone", nullable: true),
                    completed_at = table.Column<DateTime>(type: "timestamp with time zone", nullable: true),
                    cancelled_at = table.Column<DateTime>(type: "timestamp with time zone", nullable: true),
                    created_by_id = table.Column<Guid>(type: "uuid", nullable: true),
                    created_by_name = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: false),
                    created_at = table.Column<DateTime>(type: "timestamp with time zone", nullable: false),
                    updated_at = table.Column<DateTime>(type: "timestamp with time zone", nullable: false),
                    version = table.Column<int>(type: "integer", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_maintenances", x => x.id);
                });

            migrationBuilder.CreateTable(
                name: "sns_threads",
                columns: table => new
                {
                    subject_id = table.Column<Guid>(type: "uuid", nullable: false),
                    last_seq = table.Column<int>(type: "integer", nullable: false),
                    last_post_id = table.Column<string>(type: "character varying(100)", maxLength: 100, nullable: true),
                    updated_at = table.Column<DateTime>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_sns_threads", x => x.subject_id);
                });

            migrationBuilder.CreateTable(
                name: "subscribers",
                columns: table => new
                {
                    id = table.Column<Guid>(type: "uuid", nullable: false),
                    kind = table.Column<string>(type: "character varying(40)", maxLength: 40, nullable: false),
                    address = table.Column<string>(type: "character varying(2000)", maxLength: 2000, nullable: false),
                    language = table.Column<string>(type: "character varying(8)", maxLength: 8, nullable: false),
                    component_ids = table.Column<List<Guid>>(type: "uuid[]", nullable: false),
                    state = table.Column<string>(type: "character varying(40)", maxLength: 40, nullable: false),
                    confirm_token_hash = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: true),
                    confirm_expires_at = table.Column<DateTime>(type: "timestamp with time zone", nullable: true),
                    pending_language = table.Column<string>(type: "character varying(8)", maxLength: 8, nullable: true),
                    pending_component_ids = table.Column<List<Guid>>(type: "uuid[]", nullable: true),
                    confirm_sends = table.Column<int>(type: "integer", nullable: false),
                    confirm_window_started_at = table.Column<DateTime>(type: "timestamp with time zone", nullable: true),
                    token_stamp = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: false),
                    signing_secret = table.Column<string>(type: "character varying(2000)", maxLength: 2000, nullable: true),
                    label = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: true),
                    created_at = table.Column<DateTime>(type: "timestamp with time zone", nullable: false),
                    updated_at = table.Column<DateTime>(type: "timestamp with time zone", nullable: false),
                    confirmed_at = table.Column<DateTime>(type: "timestamp with time zone", nullable: true),
                    unsubscribed_at = table.Column<DateTime>(type: "timestamp with time zone", nullable: true),
                    version = table.Column<int>(type: "integer", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_subscribers", x => x.id);
                });

            migrationBuilder.CreateTable(
                name: "maintenance_components",
                columns: table => new
                {
                    maintenance_id = table.Column<Guid>(type: "uuid", nullable: false),
                    component_id = table.Column<Guid>(type: "uuid", nullable: false),
                    status_before = table.Column<string>(type: "character varying(40)", maxLength: 40, nullable: true)
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
                    id = table.Column<Guid>(type: "uuid", nullable: false),
                    kind = table.Column<string>(type: "character varying(40)", maxLength: 40, nullable: false),
                    incident_id = table.Column<Guid>(type: "uuid", nullable: true),
                    maintenance_id = table.Column<Guid>(type: "uuid", nullable: true),
                    status = table.Column<string>(type: "character varying(40)", maxLength: 40, nullable: false),
                    state = table.Column<string>(type: "character varying(40)", maxLength: 40, nullable: false),
                    drill = table.Column<bool>(type: "boolean", nullable: false),
                    seq = table.Column<int>(type: "integer", nullable: false),
                    title_ja = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: false),
                    title_en = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: false),
                    occurred_at = table.Column<DateTime>(type: "timestamp with time zone", nullable: false),
                    what_ja = table.Column<string>(type: "character varying(2000)", maxLength: 2000, nullable: false),
                    what_en = table.Column<string>(type: "character varying(2000)", maxLength: 2000, nullable: false),
                    impact_ja = table.Column<string>(type: "character varying(2000)", maxLength: 2000, nullable: false),
                    impact_en = table.Column<string>(type: "character varying(2000)", maxLength: 2000, nullable: false),
                    outlook_ja = table.Column<string>(type: "character varying(2000)", maxLength: 2000, nullable: false),
                    outlook_en = table.Column<string>(type: "character varying(2000)", maxLength: 2000, nullable: false),
                    alternatives_ja = table.Column<string>(type: "character varying(2000)", maxLength: 2000, nullable: false),
                    alternatives_en = table.Column<string>(type: "character varying(2000)", maxLength: 2000, nullable: false),
                    deliver_notifications = table.Column<bool>(type: "boolean", nullable: false),
                    affected_components = table.Column<string>(type: "text", nullable: true),
                    component_states = table.Column<string>(type: "text", nullable: true),
                    author_id = table.Column<Guid>(type: "uuid", nullable: true),
                    author_name = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: false),
                    created_at = table.Column<DateTime>(type: "timestamp with time zone", nullable: false),
                    reviewer_id = table.Column<Guid>(type: "uuid", nullable: true),
                    reviewer_name = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: true),
                    reviewed_at = table.Column<DateTime>(type: "timestamp with time zone", nullable: true),
                    reject_reason = table.Column<string>(type: "character varying(2000)", maxLength: 2000, nullable: true),
                    published_at = table.Column<DateTime>(type: "timestamp with time zone", nullable: true),
                    version = table.Column<int>(type: "integer", nullable: false)
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
                    notice_id = table.Column<Guid>(type: "uuid", nullable: false),
                    channel = table.Column<string>(type: "character varying(40)", maxLength: 40, nullable: false),
                    cursor = table.Column<Guid>(type: "uuid", nullable: true),
                    queued = table.Column<int>(type: "integer", nullable: false),
                    done = table.Column<bool>(type: "boolean", nullable: false),
                    content_ja = table.Column<string>(type: "text", nullable: true),
                    content_en = table.Column<string>(type: "text", nullable: true),
                    updated_at = table.Column<DateTime>(type: "timestamp with time zone", nullable: false),
                    version = table.Column<int>(type: "integer", nullable: false)
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
