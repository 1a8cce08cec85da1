using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Fukkyu.Server.Data.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class AlertLog : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "alert_log",
                columns: table => new
                {
                    id = table.Column<long>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    created_at = table.Column<DateTime>(type: "TEXT", nullable: false),
                    events = table.Column<int>(type: "INTEGER", nullable: false),
                    payload = table.Column<byte[]>(type: "BLOB", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_alert_log", x => x.id);
                });

            migrationBuilder.CreateIndex(
                name: "ix_alert_log_created_at",
                table: "alert_log",
                column: "created_at");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "alert_log");
        }
    }
}
