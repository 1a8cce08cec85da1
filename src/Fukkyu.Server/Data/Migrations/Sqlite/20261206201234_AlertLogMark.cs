using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Fukkyu.Server.Data.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class AlertLogMark : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "alert_log_mark",
                columns: table => new
                {
                    id = table.Column<int>(type: "INTEGER", nullable: false),
                    folded_through = table.Column<long>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_alert_log_mark", x => x.id);
                });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "alert_log_mark");
        }
    }
}
