using System;
using System.Collections.Generic;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Fukkyu.Server.Data.Migrations.Postgres
{
    /// <inheritdoc />
    public partial class After : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "action_items",
                columns: table => new
                {
                    id = table.Column<Guid>(type: "uuid", nullable: false),
                    title = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: false),
                    description = table.Column<string>(type: "character varying(10000)", maxLength: 10000, nullable: true),
                    kind = table.Column<string>(type: "character varying(40)", maxLength: 40, nullable: false),
                    status = table.Column<string>(type: "character varying(40)", maxLength: 40, nullable: false),
                    owner_id = table.Column<Guid>(type: "uuid", nullable: false),
                    due_on = table.Column<DateOnly>(type: "date", nullable: false),
                    runbooks = table.Column<List<string>>(type: "text[]", nullable: false),
                    created_by_id = table.Column<Guid>(type: "uuid", nullable: true),
                    created_by_name = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: true),
                    created_at = table.Column<DateTime>(type: "timestamp with time zone", nullable: false),
                    updated_at = table.Column<DateTime>(type: "timestamp with time zone", nullable: false),
                    completed_at = table.Column<DateTime>(type: "timestamp with time zone", nullable: true),
                    resolution = table.Column<string>(type: "character varying(10000)", maxLength: 10000, nullable: true),
                    version = table.Column<int>(type: "integer", nullable: false)
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
                name: "drill_scenarios",
                columns: table => new
                {
                    key = table.Column<string>(type: "character varying(60)", maxLength: 60, nullable: false),
                    definition = table.Column<string>(type: "character varying(64000)", maxLength: 64000, nullable: false),
                    updated_by_name = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: true),
                    updated_at = table.Column<DateTime>(type: "timestamp with time zone", nullable: false),
                    version = table.Column<int>(type: "integer", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_drill_scenarios", x => x.key);
                });

            migrationBuilder.CreateTable(
                name: "drills",
                columns: table => new
                {
                    id = table.Column<Guid>(type: "uuid", nullable: false),
                    scenario_key = table.Column<string>(type: "character varying(60)", maxLength: 60, nullable: false),
                    scenario = table.Column<string>(type: "character varying(64000)", maxLength: 64000, nullable: false),
                    incident_id = table.Column<Guid>(type: "uuid", nullable: false),
                    status = table.Column<string>(type: "character varying(40)", maxLength: 40, nullable: false),
                    started_by_id = table.Column<Guid>(type: "uuid", nullable: true),
                    started_by_name = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: true),
                    started_at = table.Column<DateTime>(type: "timestamp with time zone", nullable: false),
                    injected_at = table.Column<DateTime>(type: "timestamp with time zone", nullable: true),
                    inject_status = table.Column<int>(type: "integer", nullable: true),
                    inject_error = table.Column<string>(type: "character varying(2000)", maxLength: 2000, nullable: true),
                    cleared_at = table.Column<DateTime>(type: "timestamp with time zone", nullable: true),
                    clear_status = table.Column<int>(type: "integer", nullable: true),
                    clear_error = table.Column<string>(type: "character varying(2000)", maxLength: 2000, nullable: true),
                    ended_at = table.Column<DateTime>(type: "timestamp with time zone", nullable: true),
                    ended_by_name = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: true),
                    findings = table.Column<string>(type: "character varying(20000)", maxLength: 20000, nullable: true),
                    version = table.Column<int>(type: "integer", nullable: false)
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
                name: "incident_reports",
                columns: table => new
                {
                    id = table.Column<Guid>(type: "uuid", nullable: false),
                    incident_id = table.Column<Guid>(type: "uuid", nullable: false),
                    status = table.Column<string>(type: "character varying(40)", maxLength: 40, nullable: false),
                    submitted_by_id = table.Column<Guid>(type: "uuid", nullable: true),
                    submitted_by_name = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: true),
                    submitted_at = table.Column<DateTime>(type: "timestamp with time zone", nullable: true),
                    approved_by_id = table.Column<Guid>(type: "uuid", nullable: true),
                    approved_by_name = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: true),
                    approved_at = table.Column<DateTime>(type: "timestamp with time zone", nullable: true),
                    published_by_name = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: true),
                    published_at = table.Column<DateTime>(type: "timestamp with time zone", nullable: true),
                    review_comment = table.Column<string>(type: "character varying(2000)", maxLength: 2000, nullable: true),
                    created_at = table.Column<DateTime>(type: "timestamp with time zone", nullable: false),
                    updated_at = table.Column<DateTime>(type: "timestamp with time zone", nullable: false),
                    version = table.Column<int>(type: "integer", nullable: false)
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
                name: "managed_documents",
                columns: table => new
                {
                    id = table.Column<Guid>(type: "uuid", nullable: false),
                    title = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: false),
                    description = table.Column<string>(type: "character varying(4000)", maxLength: 4000, nullable: true),
                    location = table.Column<string>(type: "character varying(1000)", maxLength: 1000, nullable: true),
                    owner_id = table.Column<Guid>(type: "uuid", nullable: false),
                    review_interval_months = table.Column<int>(type: "integer", nullable: false),
                    review_by = table.Column<DateOnly>(type: "date", nullable: false),
                    last_reviewed_on = table.Column<DateOnly>(type: "date", nullable: true),
                    last_reviewed_by_name = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: true),
                    last_review_note = table.Column<string>(type: "character varying(4000)", maxLength: 4000, nullable: true),
                    created_at = table.Column<DateTime>(type: "timestamp with time zone", nullable: false),
                    updated_at = table.Column<DateTime>(type: "timestamp with time zone", nullable: false),
                    version = table.Column<int>(type: "integer", nullable: false)
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
                name: "register_entries",
                columns: table => new
                {
                    incident_id = table.Column<Guid>(type: "uuid", nullable: false),
                    cause_class = table.Column<string>(type: "character varying(40)", maxLength: 40, nullable: false),
                    remarks = table.Column<string>(type: "character varying(2000)", maxLength: 2000, nullable: true),
                    updated_by_name = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: true),
                    updated_at = table.Column<DateTime>(type: "timestamp with time zone", nullable: false),
                    version = table.Column<int>(type: "integer", nullable: false)
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
                    incident_id = table.Column<Guid>(type: "uuid", nullable: false),
                    reportable = table.Column<bool>(type: "boolean", nullable: false),
                    manual = table.Column<bool>(type: "boolean", nullable: false),
                    rule = table.Column<string>(type: "character varying(60)", maxLength: 60, nullable: false),
                    reason_ja = table.Column<string>(type: "character varying(2000)", maxLength: 2000, nullable: false),
                    reason_en = table.Column<string>(type: "character varying(2000)", maxLength: 2000, nullable: false),
                    decided_by_name = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: true),
                    decided_at = table.Column<DateTime>(type: "timestamp with time zone", nullable: false),
                    cause_found_at = table.Column<DateTime>(type: "timestamp with time zone", nullable: true),
                    created_at = table.Column<DateTime>(type: "timestamp with time zone", nullable: false),
                    updated_at = table.Column<DateTime>(type: "timestamp with time zone", nullable: false),
                    version = table.Column<int>(type: "integer", nullable: false)
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
                name: "action_item_incidents",
                columns: table => new
                {
                    action_item_id = table.Column<Guid>(type: "uuid", nullable: false),
                    incident_id = table.Column<Guid>(type: "uuid", nullable: false)
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
                name: "incident_report_sections",
                columns: table => new
                {
                    report_id = table.Column<Guid>(type: "uuid", nullable: false),
                    key = table.Column<string>(type: "character varying(40)", maxLength: 40, nullable: false),
                    language = table.Column<string>(type: "character varying(8)", maxLength: 8, nullable: false),
                    body = table.Column<string>(type: "character varying(20000)", maxLength: 20000, nullable: false),
                    edited = table.Column<bool>(type: "boolean", nullable: false),
                    edited_by_id = table.Column<Guid>(type: "uuid", nullable: true),
                    edited_by_name = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: true),
                    edited_at = table.Column<DateTime>(type: "timestamp with time zone", nullable: true)
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
                name: "regulatory_filings",
                columns: table => new
                {
                    id = table.Column<Guid>(type: "uuid", nullable: false),
                    incident_id = table.Column<Guid>(type: "uuid", nullable: false),
                    kind = table.Column<string>(type: "character varying(40)", maxLength: 40, nullable: false),
                    status = table.Column<string>(type: "character varying(40)", maxLength: 40, nullable: false),
                    due_at = table.Column<DateTime>(type: "timestamp with time zone", nullable: true),
                    draft = table.Column<string>(type: "character varying(50000)", maxLength: 50000, nullable: true),
                    draft_edited_by_name = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: true),
                    draft_edited_at = table.Column<DateTime>(type: "timestamp with time zone", nullable: true),
                    submitted_at = table.Column<DateTime>(type: "timestamp with time zone", nullable: true),
                    submitted_by_id = table.Column<Guid>(type: "uuid", nullable: true),
                    submitted_by_name = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: true),
                    submission_reference = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: true),
                    submission_note = table.Column<string>(type: "character varying(2000)", maxLength: 2000, nullable: true),
                    submitted_text = table.Column<string>(type: "character varying(50000)", maxLength: 50000, nullable: true),
                    not_required_reason = table.Column<string>(type: "character varying(60)", maxLength: 60, nullable: true),
                    created_at = table.Column<DateTime>(type: "timestamp with time zone", nullable: false),
                    updated_at = table.Column<DateTime>(type: "timestamp with time zone", nullable: false),
                    version = table.Column<int>(type: "integer", nullable: false)
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
                name: "ix_drills_incident_id",
                table: "drills",
                column: "incident_id",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "ix_drills_status_started_at",
                table: "drills",
                columns: new[] { "status", "started_at" });

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
                name: "ix_managed_documents_owner_id",
                table: "managed_documents",
                column: "owner_id");

            migrationBuilder.CreateIndex(
                name: "ix_managed_documents_review_by",
                table: "managed_documents",
                column: "review_by");

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
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "action_item_incidents");

            migrationBuilder.DropTable(
                name: "drill_scenarios");

            migrationBuilder.DropTable(
                name: "drills");

            migrationBuilder.DropTable(
                name: "incident_report_sections");

            migrationBuilder.DropTable(
                name: "managed_documents");

            migrationBuilder.DropTable(
                name: "register_entries");

            migrationBuilder.DropTable(
                name: "regulatory_filings");

            migrationBuilder.DropTable(
                name: "action_items");

            migrationBuilder.DropTable(
                name: "incident_reports");

            migrationBuilder.DropTable(
                name: "regulatory_tracks");
        }
    }
}
