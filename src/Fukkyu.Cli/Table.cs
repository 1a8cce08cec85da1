using System.Globalization;
using System.Text;

namespace Fukkyu.Cli;

/// <summary>Plain aligned columns for people; wide (Japanese) characters count as two.</summary>
public static class Table
{
    public static void Write(TextWriter output, IReadOnlyList<string> headers, IEnumerable<IReadOnlyList<string>> rows)
    {
        var all = rows.ToList();
        var widths = headers.Select(Width).ToArray();
        foreach (var row in all)
        {
            for (var i = 0; i < widths.Length && i < row.Count; i++)
            {
                widths[i] = Math.Max(widths[i], Width(row[i]));
            }
        }
        WriteRow(output, headers, widths);
        WriteRow(output, [.. widths.Select(w => new string('-', w))], widths);
        foreach (var row in all)
        {
            WriteRow(output, row, widths);
        }
    }

    private static void WriteRow(TextWriter output, IReadOnlyList<string> cells, int[] widths)
    {
        var sb = new StringBuilder();
        for (var i = 0; i < widths.Length; i++)
        {
            var cell = i < cells.Count ? cells[i] : "";
            sb.Append(cell);
            if (i < widths.Length - 1)
            {
                sb.Append(' ', widths[i] - Width(cell) + 2);
            }
        }
        output.WriteLine(sb.ToString().TrimEnd());
    }

    public static int Width(string s)
    {
        var width = 0;
        var e = StringInfo.GetTextElementEnumerator(s);
        while (e.MoveNext())
        {
            var rune = Rune.GetRuneAt(e.GetTextElement(), 0);
            width += IsWide(rune.Value) ? 2 : 1;
        }
        return width;
    }

    private static bool IsWide(int c) =>
        c is >= 0x1100 and <= 0x115F or >= 0x2E80 and <= 0xA4CF or >= 0xAC00 and <= 0xD7A3
        or >= 0xF900 and <= 0xFAFF or >= 0xFE30 and <= 0xFE4F or >= 0xFF00 and <= 0xFF60 or >= 0xFFE0 and <= 0xFFE6
        or >= 0x1F300 and <= 0x1FAFF or >= 0x20000 and <= 0x3FFFD;
}
