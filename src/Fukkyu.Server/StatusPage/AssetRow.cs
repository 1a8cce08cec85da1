using System.Text.RegularExpressions;
using Fukkyu.Server.Catalog;

namespace Fukkyu.Server.StatusPage;

/// <summary>One asset on one network: its deposit and its withdrawal component, either may be missing.</summary>
public sealed partial record AssetRow(string Asset, string Network, string NetworkLabel, PublicComponent? Deposit, PublicComponent? Withdrawal)
{
    /// <summary>Pairs deposit and withdrawal components by asset and network, in catalog order.</summary>
    public static List<AssetRow> Build(IEnumerable<PublicComponent> components, string lang)
    {
        var rows = new List<AssetRow>();
        foreach (var c in components)
        {
            if (c.Category is not (ComponentCategory.Deposit or ComponentCategory.Withdrawal) || c.Asset is null || c.Network is null)
            {
                continue;
            }
            var i = rows.FindIndex(r => r.Asset == c.Asset.ToUpperInvariant() && r.Network == c.Network);
            if (i < 0)
            {
                rows.Add(new AssetRow(c.Asset.ToUpperInvariant(), c.Network, Label(c, lang), null, null));
                i = rows.Count - 1;
            }
            rows[i] = c.Category == ComponentCategory.Deposit ? rows[i] with { Deposit = c } : rows[i] with { Withdrawal = c };
        }
        return rows;
    }

    // The catalog names networks inside the component name: "BTC 入金（ライトニングネットワーク）".
    private static string Label(PublicComponent c, string lang) =>
        Parenthesised().Match(c.Name.For(lang)) is { Success: true } m ? m.Groups[1].Value : c.Network!;

    [GeneratedRegex(@"[（(]([^）)]+)[）)]\s*$")]
    private static partial Regex Parenthesised();
}
